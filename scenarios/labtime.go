package scenarios

import (
	"regexp"

	"github.com/lambdalab/lambdalab/emulator/bus"
)

// A function process keeps the wall clock: the timestamps its own log
// lines carry would differ from one replay to the next. The transcript
// shows them on the lab's clock instead, as the time the line was logged
// (the LogLine's own time), in the format the line used:
//
//	Python's logging   2026-11-29T22:13:42.831Z   → 2026-01-01T09:00:00.000Z
//	Go's log package   2026/11/29 22:13:42        → 2026/01/01 09:00:00
//
// Only these two forms are rewritten, only in function log lines, and a
// built-in handler's lines, already on the lab's clock, come out the same.
var (
	isoStamp = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z`)
	goStamp  = regexp.MustCompile(`\b\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?\b`)
)

// onLabTime returns ev with the wall-clock timestamps of a function's log
// line replaced by the line's lab time.
func onLabTime(ev bus.Event) bus.Event {
	l, ok := ev.(bus.LogLine)
	if !ok {
		return ev
	}
	at := l.Time.UTC()
	l.Line = isoStamp.ReplaceAllStringFunc(l.Line, func(s string) string {
		if len(s) == len("2006-01-02T15:04:05Z") {
			return at.Format("2006-01-02T15:04:05Z")
		}
		return at.Format("2006-01-02T15:04:05.000Z")
	})
	l.Line = goStamp.ReplaceAllStringFunc(l.Line, func(s string) string {
		if len(s) > len("2006/01/02 15:04:05") {
			return at.Format("2006/01/02 15:04:05.000000")
		}
		return at.Format("2006/01/02 15:04:05")
	})
	return l
}
