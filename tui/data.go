package tui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/lambdalab/lambdalab/emulator"
	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/clock"
)

// Source is the console's way into the lab. Everything the console reads
// or changes in a service goes through that service's API, signed as the
// account root, as a student at the console (Clients); what happens
// arrives on the bus (the Inbox). The rest belongs to the lab itself, not
// to a service: its name, its clock, the endpoint it serves, the
// recursive-invocation advice it gives for a trigger, where its lab file
// keeps a function's code, and, for a scenario's lab, running it after each
// action.
type Source struct {
	Clients  emulator.Clients
	Endpoint string
	// LabName is the lab file's name, for the header.
	LabName string
	// Clock is the lab's: test events carry its time, and on a virtual
	// clock a handler's work takes no lab time.
	Clock clock.Clock
	// TriggerRisk is the lab's warning for a trigger of bucket on function
	// ("" when the function does not write there).
	TriggerRisk func(bucket, function string) string
	// LabCode is the folder or file on this machine that the lab file says
	// holds a function's code (the Lambda API knows only its package);
	// ok is false for other functions.
	LabCode func(function string) (path string, ok bool)
	// settle, when set, runs the lab after each action (a scenario's lab
	// runs only when driven).
	settle func()
}

// NewSource is the console's source on lab, which serves endpoint.
func NewSource(lab *emulator.Lab, endpoint string) *Source {
	return &Source{Clients: lab.RootClients(), Endpoint: endpoint, LabName: lab.File().Name, Clock: lab.Clock(),
		TriggerRisk: lab.TriggerRisk,
		LabCode: func(function string) (string, bool) {
			src, ok := lab.Source(function)
			return src.Code, ok && src.Runtime != ""
		}}
}

// labCode is where the lab file keeps function's code, if it does.
func (src *Source) labCode(function string) (string, bool) {
	if src.LabCode == nil {
		return "", false
	}
	return src.LabCode(function)
}

// triggerRisk is the lab's warning for a trigger of bucket on function.
func (src *Source) triggerRisk(bucket, function string) string {
	if src.TriggerRisk == nil || function == "" {
		return ""
	}
	return src.TriggerRisk(bucket, function)
}

// after runs settle, if any, after an action.
func (src *Source) after(msg tea.Msg) tea.Msg {
	if src.settle != nil {
		src.settle()
	}
	return msg
}

// timeout bounds every call the UI makes.
const timeout = 30 * time.Second

func ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), timeout)
}

// Messages the data commands send back.
type (
	// labLoadedMsg is the first listing of buckets and objects.
	labLoadedMsg struct {
		buckets []*bucketState
		err     error
	}
	// resultMsg reports an action's outcome in the status line.
	resultMsg struct {
		text string
		err  error
		// function, when set, is a function the action changed: Detail
		// reads it again if it shows it.
		function string
	}
	// objectDetailMsg is a loaded object for the Detail pane; asked numbers
	// the request it answers.
	objectDetailMsg struct {
		bucket, key string
		asked       int
		loading     bool
		head        *s3.HeadObjectOutput
		img         image.Image
		format      string // png, jpeg or gif: the formats previewed
		width       int
		height      int
		// unpreviewed says why an image is not drawn ("" when it is, or
		// when the object is no image).
		unpreviewed string
		err         error
	}
	// busMsg carries one event from the lab's bus.
	busMsg struct{ ev bus.Event }
	// triggersMsg is a bucket's notification configuration, reloaded; asked
	// numbers the reload it answers.
	triggersMsg struct {
		bucket   string
		asked    int
		triggers []triggerRow
	}
	// progressMsg reports an upload's progress.
	progressMsg struct {
		file        string
		done, total int64
		finished    bool
	}
	// labClosedMsg says the lab is gone.
	labClosedMsg struct{}
)

// apiMessage is an S3 error as the console shows it: code and message.
func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return err.Error()
}

// loadLab lists every bucket, its objects and its triggers.
func (src *Source) loadLab() tea.Cmd {
	return func() tea.Msg {
		c, cancel := ctx()
		defer cancel()
		out, err := src.Clients.S3.ListBuckets(c, &s3.ListBucketsInput{})
		if err != nil {
			return labLoadedMsg{err: fmt.Errorf("list buckets: %s", apiMessage(err))}
		}
		var buckets []*bucketState
		for _, b := range out.Buckets {
			bs := &bucketState{Name: aws.ToString(b.Name)}
			// encoding-type=url: a key may hold characters an XML listing
			// cannot carry (S3 then sends a document the SDK refuses).
			p := s3.NewListObjectsV2Paginator(src.Clients.S3, &s3.ListObjectsV2Input{Bucket: b.Name, EncodingType: types.EncodingTypeUrl})
			for p.HasMorePages() {
				page, err := p.NextPage(c)
				if err != nil {
					return labLoadedMsg{err: fmt.Errorf("list %s: %s", bs.Name, apiMessage(err))}
				}
				for _, o := range page.Contents {
					key, err := url.QueryUnescape(aws.ToString(o.Key))
					if err != nil {
						key = aws.ToString(o.Key)
					}
					bs.Objects = append(bs.Objects, objectRow{Key: key, Size: aws.ToInt64(o.Size),
						Modified: aws.ToTime(o.LastModified), ETag: strings.Trim(aws.ToString(o.ETag), `"`)})
				}
			}
			bs.Triggers = src.triggers(c, bs.Name)
			buckets = append(buckets, bs)
		}
		return labLoadedMsg{buckets: buckets}
	}
}

func (src *Source) triggers(c context.Context, bucket string) []triggerRow {
	cfg, err := src.Clients.S3.GetBucketNotificationConfiguration(c, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return nil
	}
	var rows []triggerRow
	for _, l := range cfg.LambdaFunctionConfigurations {
		rows = append(rows, newTriggerRow(l))
	}
	return rows
}

// reloadTriggers reads a bucket's triggers again; asked numbers the reload.
func (src *Source) reloadTriggers(bucket string, asked int) tea.Cmd {
	return func() tea.Msg {
		c, cancel := ctx()
		defer cancel()
		return triggersMsg{bucket: bucket, asked: asked, triggers: src.triggers(c, bucket)}
	}
}

// loadObject reads an object's properties and, for a PNG, JPEG or GIF, a
// preview.
func (src *Source) loadObject(bucket, key string, asked int) tea.Cmd {
	return func() tea.Msg {
		c, cancel := ctx()
		defer cancel()
		msg := objectDetailMsg{bucket: bucket, key: key, asked: asked}
		head, err := src.Clients.S3.HeadObject(c, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			msg.err = errors.New(apiMessage(err))
			return msg
		}
		msg.head = head
		src.preview(c, &msg)
		return msg
	}
}

// createBucket creates a bucket, or says that it exists and is the user's.
func (src *Source) createBucket(name string) tea.Cmd {
	return func() tea.Msg {
		c, cancel := ctx()
		defer cancel()
		// In us-east-1, S3 answers CreateBucket with 200 OK for a bucket its
		// caller already owns (legacy compatibility), so the answer cannot
		// tell "created" from "was already there": ask first.
		if _, err := src.Clients.S3.HeadBucket(c, &s3.HeadBucketInput{Bucket: aws.String(name)}); err == nil {
			return resultMsg{err: fmt.Errorf("bucket %s already exists, and you own it: nothing was created", name)}
		}
		if _, err := src.Clients.S3.CreateBucket(c, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
			return resultMsg{err: fmt.Errorf("create bucket %s: %s", name, apiMessage(err))}
		}
		return src.after(resultMsg{text: "created bucket " + name + " (Block Public Access on, ACLs disabled)"})
	}
}

// deleteObjects deletes keys with one DeleteObjects call per 1,000.
func (src *Source) deleteObjects(bucket string, keys []string) tea.Cmd {
	return func() tea.Msg {
		c, cancel := ctx()
		defer cancel()
		deleted := 0
		for len(keys) > 0 {
			n := min(len(keys), 1000)
			var ids []types.ObjectIdentifier
			for _, k := range keys[:n] {
				ids = append(ids, types.ObjectIdentifier{Key: aws.String(k)})
			}
			out, err := src.Clients.S3.DeleteObjects(c, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids}})
			if err != nil {
				return resultMsg{err: fmt.Errorf("delete from %s: %s", bucket, apiMessage(err))}
			}
			if len(out.Errors) > 0 {
				return resultMsg{err: fmt.Errorf("delete %s: %s", aws.ToString(out.Errors[0].Key), aws.ToString(out.Errors[0].Message))}
			}
			deleted += len(out.Deleted)
			keys = keys[n:]
		}
		return src.after(resultMsg{text: fmt.Sprintf("permanently deleted %d object(s) from %s", deleted, bucket)})
	}
}

// download writes keys into dir; a key that would land outside dir (../,
// an absolute path) is refused.
func (src *Source) download(bucket string, keys []string, dir string) tea.Cmd {
	return func() tea.Msg {
		c, cancel := ctx()
		defer cancel()
		for _, key := range keys {
			if err := src.downloadOne(c, bucket, key, dir); err != nil {
				return resultMsg{err: err}
			}
		}
		return src.after(resultMsg{text: fmt.Sprintf("downloaded %d object(s) to %s", len(keys), dir)})
	}
}

// SafeJoin returns dir/key when key names a file inside dir, and an error
// when it would escape it.
func SafeJoin(dir, key string) (string, error) {
	rel := filepath.FromSlash(key)
	if key == "" || strings.HasSuffix(key, "/") || !filepath.IsLocal(rel) {
		return "", fmt.Errorf("refusing to download %q: the key would be written outside %s", key, dir)
	}
	return filepath.Join(dir, rel), nil
}

func (src *Source) downloadOne(c context.Context, bucket, key, dir string) error {
	if _, err := SafeJoin(dir, key); err != nil {
		return err
	}
	rel := filepath.FromSlash(key)
	out, err := src.Clients.S3.GetObject(c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("download %s: %s", key, apiMessage(err))
	}
	defer out.Body.Close()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// os.Root keeps every step inside dir, symbolic links included.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	if sub := filepath.Dir(rel); sub != "." {
		if err := root.MkdirAll(sub, 0o755); err != nil {
			return fmt.Errorf("download %s: %w", key, err)
		}
	}
	f, err := root.Create(rel)
	if err != nil {
		return fmt.Errorf("download %s: %w", key, err)
	}
	if _, err := io.Copy(f, out.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
