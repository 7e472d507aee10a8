package emulator_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/labtest"
)

// --time-scale speeds up waits only: after three minutes of lab time have
// passed (a failing event's retries), objects' Last-Modified and the
// times on the lab's events are still the wall clock's.
func TestTimeScaleMovesOnlyWaits(t *testing.T) {
	scaled, err := clock.NewScaled(600)
	if err != nil {
		t.Fatal(err)
	}
	lab := labtest.Start(t, `
buckets: [{name: uploads-in}, {name: failed-events}]
functions:
  - {name: thumbnailer, handler: resize, environment: {OUTPUT_BUCKET: failed-events}, onFailure: failed-events}
triggers: [{bucket: uploads-in, function: thumbnailer}]
`, emulator.WithClock(scaled))
	lab.Put(t, "uploads-in", "corrupt.png", []byte("\x89PNG\r\n\x1a\ntruncated"), "image/png")
	labtest.WaitFor(t, lab.Events, func(d bus.InvocationDropped) bool { return d.Condition == "RetriesExhausted" })
	if ahead := time.Until(scaled.Now()); ahead < 3*time.Minute {
		t.Fatalf("the lab clock is only %v ahead after the retries", ahead)
	}
	lab.Put(t, "uploads-in", "later.txt", []byte("x"), "text/plain")
	head, err := lab.Client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("uploads-in"), Key: aws.String("later.txt")})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if head.LastModified.After(now.Add(time.Second)) {
		t.Errorf("Last-Modified %v is ahead of the wall clock (%v)", head.LastModified, now)
	}
	for _, ev := range lab.Events.All() {
		if at := ev.At(); at.After(now.Add(time.Second)) {
			t.Errorf("%T stamped %v, ahead of the wall clock (%v)", ev, at, now)
		}
	}
}
