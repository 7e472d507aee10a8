package tui

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// welcomeLines is what Detail shows when nothing is selected: a scenario's
// steps and how each went, or the exercise's steps in this lab's names.
// top is the line to show first.
func (d *detailPane) welcomeLines() (lines []string, top int) {
	if p := d.c.Player; p != nil {
		return d.scenarioLines(p)
	}
	return d.guideLines(), 0
}

// exercise finds the lab's exercise: the bucket with a trigger (or the
// first), the function it triggers, and where that function writes.
func (d *detailPane) exercise() (in, fn, out string, resizes bool) {
	for _, b := range d.c.State.Buckets {
		if len(b.Triggers) > 0 && b.Triggers[0].Function != "" {
			in, fn = b.Name, b.Triggers[0].Function
			break
		}
	}
	if in == "" {
		if len(d.c.State.Buckets) > 0 {
			in = d.c.State.Buckets[0].Name
		}
		return in, "", "", false
	}
	if cfg, ok := d.c.State.Configs[fn]; ok {
		if cfg.Environment != nil {
			out = cfg.Environment.Variables["OUTPUT_BUCKET"]
		}
		resizes = cfg.Runtime == "" && aws.ToString(cfg.Handler) == "resize"
	}
	return in, fn, out, resizes
}

// uploadHint says what to upload into bucket in for its first trigger to
// fire: an image unless the trigger's suffix names another kind of file
// (transcode's .mp4), a sample file name, and the trigger's prefix.
func (d *detailPane) uploadHint(in string) (what, sample, prefix string) {
	what, sample = "an image", "cat.png"
	b := d.c.State.Bucket(in)
	if b == nil || len(b.Triggers) == 0 {
		return what, sample, ""
	}
	t := b.Triggers[0]
	switch ext := strings.ToLower(t.Suffix); {
	case ext == "" || ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".gif":
	case ext == ".mp4" || ext == ".mov" || ext == ".mkv" || ext == ".webm":
		what, sample = "a video ("+t.Suffix+")", "clip"+t.Suffix
	case strings.HasPrefix(ext, "."):
		what, sample = "a "+t.Suffix+" file", "file"+t.Suffix
	}
	return what, sample, t.Prefix
}

// guideLines are the exercise's steps for this lab.
func (d *detailPane) guideLines() []string {
	st := d.c.Styles
	in, fn, out, resizes := d.exercise()
	var steps []string
	switch {
	case fn != "":
		steps = append(steps, fmt.Sprintf("Select %s in Lab (λ: it triggers %s).", in, fn))
	case in != "":
		steps = append(steps, "Pick a bucket in Lab; t adds a trigger.")
	default:
		steps = append(steps, "Press c to create a bucket; t adds a trigger.")
	}
	what, sample, prefix := d.uploadHint(in)
	upload := "Press u to upload " + what + "."
	if prefix != "" {
		upload = "Press u to upload " + what + " under " + prefix + "."
	}
	steps = append(steps, upload, "Watch the invocation appear below.", "Press enter on it for its event and logs; v for the run it starts, as a tree and a timeline.")
	switch {
	case out != "" && out != in && resizes:
		steps = append(steps, "Open "+out+": a 300×300 copy.")
	case out != "" && out != in:
		steps = append(steps, "Open "+out+": the function's output.")
	}
	lines := []string{st.Bold.Render("The exercise, step by step")}
	for i, t := range steps {
		lines = append(lines, d.wrapStyled(fmt.Sprintf("%d. %s", i+1, t), st.Value, 0)...)
	}
	if in != "" {
		lines = append(lines, "")
		lines = append(lines, d.wrapStyled("From another terminal, the aws CLI works too:", st.Dim, 0)...)
		lines = append(lines, d.wrapStyled("  aws s3 cp "+sample+" s3://"+in+"/"+prefix, st.Dim, 0)...)
	}
	lines = append(lines, "")
	return append(lines, d.wrapStyled("? all keys · s safe patterns · q quit", st.Dim, 0)...)
}

// scenarioLines lists a scenario's steps: ✓ passed, ✗ failed (with why),
// ▸ next (with its notes), and the verdict once all have run. top is the
// line of the last step run, so that it and the next are in view.
func (d *detailPane) scenarioLines(p *Player) (lines []string, top int) {
	st := d.c.Styles
	lines = d.wrapStyled(p.sc.Description, st.Bold, 0)
	lines = append(lines, "")
	const hang = 5 // under the step's text, past "✓ 1. "
	for i := range p.sc.Steps {
		mark := "  "
		switch {
		case i < len(p.results) && p.results[i].Passed:
			mark = st.StatusOK.Render("✓ ")
		case i < len(p.results):
			mark = st.StatusErr.Render("✗ ")
		case i == p.next:
			mark = st.Checkbox.Render("▸ ")
		}
		if i == p.next-1 {
			top = len(lines)
		}
		text := wrapWords(fmt.Sprintf("%d. %s", i+1, p.runner.Describe(i)), d.width-2, d.width-hang)
		lines = append(lines, mark+text[0])
		for _, l := range text[1:] {
			lines = append(lines, strings.Repeat(" ", hang)+l)
		}
		if i < len(p.results) && !p.results[i].Passed {
			lines = append(lines, d.indented(p.results[i].Message, hang, st.StatusErr.Render)...)
		}
		if i == p.next && !p.running {
			if n := strings.TrimSpace(p.sc.Steps[i].Notes); n != "" {
				lines = append(lines, d.indented(n, hang, st.Dim.Render)...)
			}
		}
	}
	if p.done() {
		lines = append(lines, "")
		style := st.StatusOK
		if len(p.failed()) > 0 {
			style = st.StatusErr
		}
		top = len(lines) // as far down as the pane goes
		lines = append(lines, d.wrapStyled(p.summary(), style, 0)...)
	}
	return lines, top
}

// indented wraps text under a step, hang cells in.
func (d *detailPane) indented(text string, hang int, style func(...string) string) []string {
	var out []string
	for _, l := range wrapWords(strings.Join(strings.Fields(text), " "), d.width-hang, d.width-hang) {
		out = append(out, strings.Repeat(" ", hang)+style(l))
	}
	return out
}
