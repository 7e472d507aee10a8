package scenarios

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/goccy/go-yaml/ast"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/arn"
	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/internal/yamlpos"
)

// The S3 step kinds: buckets, objects and triggers, through the S3 API as
// a student's client would call it.

// s3Call is the context of one S3 call of a step.
func (r *runner) s3Call() (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.ctx, timeout)
}

// bucketSpec is a bucket named as NAME or {name: NAME}.
type bucketSpec struct {
	Name string `yaml:"name"`
}

func (b *bucketSpec) read(node ast.Node) error {
	if s, ok := node.(*ast.StringNode); ok {
		b.Name = s.Value
		return nil
	}
	return yamlpos.DecodeNode(node, b)
}

func (b *bucketSpec) validate() error {
	if b.Name == "" {
		return fmt.Errorf("the bucket needs a name")
	}
	return nil
}

type createBucketStep struct{ bucketSpec }

func (b *createBucketStep) describe() string { return "createBucket " + b.Name }

func (b *createBucketStep) run(r *runner) error {
	ctx, cancel := r.s3Call()
	defer cancel()
	_, err := r.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b.Name)})
	return err
}

type deleteBucketStep struct{ bucketSpec }

func (b *deleteBucketStep) describe() string { return "deleteBucket " + b.Name }

func (b *deleteBucketStep) run(r *runner) error {
	ctx, cancel := r.s3Call()
	defer cancel()
	_, err := r.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(b.Name)})
	return err
}

type imageSpec struct {
	Width  int    `yaml:"width"`
	Height int    `yaml:"height"`
	Format string `yaml:"format"`
}

// uploadSpec is PutObject of a file, a sample, a generated image or text.
type uploadSpec struct {
	Bucket      string     `yaml:"bucket"`
	Key         string     `yaml:"key"`
	File        string     `yaml:"file"`
	Sample      string     `yaml:"sample"`
	Image       *imageSpec `yaml:"image"`
	Text        *string    `yaml:"text"`
	ContentType string     `yaml:"contentType"`
}

func (u *uploadSpec) validate() error {
	n := 0
	for _, set := range []bool{u.File != "", u.Sample != "", u.Image != nil, u.Text != nil} {
		if set {
			n++
		}
	}
	if u.Bucket == "" || u.Key == "" || n != 1 {
		return fmt.Errorf("an upload needs bucket, key and exactly one of file, sample, image, text")
	}
	if u.Image != nil {
		if u.Image.Width < 1 || u.Image.Height < 1 || u.Image.Width*u.Image.Height > 40e6 {
			return fmt.Errorf("image: width and height from 1 up, at most 40 million pixels")
		}
		switch u.Image.Format {
		case "", "png", "jpeg", "jpg", "gif":
		default:
			return fmt.Errorf("image format %q: png, jpeg or gif", u.Image.Format)
		}
	}
	return nil
}

func (u *uploadSpec) describe() string {
	what := ""
	switch {
	case u.File != "":
		what = "file " + u.File
	case u.Sample != "":
		what = "sample " + u.Sample
	case u.Image != nil:
		what = fmt.Sprintf("generated %d×%d %s", u.Image.Width, u.Image.Height, imageFormat(u.Image.Format))
	default:
		what = fmt.Sprintf("%d bytes of text", len(*u.Text))
	}
	return fmt.Sprintf("upload s3://%s/%s (%s)", u.Bucket, u.Key, what)
}

func (u *uploadSpec) run(r *runner) error {
	ctx, cancel := r.s3Call()
	defer cancel()
	return r.upload(ctx, *u)
}

// deleteSpec is DeleteObject.
type deleteSpec struct {
	Bucket string `yaml:"bucket"`
	Key    string `yaml:"key"`
}

func (d *deleteSpec) validate() error {
	if d.Bucket == "" || d.Key == "" {
		return fmt.Errorf("delete needs bucket and key")
	}
	return nil
}

func (d *deleteSpec) describe() string { return fmt.Sprintf("delete s3://%s/%s", d.Bucket, d.Key) }

func (d *deleteSpec) run(r *runner) error {
	ctx, cancel := r.s3Call()
	defer cancel()
	_, err := r.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(d.Bucket), Key: aws.String(d.Key)})
	return err
}

// triggerSpec adds one configuration to a bucket's notification
// configuration.
type triggerSpec struct {
	ID       string   `yaml:"id"`
	Bucket   string   `yaml:"bucket"`
	Function string   `yaml:"function"`
	Events   []string `yaml:"events"`
	Prefix   string   `yaml:"prefix"`
	Suffix   string   `yaml:"suffix"`
}

func (t *triggerSpec) validate() error {
	if t.Bucket == "" || t.Function == "" {
		return fmt.Errorf("a trigger needs bucket and function")
	}
	return nil
}

func (t *triggerSpec) describe() string {
	return fmt.Sprintf("addTrigger %s → %s %s%s", t.Bucket, t.Function, strings.Join(eventsOr(t.Events), ","), filterText(t.Prefix, t.Suffix))
}

func (t *triggerSpec) run(r *runner) error {
	ctx, cancel := r.s3Call()
	defer cancel()
	return emulator.AddTrigger(ctx, r.clients, t.Bucket, r.trigger(*t))
}

// notificationSpec replaces a bucket's notification configuration.
type notificationSpec struct {
	Bucket   string        `yaml:"bucket"`
	Triggers []triggerSpec `yaml:"triggers"`
}

func (p *notificationSpec) validate() error {
	if p.Bucket == "" {
		return fmt.Errorf("putNotification needs bucket")
	}
	for i, t := range p.Triggers {
		// Without a function the request names the ARN "…:function:",
		// and S3's InvalidArgument would not say which trigger lacks it.
		if t.Function == "" {
			return fmt.Errorf("trigger %d needs function", i+1)
		}
		// A trigger shares addTrigger's fields, bucket among them; one
		// naming another bucket would otherwise be put on p.Bucket.
		if t.Bucket != "" && t.Bucket != p.Bucket {
			return fmt.Errorf("trigger %d names bucket %s, but this putNotification sets the triggers of %s; write one putNotification per bucket", i+1, t.Bucket, p.Bucket)
		}
	}
	return nil
}

func (p *notificationSpec) describe() string {
	return fmt.Sprintf("putNotification %s (%d trigger(s))", p.Bucket, len(p.Triggers))
}

func (p *notificationSpec) run(r *runner) error {
	var cfgs []types.LambdaFunctionConfiguration
	for _, t := range p.Triggers {
		tr := r.trigger(t)
		// As the console: S3 may invoke the function (add-permission).
		if err := emulator.AllowS3(r.ctx, r.clients, tr.FunctionARN, p.Bucket); err != nil {
			return err
		}
		cfgs = append(cfgs, tr.Configuration())
	}
	ctx, cancel := r.s3Call()
	defer cancel()
	_, err := r.client.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket:                    aws.String(p.Bucket),
		NotificationConfiguration: &types.NotificationConfiguration{LambdaFunctionConfigurations: cfgs},
	})
	return err
}

// trigger is t as S3 takes it. The function's ARN is written as a student
// writes it in a notification configuration, from the region and the
// account: a function that does not exist is S3's to refuse.
func (r *runner) trigger(t triggerSpec) emulator.Trigger {
	fn := arn.FunctionARN(r.region(), labfile.DefaultAccount, t.Function)
	return emulator.Trigger{FunctionARN: fn, ID: t.ID, Events: eventsOr(t.Events), Prefix: t.Prefix, Suffix: t.Suffix}
}

// region is the region the runner's clients call.
func (r *runner) region() string { return r.clients.Lambda.Options().Region }

func eventsOr(ev []string) []string {
	if len(ev) == 0 {
		return labfile.DefaultTriggerEvents
	}
	return ev
}

func filterText(prefix, suffix string) string {
	var parts []string
	if prefix != "" {
		parts = append(parts, "prefix "+prefix)
	}
	if suffix != "" {
		parts = append(parts, "suffix "+suffix)
	}
	if parts == nil {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
