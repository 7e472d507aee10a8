package logs_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/lambdalab/lambdalab/emulator/logs"
)

// BenchmarkAppend is the lab's hot path: every log line of every
// invocation. The group is at its cap, so each append also drops one.
func BenchmarkAppend(b *testing.B) {
	store := logs.New()
	line := "2026-11-29T10:00:00.000Z\tr1\tINFO\tresized Screenshot.png to 300x300"
	for i := range logs.DefaultMaxEventsPerGroup {
		store.Append(fn, envA, logsEvent(t0.Add(time.Duration(i)*time.Millisecond), line, "r1"))
	}
	at := t0.Add(time.Hour)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		store.Append(fn, envA, logsEvent(at.Add(time.Duration(i)*time.Microsecond), line, "r1"))
	}
}

// BenchmarkAppendParallel appends from every core, each goroutine an
// execution environment with its own stream, to four functions' groups,
// with a subscriber listening, as concurrent invocations and the console
// do.
func BenchmarkAppendParallel(b *testing.B) {
	store := logs.New()
	sub := store.Subscribe("")
	defer sub.Close()
	groups := []string{"/aws/lambda/f0", "/aws/lambda/f1", "/aws/lambda/f2", "/aws/lambda/f3"}
	var envs atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		env := envs.Add(1)
		group, stream := groups[env%4], fmt.Sprint("2026/11/29/[$LATEST]", env)
		i := 0
		for pb.Next() {
			i++
			store.Append(group, stream, logsEvent(t0.Add(time.Duration(i)*time.Microsecond), "a log line of a handler", "r"))
			if i%1000 == 0 {
				sub.Take()
			}
		}
	})
}

// hundredThousand is a group of 100k events in 10 streams, one in 1000 of
// them an ERROR.
func hundredThousand(b *testing.B) *logs.Store {
	b.Helper()
	store := logs.New(logs.WithMaxEventsPerGroup(100000))
	for i := range 100000 {
		msg := "INFO resized an image to 300x300"
		if i%1000 == 0 {
			msg = "ERROR cannot decode image"
		}
		store.Append(fn, fmt.Sprint("2026/11/29/[$LATEST]", i%10), logsEvent(t0.Add(time.Duration(i)*time.Millisecond), msg, "r"))
	}
	return store
}

// BenchmarkFilterLogEvents100k searches 100k events: a full first page
// (10,000 events interleaved from 10 streams), a pattern that matches 100
// of them (a scan of all 100k), and a time range that narrows by binary
// search.
func BenchmarkFilterLogEvents100k(b *testing.B) {
	store := hundredThousand(b)
	for _, bc := range []struct {
		name string
		in   logs.FilterLogEventsInput
	}{
		{"first page", logs.FilterLogEventsInput{LogGroupName: fn}},
		{"rare pattern", logs.FilterLogEventsInput{LogGroupName: fn, FilterPattern: "ERROR"}},
		{"last minute", logs.FilterLogEventsInput{LogGroupName: fn, StartTime: aws.Int64(ms(t0.Add(40 * time.Second)))}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := store.FilterLogEvents(bc.in)
				if err != nil || len(out.Events) == 0 {
					b.Fatal(err, len(out.Events))
				}
			}
		})
	}
}

// BenchmarkFilterLogEventsHTTP100k is one `aws logs tail` poll through the
// SDK: the HTTP and JSON cost on top of the search.
func BenchmarkFilterLogEventsHTTP100k(b *testing.B) {
	store := hundredThousand(b)
	l := serve(b, store, nil).client
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(fn), StartTime: aws.Int64(ms(t0.Add(99 * time.Second)))}
	b.ReportAllocs()
	for b.Loop() {
		out, err := l.FilterLogEvents(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		if len(out.Events) != 1000 {
			b.Fatalf("%d events, want 1000", len(out.Events))
		}
	}
}
