package iam

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzStatementSpans: for every document Parse accepts, statementSpans
// finds one span per statement, and each span is that statement as
// written (it parses back to the same statement).
func FuzzStatementSpans(f *testing.F) {
	f.Add([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"} , {"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`))
	f.Add([]byte("{\n \"Statement\" :\n  {\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}\n}"))
	f.Add([]byte(`{"Statement":[],"Statement":[{"Effect":"Allow","Action":"a:b","Resource":"*"},{"Effect":"Allow","Action":"a:b","Resource":"*"}]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := Parse(doc)
		if err != nil {
			return
		}
		spans := statementSpans(doc)
		if len(spans) != len(p.Statements) {
			t.Fatalf("%d spans for %d statements\n%s", len(spans), len(p.Statements), doc)
		}
		for i, sp := range spans {
			text := doc[sp[0]:sp[1]]
			if !json.Valid(text) {
				t.Fatalf("span %d is not JSON: %q", i, text)
			}
			st, _, err := parseStatement(text, i)
			if err != nil || !reflect.DeepEqual(st, p.Statements[i]) {
				t.Fatalf("span %d %q is not statement %d (%v)", i, text, i, err)
			}
		}
	})
}
