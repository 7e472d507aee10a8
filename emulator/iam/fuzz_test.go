package iam_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lambdalab/lambdalab/emulator/iam"
)

// FuzzPolicy parses a policy document and evaluates a request against it.
// It checks:
//   - nothing panics;
//   - Parse is deterministic, accepts only valid JSON, and refuses with an
//     *iam.SyntaxError that says "LINE:COL: MalformedPolicyDocument: ..."
//     with a position inside the document;
//   - Evaluate is deterministic, its Decision self-consistent, and equal to
//     a reference evaluation (explicit Deny, else a matching Allow, else
//     implicit deny) built on the reference matcher below;
//   - a Deny of Action "*" on Resource "*" added to the policy, first or
//     last, denies every request explicitly;
//   - Wildcard(pattern, s) agrees with the regexp the pattern means (* any
//     run of characters, ? one character), for action, resource and the
//     statements' patterns.
//
// Seeds: testdata/fuzz/FuzzPolicy.
func FuzzPolicy(f *testing.F) {
	f.Add([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`),
		"s3:GetObject", "arn:aws:s3:::b/cat.png", "arn:aws:s3:::b/*.png")
	f.Add([]byte(`{"Statement":{"Effect":"Deny","NotAction":"s3:*","NotResource":"arn:aws:s3:::b/?"}}`),
		"logs:PutLogEvents", "arn:aws:s3:::b/é", "*?*")
	f.Add([]byte("{\n  \"Statement\": [ oops ]\n}"), "s3:PutObject", "", "")
	f.Fuzz(func(t *testing.T, doc []byte, action, resource, pattern string) {
		checkWildcard(t, pattern, action)
		checkWildcard(t, pattern, resource)
		p, err := iam.Parse(doc)
		if _, err2 := iam.Parse(doc); fmt.Sprint(err) != fmt.Sprint(err2) {
			t.Fatalf("Parse not deterministic: %v, then %v", err, err2)
		}
		if err != nil {
			checkSyntaxError(t, doc, err)
			return
		}
		if !json.Valid(doc) {
			t.Fatalf("Parse accepted a document that is not JSON: %q", doc)
		}
		d := p.Evaluate(action, resource)
		if again := p.Evaluate(action, resource); again != d {
			t.Fatalf("Evaluate not deterministic: %+v, then %+v", d, again)
		}
		if d.Allowed && d.ExplicitDeny || (d.Allowed || d.ExplicitDeny) != (d.Statement != "") {
			t.Fatalf("inconsistent decision %+v", d)
		}
		for _, st := range p.Statements {
			for _, pat := range [][]string{st.Action, st.NotAction, st.Resource, st.NotResource} {
				for _, q := range pat {
					checkWildcard(t, q, resource)
				}
			}
		}
		if want, ok := reference(p, action, resource); ok && (want.Allowed != d.Allowed || want.ExplicitDeny != d.ExplicitDeny) {
			t.Fatalf("Evaluate(%q, %q) = %+v, reference says %+v\n%s", action, resource, d, want, doc)
		}
		denyAll := iam.Statement{Sid: "DenyAll", Effect: "Deny", Action: []string{"*"}, Resource: []string{"*"}, Index: len(p.Statements)}
		for _, sts := range [][]iam.Statement{append([]iam.Statement{denyAll}, p.Statements...), append(p.Statements[:len(p.Statements):len(p.Statements)], denyAll)} {
			q := &iam.Policy{Version: p.Version, Statements: sts}
			if d := q.Evaluate(action, resource); d.Allowed || !d.ExplicitDeny {
				t.Fatalf("with a Deny of * on *, Evaluate(%q, %q) = %+v", action, resource, d)
			}
		}
	})
}

// syntaxPrefix is how every Parse error begins.
var syntaxPrefix = regexp.MustCompile(`^(\d+):(\d+): MalformedPolicyDocument: \S`)

func checkSyntaxError(t *testing.T, doc []byte, err error) {
	t.Helper()
	var se *iam.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Parse error %T %v: want *iam.SyntaxError", err, err)
	}
	m := syntaxPrefix.FindStringSubmatch(err.Error())
	if m == nil {
		t.Fatalf("Parse error %q: want LINE:COL: MalformedPolicyDocument: ...\n%q", err, doc)
	}
	lines := bytes.Split(doc, []byte("\n"))
	if se.Line < 1 || se.Line > len(lines) || se.Col < 1 || se.Col > len(lines[se.Line-1])+1 ||
		m[1] != fmt.Sprint(se.Line) || m[2] != fmt.Sprint(se.Col) {
		t.Fatalf("Parse error %q: position %d:%d is outside the document\n%q", err, se.Line, se.Col, doc)
	}
}

// match is the reference matcher: the pattern as a regexp. ok is false when
// the regexp cannot say (pattern or s not UTF-8).
func match(pattern, s string) (matched, ok bool) {
	if !utf8.ValidString(pattern) || !utf8.ValidString(s) {
		return false, false
	}
	expr := regexp.QuoteMeta(pattern)
	expr = strings.NewReplacer(`\*`, `.*`, `\?`, `.`).Replace(expr)
	return regexp.MustCompile(`(?s)^` + expr + `$`).MatchString(s), true
}

func checkWildcard(t *testing.T, pattern, s string) {
	t.Helper()
	got := iam.Wildcard(pattern, s)
	if want, ok := match(pattern, s); ok && got != want {
		t.Fatalf("Wildcard(%q, %q) = %v, want %v", pattern, s, got, want)
	}
}

// reference evaluates as IAM documents it, with the reference matcher.
func reference(p *iam.Policy, action, resource string) (iam.Decision, bool) {
	anyOf := func(patterns []string, v string, fold bool) (bool, bool) {
		for _, q := range patterns {
			if fold {
				q, v = strings.ToLower(q), strings.ToLower(v)
			}
			m, ok := match(q, v)
			if !ok {
				return false, false
			}
			if m {
				return true, true
			}
		}
		return false, true
	}
	var d iam.Decision
	for _, st := range p.Statements {
		a, ok1 := anyOf(st.Action, action, true)
		if len(st.NotAction) > 0 {
			na, ok := anyOf(st.NotAction, action, true)
			a, ok1 = !na, ok
		}
		r, ok2 := anyOf(st.Resource, resource, false)
		if len(st.NotResource) > 0 {
			nr, ok := anyOf(st.NotResource, resource, false)
			r, ok2 = !nr, ok
		}
		if !ok1 || !ok2 {
			return iam.Decision{}, false
		}
		switch {
		case a && r && st.Effect == "Deny":
			return iam.Decision{ExplicitDeny: true}, true
		case a && r:
			d.Allowed = true
		}
	}
	return d, true
}
