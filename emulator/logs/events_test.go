package logs_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func TestPutLogEvents(t *testing.T) {
	l := newLab(t)
	group, stream := "/aws/lambda/f", "2026/11/29/[$LATEST]0123456789abcdef0123456789abcdef"
	out := l.put(t, group, stream, ev(t0, "one"), ev(t0, "two"), ev(t0.Add(time.Millisecond), "three"))
	if tok := aws.ToString(out.NextSequenceToken); len(tok) != 56 || strings.Trim(tok, "0123456789") != "" {
		t.Errorf("nextSequenceToken %q, want 56 digits", tok)
	}
	if out.RejectedLogEventsInfo != nil {
		t.Errorf("rejected %+v", out.RejectedLogEventsInfo)
	}
	second := l.put(t, group, stream, ev(t0, "four"))
	if aws.ToString(second.NextSequenceToken) <= aws.ToString(out.NextSequenceToken) {
		t.Errorf("sequence token %s after %s", aws.ToString(second.NextSequenceToken), aws.ToString(out.NextSequenceToken))
	}
	got, err := l.client.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: &group, LogStreamName: &stream, StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	// Same timestamps keep the order of ingestion; a later batch with an
	// earlier timestamp sorts by its timestamp.
	if want := []string{"one", "two", "four", "three"}; !slices.Equal(output(got.Events), want) {
		t.Errorf("events %v, want %v", output(got.Events), want)
	}
	if e := got.Events[0]; aws.ToInt64(e.Timestamp) != ms(t0) || aws.ToInt64(e.IngestionTime) != ms(t0) {
		t.Errorf("event %+v", e)
	}
}

func TestPutLogEventsErrors(t *testing.T) {
	l := newLab(t)
	group := "/aws/lambda/f"
	l.put(t, group, "s", ev(t0, "x"))
	big := strings.Repeat("x", 600<<10)
	for _, tc := range []struct {
		name          string
		group, stream string
		events        []types.InputLogEvent
		code, message string
	}{
		{"out of order", group, "s", []types.InputLogEvent{ev(t0.Add(time.Second), "b"), ev(t0, "a")},
			"InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order."},
		{"missing stream", group, "nope", []types.InputLogEvent{ev(t0, "a")},
			"ResourceNotFoundException", "The specified log stream does not exist."},
		{"missing group", "/aws/lambda/none", "s", []types.InputLogEvent{ev(t0, "a")},
			"ResourceNotFoundException", "The specified log group does not exist."},
		{"empty batch", group, "s", []types.InputLogEvent{},
			"InvalidParameterException", "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"empty message", group, "s", []types.InputLogEvent{ev(t0, "")},
			"InvalidParameterException", "1 validation error detected: Value '' at 'logEvents.1.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"more than 1 MiB", group, "s", []types.InputLogEvent{ev(t0, big), ev(t0, big)},
			"InvalidParameterException", fmt.Sprintf("Upload too large: %d bytes exceeds limit of 1048576", 2*(len(big)+26))},
		{"spans more than 24 hours", group, "s", []types.InputLogEvent{ev(t0.Add(-25*time.Hour), "a"), ev(t0, "b")},
			"InvalidParameterException", "The batch of log events in a single PutLogEvents request cannot span more than 24 hours."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := l.client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: &tc.group, LogStreamName: &tc.stream, LogEvents: tc.events})
			wantAPIError(t, err, tc.code, tc.message)
		})
	}
	if n := len(l.store.Events(group, "")); n != 1 {
		t.Errorf("%d events stored, want the first 1 only", n)
	}
}

func TestPutLogEventsRejectsTooOldAndTooNew(t *testing.T) {
	l := newLab(t)
	group := "/aws/lambda/f"
	out := l.put(t, group, "s",
		ev(t0.Add(-15*24*time.Hour), "too old 0"), ev(t0.Add(-14*24*time.Hour-time.Millisecond), "too old 1"),
		ev(t0.Add(-14*24*time.Hour+time.Hour), "kept 2"), ev(t0.Add(-14*24*time.Hour+2*time.Hour), "kept 3"),
		ev(t0.Add(2*time.Hour+time.Millisecond), "too new 4"), ev(t0.Add(3*time.Hour), "too new 5"))
	r := out.RejectedLogEventsInfo
	if r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 1 || aws.ToInt32(r.TooNewLogEventStartIndex) != 4 || r.ExpiredLogEventEndIndex != nil {
		t.Fatalf("rejectedLogEventsInfo %+v, want tooOld end 1, tooNew start 4", r)
	}
	got := l.store.Events(group, "")
	if len(got) != 2 || got[0].Message != "kept 2" || got[1].Message != "kept 3" {
		t.Errorf("stored %v", got)
	}
}

// getAll pages GetLogEvents as the SDK's paginator does (nextForwardToken
// until it comes back unchanged) and returns the messages and pages.
func getAll(t *testing.T, l *lab, in cloudwatchlogs.GetLogEventsInput) (msgs []string, pages int) {
	t.Helper()
	p := cloudwatchlogs.NewGetLogEventsPaginator(l.client, &in, func(o *cloudwatchlogs.GetLogEventsPaginatorOptions) {
		o.StopOnDuplicateToken = true
	})
	for p.HasMorePages() {
		if pages++; pages > 100 {
			t.Fatal("paging does not end")
		}
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, output(page.Events)...)
	}
	return msgs, pages
}

func TestGetLogEventsPagesForwardToTheEnd(t *testing.T) {
	l := newLab(t)
	group, stream := "/aws/lambda/f", "s"
	var want []string
	var batch []types.InputLogEvent
	for i := range 10 {
		want = append(want, fmt.Sprint("line ", i))
		batch = append(batch, ev(t0.Add(time.Duration(i)*time.Second), want[i]))
	}
	l.put(t, group, stream, batch...)
	got, pages := getAll(t, l, cloudwatchlogs.GetLogEventsInput{LogGroupName: &group, LogStreamName: &stream, StartFromHead: aws.Bool(true), Limit: aws.Int32(3)})
	if !slices.Equal(got, want) {
		t.Errorf("paged %v, want %v", got, want)
	}
	if pages != 5 { // 3+3+3+1, then the empty page whose token comes back
		t.Errorf("%d pages, want 5", pages)
	}

	// At the end the forward token comes back unchanged, and after more
	// events arrive it reads just those.
	in := &cloudwatchlogs.GetLogEventsInput{LogGroupName: &group, LogStreamName: &stream, StartFromHead: aws.Bool(true)}
	first, err := l.client.GetLogEvents(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	in.NextToken = first.NextForwardToken
	end, err := l.client.GetLogEvents(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(end.Events) != 0 || aws.ToString(end.NextForwardToken) != aws.ToString(first.NextForwardToken) {
		t.Errorf("at the end: %d events, token %s, want the same %s", len(end.Events), aws.ToString(end.NextForwardToken), aws.ToString(first.NextForwardToken))
	}
	tok := aws.ToString(first.NextForwardToken)
	if !strings.HasPrefix(tok, "f/") || !strings.HasSuffix(tok, "/s") || len(tok) != 60 {
		t.Errorf("forward token %q, want f/<56 digits>/s", tok)
	}
	l.put(t, group, stream, ev(t0.Add(time.Minute), "later"))
	more, err := l.client.GetLogEvents(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(output(more.Events), []string{"later"}) {
		t.Errorf("after the end: %v, want [later]", output(more.Events))
	}
}

func TestGetLogEventsFromTheTailAndBackward(t *testing.T) {
	l := newLab(t)
	group, stream := "/aws/lambda/f", "s"
	var batch []types.InputLogEvent
	for i := range 7 {
		batch = append(batch, ev(t0.Add(time.Duration(i)*time.Second), fmt.Sprint(i)))
	}
	l.put(t, group, stream, batch...)
	// Without startFromHead the page is the newest events, oldest first.
	in := &cloudwatchlogs.GetLogEventsInput{LogGroupName: &group, LogStreamName: &stream, Limit: aws.Int32(3)}
	var pages [][]string
	for range 5 {
		out, err := l.client.GetLogEvents(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, output(out.Events))
		if in.NextToken != nil && aws.ToString(out.NextBackwardToken) == aws.ToString(in.NextToken) {
			break
		}
		in.NextToken = out.NextBackwardToken
	}
	want := [][]string{{"4", "5", "6"}, {"1", "2", "3"}, {"0"}, {}}
	if fmt.Sprint(pages) != fmt.Sprint(want) {
		t.Errorf("backward pages %v, want %v", pages, want)
	}
}

func TestGetLogEventsTimeRange(t *testing.T) {
	l := newLab(t)
	group, stream := "/aws/lambda/f", "s"
	var batch []types.InputLogEvent
	for i := range 6 {
		batch = append(batch, ev(t0.Add(time.Duration(i)*time.Second), fmt.Sprint(i)))
	}
	l.put(t, group, stream, batch...)
	// startTime is inclusive, endTime exclusive.
	got, _ := getAll(t, l, cloudwatchlogs.GetLogEventsInput{LogGroupName: &group, LogStreamName: &stream, StartFromHead: aws.Bool(true),
		StartTime: aws.Int64(ms(t0.Add(time.Second))), EndTime: aws.Int64(ms(t0.Add(4 * time.Second))), Limit: aws.Int32(2)})
	if want := []string{"1", "2", "3"}; !slices.Equal(got, want) {
		t.Errorf("range [1s, 4s): %v, want %v", got, want)
	}
}

func TestGetLogEventsErrors(t *testing.T) {
	l := newLab(t)
	group := "/aws/lambda/f"
	l.put(t, group, "s", ev(t0, "x"))
	for _, tc := range []struct {
		name          string
		in            cloudwatchlogs.GetLogEventsInput
		code, message string
	}{
		{"bad token", cloudwatchlogs.GetLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"), NextToken: aws.String("n/00/s")},
			"InvalidParameterException", "The specified nextToken is invalid."},
		{"missing stream", cloudwatchlogs.GetLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("t")},
			"ResourceNotFoundException", "The specified log stream does not exist."},
		{"missing group", cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/x"), LogStreamName: aws.String("s")},
			"ResourceNotFoundException", "The specified log group does not exist."},
		{"limit", cloudwatchlogs.GetLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"), Limit: aws.Int32(10001)},
			"InvalidParameterException", "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := l.client.GetLogEvents(ctx, &tc.in)
			wantAPIError(t, err, tc.code, tc.message)
		})
	}
}
