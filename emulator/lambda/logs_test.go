package lambda

import (
	"strings"
	"testing"
	"time"
)

// The formats of FIDELITY.md, to the character.
func TestLineFormats(t *testing.T) {
	id := "8ea123e4-1db7-4aca-ad10-d9ca1234c1fd"
	if got, want := StartLine(id), "START RequestId: "+id+" Version: $LATEST"; got != want {
		t.Errorf("START:\n%q\nwant\n%q", got, want)
	}
	if got, want := EndLine(id), "END RequestId: "+id; got != want {
		t.Errorf("END:\n%q\nwant\n%q", got, want)
	}
	r := Report{RequestID: id, Duration: 61300 * time.Microsecond, MemorySize: 128, MaxMemoryUsed: 39,
		InitDuration: 124520 * time.Microsecond, Cold: true}
	want := "REPORT RequestId: " + id + "\tDuration: 61.30 ms\tBilled Duration: 62 ms\tMemory Size: 128 MB\tMax Memory Used: 39 MB\tInit Duration: 124.52 ms"
	if got := r.Line(); got != want {
		t.Errorf("REPORT (cold):\n%q\nwant\n%q", got, want)
	}
	r.Cold = false
	if got := r.Line(); got != strings.TrimSuffix(want, "\tInit Duration: 124.52 ms") {
		t.Errorf("REPORT (warm) must not report Init Duration: %q", got)
	}
	if got := TimeoutMessage(3 * time.Second); got != "Task timed out after 3.00 seconds" {
		t.Errorf("timeout: %q", got)
	}
	at := time.Date(2019, 11, 24, 21, 52, 47, 333e6, time.UTC)
	if got := TimeoutLine(at, id, 3*time.Second); got != "2019-11-24T21:52:47.333Z "+id+" Task timed out after 3.00 seconds" {
		t.Errorf("timeout line: %q", got)
	}
	if got := LogStreamName(at, "0123456789abcdef0123456789abcdef"); got != "2019/11/24/[$LATEST]0123456789abcdef0123456789abcdef" {
		t.Errorf("stream: %q", got)
	}
}

func TestBilledDuration(t *testing.T) {
	cases := map[time.Duration]time.Duration{
		0:                          time.Millisecond, // Lambda bills at least 1 ms
		time.Microsecond:           time.Millisecond,
		61300 * time.Microsecond:   62 * time.Millisecond,
		62 * time.Millisecond:      62 * time.Millisecond,
		3000001 * time.Microsecond: 3001 * time.Millisecond,
	}
	for d, want := range cases {
		if got := BilledDuration(d); got != want {
			t.Errorf("BilledDuration(%v) = %v, want %v", d, got, want)
		}
	}
}

func TestConfigValidation(t *testing.T) {
	n := func(i int) *int { return &i }
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"defaults", Config{Name: "f"}, ""},
		{"memory low", Config{Name: "f", Memory: 127}, "Value '127' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"},
		{"memory high", Config{Name: "f", Memory: 10241}, "Member must have value less than or equal to 10240"},
		{"timeout high", Config{Name: "f", Timeout: 901 * time.Second}, "Value '901' at 'timeout'"},
		{"timeout fraction", Config{Name: "f", Timeout: 1500 * time.Millisecond}, "whole seconds"},
		{"retries", Config{Name: "f", MaximumRetryAttempts: n(3)}, "Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2"},
		{"event age low", Config{Name: "f", MaximumEventAge: 59 * time.Second}, "Value '59' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60"},
		{"event age high", Config{Name: "f", MaximumEventAge: 21601 * time.Second}, "less than or equal to 21600"},
		{"reserved over account", Config{Name: "f", ReservedConcurrency: n(11)}, "UnreservedConcurrentExecution below its minimum"},
		{"recursive loop", Config{Name: "f", RecursiveLoop: "Sometimes"}, "enum value set: [Terminate, Allow]"},
		{"reserved env", Config{Name: "f", Environment: map[string]string{"AWS_REGION": "x"}}, "Reserved keys used in this request: AWS_REGION"},
		{"bad name", Config{Name: "my function"}, "[a-zA-Z0-9-_]{1,64}"},
	}
	for _, tc := range cases {
		err := tc.cfg.WithDefaults().Validate(10)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}
