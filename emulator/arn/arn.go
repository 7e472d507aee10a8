// Package arn parses and builds the Amazon Resource Names lambdalab meets:
// Lambda function ARNs (with an optional qualifier), Lambda layer ARNs, S3
// bucket and object ARNs, and IAM role ARNs. It is the one parser of them,
// so that the console, S3's notifications and Lambda agree on what an ARN
// names (a trigger on NAME:$LATEST invokes NAME, wherever it is shown).
package arn

import (
	"fmt"
	"strconv"
	"strings"
)

// ARN is the generic form arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.
// The resource may itself contain colons and slashes.
type ARN struct {
	Partition string
	Service   string
	Region    string
	Account   string
	Resource  string
}

// String writes the ARN back.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// partitions are AWS's partitions.
var partitions = map[string]bool{"aws": true, "aws-cn": true, "aws-us-gov": true, "aws-iso": true, "aws-iso-b": true}

// Parse splits s into its six parts. It checks the shape every ARN has (the
// arn prefix, a known partition, a service, a resource) and leaves the rest
// to the parsers of each service.
func Parse(s string) (ARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ARN{}, fmt.Errorf("%q is not an ARN: want arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE", s)
	}
	a := ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}
	switch {
	case !partitions[a.Partition]:
		return ARN{}, fmt.Errorf("ARN %q: unknown partition %q (aws, aws-cn, aws-us-gov)", s, a.Partition)
	case a.Service == "":
		return ARN{}, fmt.Errorf("ARN %q has no service", s)
	case a.Resource == "":
		return ARN{}, fmt.Errorf("ARN %q has no resource", s)
	}
	return a, nil
}

// validRegion accepts region codes such as us-east-1, eu-central-2 and
// us-gov-west-1.
func validRegion(r string) bool {
	parts := strings.Split(r, "-")
	if len(parts) < 3 || len(parts[0]) != 2 || !lowerLetters(parts[0]) {
		return false
	}
	n := parts[len(parts)-1]
	if _, err := strconv.Atoi(n); err != nil || len(n) != 1 {
		return false
	}
	for _, p := range parts[1 : len(parts)-1] {
		if p == "" || !lowerLetters(p) {
			return false
		}
	}
	return true
}

// validAccount is AWS's twelve-digit account id.
func validAccount(a string) bool {
	if len(a) != 12 {
		return false
	}
	for _, c := range a {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func lowerLetters(s string) bool {
	for _, c := range s {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}

// nameChars reports whether s has only letters, digits, hyphens and
// underscores: Lambda's alphabet for function names, aliases and layers.
func nameChars(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// regional checks the region and account of a regional service's ARN.
func regional(s string, a ARN) error {
	if !validRegion(a.Region) {
		return fmt.Errorf("ARN %q: %q is not a region such as us-east-1", s, a.Region)
	}
	if !validAccount(a.Account) {
		return fmt.Errorf("ARN %q: %q is not a 12-digit account id", s, a.Account)
	}
	return nil
}
