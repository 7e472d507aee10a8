package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"
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
	lab := d.c.Src.Lab
	cfg, ok := lab.Lambda().Config(d.function)
	if !ok {
		return []string{"no function " + d.function}
	}
	st := d.c.Styles
	var out []string
	out = append(out, d.sourceFields(cfg.Handler)...)
	out = append(out, d.field("Memory", fmt.Sprintf("%d MB", cfg.Memory))...)
	out = append(out, d.field("Timeout", cfg.Timeout.String())...)
	conc := fmt.Sprintf("account pool (%d)", lab.Lambda().AccountConcurrency())
	if cfg.ReservedConcurrency != nil {
		conc = fmt.Sprintf("reserved %d", *cfg.ReservedConcurrency)
	}
	out = append(out, d.field("Concurrency", conc)...)
	out = append(out, d.field("Retries", fmt.Sprintf("%d, max event age %s", *cfg.MaximumRetryAttempts, cfg.MaximumEventAge))...)
	onFailure := cfg.OnFailure
	if onFailure == "" {
		onFailure = "none"
	}
	out = append(out, d.field("On failure", onFailure)...)
	out = append(out, d.field("Recursion", cfg.RecursiveLoop)...)
	out = append(out, d.layerSection()...)
	out = append(out, d.environment(cfg.Environment)...)
	out = append(out, d.heading("Triggers")...)
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
		out = append(out, st.Dim.Render("  none (t adds one)"))
	}
	m, _ := lab.Lambda().Metrics(d.function)
	out = append(out, d.heading("Metrics")...)
	out = append(out, d.wrap(fmt.Sprintf("Invocations %d · Errors %d · Throttles %d · Dropped %d · Loops stopped %d",
		m.Invocations, m.Errors, m.Throttles, m.AsyncEventsDropped, m.RecursiveInvocationsDropped), 2)...)
	out = append(out, d.wrap(fmt.Sprintf("Duration p50 %s · p99 %s · most at once %d", d.metricDuration(m.DurationP50),
		d.metricDuration(m.DurationP99), m.MaxConcurrentExecutions), 2)...)
	if s := sparkline(d.c.State.History.durations[d.function]); s != "" {
		out = append(out, "  "+st.Sparkline.Render(s))
	}
	role, policy := lab.RolePolicy(d.function)
	out = append(out, d.heading("Role "+role)...)
	if policy != nil {
		out = append(out, d.prettyJSON([]byte(policy.Source))...)
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
