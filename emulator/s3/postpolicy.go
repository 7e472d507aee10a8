package s3

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A POST policy: a base64 JSON document with an expiration and the
// conditions every form field must meet ({"field": "value"}, ["eq",
// "$field", "value"], ["starts-with", "$field", "prefix"],
// ["content-length-range", min, max]). Every field of the form but the
// policy, the signature, the file and x-ignore-* ones must be named by a
// condition. The messages are S3's, as clients report them.

// postPolicyDoc is a decoded POST policy.
type postPolicyDoc struct {
	Expiration *string           `json:"expiration"`
	Conditions []json.RawMessage `json:"conditions"`
}

func invalidPolicy(why string) *Error {
	return NewError("InvalidPolicyDocument", "Invalid Policy: "+why)
}

func policyFailed(why string) *Error {
	return NewError("AccessDenied", "Invalid according to Policy: "+why)
}

// checkPolicy checks a form against its policy (when the form has one: an
// unsigned form was refused earlier).
func checkPolicy(f *postForm, bucket string, now time.Time) error {
	raw, ok := f.fields["policy"]
	if !ok {
		return nil
	}
	doc, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return invalidPolicy("Invalid 'Base64' encoding.")
	}
	var p postPolicyDoc
	dec := json.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&p); err != nil {
		return invalidPolicy("Invalid JSON.")
	}
	if p.Expiration == nil {
		return invalidPolicy("Policy missing expiration.")
	}
	expires, err := time.Parse(time.RFC3339Nano, *p.Expiration)
	if err != nil {
		return invalidPolicy("Invalid 'expiration' value: '" + *p.Expiration + "'")
	}
	if p.Conditions == nil {
		return invalidPolicy("Policy missing conditions.")
	}
	if now.After(expires) {
		return policyFailed("Policy expired.")
	}
	covered := map[string]bool{}
	for _, c := range p.Conditions {
		if err := checkCondition(c, f, bucket, covered); err != nil {
			return err
		}
	}
	var extra []string
	for name := range f.fields {
		if !covered[name] && !postExempt(name) {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		return policyFailed("Extra input fields: " + strings.Join(extra, ", "))
	}
	return nil
}

// postExempt are the fields no condition has to name.
func postExempt(name string) bool {
	switch name {
	case "policy", "x-amz-signature", "signature", "awsaccesskeyid", "file":
		return true
	}
	return strings.HasPrefix(name, "x-ignore-")
}

// checkCondition checks one condition, noting the field it names.
func checkCondition(raw json.RawMessage, f *postForm, bucket string, covered map[string]bool) error {
	var exact map[string]string
	if json.Unmarshal(raw, &exact) == nil {
		if len(exact) != 1 {
			return invalidPolicy("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
		}
		for name, want := range exact {
			return matchField(f, bucket, covered, "eq", name, want)
		}
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil || len(list) != 3 {
		return invalidPolicy("Invalid Condition: " + string(raw))
	}
	var op string
	if json.Unmarshal(list[0], &op) != nil {
		return invalidPolicy("Invalid Condition: " + string(raw))
	}
	switch op = strings.ToLower(op); op {
	case "eq", "starts-with":
		var name, want string
		if json.Unmarshal(list[1], &name) != nil || json.Unmarshal(list[2], &want) != nil || !strings.HasPrefix(name, "$") {
			return invalidPolicy("Invalid Condition: " + string(raw))
		}
		return matchField(f, bucket, covered, op, strings.TrimPrefix(name, "$"), want)
	case "content-length-range":
		var lo, hi int64
		if json.Unmarshal(list[1], &lo) != nil || json.Unmarshal(list[2], &hi) != nil {
			return invalidPolicy("Invalid Condition: " + string(raw))
		}
		size := strconv.FormatInt(f.file.Size, 10)
		if f.file.Size > hi {
			return NewError("EntityTooLarge", "", Field{"ProposedSize", size}, Field{"MaxSizeAllowed", strconv.FormatInt(hi, 10)})
		}
		if f.file.Size < lo {
			return NewError("EntityTooSmall", "", Field{"ProposedSize", size}, Field{"MinSizeAllowed", strconv.FormatInt(lo, 10)})
		}
		return nil
	}
	return invalidPolicy("Invalid Condition: " + string(raw))
}

// matchField checks an eq or starts-with condition on a field (bucket is
// the request's bucket, not a form field).
func matchField(f *postForm, bucket string, covered map[string]bool, op, name, want string) error {
	name = strings.ToLower(name)
	covered[name] = true
	got, ok := f.fields[name]
	if name == "bucket" {
		got, ok = bucket, true
	}
	if ok && (op == "eq" && got == want || op == "starts-with" && strings.HasPrefix(got, want)) {
		return nil
	}
	cond, _ := json.Marshal([]string{op, "$" + name, want})
	return policyFailed("Policy Condition failed: " + strings.ReplaceAll(string(cond), `","`, `", "`))
}
