package iam

import (
	"encoding/xml"
	"strings"
	"time"
)

// namespace is the xmlns of IAM's answers.
const namespace = "https://iam.amazonaws.com/doc/2010-05-08/"

// members is a list as the Query protocol writes it: <Name><member>…
// </member></Name>, written even when empty (<Name/>) as IAM does.
type members[T any] []T

// MarshalXML writes the list's members.
func (m members[T]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, v := range m {
		if err := e.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: "member"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// isoTime is how IAM writes a time: ISO 8601 in UTC, to the second.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// urlEncode escapes a policy document as IAM returns documents: RFC 3986
// percent-encoding of everything but letters, digits and -._~ (the aws CLI
// decodes it; SDK users call url.QueryUnescape). That IAM escapes exactly
// this set is *unverified*; any RFC 3986 decoder reads it either way.
func urlEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

type xmlTag struct {
	Key   string
	Value string
}

func xmlTags(tags []Tag) members[xmlTag] {
	var out members[xmlTag]
	for _, t := range tags {
		out = append(out, xmlTag(t))
	}
	return out
}

type xmlRole struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string
	Description              string          `xml:",omitempty"`
	MaxSessionDuration       int32           `xml:",omitempty"`
	Tags                     members[xmlTag] `xml:",omitempty"`
}

func roleXML(r Role) xmlRole {
	return xmlRole{Path: r.Path, RoleName: r.RoleName, RoleId: r.RoleId, Arn: r.Arn, CreateDate: isoTime(r.CreateDate),
		AssumeRolePolicyDocument: urlEncode(r.AssumeRolePolicyDocument), Description: r.Description,
		MaxSessionDuration: r.MaxSessionDuration, Tags: xmlTags(r.Tags)}
}

type xmlPolicy struct {
	PolicyName                    string
	PolicyId                      string
	Arn                           string
	Path                          string
	DefaultVersionId              string
	AttachmentCount               int32
	PermissionsBoundaryUsageCount int32
	IsAttachable                  bool
	Description                   string `xml:",omitempty"`
	CreateDate                    string
	UpdateDate                    string
	Tags                          members[xmlTag] `xml:",omitempty"`
}

func policyXML(p ManagedPolicy) xmlPolicy {
	return xmlPolicy{PolicyName: p.PolicyName, PolicyId: p.PolicyId, Arn: p.Arn, Path: p.Path,
		DefaultVersionId: p.DefaultVersionId, AttachmentCount: p.AttachmentCount, IsAttachable: p.IsAttachable,
		Description: p.Description, CreateDate: isoTime(p.CreateDate), UpdateDate: isoTime(p.UpdateDate), Tags: xmlTags(p.Tags)}
}

type xmlVersion struct {
	Document         string `xml:",omitempty"`
	VersionId        string
	IsDefaultVersion bool
	CreateDate       string
}

func versionXML(v PolicyVersion) xmlVersion {
	out := xmlVersion{VersionId: v.VersionId, IsDefaultVersion: v.IsDefaultVersion, CreateDate: isoTime(v.CreateDate)}
	if v.Document != "" {
		out.Document = urlEncode(v.Document)
	}
	return out
}

// page is the end of a paginated list: IsTruncated, and the Marker to ask
// for the rest with.
type page struct {
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

type roleResult struct {
	Role xmlRole
}

type listRolesResult struct {
	Roles members[xmlRole]
	page
}

type getRolePolicyResult struct {
	RoleName       string
	PolicyName     string
	PolicyDocument string
}

type listRolePoliciesResult struct {
	PolicyNames members[string]
	page
}

type policyResult struct {
	Policy xmlPolicy
}

type listPoliciesResult struct {
	Policies members[xmlPolicy]
	page
}

type policyVersionResult struct {
	PolicyVersion xmlVersion
}

type listPolicyVersionsResult struct {
	Versions members[xmlVersion]
	page
}

type listAttachedRolePoliciesResult struct {
	AttachedPolicies members[AttachedPolicy]
	page
}

type xmlPosition struct {
	Line   int
	Column int
}

type xmlStatement struct {
	SourcePolicyId   string
	SourcePolicyType string
	StartPosition    xmlPosition
	EndPosition      xmlPosition
}

type xmlEvaluation struct {
	EvalActionName       string
	EvalResourceName     string
	EvalDecision         string
	MatchedStatements    members[xmlStatement]
	MissingContextValues members[string]
}

type simulateResult struct {
	EvaluationResults members[xmlEvaluation]
	page
}

type summaryEntry struct {
	Key   string `xml:"key"`
	Value int    `xml:"value"`
}

type accountSummaryResult struct {
	SummaryMap []summaryEntry `xml:"SummaryMap>entry"`
}

// xmlError is IAM's ErrorResponse.
type xmlError struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string
		Code    string
		Message string
	}
	RequestId string
}
