package s3

import (
	"encoding/base64"
	"encoding/xml"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/johannesboyne/gofakes3"
)

// ListObjects and ListObjectsV2 are answered here rather than by gofakes3,
// for two reasons about keys:
//
//   - encoding-type=url. S3 then percent-encodes every key, prefix, marker
//     and delimiter in the answer and says <EncodingType>url</EncodingType>;
//     clients decode (boto3 and the aws CLI ask for it on every listing).
//     gofakes3 ignores the parameter.
//   - Characters XML 1.0 cannot carry (most of U+0000–U+001F). Keys may hold
//     them; gofakes3's encoder silently turns them into U+FFFD, so the key
//     a client lists is not the key it stored. S3 writes them as character
//     references (&#x1;), which strict parsers (the Go SDK, botocore)
//     refuse, so the listing fails loudly, as it does on AWS, and the cure
//     is the same: ask for encoding-type=url.
//
// As fixListing (conformance.go) did for gofakes3's answers, which it no
// longer sees, a page does not repeat a common prefix returned on an earlier
// page, and multipart objects show their multipart ETag.

// listObjects answers ListObjects (V1) and ListObjectsV2.
func (s *Server) listObjects(c *call) error {
	if err := s.bucketMustExist(c.op.Bucket); err != nil {
		return err
	}
	q := c.r.URL.Query()
	v2 := c.op.Name == "ListObjectsV2"
	prefix := gofakes3.Prefix{Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter")}
	prefix.HasPrefix, prefix.HasDelimiter = prefix.Prefix != "", prefix.Delimiter != ""
	page, err := listPageOf(q, v2)
	if err != nil {
		return err
	}
	list := &gofakes3.ObjectList{}
	if page.MaxKeys > 0 { // max-keys=0 is an empty, complete page
		if list, err = s.listPage(c.op.Bucket, &prefix, page); err != nil {
			return err
		}
	}
	out := listing{
		Xmlns: ns, Name: c.op.Bucket, MaxKeys: page.MaxKeys, IsTruncated: list.IsTruncated,
		url: strings.EqualFold(q.Get("encoding-type"), "url"),
	}
	out.Prefix = out.text(prefix.Prefix)
	if prefix.HasDelimiter {
		out.Delimiter = out.textPtr(prefix.Delimiter)
	}
	if out.url {
		out.EncodingType = "url"
	}
	for _, p := range list.CommonPrefixes {
		if !page.HasMarker || p.Prefix > page.Marker {
			out.CommonPrefixes = append(out.CommonPrefixes, listedPrefix{Prefix: out.text(p.Prefix)})
		}
	}
	for _, ct := range list.Contents {
		etag := `"` + s.mpETags.fix(c.op.Bucket, ct.Key, strings.Trim(ct.ETag, `"`)) + `"`
		out.Contents = append(out.Contents, listedObject{Key: out.text(ct.Key), LastModified: ct.LastModified,
			ETag: etag, Size: ct.Size, StorageClass: "STANDARD"})
	}
	if v2 {
		out.finishV2(q, list)
	} else {
		out.Marker = out.textPtr(q.Get("marker"))
		if prefix.HasDelimiter && list.IsTruncated {
			out.NextMarker = out.textPtr(list.NextMarker)
		}
	}
	return writeXML(c.rec, out)
}

// listPageOf reads the page a listing asks for: its size and where it
// starts (marker; start-after or continuation-token for V2).
func listPageOf(q url.Values, v2 bool) (gofakes3.ListBucketPage, error) {
	page := gofakes3.ListBucketPage{MaxKeys: gofakes3.DefaultMaxBucketKeys}
	if v := q.Get("max-keys"); v != "" {
		n, _ := strconv.ParseInt(v, 10, 64) // checkListing refused the rest
		page.MaxKeys = min(n, gofakes3.MaxBucketKeys)
	}
	page.Marker, page.HasMarker = q.Get("marker"), q.Has("marker")
	if !v2 {
		return page, nil
	}
	page.Marker, page.HasMarker = q.Get("start-after"), q.Has("start-after")
	if tok, ok := q["continuation-token"]; ok {
		dec, err := base64.URLEncoding.DecodeString(tok[0])
		if err != nil || !utf8.Valid(dec) {
			return page, NewError("InvalidArgument", "The continuation token provided is incorrect",
				Field{"ArgumentName", "continuation-token"}, Field{"ArgumentValue", tok[0]})
		}
		page.Marker, page.HasMarker = string(dec), true
	}
	return page, nil
}

// listPage lists one page from the backend (the whole listing when the
// backend cannot page, as gofakes3 does).
func (s *Server) listPage(bucket string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	list, err := s.backend.ListBucket(bucket, prefix, page)
	if err == gofakes3.ErrInternalPageNotImplemented {
		return s.backend.ListBucket(bucket, prefix, gofakes3.ListBucketPage{})
	}
	return list, err
}

// finishV2 adds ListObjectsV2's own elements. The continuation token is the
// next marker in base64, as gofakes3 made it, so tokens of either work.
func (l *listing) finishV2(q url.Values, list *gofakes3.ObjectList) {
	kc := int64(len(l.CommonPrefixes) + len(l.Contents))
	l.KeyCount = &kc
	if tok, ok := q["continuation-token"]; ok {
		l.ContinuationToken = tok[0]
	}
	if list.IsTruncated && list.NextMarker != "" {
		l.NextContinuationToken = base64.URLEncoding.EncodeToString([]byte(list.NextMarker))
	}
	if sa, ok := q["start-after"]; ok {
		l.StartAfter = l.textPtr(sa[0])
	}
}

// listing is a ListBucketResult of either version. Names that come from keys
// are xmlText, escaped (or URL-encoded) by text.
type listing struct {
	XMLName               xml.Name       `xml:"ListBucketResult"`
	Xmlns                 string         `xml:"xmlns,attr"`
	Name                  string         `xml:"Name"`
	Prefix                xmlText        `xml:"Prefix"`
	Marker                *xmlText       `xml:"Marker"`
	StartAfter            *xmlText       `xml:"StartAfter"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	KeyCount              *int64         `xml:"KeyCount"`
	MaxKeys               int64          `xml:"MaxKeys"`
	Delimiter             *xmlText       `xml:"Delimiter"`
	IsTruncated           bool           `xml:"IsTruncated"`
	NextMarker            *xmlText       `xml:"NextMarker"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	Contents              []listedObject `xml:"Contents"`
	CommonPrefixes        []listedPrefix `xml:"CommonPrefixes"`
	EncodingType          string         `xml:"EncodingType,omitempty"`

	url bool // encoding-type=url was asked for
}

// listedObject is one <Contents> of a listing.
type listedObject struct {
	Key          xmlText              `xml:"Key"`
	LastModified gofakes3.ContentTime `xml:"LastModified"`
	ETag         string               `xml:"ETag"`
	Size         int64                `xml:"Size"`
	StorageClass string               `xml:"StorageClass"`
}

// listedPrefix is one <CommonPrefixes> of a listing.
type listedPrefix struct {
	Prefix xmlText `xml:"Prefix"`
}

// xmlText is element content written as is: already escaped.
type xmlText struct {
	Inner string `xml:",innerxml"`
}

// text renders a name from a key: URL-encoded when asked, else escaped for
// XML with S3's character references for what XML 1.0 cannot hold.
func (l *listing) text(s string) xmlText {
	if l.url {
		return xmlText{urlEncodeKey(s)}
	}
	return xmlText{escapeXMLText(s)}
}

// textPtr is text for an element written only when set.
func (l *listing) textPtr(s string) *xmlText {
	t := l.text(s)
	return &t
}

// urlEncodeKey encodes a key as S3 does for encoding-type=url: UTF-8 bytes
// percent-encoded except letters, digits, "-", "_", ".", "/" and "*"; a
// space becomes "+" (as in MinIO, which follows S3; AWS documents only that
// "test_file(3).png" becomes "test_file%283%29.png"). Both url.QueryUnescape
// and Python's unquote_plus (what botocore uses) give the key back.
func urlEncodeKey(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '/', c == '*':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
		}
	}
	return b.String()
}

// escapeXMLText escapes s as XML character data. Characters XML 1.0 does not
// allow (controls other than tab, newline and carriage return; U+FFFE,
// U+FFFF) become numeric character references, as S3 writes them; encoding/xml
// would replace them with U+FFFD. Invalid UTF-8 becomes U+FFFD.
func escapeXMLText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\'':
			b.WriteString("&apos;")
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF:
			b.WriteString("&#x" + strings.ToUpper(strconv.FormatInt(int64(r), 16)) + ";")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
