package scenarios

import (
	"testing"
	"time"

	"github.com/lambdalab/lambdalab/emulator/bus"
)

func TestOnLabTime(t *testing.T) {
	at := time.Date(2026, 1, 1, 9, 0, 3, 250e6, time.UTC)
	for _, tc := range []struct{ name, line, want string }{
		{"python logging", "[INFO]\t2026-11-29T22:13:42.831Z\t4f1c\tresized", "[INFO]\t2026-01-01T09:00:03.250Z\t4f1c\tresized"},
		{"python warning without a request", "[WARNING]\t2026-11-29T22:26:10.777Z\t\tLAMBDA_WARNING: Unhandled exception.", "[WARNING]\t2026-01-01T09:00:03.250Z\t\tLAMBDA_WARNING: Unhandled exception."},
		{"seconds only", "at 2026-11-29T22:13:42Z", "at 2026-01-01T09:00:03Z"},
		{"go log", "2026/11/29 22:28:40 resizing s3://cis-examples/lambda.png", "2026/01/01 09:00:03 resizing s3://cis-examples/lambda.png"},
		{"go log with microseconds", "2026/11/29 22:28:40.123456 wrote it", "2026/01/01 09:00:03.250000 wrote it"},
		{"built-in on the lab's clock", "2026-01-01T09:00:03.250Z b255 Task timed out after 3.00 seconds", "2026-01-01T09:00:03.250Z b255 Task timed out after 3.00 seconds"},
		{"no time", `{"errorMessage":"Unable to import module 'lambda_function'"}`, `{"errorMessage":"Unable to import module 'lambda_function'"}`},
		{"a date that is not a stamp", "key photos/2026-11-29.png", "key photos/2026-11-29.png"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := onLabTime(bus.LogLine{Header: bus.Header{Time: at}, Line: tc.line}).(bus.LogLine)
			if got.Line != tc.want {
				t.Errorf("got  %q\nwant %q", got.Line, tc.want)
			}
		})
	}
	other := bus.RuntimeNotice{Header: bus.Header{Time: at}, Message: "built 2026-11-29T22:13:42.831Z"}
	if got := onLabTime(other).(bus.RuntimeNotice); got.Message != other.Message {
		t.Errorf("only log lines are rewritten: %q", got.Message)
	}
}
