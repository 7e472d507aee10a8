package logs_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/logs"
)

const (
	fn     = "/aws/lambda/cis-exercise-demo"
	envA   = "2026/11/29/[$LATEST]0123456789abcdef0123456789abcdef"
	envB   = "2026/11/29/[$LATEST]fedcba9876543210fedcba9876543210"
	within = 5 * time.Second // hang guard for waits; never a timing assertion
)

func TestAppendServesTheLab(t *testing.T) {
	l := newLab(t)
	// Two invocations in two environments, their lines interleaved in time.
	l.store.Append(fn, envA, logsEvent(t0, "START RequestId: r1 Version: $LATEST", "r1"))
	l.store.Append(fn, envB, logsEvent(t0.Add(time.Millisecond), "START RequestId: r2 Version: $LATEST", "r2"))
	l.store.Append(fn, envA, logsEvent(t0.Add(2*time.Millisecond), "hello from r1", "r1"))
	l.store.Append(fn, envB, logsEvent(t0.Add(2*time.Millisecond), "hello from r2", "r2"))
	l.store.Append(fn, envA, logsEvent(t0.Add(3*time.Millisecond), "END RequestId: r1", "r1"))

	got := l.store.Invocation(fn, "r1")
	want := []string{"START RequestId: r1 Version: $LATEST", "hello from r1", "END RequestId: r1"}
	if msgs := storedMessages(got); !slices.Equal(msgs, want) {
		t.Errorf("Invocation(r1) %v, want %v", msgs, want)
	}
	if got[1].Stream != envA || got[1].Group != fn || !got[1].Time.Equal(t0.Add(2*time.Millisecond)) || !got[1].Ingestion.Equal(t0) {
		t.Errorf("event %+v", got[1])
	}
	if n := len(l.store.Events(fn, envB)); n != 2 {
		t.Errorf("%d events in envB, want 2", n)
	}
	streams, err := l.store.Streams(fn)
	if err != nil || len(streams) != 2 || streams[0].Events != 3 {
		t.Errorf("Streams: %+v %v", streams, err)
	}
	if _, err := l.store.Streams("/aws/lambda/none"); err == nil {
		t.Error("Streams of a missing group: no error")
	}

	// The API sees what Append stored, with the same event ids.
	out, err := l.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(fn), FilterPattern: aws.String("hello")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 2 || aws.ToString(out.Events[0].EventId) != got[1].EventID() || aws.ToString(out.Events[1].LogStreamName) != envB {
		t.Errorf("FilterLogEvents %+v, want r1's line (id %s) then r2's", out.Events, got[1].EventID())
	}
	groups := l.store.Groups()
	if len(groups) != 1 || groups[0].LogGroupName != fn || groups[0].Events != 5 {
		t.Errorf("Groups %+v", groups)
	}
}

func storedMessages(evs []logs.StoredEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Message
	}
	return out
}

func TestGroupCapDropsOldest(t *testing.T) {
	l := newLab(t, logs.WithMaxEventsPerGroup(5))
	// Stream a has the older lines; b's come later in time but an early
	// line arrives last.
	for i := range 4 {
		l.store.Append(fn, envA, logsEvent(t0.Add(time.Duration(i)*time.Second), fmt.Sprint("a", i), ""))
	}
	for i := range 3 {
		l.store.Append(fn, envB, logsEvent(t0.Add(time.Duration(10+i)*time.Second), fmt.Sprint("b", i), ""))
	}
	l.store.Append(fn, envB, logsEvent(t0.Add(1500*time.Millisecond), "b-early", ""))
	want := []string{"a2", "a3", "b0", "b1", "b2"}
	if got := storedMessages(l.store.Events(fn, "")); !slices.Equal(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
	g := l.store.Groups()[0]
	if g.Events != 5 || g.DroppedEvents != 3 || aws.ToInt64(g.StoredBytes) != 10 {
		t.Errorf("group: %d events, %d dropped, %d bytes; want 5, 3, 10", g.Events, g.DroppedEvents, aws.ToInt64(g.StoredBytes))
	}
	// GetLogEvents on the emptied part of a stream still pages cleanly.
	msgs, _ := getAll(t, l, cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(fn), LogStreamName: aws.String(envA), StartFromHead: aws.Bool(true)})
	if !slices.Equal(msgs, []string{"a2", "a3"}) {
		t.Errorf("stream a: %v", msgs)
	}
}

func TestGroupCapHoldsUnderManyAppends(t *testing.T) {
	store := logs.New(logs.WithMaxEventsPerGroup(1000))
	for i := range 50000 {
		store.Append(fn, fmt.Sprint("env", i%7), logsEvent(t0.Add(time.Duration(i)*time.Millisecond), "line", ""))
	}
	g := store.Groups()[0]
	if g.Events != 1000 || g.DroppedEvents != 49000 {
		t.Fatalf("%d events, %d dropped; want 1000, 49000", g.Events, g.DroppedEvents)
	}
	evs := store.Events(fn, "")
	if !evs[0].Time.Equal(t0.Add(49000 * time.Millisecond)) {
		t.Errorf("oldest kept %v, want the 49000th", evs[0].Time)
	}
}

func TestSubscription(t *testing.T) {
	l := newLab(t, logs.WithMaxEventsPerGroup(3))
	all := l.store.Subscribe("")
	defer all.Close()
	one := l.store.Subscribe(fn)
	l.store.Append("/aws/lambda/other", envA, logsEvent(t0, "other", "r0"))
	l.store.Append(fn, envA, logsEvent(t0, "mine", "r1"))
	l.put(t, fn, "api", ev(t0, "via the API"))

	got := waitFor(t, one, 2)
	if msgs := storedMessages(got); !slices.Equal(msgs, []string{"mine", "via the API"}) {
		t.Errorf("group subscription: %v", msgs)
	}
	if got[0].RequestID != "r1" || got[0].Stream != envA || len(got[0].EventID()) != 56 {
		t.Errorf("event %+v", got[0])
	}
	if msgs := storedMessages(waitFor(t, all, 3)); !slices.Equal(msgs, []string{"other", "mine", "via the API"}) {
		t.Errorf("all groups: %v", msgs)
	}

	// A reader that falls behind keeps the newest, told how many it lost.
	for i := range 5 {
		l.store.Append(fn, envA, logsEvent(t0, fmt.Sprint(i), ""))
	}
	evs, dropped := one.Take()
	if !slices.Equal(storedMessages(evs), []string{"2", "3", "4"}) || dropped != 2 {
		t.Errorf("behind: %v, %d dropped; want [2 3 4], 2", storedMessages(evs), dropped)
	}
	one.Close()
	l.store.Append(fn, envA, logsEvent(t0, "after close", ""))
	if evs, _ := one.Take(); len(evs) != 0 {
		t.Errorf("closed subscription got %v", storedMessages(evs))
	}
}

// waitFor takes events from sub until it has n, waiting on Ready.
func waitFor(t *testing.T, sub *logs.Subscription, n int) []logs.StoredEvent {
	t.Helper()
	var got []logs.StoredEvent
	guard := time.After(within)
	for len(got) < n {
		select {
		case <-sub.Ready():
			evs, _ := sub.Take()
			got = append(got, evs...)
		case <-guard:
			t.Fatalf("waited for %d events, have %d", n, len(got))
		}
	}
	return got
}

func TestSnapshotRoundTrip(t *testing.T) {
	l := newLab(t, logs.WithMaxEventsPerGroup(100))
	l.store.Append(fn, envA, logsEvent(t0, "START RequestId: r1 Version: $LATEST", "r1"))
	l.store.Append(fn, envA, logsEvent(t0.Add(time.Millisecond), "line with \"quotes\" and \t tab", "r1"))
	l.put(t, "/custom", "s", ev(t0, "one"), ev(t0.Add(time.Second), "two"))
	if _, err := l.client.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/custom"), RetentionInDays: aws.Int32(30)}); err != nil {
		t.Fatal(err)
	}
	page, err := l.client.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/custom"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true), Limit: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}

	data, err := json.Marshal(l.store.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	var snap logs.Snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		t.Fatal(err)
	}
	vc := clock.NewVirtual(t0.Add(time.Hour))
	restored := logs.New(logs.WithClock(vc))
	if err := restored.Restore(snap); err != nil {
		t.Fatal(err)
	}
	r := serve(t, restored, vc)

	for _, g := range []string{fn, "/custom"} {
		before, after := l.store.Events(g, ""), restored.Events(g, "")
		if fmt.Sprint(before) != fmt.Sprint(after) || before[0].EventID() != after[0].EventID() {
			t.Errorf("%s: restored %v, want %v", g, after, before)
		}
	}
	if !reflect.DeepEqual(l.store.Groups(), restored.Groups()) {
		t.Errorf("groups: restored %+v, want %+v", restored.Groups(), l.store.Groups())
	}
	a, _ := l.store.Streams("/custom")
	b, _ := restored.Streams("/custom")
	if !reflect.DeepEqual(a, b) {
		t.Errorf("streams: restored %+v, want %+v", b, a)
	}
	// A token from before goes on after the restore.
	next, err := r.client.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/custom"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true), NextToken: page.NextForwardToken})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(output(next.Events), []string{"two"}) {
		t.Errorf("after restore: %v, want [two]", output(next.Events))
	}
	// New events get new ids, above the restored ones.
	restored.Append(fn, envA, logsEvent(t0.Add(time.Millisecond), "new", "r2"))
	evs := restored.Events(fn, "")
	ids := map[string]bool{}
	for _, e := range evs {
		ids[e.EventID()] = true
	}
	if len(ids) != 3 || evs[2].Message != "new" {
		t.Errorf("after restore and append: %v (%d distinct ids)", storedMessages(evs), len(ids))
	}
}

func TestRestoreRefusesBrokenSnapshots(t *testing.T) {
	store := logs.New()
	store.Append(fn, envA, logsEvent(t0, "kept", ""))
	good := store.Snapshot()
	for _, tc := range []struct {
		name   string
		break_ func(*logs.Snapshot)
	}{
		{"version", func(s *logs.Snapshot) { s.Version = 99 }},
		{"duplicate group", func(s *logs.Snapshot) { s.Groups = append(s.Groups, s.Groups[0]) }},
		{"sequence above the snapshot's", func(s *logs.Snapshot) { s.Seq = 0 }},
		{"negative timestamp", func(s *logs.Snapshot) { s.Groups[0].Streams[0].Events[0].Timestamp = -1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, _ := json.Marshal(good)
			var snap logs.Snapshot
			_ = json.Unmarshal(data, &snap)
			tc.break_(&snap)
			if err := store.Restore(snap); err == nil {
				t.Fatal("no error")
			}
			if got := storedMessages(store.Events(fn, "")); !slices.Equal(got, []string{"kept"}) {
				t.Errorf("store changed: %v", got)
			}
		})
	}
}

func TestConcurrentAppendAndRead(t *testing.T) {
	l := newLab(t, logs.WithMaxEventsPerGroup(500))
	sub := l.store.Subscribe(fn)
	defer sub.Close()
	l.store.Append(fn, "first", logsEvent(t0, "first", ""))
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				l.store.Append(fn, fmt.Sprint("env", w), logsEvent(t0.Add(time.Duration(i)*time.Millisecond), fmt.Sprint(w, "/", i), ""))
			}
		}()
	}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if _, err := l.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(fn), Limit: aws.Int32(50)}); err != nil {
					t.Error(err)
				}
				_ = l.store.Snapshot()
			}
		}()
	}
	wg.Wait()
	g := l.store.Groups()[0]
	if g.Events != 500 || g.DroppedEvents != 1101 {
		t.Errorf("%d events, %d dropped; want 500, 1101", g.Events, g.DroppedEvents)
	}
	evs, dropped := sub.Take()
	if len(evs)+dropped != 1601 {
		t.Errorf("subscription saw %d + %d dropped, want 1601", len(evs), dropped)
	}
}
