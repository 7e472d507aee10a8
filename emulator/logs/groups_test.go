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

func TestCreateAndDescribeLogGroups(t *testing.T) {
	l := newLab(t)
	for _, name := range []string{"/aws/lambda/b", "/aws/lambda/a", "/other/x", "/aws/lambda/c"} {
		if _, err := l.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := l.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/aws/lambda/a")})
	wantAPIError(t, err, "ResourceAlreadyExistsException", "The specified log group already exists")

	out, err := l.client.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/a")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.LogGroups) != 1 {
		t.Fatalf("%d groups, want 1", len(out.LogGroups))
	}
	g := out.LogGroups[0]
	if aws.ToString(g.Arn) != "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/a:*" ||
		aws.ToString(g.LogGroupArn) != "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/a" {
		t.Errorf("arn %q, logGroupArn %q", aws.ToString(g.Arn), aws.ToString(g.LogGroupArn))
	}
	if aws.ToInt64(g.CreationTime) != ms(t0) || aws.ToInt64(g.StoredBytes) != 0 || g.RetentionInDays != nil {
		t.Errorf("creationTime %d, storedBytes %d, retention %v", aws.ToInt64(g.CreationTime), aws.ToInt64(g.StoredBytes), g.RetentionInDays)
	}

	// Paging to the end with limit 1 lists every group once, by name.
	var names []string
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(l.client, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.LogGroups) > 1 {
			t.Fatalf("page of %d groups with limit 1", len(page.LogGroups))
		}
		for _, g := range page.LogGroups {
			names = append(names, aws.ToString(g.LogGroupName))
		}
	}
	want := []string{"/aws/lambda/a", "/aws/lambda/b", "/aws/lambda/c", "/other/x"}
	if !slices.Equal(names, want) {
		t.Errorf("paged %v, want %v", names, want)
	}

	// A pattern is a case-sensitive substring, and answers three fields.
	out, err = l.client.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("lambda/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.LogGroups) != 3 || out.LogGroups[0].StoredBytes != nil || out.LogGroups[0].Arn == nil {
		t.Errorf("pattern: %d groups, first %+v", len(out.LogGroups), out.LogGroups[0])
	}
	_, err = l.client.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(51)})
	wantAPIError(t, err, "InvalidParameterException", "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50")
}

func TestLogGroupNamesAreChecked(t *testing.T) {
	l := newLab(t)
	for _, tc := range []struct{ name, message string }{
		{"bad name", `1 validation error detected: Value 'bad name' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`},
		{strings.Repeat("a", 513), "1 validation error detected: Value '" + strings.Repeat("a", 513) + "' at 'logGroupName' failed to satisfy constraint: Member must have length less than or equal to 512"},
	} {
		_, err := l.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(tc.name)})
		wantAPIError(t, err, "InvalidParameterException", tc.message)
	}
}

func TestDeleteLogGroup(t *testing.T) {
	l := newLab(t)
	l.put(t, "/aws/lambda/f", "s", ev(t0, "hello"))
	if _, err := l.client.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("/aws/lambda/f")}); err != nil {
		t.Fatal(err)
	}
	_, err := l.client.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("/aws/lambda/f")})
	wantAPIError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = l.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/f")})
	wantAPIError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	// The lab's Append makes it anew, empty but for the new line.
	l.store.Append("/aws/lambda/f", "s2", logsEvent(t0, "again", "r1"))
	if got := l.store.Events("/aws/lambda/f", ""); len(got) != 1 || got[0].Message != "again" {
		t.Errorf("after re-creation: %v", got)
	}
}

func TestLogStreams(t *testing.T) {
	l := newLab(t)
	group := "/aws/lambda/f"
	_, err := l.client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: &group, LogStreamName: aws.String("s")})
	wantAPIError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")

	// Three streams created in the order c, a, b; their last events in the
	// order b (oldest), c, a.
	l.put(t, group, "c", ev(t0.Add(2*time.Second), "c1"))
	l.clock.Advance(time.Second)
	l.put(t, group, "a", ev(t0.Add(3*time.Second), "a1"))
	l.clock.Advance(time.Second)
	l.put(t, group, "b", ev(t0, "b1"))
	_, err = l.client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: &group, LogStreamName: aws.String("a")})
	wantAPIError(t, err, "ResourceAlreadyExistsException", "The specified log stream already exists")
	_, err = l.client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: &group, LogStreamName: aws.String("a:b")})
	wantAPIError(t, err, "InvalidParameterException", "1 validation error detected: Value 'a:b' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*")

	for _, tc := range []struct {
		name string
		in   cloudwatchlogs.DescribeLogStreamsInput
		want []string
	}{
		{"by name", cloudwatchlogs.DescribeLogStreamsInput{}, []string{"a", "b", "c"}},
		{"by name descending", cloudwatchlogs.DescribeLogStreamsInput{Descending: aws.Bool(true)}, []string{"c", "b", "a"}},
		{"by last event", cloudwatchlogs.DescribeLogStreamsInput{OrderBy: types.OrderByLastEventTime}, []string{"b", "c", "a"}},
		{"by last event descending", cloudwatchlogs.DescribeLogStreamsInput{OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true)}, []string{"a", "c", "b"}},
		{"prefix", cloudwatchlogs.DescribeLogStreamsInput{LogStreamNamePrefix: aws.String("b")}, []string{"b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, limit := range []int32{1, 2, 50} {
				in := tc.in
				in.LogGroupName, in.Limit = &group, aws.Int32(limit)
				var got []string
				p := cloudwatchlogs.NewDescribeLogStreamsPaginator(l.client, &in)
				for p.HasMorePages() {
					page, err := p.NextPage(ctx)
					if err != nil {
						t.Fatal(err)
					}
					for _, st := range page.LogStreams {
						got = append(got, aws.ToString(st.LogStreamName))
					}
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("limit %d: %v, want %v", limit, got, tc.want)
				}
			}
		})
	}

	checkStreamA(t, l, group)
	streamErrors(t, l, group)
}

// checkStreamA checks what DescribeLogStreams says of TestLogStreams' a.
func checkStreamA(t *testing.T, l *lab, group string) {
	t.Helper()
	out, err := l.client.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupIdentifier: aws.String(l.store.LogGroupARN(group)), LogStreamNamePrefix: aws.String("a")})
	if err != nil {
		t.Fatal(err)
	}
	st := out.LogStreams[0]
	if aws.ToInt64(st.CreationTime) != ms(t0.Add(time.Second)) || aws.ToInt64(st.FirstEventTimestamp) != ms(t0.Add(3*time.Second)) ||
		aws.ToInt64(st.LastEventTimestamp) != ms(t0.Add(3*time.Second)) || aws.ToInt64(st.LastIngestionTime) != ms(t0.Add(time.Second)) ||
		len(aws.ToString(st.UploadSequenceToken)) != 56 || aws.ToString(st.Arn) != "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:log-stream:a" {
		t.Errorf("stream a: %+v", st)
	}
}

// streamErrors checks DescribeLogStreams' and DeleteLogStream's errors on
// TestLogStreams' group.
func streamErrors(t *testing.T, l *lab, group string) {
	t.Helper()
	_, err := l.client.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: &group, OrderBy: types.OrderByLastEventTime, LogStreamNamePrefix: aws.String("a")})
	wantAPIError(t, err, "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")
	_, err = l.client.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupIdentifier: aws.String(l.store.GroupARN(group))})
	wantAPIError(t, err, "InvalidParameterException", `1 validation error detected: Value at 'logGroupIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w#+=/:,.@-]*`)
	_, err = l.client.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/none")})
	wantAPIError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")

	if _, err := l.client.DeleteLogStream(ctx, &cloudwatchlogs.DeleteLogStreamInput{LogGroupName: &group, LogStreamName: aws.String("a")}); err != nil {
		t.Fatal(err)
	}
	_, err = l.client.DeleteLogStream(ctx, &cloudwatchlogs.DeleteLogStreamInput{LogGroupName: &group, LogStreamName: aws.String("a")})
	wantAPIError(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
	if got := fmt.Sprint(len(l.store.Events(group, ""))); got != "2" {
		t.Errorf("%s events after deleting a, want 2", got)
	}
}

func TestRetentionPolicy(t *testing.T) {
	l := newLab(t)
	group := "/aws/lambda/f"
	l.put(t, group, "s", ev(t0, "x"))
	if _, err := l.client.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: &group, RetentionInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	_, err := l.client.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: &group, RetentionInDays: aws.Int32(8)})
	wantAPIError(t, err, "InvalidParameterException", "")
	out, err := l.client.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToInt32(out.LogGroups[0].RetentionInDays); got != 7 {
		t.Errorf("retentionInDays %d, want 7", got)
	}
	// An event older than the retention is rejected as expired.
	put, err := l.client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"),
		LogEvents: []types.InputLogEvent{ev(t0.Add(-8*24*time.Hour), "expired"), ev(t0, "kept")}})
	if err != nil {
		t.Fatal(err)
	}
	if r := put.RejectedLogEventsInfo; r == nil || aws.ToInt32(r.ExpiredLogEventEndIndex) != 0 || r.TooOldLogEventEndIndex != nil {
		t.Errorf("rejected %+v, want expiredLogEventEndIndex 0", r)
	}
	if _, err := l.client.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: &group}); err != nil {
		t.Fatal(err)
	}
	out, _ = l.client.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if out.LogGroups[0].RetentionInDays != nil {
		t.Errorf("retention %d after DeleteRetentionPolicy", *out.LogGroups[0].RetentionInDays)
	}
}
