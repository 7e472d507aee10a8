package arn

import (
	"fmt"
	"strconv"
	"strings"
)

// Latest is the qualifier of a function's unpublished code, the one an
// unqualified ARN invokes.
const Latest = "$LATEST"

// Function is a Lambda function ARN:
// arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER], where the
// qualifier is $LATEST, a version number or an alias.
type Function struct {
	Partition string
	Region    string
	Account   string
	Name      string
	Qualifier string // "" when the ARN is unqualified
}

// FunctionARN is the unqualified ARN of a function in the aws partition.
func FunctionARN(region, account, name string) string {
	return Function{Partition: "aws", Region: region, Account: account, Name: name}.String()
}

// String writes the ARN back, with its qualifier if it has one.
func (f Function) String() string {
	s := "arn:" + f.Partition + ":lambda:" + f.Region + ":" + f.Account + ":function:" + f.Name
	if f.Qualifier != "" {
		s += ":" + f.Qualifier
	}
	return s
}

// Unqualified is the ARN without its qualifier.
func (f Function) Unqualified() Function {
	f.Qualifier = ""
	return f
}

// Latest reports whether the ARN invokes the function's unpublished code:
// it has no qualifier, or $LATEST.
func (f Function) Latest() bool { return f.Qualifier == "" || f.Qualifier == Latest }

// ParseFunction parses a Lambda function ARN.
func ParseFunction(s string) (Function, error) {
	a, err := Parse(s)
	if err != nil {
		return Function{}, err
	}
	if a.Service != "lambda" {
		return Function{}, fmt.Errorf("ARN %q is not a Lambda function ARN: its service is %q", s, a.Service)
	}
	if err := regional(s, a); err != nil {
		return Function{}, err
	}
	kind, rest, _ := strings.Cut(a.Resource, ":")
	if kind != "function" {
		return Function{}, fmt.Errorf("ARN %q is not a Lambda function ARN: want function:NAME after the account", s)
	}
	name, qualifier, qualified := strings.Cut(rest, ":")
	if err := checkFunctionName(s, name); err != nil {
		return Function{}, err
	}
	if qualified {
		if err := checkQualifier(s, qualifier); err != nil {
			return Function{}, err
		}
	}
	return Function{Partition: a.Partition, Region: a.Region, Account: a.Account, Name: name, Qualifier: qualifier}, nil
}

func checkFunctionName(s, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("ARN %q names no function", s)
	case len(name) > 64:
		return fmt.Errorf("ARN %q: the function name is %d characters long; the most is 64", s, len(name))
	case !nameChars(name):
		return fmt.Errorf("ARN %q: a function name has only letters, digits, hyphens and underscores", s)
	}
	return nil
}

// checkQualifier accepts $LATEST, a version number or an alias name.
func checkQualifier(s, q string) error {
	switch {
	case q == Latest:
		return nil
	case q == "":
		return fmt.Errorf("ARN %q ends in a colon: the qualifier is empty", s)
	case len(q) > 128:
		return fmt.Errorf("ARN %q: the qualifier is %d characters long; the most is 128", s, len(q))
	case !nameChars(q):
		return fmt.Errorf("ARN %q: qualifier %q is not $LATEST, a version or an alias", s, q)
	}
	return nil
}

// Layer is a Lambda layer version ARN:
// arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION.
type Layer struct {
	Partition string
	Region    string
	Account   string
	Name      string
	Version   int64
}

// String writes the ARN back.
func (l Layer) String() string {
	return "arn:" + l.Partition + ":lambda:" + l.Region + ":" + l.Account + ":layer:" + l.Name + ":" + strconv.FormatInt(l.Version, 10)
}

// ParseLayer parses a layer version ARN, the form a function's
// configuration lists.
func ParseLayer(s string) (Layer, error) {
	a, err := Parse(s)
	if err != nil {
		return Layer{}, err
	}
	if a.Service != "lambda" {
		return Layer{}, fmt.Errorf("ARN %q is not a Lambda layer ARN: its service is %q", s, a.Service)
	}
	if err := regional(s, a); err != nil {
		return Layer{}, err
	}
	kind, rest, _ := strings.Cut(a.Resource, ":")
	if kind != "layer" {
		return Layer{}, fmt.Errorf("ARN %q is not a Lambda layer ARN: want layer:NAME:VERSION after the account", s)
	}
	name, version, ok := strings.Cut(rest, ":")
	switch {
	case name == "":
		return Layer{}, fmt.Errorf("ARN %q names no layer", s)
	case len(name) > 140:
		return Layer{}, fmt.Errorf("ARN %q: the layer name is %d characters long; the most is 140", s, len(name))
	case !nameChars(name):
		return Layer{}, fmt.Errorf("ARN %q: a layer name has only letters, digits, hyphens and underscores", s)
	case !ok:
		return Layer{}, fmt.Errorf("ARN %q names layer %s but no version (want layer:%s:VERSION)", s, name, name)
	}
	v, err := strconv.ParseInt(version, 10, 64)
	if err != nil || v < 1 || strconv.FormatInt(v, 10) != version {
		return Layer{}, fmt.Errorf("ARN %q: layer version %q is not a number from 1 up", s, version)
	}
	return Layer{Partition: a.Partition, Region: a.Region, Account: a.Account, Name: name, Version: v}, nil
}
