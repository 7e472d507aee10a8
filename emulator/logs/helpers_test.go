package logs_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/logs"
)

// t0 is the tests' lab time: a Lambda stream of that day is named
// 2026/11/29/[$LATEST]….
var t0 = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

type lab struct {
	store  *logs.Store
	clock  *clock.Virtual
	srv    *httptest.Server
	client *cloudwatchlogs.Client
}

// newLab serves a store on a virtual clock at t0 on 127.0.0.1 and returns
// an SDK client for it.
func newLab(t *testing.T, opts ...logs.Option) *lab {
	t.Helper()
	vc := clock.NewVirtual(t0)
	store := logs.New(append([]logs.Option{logs.WithClock(vc)}, opts...)...)
	return serve(t, store, vc)
}

func serve(t testing.TB, store *logs.Store, vc *clock.Virtual) *lab {
	t.Helper()
	srv := httptest.NewServer(logs.NewHandler(store))
	t.Cleanup(srv.Close)
	// The SDK's default retries stay on: with large answers its HTTP client
	// now and then closes a connection it is still reading (a race between
	// smithy-go closing the request body and net/http's write loop, seen
	// with a traced net.Conn) and retries the net.ErrClosed, as
	// aws-sdk-go-v2 does since its issue 2737. Our errors are 400s, which
	// it never retries.
	client := cloudwatchlogs.New(cloudwatchlogs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDLAMBDALAB", "secret", ""),
	})
	return &lab{store: store, clock: vc, srv: srv, client: client}
}

func ms(t time.Time) int64 { return t.UnixMilli() }

var ctx = context.Background()

// wantAPIError checks an SDK error's code, message and HTTP status.
func wantAPIError(t *testing.T, err error, code, message string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an API error", err)
	}
	if ae.ErrorCode() != code {
		t.Errorf("code %q, want %q (message %q)", ae.ErrorCode(), code, ae.ErrorMessage())
	}
	if message != "" && ae.ErrorMessage() != message {
		t.Errorf("message %q, want %q", ae.ErrorMessage(), message)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 400 {
		t.Errorf("error %v: want HTTP 400", err)
	}
}

// put stores events in group/stream through PutLogEvents, creating both.
func (l *lab) put(t *testing.T, group, stream string, events ...types.InputLogEvent) *cloudwatchlogs.PutLogEventsOutput {
	t.Helper()
	_, err := l.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &group})
	var exists *types.ResourceAlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		t.Fatal(err)
	}
	_, err = l.client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: &group, LogStreamName: &stream})
	if err != nil && !errors.As(err, &exists) {
		t.Fatal(err)
	}
	out, err := l.client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: &group, LogStreamName: &stream, LogEvents: events})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func ev(at time.Time, msg string) types.InputLogEvent {
	return types.InputLogEvent{Timestamp: aws.Int64(ms(at)), Message: aws.String(msg)}
}

func messages[E any](events []E, msg func(E) *string) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = aws.ToString(msg(e))
	}
	return out
}

func filtered(events []types.FilteredLogEvent) []string {
	return messages(events, func(e types.FilteredLogEvent) *string { return e.Message })
}

func output(events []types.OutputLogEvent) []string {
	return messages(events, func(e types.OutputLogEvent) *string { return e.Message })
}

func logsEvent(at time.Time, msg, requestID string) logs.LogEvent {
	return logs.LogEvent{Time: at, Message: msg, RequestID: requestID}
}
