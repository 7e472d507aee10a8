package s3

import (
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"sort"

	"github.com/johannesboyne/gofakes3"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/notify"
)

// CreateBucket creates a bucket as S3 would for the account: AWS's naming
// rules first, and an existing bucket of the account answered as S3 does
// (us-east-1 says 200, other regions BucketAlreadyOwnedByYou).
func (s *Server) CreateBucket(name string) error {
	if err := ValidateBucketName(name); err != nil {
		return err
	}
	exists, err := s.backend.BucketExists(name)
	if err != nil {
		return err
	}
	if exists {
		if s.region == "us-east-1" {
			return nil
		}
		return NewError("BucketAlreadyOwnedByYou", "", Field{"BucketName", name})
	}
	if err := s.backend.CreateBucket(name); err != nil {
		if gofakes3.IsAlreadyExists(err) && s.region == "us-east-1" {
			return nil // created by a concurrent request of ours
		}
		return err
	}
	s.bus.Publish(bus.BucketCreated{Header: bus.Header{Time: s.clock.Now()}, Bucket: name})
	return nil
}

func (s *Server) createBucket(c *call) error {
	// The body may carry a CreateBucketConfiguration; the lab has one region
	// and accepts any location constraint.
	_, _ = io.Copy(io.Discard, io.LimitReader(c.r.Body, 1<<20))
	if err := s.CreateBucket(c.op.Bucket); err != nil {
		return err
	}
	c.rec.Header().Set("Location", "/"+c.op.Bucket)
	c.rec.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) deleteBucket(c *call) error {
	s.fake.ServeHTTP(c.rec, c.r)
	if c.rec.Status() < 300 {
		s.notes.Delete(c.op.Bucket)
		s.cors.save(c.op.Bucket, nil)
		s.bus.Publish(bus.BucketDeleted{Header: bus.Header{Time: s.clock.Now()}, Bucket: c.op.Bucket})
	}
	return nil
}

// BucketExists reports whether the lab has bucket.
func (s *Server) BucketExists(bucket string) bool { return s.bucketMustExist(bucket) == nil }

func (s *Server) bucketMustExist(bucket string) error {
	ok, err := s.backend.BucketExists(bucket)
	if err != nil {
		return err
	}
	if !ok {
		return NewError("NoSuchBucket", "", Field{"BucketName", bucket})
	}
	return nil
}

// maxNotificationBody bounds a notification configuration document.
const maxNotificationBody = 1 << 20

// NotificationOptions qualify a configuration change.
type NotificationOptions struct {
	// SkipDestinationValidation mirrors x-amz-skip-destination-validation.
	SkipDestinationValidation bool
	// AcknowledgeRecursion is the console's "I acknowledge" checkbox (a lab
	// file's acknowledgeRecursiveInvocation). The S3 API has no such thing:
	// it accepts the configuration and the lab only warns.
	AcknowledgeRecursion bool
}

// SetNotificationConfiguration validates and stores a bucket's notification
// configuration, as PutBucketNotificationConfiguration does. The lab file's
// triggers come through here too, so they meet the same rules.
func (s *Server) SetNotificationConfiguration(bucket string, cfg notify.NotificationConfiguration, opts NotificationOptions) error {
	if err := s.bucketMustExist(bucket); err != nil {
		return err
	}
	v := s.validator
	v.SkipDestinationValidation = opts.SkipDestinationValidation
	if s.canInvoke != nil {
		v.FunctionExists = func(arn string) bool { return s.canInvoke(arn, bucket) }
	}
	if err := v.Validate(&cfg); err != nil {
		return err
	}
	notify.AssignIDs(&cfg, func() string { return base64.StdEncoding.EncodeToString([]byte(s.ids.UUID())) })
	s.notes.Set(bucket, cfg)
	now := s.clock.Now()
	ev := bus.NotificationConfigured{Header: bus.Header{Time: now}, Bucket: bucket}
	for _, l := range cfg.LambdaFunctionConfigurations {
		ev.Configurations = append(ev.Configurations, l.ID)
		if s.triggerRisk == nil {
			continue
		}
		fn := notify.FunctionName(l.LambdaFunctionArn)
		if msg := s.triggerRisk(bucket, fn); msg != "" {
			s.bus.Publish(bus.TriggerWarning{Header: bus.Header{Time: now}, Bucket: bucket, Function: fn,
				Message: msg, Acknowledged: opts.AcknowledgeRecursion})
		}
	}
	s.bus.Publish(ev)
	return nil
}

func (s *Server) putNotification(c *call) error {
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxNotificationBody+1))
	if err != nil {
		return NewError("IncompleteBody", "")
	}
	if len(body) > maxNotificationBody {
		return NewError("MalformedXML", "")
	}
	var cfg notify.NotificationConfiguration
	if err := xml.Unmarshal(body, &cfg); err != nil {
		if err := s.bucketMustExist(c.op.Bucket); err != nil {
			return err
		}
		return NewError("MalformedXML", "")
	}
	skip := c.r.Header.Get("X-Amz-Skip-Destination-Validation") == "true"
	if err := s.SetNotificationConfiguration(c.op.Bucket, cfg, NotificationOptions{SkipDestinationValidation: skip}); err != nil {
		return err
	}
	c.rec.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) getNotification(c *call) error {
	if err := s.bucketMustExist(c.op.Bucket); err != nil {
		return err
	}
	return writeXML(c.rec, s.notes.Get(c.op.Bucket))
}

func writeXML(w http.ResponseWriter, v any) error {
	out, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(out)
	return nil
}

// Backend is the gofakes3 backend holding the objects.
func (s *Server) Backend() gofakes3.Backend { return s.backend }

// listBuckets answers ListBuckets in name order, as S3 does (gofakes3's
// memory backend lists in map order).
func (s *Server) listBuckets(c *call) error {
	buckets, err := s.backend.ListBuckets()
	if err != nil {
		return err
	}
	sort.Slice(buckets, func(i, j int) bool { return buckets[i].Name < buckets[j].Name })
	type owner struct {
		ID          string `xml:"ID"`
		DisplayName string `xml:"DisplayName"`
	}
	type bucket struct {
		Name         string               `xml:"Name"`
		CreationDate gofakes3.ContentTime `xml:"CreationDate"`
	}
	doc := struct {
		XMLName xml.Name `xml:"ListAllMyBucketsResult"`
		Xmlns   string   `xml:"xmlns,attr"`
		Owner   owner    `xml:"Owner"`
		Buckets []bucket `xml:"Buckets>Bucket"`
	}{Xmlns: ns, Owner: owner{ID: RootPrincipalID(s.account), DisplayName: "lambdalab"}}
	for _, b := range buckets {
		doc.Buckets = append(doc.Buckets, bucket{Name: b.Name, CreationDate: b.CreationDate})
	}
	return writeXML(c.rec, doc)
}
