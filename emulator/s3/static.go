package s3

import (
	"encoding/xml"
)

// staticAnswer is how the lab answers a read of a bucket or object
// sub-resource it does not model: either a fixed document or S3's "not
// configured" error. New buckets in AWS have Block Public Access on, ACLs
// disabled (BucketOwnerEnforced) and SSE-S3 encryption; the answers say so.
type staticAnswer struct {
	doc      any
	notFound string // S3's error code for an unconfigured sub-resource
	object   bool   // the sub-resource belongs to an object, which must exist
	acl      bool   // the answer is the owner-only ACL
}

type publicAccessBlock struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration"`
	Xmlns                 string   `xml:"xmlns,attr"`
	BlockPublicAcls       bool
	IgnorePublicAcls      bool
	BlockPublicPolicy     bool
	RestrictPublicBuckets bool
}

type ownershipControls struct {
	XMLName         xml.Name `xml:"OwnershipControls"`
	Xmlns           string   `xml:"xmlns,attr"`
	ObjectOwnership string   `xml:"Rule>ObjectOwnership"`
}

type encryption struct {
	XMLName          xml.Name `xml:"ServerSideEncryptionConfiguration"`
	Xmlns            string   `xml:"xmlns,attr"`
	SSEAlgorithm     string   `xml:"Rule>ApplyServerSideEncryptionByDefault>SSEAlgorithm"`
	BucketKeyEnabled bool     `xml:"Rule>BucketKeyEnabled"`
}

type tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr"`
	TagSet  struct{} `xml:"TagSet"`
}

type loggingStatus struct {
	XMLName xml.Name `xml:"BucketLoggingStatus"`
	Xmlns   string   `xml:"xmlns,attr"`
}

type accelerate struct {
	XMLName xml.Name `xml:"AccelerateConfiguration"`
	Xmlns   string   `xml:"xmlns,attr"`
}

type requestPayment struct {
	XMLName xml.Name `xml:"RequestPaymentConfiguration"`
	Xmlns   string   `xml:"xmlns,attr"`
	Payer   string
}

const ns = "http://s3.amazonaws.com/doc/2006-03-01/"

var staticAnswers = map[string]staticAnswer{
	"GetBucketPublicAccessBlock": {doc: publicAccessBlock{Xmlns: ns, BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}},
	"GetBucketOwnershipControls": {doc: ownershipControls{Xmlns: ns, ObjectOwnership: "BucketOwnerEnforced"}},
	"GetBucketEncryption":        {doc: encryption{Xmlns: ns, SSEAlgorithm: "AES256"}},
	"GetBucketLogging":           {doc: loggingStatus{Xmlns: ns}},
	"GetBucketAccelerate":        {doc: accelerate{Xmlns: ns}},
	"GetBucketRequestPayment":    {doc: requestPayment{Xmlns: ns, Payer: "BucketOwner"}},
	"GetBucketPolicy":            {notFound: "NoSuchBucketPolicy"},
	"GetBucketTagging":           {notFound: "NoSuchTagSet"},
	"GetBucketLifecycle":         {notFound: "NoSuchLifecycleConfiguration"},
	"GetBucketWebsite":           {notFound: "NoSuchWebsiteConfiguration"},
	"GetObjectTagging":           {doc: tagging{Xmlns: ns}, object: true},
	"GetBucketAcl":               {acl: true},
	"GetObjectAcl":               {acl: true, object: true},
}

type acl struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Xmlns   string   `xml:"xmlns,attr"`
	Owner   struct {
		ID string `xml:"ID"`
	} `xml:"Owner"`
	Grants []grant `xml:"AccessControlList>Grant"`
}

type grant struct {
	Grantee struct {
		XMLNS string `xml:"xmlns:xsi,attr"`
		Type  string `xml:"xsi:type,attr"`
		ID    string `xml:"ID"`
	} `xml:"Grantee"`
	Permission string `xml:"Permission"`
}

// ownerACL is the only ACL a bucket with ACLs disabled has.
func (s *Server) ownerACL() acl {
	a := acl{Xmlns: ns}
	a.Owner.ID = RootPrincipalID(s.account)
	var g grant
	g.Grantee.XMLNS = "http://www.w3.org/2001/XMLSchema-instance"
	g.Grantee.Type = "CanonicalUser"
	g.Grantee.ID = a.Owner.ID
	g.Permission = "FULL_CONTROL"
	a.Grants = []grant{g}
	return a
}

// static answers a sub-resource read from staticAnswers.
func (s *Server) static(c *call, a staticAnswer) error {
	if err := s.bucketMustExist(c.op.Bucket); err != nil {
		return err
	}
	if a.object {
		obj, err := s.backend.HeadObject(c.op.Bucket, c.op.Key)
		if err != nil {
			return NewError("NoSuchKey", "", Field{"Key", c.op.Key})
		}
		if obj.Contents != nil {
			obj.Contents.Close()
		}
	}
	if a.notFound != "" {
		return NewError(a.notFound, "", Field{"BucketName", c.op.Bucket})
	}
	if a.acl {
		return writeXML(c.rec, s.ownerACL())
	}
	return writeXML(c.rec, a.doc)
}
