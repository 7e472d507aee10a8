package s3

import (
	"fmt"
	"net/netip"
	"strings"
)

// Bucket naming rules (general purpose buckets), from the S3 user guide.
var (
	reservedBucketPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedBucketSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3"}
)

// BucketNameError says which naming rule a bucket name breaks. S3 itself
// answers every violation with the same InvalidBucketName message; the rule
// is for people (the TUI's live check, serve's log).
type BucketNameError struct {
	Name string
	Rule string
}

func (e *BucketNameError) Error() string {
	return fmt.Sprintf("invalid bucket name %q: %s", e.Name, e.Rule)
}

// ValidateBucketName checks name against AWS's rules for general purpose
// buckets and returns a *BucketNameError naming the first rule broken.
func ValidateBucketName(name string) error {
	bad := func(rule string) error { return &BucketNameError{Name: name, Rule: rule} }
	if len(name) < 3 || len(name) > 63 {
		return bad("must be between 3 and 63 characters long")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '.', c == '-':
		case 'A' <= c && c <= 'Z':
			return bad("must not contain uppercase letters")
		default:
			return bad(fmt.Sprintf("must contain only lowercase letters, digits, dots and hyphens (found %q)", c))
		}
	}
	if !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return bad("must begin and end with a letter or digit")
	}
	if strings.Contains(name, "..") {
		return bad("must not contain two adjacent periods")
	}
	if _, err := netip.ParseAddr(name); err == nil || looksLikeIPv4(name) {
		return bad("must not be formatted as an IP address")
	}
	for _, p := range reservedBucketPrefixes {
		if strings.HasPrefix(name, p) {
			return bad(fmt.Sprintf("must not start with the reserved prefix %q", p))
		}
	}
	for _, s := range reservedBucketSuffixes {
		if strings.HasSuffix(name, s) {
			return bad(fmt.Sprintf("must not end with the reserved suffix %q", s))
		}
	}
	return nil
}

func isAlnum(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// looksLikeIPv4 catches dotted quads netip refuses (leading zeros, 256+),
// which S3 still treats as IP-shaped.
func looksLikeIPv4(name string) bool {
	parts := strings.Split(name, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 {
			return false
		}
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return false
			}
		}
	}
	return true
}
