package arn

import (
	"fmt"
	"strings"
)

// S3 is an S3 bucket ARN (arn:aws:s3:::BUCKET) or object ARN
// (arn:aws:s3:::BUCKET/KEY). S3 ARNs have neither region nor account.
type S3 struct {
	Partition string
	Bucket    string
	Key       string // "" for a bucket ARN
}

// BucketARN is the ARN of a bucket in the aws partition.
func BucketARN(bucket string) string { return S3{Partition: "aws", Bucket: bucket}.String() }

// ObjectARN is the ARN of an object in the aws partition.
func ObjectARN(bucket, key string) string {
	return S3{Partition: "aws", Bucket: bucket, Key: key}.String()
}

// String writes the ARN back.
func (a S3) String() string {
	s := "arn:" + a.Partition + ":s3:::" + a.Bucket
	if a.Key != "" {
		s += "/" + a.Key
	}
	return s
}

// IsObject reports whether the ARN names an object rather than a bucket.
func (a S3) IsObject() bool { return a.Key != "" }

// ParseS3 parses a bucket or object ARN. The key is everything after the
// first slash, colons and slashes included. Wildcards are not names: policy
// resources such as arn:aws:s3:::bucket/* are patterns, matched as such by
// the IAM evaluator, and are refused here.
func ParseS3(s string) (S3, error) {
	a, err := Parse(s)
	if err != nil {
		return S3{}, err
	}
	if a.Service != "s3" {
		return S3{}, fmt.Errorf("ARN %q is not an S3 ARN: its service is %q", s, a.Service)
	}
	if a.Region != "" || a.Account != "" {
		return S3{}, fmt.Errorf("ARN %q: S3 bucket and object ARNs have no region or account (arn:aws:s3:::BUCKET/KEY)", s)
	}
	bucket, key, hasKey := strings.Cut(a.Resource, "/")
	if err := checkBucket(s, bucket); err != nil {
		return S3{}, err
	}
	switch {
	case hasKey && key == "":
		return S3{}, fmt.Errorf("ARN %q ends in a slash: the object key is empty", s)
	case len(key) > 1024:
		return S3{}, fmt.Errorf("ARN %q: the key is %d bytes long; the most is 1024", s, len(key))
	case strings.ContainsAny(a.Resource, "*?"):
		return S3{}, fmt.Errorf("ARN %q is a pattern, not the name of a bucket or object", s)
	}
	return S3{Partition: a.Partition, Bucket: bucket, Key: key}, nil
}

// checkBucket applies the shape of a bucket name: 3 to 63 lowercase
// letters, digits, dots and hyphens, beginning and ending with a letter or
// digit. (emulator/s3 checks the rest of the naming rules at CreateBucket.)
func checkBucket(s, b string) error {
	if len(b) < 3 || len(b) > 63 {
		return fmt.Errorf("ARN %q: bucket name %q is not 3 to 63 characters long", s, b)
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') && c != '*' && c != '?' {
			return fmt.Errorf("ARN %q: bucket name %q has %q; bucket names have lowercase letters, digits, dots and hyphens", s, b, c)
		}
	}
	if first, last := b[0], b[len(b)-1]; first == '.' || first == '-' || last == '.' || last == '-' {
		return fmt.Errorf("ARN %q: bucket name %q must begin and end with a letter or digit", s, b)
	}
	return nil
}

// Role is an IAM role ARN: arn:aws:iam::ACCOUNT:role/[PATH/]NAME. IAM is
// global: the region is empty.
type Role struct {
	Partition string
	Account   string
	Path      string // "/" unless the role has one, e.g. "/service-role/"
	Name      string
}

// RoleARN is the ARN of a role with the default path in the aws partition.
func RoleARN(account, name string) string {
	return Role{Partition: "aws", Account: account, Path: "/", Name: name}.String()
}

// String writes the ARN back.
func (r Role) String() string {
	path := r.Path
	if path == "" {
		path = "/"
	}
	return "arn:" + r.Partition + ":iam::" + r.Account + ":role" + path + r.Name
}

// ParseRole parses an IAM role ARN.
func ParseRole(s string) (Role, error) {
	a, err := Parse(s)
	if err != nil {
		return Role{}, err
	}
	if a.Service != "iam" {
		return Role{}, fmt.Errorf("ARN %q is not an IAM role ARN: its service is %q", s, a.Service)
	}
	if a.Region != "" {
		return Role{}, fmt.Errorf("ARN %q: IAM is global; a role ARN has no region", s)
	}
	if !validAccount(a.Account) {
		return Role{}, fmt.Errorf("ARN %q: %q is not a 12-digit account id", s, a.Account)
	}
	rest, ok := strings.CutPrefix(a.Resource, "role/")
	if !ok {
		return Role{}, fmt.Errorf("ARN %q is not a role ARN: want role/NAME after the account", s)
	}
	i := strings.LastIndex(rest, "/")
	path, name := "/"+rest[:i+1], rest[i+1:]
	switch {
	case name == "":
		return Role{}, fmt.Errorf("ARN %q names no role", s)
	case len(name) > 64:
		return Role{}, fmt.Errorf("ARN %q: the role name is %d characters long; the most is 64", s, len(name))
	case !roleChars(name):
		return Role{}, fmt.Errorf("ARN %q: a role name has only letters, digits and +=,.@_-", s)
	case len(path) > 512:
		return Role{}, fmt.Errorf("ARN %q: the role path is %d characters long; the most is 512", s, len(path))
	case strings.Contains(path, "//"):
		return Role{}, fmt.Errorf("ARN %q: the role path %q has an empty segment", s, path)
	}
	for _, c := range path {
		if c < 0x21 || c > 0x7e {
			return Role{}, fmt.Errorf("ARN %q: the role path has %q; paths are printable ASCII", s, c)
		}
	}
	return Role{Partition: a.Partition, Account: a.Account, Path: path, Name: name}, nil
}

func roleChars(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("+=,.@_-", c)) {
			return false
		}
	}
	return true
}
