package emulator

import (
	"fmt"
	"maps"
	"slices"

	"github.com/lambdalab/lambdalab/emulator/bus"
	"github.com/lambdalab/lambdalab/emulator/clock"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/notify"
	"github.com/lambdalab/lambdalab/emulator/s3"
	"github.com/lambdalab/lambdalab/emulator/store"
)

// WithData keeps the lab in the data directory d: objects, configuration
// and undelivered events survive a restart (or a crash). A directory that
// already holds a lab is restored instead of deployed afresh: its buckets,
// triggers, role policies and function settings win over the lab file's.
// The lab closes d when it closes (or when New fails).
func WithData(d *store.Data) Option { return func(s *settings) { s.data = d } }

// dataOptions wires the data directory into the lab's services.
func (st *settings) dataOptions() (lambdaOpts []lambda.Option, s3Opts []s3.Option) {
	if st.data == nil {
		return nil, nil
	}
	st.backend = st.data.Backend(clock.Display(st.clock))
	return []lambda.Option{lambda.WithJournal(st.data.Journal())},
		[]s3.Option{s3.WithMultipartETags(st.data.ETags(), st.data), s3.WithUploads(st.data.Uploads()), s3.WithIntentLog(st.data),
			s3.WithCORS(st.data.CORSConfigs(), st.data)}
}

// keepNotifications saves every notification configuration change.
func (l *Lab) keepNotifications(configs *notify.Store) {
	if l.data == nil {
		return
	}
	configs.OnChange(func(bucket string, c notify.NotificationConfiguration) {
		if err := l.data.SaveNotification(bucket, c); err != nil {
			l.bus.Publish(bus.TriggerWarning{Header: l.stamp(), Bucket: bucket,
				Message: "could not save the notification configuration in " + l.data.Dir() + ": " + err.Error()})
		}
	})
}

// start deploys the lab file, or restores the lab kept in the data
// directory, then sends the events it kept again.
func (l *Lab) start() error {
	if l.data == nil || l.data.MadeFrom() == "" {
		if err := l.deploy(); err != nil {
			return err
		}
		if l.data != nil {
			return l.data.Deployed(l.file.Name)
		}
		return nil
	}
	return l.restore()
}

// restore brings back a lab kept in the data directory: the lab file's
// functions (code comes from the file), then the directory's triggers,
// policies and function settings, then its undelivered events.
func (l *Lab) restore() error {
	d := l.data
	if err := l.restoreServices(); err != nil {
		return err
	}
	configs, err := d.Notifications()
	if err != nil {
		return fmt.Errorf("data directory %s: %w", d.Dir(), err)
	}
	if err := l.allowTriggers(configs); err != nil {
		return err
	}
	for _, bucket := range slices.Sorted(maps.Keys(configs)) {
		// Kept as S3 keeps a configuration whose function was deleted.
		opts := s3.NotificationOptions{AcknowledgeRecursion: true, SkipDestinationValidation: true}
		if err := l.s3.SetNotificationConfiguration(bucket, configs[bucket], opts); err != nil {
			return fmt.Errorf("data directory %s: triggers of bucket %s: %w", d.Dir(), bucket, err)
		}
	}
	events, err := d.Events()
	if err != nil {
		return fmt.Errorf("data directory %s: queued events: %w", d.Dir(), err)
	}
	buckets, err := l.s3.Backend().ListBuckets()
	if err != nil {
		return err
	}
	l.bus.Publish(bus.DataRestored{Header: l.stamp(), Dir: d.Dir(), MadeFrom: d.MadeFrom(), Lab: l.file.Name,
		Buckets: len(buckets), Events: len(events)})
	l.lambda.Restore(events)
	if err := l.s3.ReplayIntents(); err != nil {
		return fmt.Errorf("data directory %s: events of interrupted writes: %w", d.Dir(), err)
	}
	return nil
}
