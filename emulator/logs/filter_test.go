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

// twoStreams puts "a0".."a4" in stream a at even seconds and "b0".."b4" in
// stream b at odd seconds.
func twoStreams(t *testing.T, l *lab, group string) {
	t.Helper()
	var a, b []types.InputLogEvent
	for i := range 5 {
		a = append(a, ev(t0.Add(time.Duration(2*i)*time.Second), fmt.Sprint("a", i)))
		b = append(b, ev(t0.Add(time.Duration(2*i+1)*time.Second), fmt.Sprint("b", i)))
	}
	l.put(t, group, "a", a...)
	l.put(t, group, "b", b...)
}

// filterAll pages FilterLogEvents to the end as the SDK's paginator does.
func filterAll(t *testing.T, l *lab, in cloudwatchlogs.FilterLogEventsInput) (events []types.FilteredLogEvent, pages int) {
	t.Helper()
	p := cloudwatchlogs.NewFilterLogEventsPaginator(l.client, &in)
	for p.HasMorePages() {
		if pages++; pages > 100 {
			t.Fatal("paging does not end")
		}
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if page.SearchedLogStreams == nil {
			t.Error("searchedLogStreams missing")
		}
		events = append(events, page.Events...)
	}
	return events, pages
}

func TestFilterLogEventsInterleavesAndPages(t *testing.T) {
	l := newLab(t)
	group := "/aws/lambda/f"
	twoStreams(t, l, group)
	want := []string{"a0", "b0", "a1", "b1", "a2", "b2", "a3", "b3", "a4", "b4"}
	for _, limit := range []int32{1, 3, 10, 10000} {
		//lint:ignore SA1019 aws logs tail still sends interleaved, so it must be accepted
		in := cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, Limit: aws.Int32(limit), Interleaved: aws.Bool(true)}
		events, pages := filterAll(t, l, in)
		if !slices.Equal(filtered(events), want) {
			t.Errorf("limit %d: %v, want %v", limit, filtered(events), want)
		}
		if wantPages := (10 + int(limit) - 1) / int(limit); pages != wantPages {
			t.Errorf("limit %d: %d pages, want %d (no nextToken once nothing more matches)", limit, pages, wantPages)
		}
	}
	events, _ := filterAll(t, l, cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group})
	ids := map[string]bool{}
	for i, e := range events {
		id := aws.ToString(e.EventId)
		if len(id) != 56 || ids[id] {
			t.Errorf("eventId %q: want 56 digits, unique", id)
		}
		ids[id] = true
		wantStream := "a"
		if i%2 == 1 {
			wantStream = "b"
		}
		if aws.ToString(e.LogStreamName) != wantStream || aws.ToInt64(e.Timestamp) != ms(t0.Add(time.Duration(i)*time.Second)) || aws.ToInt64(e.IngestionTime) != ms(t0) {
			t.Errorf("event %d: %+v", i, e)
		}
	}
	// The same event has the same id on every call.
	again, _ := filterAll(t, l, cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, LogStreamNames: []string{"b"}})
	if aws.ToString(again[0].EventId) != aws.ToString(events[1].EventId) {
		t.Errorf("eventId changed: %s then %s", aws.ToString(events[1].EventId), aws.ToString(again[0].EventId))
	}
}

func TestFilterLogEventsSelects(t *testing.T) {
	l := newLab(t)
	group := "/aws/lambda/f"
	twoStreams(t, l, group)
	l.put(t, group, "ab", ev(t0.Add(20*time.Second), "ab0"))
	for _, tc := range []struct {
		name string
		in   cloudwatchlogs.FilterLogEventsInput
		want []string
	}{
		{"start and end are inclusive", cloudwatchlogs.FilterLogEventsInput{StartTime: aws.Int64(ms(t0.Add(3 * time.Second))), EndTime: aws.Int64(ms(t0.Add(5 * time.Second)))},
			[]string{"b1", "a2", "b2"}},
		{"stream names", cloudwatchlogs.FilterLogEventsInput{LogStreamNames: []string{"b", "ab", "missing"}},
			[]string{"b0", "b1", "b2", "b3", "b4", "ab0"}},
		{"stream prefix", cloudwatchlogs.FilterLogEventsInput{LogStreamNamePrefix: aws.String("a")},
			[]string{"a0", "a1", "a2", "a3", "a4", "ab0"}},
		{"newest first", cloudwatchlogs.FilterLogEventsInput{StartFromHead: aws.Bool(false), Limit: aws.Int32(4), EndTime: aws.Int64(ms(t0.Add(5 * time.Second)))},
			[]string{"b2", "a2", "b1", "a1", "b0", "a0"}},
		{"pattern and range", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("?a3 ?b3 ?ab0"), StartTime: aws.Int64(ms(t0.Add(7 * time.Second)))},
			[]string{"b3", "ab0"}},
		{"by identifier", cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(""), LogGroupIdentifier: aws.String(l.store.LogGroupARN(group)), LogStreamNames: []string{"ab"}},
			[]string{"ab0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in.LogGroupIdentifier == nil {
				in.LogGroupName = &group
			} else {
				in.LogGroupName = nil
			}
			events, _ := filterAll(t, l, in)
			if !slices.Equal(filtered(events), tc.want) {
				t.Errorf("%v, want %v", filtered(events), tc.want)
			}
		})
	}
}

func TestFilterPatterns(t *testing.T) {
	l := newLab(t)
	group := "/aws/lambda/f"
	lines := []string{
		"START RequestId: 1 Version: $LATEST",
		"[ERROR] cannot open image",
		"ERROR Exception: boom",
		"2026-11-29T10:00:03.000Z 1 Task timed out after 3.00 seconds",
		"WARN slow resize",
		"error in lower case",
		"INFO done",
	}
	var batch []types.InputLogEvent
	for i, line := range lines {
		batch = append(batch, ev(t0.Add(time.Duration(i)*time.Millisecond), line))
	}
	l.put(t, group, "s", batch...)
	for _, tc := range []struct {
		pattern string
		want    []int // indexes into lines
	}{
		{"", []int{0, 1, 2, 3, 4, 5, 6}},
		{"ERROR", []int{1, 2}},
		{"ERROR Exception", []int{2}},
		{`"ERROR" "Exception"`, []int{2}},
		{`"Task timed out"`, []int{3}},
		{`"timed  out"`, nil},
		{"?ERROR ?WARN", []int{1, 2, 4}},
		{"ERROR -Exception", []int{1}},
		{`-"RequestId: 1" -ERROR`, []int{3, 4, 5, 6}},
		{"-ERROR ?done ?slow", []int{4, 6}},
		{"%ERROR|[Ee]rror%", []int{1, 2, 5}},
		{"%[Ee]rror%", []int{5}},
		{"%^INFO%", []int{6}},
		{"  WARN  ", []int{4}},
	} {
		t.Run(tc.pattern, func(t *testing.T) {
			events, _ := filterAll(t, l, cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, FilterPattern: aws.String(tc.pattern)})
			var want []string
			for _, i := range tc.want {
				want = append(want, lines[i])
			}
			if !slices.Equal(filtered(events), want) {
				t.Errorf("%v, want %v", filtered(events), want)
			}
		})
	}
}

func TestFilterLogEventsErrors(t *testing.T) {
	l := newLab(t)
	group := "/aws/lambda/f"
	l.put(t, group, "s", ev(t0, "x"))
	for _, tc := range []struct {
		name          string
		in            cloudwatchlogs.FilterLogEventsInput
		code, message string
	}{
		{"missing group", cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/none")},
			"ResourceNotFoundException", "The specified log group does not exist."},
		{"JSON pattern", cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, FilterPattern: aws.String(`{ $.level = "ERROR" }`)},
			"InvalidParameterException", ""},
		{"space-delimited pattern", cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, FilterPattern: aws.String(`[ip, user]`)},
			"InvalidParameterException", ""},
		{"unclosed quote", cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, FilterPattern: aws.String(`"Task timed`)},
			"InvalidParameterException", ""},
		{"lone operator", cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, FilterPattern: aws.String(`ERROR ?`)},
			"InvalidParameterException", ""},
		{"bad regex", cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, FilterPattern: aws.String(`%a(%`)},
			"InvalidParameterException", ""},
		{"names and prefix", cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, LogStreamNames: []string{"s"}, LogStreamNamePrefix: aws.String("s")},
			"InvalidParameterException", ""},
		{"name and identifier", cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, LogGroupIdentifier: &group},
			"InvalidParameterException", ""},
		{"bad token", cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, NextToken: aws.String("garbage")},
			"InvalidParameterException", "The specified nextToken is invalid."},
		{"limit", cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, Limit: aws.Int32(0)},
			"InvalidParameterException", "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := l.client.FilterLogEvents(ctx, &tc.in)
			wantAPIError(t, err, tc.code, tc.message)
		})
	}
	// The JSON pattern's refusal says what lambdalab does support.
	_, err := l.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, FilterPattern: aws.String(`{ $.level = "ERROR" }`)})
	if err == nil || !strings.Contains(err.Error(), "JSON filter patterns") || !strings.Contains(err.Error(), "not supported by lambdalab") {
		t.Errorf("JSON pattern: %v", err)
	}
}
