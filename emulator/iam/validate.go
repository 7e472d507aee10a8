package iam

import (
	"fmt"
	"regexp"
	"unicode/utf8"
)

// IAM's parameter constraints, as its API reference gives them. The
// messages follow IAM's ValidationError wording ("Value 'x' at 'roleName'
// failed to satisfy constraint: …").
var (
	namePattern        = regexp.MustCompile(`^[\w+=,.@-]+$`)
	pathPattern        = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
	pathPrefixPattern  = regexp.MustCompile(`^/[\x21-\x7F]*$`)
	descriptionPattern = regexp.MustCompile(`^[\t\n\r\x20-\x7E\x{A1}-\x{FF}]*$`)
	documentPattern    = regexp.MustCompile(`^[\t\n\r\x20-\x{FF}]+$`)
	versionIDPattern   = regexp.MustCompile(`^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$`)
	tagKeyPattern      = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`)
	tagValuePattern    = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

const (
	namePatternText     = `[\w+=,.@-]+`
	pathPatternText     = `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`
	documentPatternText = `[\u0009\u000A\u000D\u0020-\u00FF]+`
)

// length checks a string's length in characters, as IAM counts them.
func (v *validation) length(field, value string, lo, hi int) bool {
	n := utf8.RuneCountInString(value)
	switch {
	case n < lo:
		v.add("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", value, field, lo)
	case n > hi:
		v.add("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", value, field, hi)
	default:
		return true
	}
	return false
}

func (v *validation) pattern(field, value string, re *regexp.Regexp, text string) bool {
	if re.MatchString(value) {
		return true
	}
	v.add("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", value, field, text)
	return false
}

// name checks a role or policy name: required, 1 to max characters of
// letters, digits and +=,.@_-.
func (v *validation) name(field, value string, max int) {
	if v.required(field, value) && v.length(field, value, 1, max) {
		v.pattern(field, value, namePattern, namePatternText)
	}
}

// path checks an optional entity path ("" means "/").
func (v *validation) path(field, value string) {
	if value != "" && v.length(field, value, 1, 512) {
		v.pattern(field, value, pathPattern, pathPatternText)
	}
}

func (v *validation) pathPrefix(value string) {
	if value != "" && v.length("pathPrefix", value, 1, 512) {
		v.pattern("pathPrefix", value, pathPrefixPattern, `\u002F[\u0021-\u007F]*`)
	}
}

func (v *validation) description(value string) {
	if v.length("description", value, 0, 1000) {
		v.pattern("description", value, descriptionPattern, `[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`)
	}
}

// document checks a policy document's characters and size before it is
// parsed: IAM refuses characters outside Latin-1 with a ValidationError,
// not a MalformedPolicyDocument.
func (v *validation) document(field, value string) {
	if v.required(field, value) && v.length(field, value, 1, 131072) {
		v.pattern(field, value, documentPattern, documentPatternText)
	}
}

func (v *validation) policyARN(value string) {
	if v.required("policyArn", value) {
		v.length("policyArn", value, 20, 2048)
	}
}

func (v *validation) versionID(value string) {
	if v.required("versionId", value) {
		v.pattern("versionId", value, versionIDPattern, `v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`)
	}
}

func (v *validation) maxSessionDuration(seconds int32) {
	switch {
	case seconds == 0: // not given: the default
	case seconds < 3600:
		v.add("Value '%d' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600", seconds)
	case seconds > 43200:
		v.add("Value '%d' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200", seconds)
	}
}

func (v *validation) tags(tags []Tag) {
	if len(tags) > 50 {
		v.add("Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	for i, t := range tags {
		key := fmt.Sprintf("tags.%d.member.key", i+1)
		if v.required(key, t.Key) && v.length(key, t.Key, 1, 128) {
			v.pattern(key, t.Key, tagKeyPattern, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`)
		}
		val := fmt.Sprintf("tags.%d.member.value", i+1)
		if v.length(val, t.Value, 0, 256) {
			v.pattern(val, t.Value, tagValuePattern, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
		}
	}
}
