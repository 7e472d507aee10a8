package scenarios

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/lambda"
)

// Expectations.
type (
	expectSpec struct {
		Object      *objectExpect      `yaml:"object"`
		Objects     *objectsExpect     `yaml:"objects"`
		Invocations *invocationsExpect `yaml:"invocations"`
		Log         *logExpect         `yaml:"log"`
		Metric      *metricExpect      `yaml:"metric"`
		Video       *videoExpect       `yaml:"video"`
		Error       string             `yaml:"error"`
	}
	objectExpect struct {
		Bucket      string            `yaml:"bucket"`
		Key         string            `yaml:"key"`
		Absent      bool              `yaml:"absent"`
		Size        *int64            `yaml:"size"`
		ContentType string            `yaml:"contentType"`
		Width       int               `yaml:"width"`
		Height      int               `yaml:"height"`
		Metadata    map[string]string `yaml:"metadata"`
		// SameAs is another object, s3://BUCKET/KEY, this one must equal
		// byte for byte.
		SameAs string `yaml:"sameAs"`
	}
	objectsExpect struct {
		Bucket string `yaml:"bucket"`
		Prefix string `yaml:"prefix"`
		Count  int    `yaml:"count"`
	}
	invocationsExpect struct {
		Function string `yaml:"function"`
		Status   string `yaml:"status"`
		Count    int    `yaml:"count"`
	}
	logExpect struct {
		Function string `yaml:"function"`
		Matches  string `yaml:"matches"`
		Count    *int   `yaml:"count"`
		re       *regexp.Regexp
	}
	metricExpect struct {
		Function string `yaml:"function"`
		Name     string `yaml:"name"`
		Value    int    `yaml:"value"`
	}
)

// Statuses an invocations expectation can count.
var statuses = []string{"ok", "error", "timeout", "crash", "out-of-memory", "init-error", "access-denied",
	"throttled", "dropped", "dropped-loop", "any"}

func (e *expectSpec) validate() error {
	n := 0
	for _, set := range []bool{e.Object != nil, e.Objects != nil, e.Invocations != nil, e.Log != nil, e.Metric != nil, e.Video != nil, e.Error != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("an expect checks exactly one thing")
	}
	switch {
	case e.Object != nil && (e.Object.Bucket == "" || e.Object.Key == ""):
		return fmt.Errorf("object needs bucket and key")
	case e.Object != nil && e.Object.SameAs != "":
		if _, _, ok := splitS3URL(e.Object.SameAs); !ok {
			return fmt.Errorf("sameAs %q: want s3://BUCKET/KEY", e.Object.SameAs)
		}
	case e.Objects != nil && e.Objects.Bucket == "":
		return fmt.Errorf("objects needs bucket (and prefix, count)")
	case e.Invocations != nil:
		if e.Invocations.Status == "" {
			e.Invocations.Status = "any"
		}
		known := false
		for _, s := range statuses {
			known = known || s == e.Invocations.Status
		}
		if !known {
			return fmt.Errorf("status %q: one of %s", e.Invocations.Status, strings.Join(statuses, ", "))
		}
	case e.Log != nil:
		if e.Log.Function == "" || e.Log.Matches == "" {
			return fmt.Errorf("log needs function and matches (a regular expression)")
		}
		re, err := regexp.Compile(e.Log.Matches)
		if err != nil {
			return fmt.Errorf("log matches: %v", err)
		}
		e.Log.re = re
	case e.Metric != nil:
		if _, ok := metricValue(bus.Metrics{}, e.Metric.Name); !ok || e.Metric.Function == "" {
			return fmt.Errorf("metric needs function and name (%s)", strings.Join(metricNames, ", "))
		}
	case e.Video != nil:
		return e.Video.validate()
	}
	return nil
}

var metricNames = []string{"Invocations", "Errors", "Throttles", "AsyncEventsReceived", "AsyncEventsDropped",
	"RecursiveInvocationsDropped", "DestinationDeliveryFailures", "MaxConcurrentExecutions"}

func metricValue(m bus.Metrics, name string) (int, bool) {
	switch name {
	case "Invocations":
		return m.Invocations, true
	case "Errors":
		return m.Errors, true
	case "Throttles":
		return m.Throttles, true
	case "AsyncEventsReceived":
		return m.AsyncEventsReceived, true
	case "AsyncEventsDropped":
		return m.AsyncEventsDropped, true
	case "RecursiveInvocationsDropped":
		return m.RecursiveInvocationsDropped, true
	case "DestinationDeliveryFailures":
		return m.DestinationDeliveryFailures, true
	case "MaxConcurrentExecutions":
		return m.MaxConcurrentExecutions, true
	}
	return 0, false
}

// check evaluates an expectation; the error says what differed.
func (e *expectSpec) describe() string { return "expect " + describeExpect(*e) }

func (e *expectSpec) run(r *runner) error { return r.check(*e) }

// check evaluates an expectation; the error says what differed.
func (r *runner) check(e expectSpec) error {
	switch {
	case e.Object != nil:
		return r.checkObject(*e.Object)
	case e.Objects != nil:
		return r.checkObjects(*e.Objects)
	case e.Video != nil:
		return r.checkVideo(*e.Video)
	case e.Invocations != nil:
		got := r.countInvocations(e.Invocations.Function, e.Invocations.Status)
		if got != e.Invocations.Count {
			return fmt.Errorf("%d %s invocation(s) of %s, want %d", got, e.Invocations.Status, e.Invocations.Function, e.Invocations.Count)
		}
	case e.Log != nil:
		n, err := r.countLogLines(e.Log.Function, e.Log.re)
		if err != nil {
			return err
		}
		if e.Log.Count != nil && n != *e.Log.Count || e.Log.Count == nil && n == 0 {
			want := "at least 1"
			if e.Log.Count != nil {
				want = fmt.Sprint(*e.Log.Count)
			}
			return fmt.Errorf("%d line(s) of /aws/lambda/%s match %q, want %s", n, e.Log.Function, e.Log.Matches, want)
		}
	case e.Metric != nil:
		m, err := r.metrics(e.Metric.Function)
		if err != nil {
			return err
		}
		if v, _ := metricValue(m, e.Metric.Name); v != e.Metric.Value {
			return fmt.Errorf("%s of %s is %d, want %d", e.Metric.Name, e.Metric.Function, v, e.Metric.Value)
		}
	case e.Error != "":
		if r.lastErr == "" {
			return fmt.Errorf("the previous step succeeded, want it to fail with %s", e.Error)
		}
		if r.lastErr != e.Error {
			return fmt.Errorf("the previous step failed with %s, want %s", r.lastErr, e.Error)
		}
	}
	return nil
}

// countLogLines counts the lines of a function's log group that match re,
// as `aws logs filter-log-events` reads them: a group that does not exist
// (the function never logged) has none.
func (r *runner) countLogLines(function string, re *regexp.Regexp) (int, error) {
	group := lambda.LogGroupName(function)
	p := cloudwatchlogs.NewFilterLogEventsPaginator(r.clients.Logs, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(r.ctx)
		var missing *logstypes.ResourceNotFoundException
		if errors.As(err, &missing) {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("filter %s: %s", group, apiMessage(err))
		}
		for _, ev := range page.Events {
			if re.MatchString(aws.ToString(ev.Message)) {
				n++
			}
		}
	}
	return n, nil
}

// metrics are a function's metrics as Lambda last published them on the
// bus; a function that has published none yet has zeros, one that does not
// exist is an error.
func (r *runner) metrics(function string) (bus.Metrics, error) {
	all := r.events.All()
	for i := len(all) - 1; i >= 0; i-- {
		if m, ok := all[i].(bus.FunctionMetrics); ok && m.Function == function {
			return m.Metrics, nil
		}
	}
	_, err := r.clients.Lambda.GetFunctionConfiguration(r.ctx, &lambdasdk.GetFunctionConfigurationInput{FunctionName: aws.String(function)})
	if err != nil {
		return bus.Metrics{}, fmt.Errorf("no function %s: %s", function, apiMessage(err))
	}
	return bus.Metrics{}, nil
}

// countInvocations counts attempts of function by status, from the bus.
func (r *runner) countInvocations(function, status string) int {
	n := 0
	for _, ev := range r.events.All() {
		switch e := ev.(type) {
		case bus.InvocationEnded:
			if function == "" { // every attempt (wait: {invocations: N})
				n++
				continue
			}
			if e.Function != function {
				continue
			}
			s := e.Status
			if e.Denied != nil {
				s = "access-denied"
			}
			if status == "any" || s == status || (status == "error" && s == "access-denied") {
				n++
			}
		case bus.InvocationThrottled:
			if e.Function == function && status == "throttled" {
				n++
			}
		case bus.InvocationDropped:
			if e.Function != function {
				continue
			}
			dropped := "dropped"
			if e.Recursive {
				dropped = "dropped-loop"
			}
			if status == dropped {
				n++
			}
		}
	}
	return n
}

func (r *runner) checkObject(e objectExpect) error {
	c, cancel := context.WithTimeout(r.ctx, timeout)
	defer cancel()
	out, err := r.client.GetObject(c, &s3.GetObjectInput{Bucket: aws.String(e.Bucket), Key: aws.String(e.Key)})
	if e.Absent {
		if err == nil {
			out.Body.Close()
			return fmt.Errorf("s3://%s/%s exists, want it absent", e.Bucket, e.Key)
		}
		if code := apiCode(err); code != "NoSuchKey" {
			return fmt.Errorf("s3://%s/%s: %v", e.Bucket, e.Key, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("s3://%s/%s: %s", e.Bucket, e.Key, apiMessage(err))
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return err
	}
	var problems []string
	if e.Size != nil && int64(len(data)) != *e.Size {
		problems = append(problems, fmt.Sprintf("size %d, want %d", len(data), *e.Size))
	}
	if e.ContentType != "" && aws.ToString(out.ContentType) != e.ContentType {
		problems = append(problems, fmt.Sprintf("content type %s, want %s", aws.ToString(out.ContentType), e.ContentType))
	}
	if e.Width > 0 || e.Height > 0 {
		cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
		switch {
		case err != nil:
			problems = append(problems, "not an image: "+err.Error())
		case e.Width > 0 && cfg.Width != e.Width || e.Height > 0 && cfg.Height != e.Height:
			problems = append(problems, fmt.Sprintf("%s of %d×%d, want %d×%d", format, cfg.Width, cfg.Height, e.Width, e.Height))
		}
	}
	if e.SameAs != "" {
		if p := r.sameAs(c, data, e.SameAs); p != "" {
			problems = append(problems, p)
		}
	}
	for k, v := range e.Metadata {
		if got := out.Metadata[k]; got != v {
			problems = append(problems, fmt.Sprintf("metadata %s=%q, want %q", k, got, v))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("s3://%s/%s: %s", e.Bucket, e.Key, strings.Join(problems, "; "))
	}
	return nil
}

func (r *runner) checkObjects(e objectsExpect) error {
	c, cancel := context.WithTimeout(r.ctx, timeout)
	defer cancel()
	n := 0
	p := s3.NewListObjectsV2Paginator(r.client, &s3.ListObjectsV2Input{Bucket: aws.String(e.Bucket), Prefix: aws.String(e.Prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(c)
		if err != nil {
			return fmt.Errorf("list s3://%s/%s: %s", e.Bucket, e.Prefix, apiMessage(err))
		}
		n += len(page.Contents)
	}
	if n != e.Count {
		return fmt.Errorf("s3://%s/%s* holds %d object(s), want %d", e.Bucket, e.Prefix, n, e.Count)
	}
	return nil
}

// sameAs compares data with the object at url; it says how they differ ("" if
// they do not).
func (r *runner) sameAs(ctx context.Context, data []byte, url string) string {
	bucket, key, _ := splitS3URL(url)
	out, err := r.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Sprintf("cannot compare with %s: %s", url, apiMessage(err))
	}
	defer out.Body.Close()
	other, err := io.ReadAll(out.Body)
	switch {
	case err != nil:
		return fmt.Sprintf("cannot compare with %s: %v", url, err)
	case !bytes.Equal(data, other):
		return fmt.Sprintf("differs from %s (%d bytes, %d there)", url, len(data), len(other))
	}
	return ""
}

// splitS3URL splits s3://BUCKET/KEY.
func splitS3URL(url string) (bucket, key string, ok bool) {
	rest, found := strings.CutPrefix(url, "s3://")
	bucket, key, _ = strings.Cut(rest, "/")
	return bucket, key, found && bucket != "" && key != ""
}
