package scenarios

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"mime"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/notify"
)

// Samples are images shipped for scenarios and demos (upload: {sample: NAME}).
//
//go:embed samples
var Samples embed.FS

// do performs one step.
func (r *runner) do(st Step) error {
	ctx, cancel := context.WithTimeout(r.ctx, timeout)
	defer cancel()
	switch s := st.spec.(type) {
	case bucketSpec:
		if st.Kind == "createBucket" {
			_, err := r.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(s.Name)})
			return err
		}
		_, err := r.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(s.Name)})
		return err
	case uploadSpec:
		return r.upload(ctx, s)
	case objectRef:
		_, err := r.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(s.Key)})
		return err
	case triggerSpec:
		return emulator.AddTrigger(ctx, r.client, s.Bucket, r.trigger(s))
	case notificationSpec:
		var cfgs []types.LambdaFunctionConfiguration
		for _, t := range s.Triggers {
			cfgs = append(cfgs, r.trigger(t).Configuration())
		}
		return r.putNotification(ctx, s.Bucket, cfgs)
	case policySpec:
		doc, err := r.policyDocument(s)
		if err != nil {
			return err
		}
		return r.lab.SetRolePolicy(s.Function, doc)
	case envSpec:
		return r.lab.UpdateFunction(s.Function, func(c *lambda.Config) {
			for k, v := range s.Environment {
				if v == "" {
					delete(c.Environment, k)
				} else {
					c.Environment[k] = v
				}
			}
		})
	case loopSpec:
		return r.lab.UpdateFunction(s.Function, func(c *lambda.Config) { c.RecursiveLoop = s.Value })
	case invokeSpec:
		return r.invoke(s)
	case waitSpec:
		return r.wait(s)
	case expectSpec:
		return r.check(s)
	}
	return fmt.Errorf("unknown step %s", st.Kind)
}

func (r *runner) trigger(t triggerSpec) emulator.Trigger {
	return emulator.Trigger{FunctionARN: r.lab.Lambda().ARN(t.Function), ID: t.ID, Events: eventsOr(t.Events), Prefix: t.Prefix, Suffix: t.Suffix}
}

func (r *runner) putNotification(ctx context.Context, bucket string, cfgs []types.LambdaFunctionConfiguration) error {
	_, err := r.client.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket:                    aws.String(bucket),
		NotificationConfiguration: &types.NotificationConfiguration{LambdaFunctionConfigurations: cfgs},
	})
	return err
}

// readFile reads a file named by a scenario: next to a scenario loaded from
// disk; embedded scenarios may only use samples.
func (r *runner) readFile(name string) ([]byte, error) {
	if r.sc.Dir == "" && !filepath.IsAbs(name) {
		return nil, fmt.Errorf("file %s: an embedded scenario can only upload samples or generated images", name)
	}
	if !filepath.IsAbs(name) {
		name = filepath.Join(r.sc.Dir, name)
	}
	return os.ReadFile(name)
}

func (r *runner) upload(ctx context.Context, s uploadSpec) error {
	var body []byte
	var err error
	ct := s.ContentType
	switch {
	case s.File != "":
		body, err = r.readFile(s.File)
	case s.Sample != "":
		body, err = Samples.ReadFile(path.Join("samples", s.Sample))
		if err != nil {
			return fmt.Errorf("no sample %q (samples: %s)", s.Sample, strings.Join(SampleNames(), ", "))
		}
	case s.Image != nil:
		body, err = generateImage(*s.Image)
		if ct == "" {
			ct = "image/" + imageFormat(s.Image.Format)
		}
	default:
		body = []byte(*s.Text)
		if ct == "" {
			ct = "text/plain"
		}
	}
	if err != nil {
		return err
	}
	if ct == "" {
		ct = mime.TypeByExtension(strings.ToLower(path.Ext(s.Key)))
	}
	in := &s3.PutObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(s.Key), Body: bytes.NewReader(body)}
	if ct != "" {
		in.ContentType = aws.String(ct)
	}
	_, err = r.client.PutObject(ctx, in)
	return err
}

// SampleNames lists the shipped samples.
func SampleNames() []string {
	entries, _ := Samples.ReadDir("samples")
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func imageFormat(f string) string {
	switch f {
	case "jpg", "jpeg":
		return "jpeg"
	case "gif":
		return "gif"
	}
	return "png"
}

// generateImage draws a deterministic test card: colour gradients and a
// diagonal, so a resize is visibly right or wrong.
func generateImage(spec imageSpec) ([]byte, error) {
	img := image.NewNRGBA(image.Rect(0, 0, spec.Width, spec.Height))
	for y := 0; y < spec.Height; y++ {
		for x := 0; x < spec.Width; x++ {
			c := color.NRGBA{uint8(x * 255 / max(spec.Width-1, 1)), uint8(y * 255 / max(spec.Height-1, 1)), 160, 255}
			if x*spec.Height/max(spec.Width, 1) == y {
				c = color.NRGBA{255, 255, 255, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	var err error
	switch imageFormat(spec.Format) {
	case "jpeg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
	case "gif":
		err = gif.Encode(&buf, img, nil)
	default:
		err = png.Encode(&buf, img)
	}
	return buf.Bytes(), err
}

func (r *runner) policyDocument(s policySpec) ([]byte, error) {
	if s.PolicyFile != "" {
		return r.readFile(s.PolicyFile)
	}
	if text, ok := s.Policy.(string); ok {
		return []byte(text), nil
	}
	return json.MarshalIndent(s.Policy, "", "  ")
}

// invoke sends a test event, as the console's Test button does (queued
// asynchronously here, like S3's own).
func (r *runner) invoke(s invokeSpec) error {
	var payload []byte
	if s.Payload != nil {
		var err error
		if payload, err = json.Marshal(s.Payload); err != nil {
			return err
		}
	} else {
		name := "ObjectCreated:Put"
		if s.Template == "s3-delete" {
			name = "ObjectRemoved:Delete"
		}
		rec := notify.NewRecord(r.lab.File().Region, "A"+emulator.DefaultAccount+"LAB", "test-event", notify.Change{
			EventName: name, Time: r.clock.Now(), Bucket: s.Bucket, Key: s.Key, PrincipalID: "A" + emulator.DefaultAccount + "LAB",
			SourceIP: "127.0.0.1", RequestID: "TESTEVENT0000000", HostID: "test-event", Sequencer: notify.Sequencer(1),
		})
		payload = notify.Payload(rec)
	}
	return r.lab.Lambda().InvokeAsync(notify.AsyncInvocation{FunctionARN: r.lab.Lambda().ARN(s.Function), Payload: payload,
		Source: "test event", Object: s.Bucket + "/" + s.Key})
}

func (r *runner) wait(s waitSpec) error {
	svc := r.lab.Lambda()
	switch {
	case s.Idle:
		return svc.RunUntilIdle(r.ctx, r.clock)
	case s.Duration > 0:
		return svc.RunFor(r.ctx, r.clock, s.Duration)
	}
	for r.countInvocations("", "") < s.Invocations {
		moved, err := svc.Step(r.ctx, r.clock)
		if err != nil {
			return err
		}
		if !moved {
			return fmt.Errorf("the lab is idle after %d invocation(s), want %d", r.countInvocations("", ""), s.Invocations)
		}
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
