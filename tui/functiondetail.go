package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// sparkline draws durations as bars.
func sparkline(ds []time.Duration) string {
	const bars = "▁▂▃▄▅▆▇█"
	if len(ds) == 0 {
		return ""
	}
	hi := ds[0]
	for _, v := range ds {
		hi = max(hi, v)
	}
	var b strings.Builder
	r := []rune(bars)
	for _, v := range ds {
		i := 0
		if hi > 0 {
			i = int(float64(v) / float64(hi) * float64(len(r)-1))
		}
		b.WriteRune(r[i])
	}
	return b.String()
}

// environment lists a function's variables under their heading, as
// KEY=value lines wrapped to the pane: a name is never cut.
func (d *detailPane) environment(env map[string]string) []string {
	out := d.heading("Environment")
	if len(env) == 0 {
		return append(out, d.c.Styles.Dim.Render("  none (e edits it)"))
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, d.wrap(k+"="+env[k], 2)...)
	}
	return out
}

func (d *detailPane) functionLines() []string {
	st := d.c.Styles
	switch {
	case d.fnErr != nil:
		return d.wrapStyled(d.fnErr.Error(), st.MessageErr, 0)
	case d.fn == nil:
		return []string{st.Dim.Render("loading " + d.function + "…")}
	}
	info := d.fn
	cfg := info.conf
	out := d.arnField("ARN", aws.ToString(cfg.FunctionArn))
	out = append(out, d.sourceFields(info)...)
	out = append(out, d.field("State", stateText(cfg))...)
	out = append(out, d.field("Memory", fmt.Sprintf("%d MB", aws.ToInt32(cfg.MemorySize)))...)
	out = append(out, d.field("Timeout", (time.Duration(aws.ToInt32(cfg.Timeout))*time.Second).String())...)
	conc := fmt.Sprintf("account pool (%d)", info.accountPool)
	if info.reserved != nil {
		conc = fmt.Sprintf("reserved %d", *info.reserved)
	}
	out = append(out, d.field("Concurrency", conc)...)
	out = append(out, d.field("Retries", fmt.Sprintf("%d, max event age %s", info.retries, info.maxEventAge))...)
	onFailure := info.onFailure
	if onFailure == "" {
		onFailure = "none"
	}
	out = append(out, d.field("On failure", onFailure)...)
	out = append(out, d.field("Recursion", info.recursion)...)
	out = append(out, d.layerSection(info)...)
	var env map[string]string
	if cfg.Environment != nil {
		env = cfg.Environment.Variables
	}
	out = append(out, d.environment(env)...)
	out = append(out, d.functionTriggers()...)
	out = append(out, d.functionMetrics()...)
	out = append(out, d.heading("Role "+info.role)...)
	if info.policy != "" {
		out = append(out, d.prettyJSON([]byte(info.policy))...)
	}
	for _, p := range info.problems {
		out = append(out, d.wrapStyled(p, st.MessageErr, 0)...)
	}
	return out
}

// stateText is a function's state as Lambda reports it, with its last
// update's when that is not a success, and the reason of a failure.
func stateText(cfg lambdatypes.FunctionConfiguration) string {
	s := string(cfg.State)
	if r := aws.ToString(cfg.StateReason); r != "" && cfg.State != lambdatypes.StateActive {
		s += " (" + r + ")"
	}
	if u := cfg.LastUpdateStatus; u != "" && u != lambdatypes.LastUpdateStatusSuccessful {
		s += " · last update " + string(u)
		if r := aws.ToString(cfg.LastUpdateStatusReason); r != "" {
			s += " (" + r + ")"
		}
	}
	return s
}

// functionTriggers are the triggers of the function shown, from the
// buckets' notification configurations.
func (d *detailPane) functionTriggers() []string {
	out := d.heading("Triggers")
	triggers := 0
	for _, b := range d.c.State.Buckets {
		for _, t := range b.Triggers {
			if t.Function != d.function {
				continue
			}
			triggers++
			desc := fmt.Sprintf("%s ← %s", b.Name, strings.Join(t.Events, ", "))
			if t.Qualifier != "" {
				desc += " (" + t.Qualifier + ")"
			}
			desc += t.filter()
			out = append(out, d.wrap(desc, 2)...)
		}
	}
	if triggers == 0 {
		out = append(out, d.c.Styles.Dim.Render("  none (t adds one)"))
	}
	return out
}

// functionMetrics are the function's metrics as Lambda last published
// them, and its recent durations.
func (d *detailPane) functionMetrics() []string {
	m := d.c.State.Metrics[d.function]
	out := d.heading("Metrics")
	out = append(out, d.wrap(fmt.Sprintf("Invocations %d · Errors %d · Throttles %d · Dropped %d · Loops stopped %d",
		m.Invocations, m.Errors, m.Throttles, m.AsyncEventsDropped, m.RecursiveInvocationsDropped), 2)...)
	out = append(out, d.wrap(fmt.Sprintf("Duration p50 %s · p99 %s · most at once %d", d.metricDuration(m.DurationP50),
		d.metricDuration(m.DurationP99), m.MaxConcurrentExecutions), 2)...)
	if s := sparkline(d.c.State.History.durations[d.function]); s != "" {
		out = append(out, "  "+d.c.Styles.Sparkline.Render(s))
	}
	return out
}

// metricDuration is a duration metric, or — where the lab's virtual clock
// did not measure it (see durationText).
func (d *detailPane) metricDuration(v time.Duration) string {
	if d.c.VirtualClock && v == 0 {
		return notMeasured
	}
	return v.Round(time.Microsecond).String()
}
