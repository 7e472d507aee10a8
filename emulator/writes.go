package emulator

import (
	"strings"
	"sync"
	"time"

	"github.com/lambdalab/lambdalab/emulator/labfile"
	"github.com/lambdalab/lambdalab/emulator/lambda"
	"github.com/lambdalab/lambdalab/emulator/notify"
	"github.com/lambdalab/lambdalab/emulator/s3"
)

// writeLog remembers which buckets each function has written to, for the
// recursive-invocation warning on new triggers.
type writeLog struct {
	mu      sync.Mutex
	buckets map[string]map[string]bool // function → buckets
}

func newWriteLog() *writeLog { return &writeLog{buckets: map[string]map[string]bool{}} }

// notifier records every change a function made, then passes it on.
func (w *writeLog) notifier(next s3.Notifier) s3.Notifier {
	return notifierFunc(func(c notify.Change) {
		if fn := functionOf(c.PrincipalID); fn != "" && !c.IsRemoval() {
			w.mu.Lock()
			if w.buckets[fn] == nil {
				w.buckets[fn] = map[string]bool{}
			}
			w.buckets[fn][c.Bucket] = true
			w.mu.Unlock()
		}
		next.Notify(c)
	})
}

func (w *writeLog) wrote(function, bucket string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buckets[function][bucket]
}

// functionOf returns the function whose role session a principal id
// (AWS:AROA…:SESSION) names, or "".
func functionOf(principalID string) string {
	if !strings.HasPrefix(principalID, "AWS:AROA") {
		return ""
	}
	return principalID[strings.LastIndex(principalID, ":")+1:]
}

type notifierFunc func(notify.Change)

func (f notifierFunc) Notify(c notify.Change) { f(c) }

// ceiling is the lab's recursion ceiling.
func ceiling(f *labfile.File) lambda.Ceiling {
	c := lambda.DefaultCeiling
	if f.RecursionCeiling != nil {
		if f.RecursionCeiling.Invocations > 0 {
			c.Invocations = f.RecursionCeiling.Invocations
		}
		if f.RecursionCeiling.Duration > 0 {
			c.Duration = time.Duration(f.RecursionCeiling.Duration)
		}
	}
	return c
}

// TriggerRisk is the recursive-invocation warning for a trigger of bucket
// to function ("" when the function does not write there).
func (l *Lab) TriggerRisk(bucket, function string) string {
	cfg, ok := l.lambda.Config(function)
	if !ok {
		return ""
	}
	return labfile.RecursionRisk(bucket, function, cfg.Environment, l.writes.wrote)
}
