package logs_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lambdalab/lambdalab/emulator/logs"
)

// The aws CLI against the API: v2 (Debian's awscli, /usr/bin/aws) has
// `aws logs tail`; v1 (pip, first on PATH here) has the plain operations.
// scripts/test.sh installs both when missing.

// findCLI returns the path of the aws CLI of a major version.
func findCLI(t *testing.T, major string) string {
	t.Helper()
	candidates := []string{"/usr/bin/aws", "/usr/local/bin/aws"}
	if p, err := exec.LookPath("aws"); err == nil {
		candidates = append([]string{p}, candidates...)
	}
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, ".pyenv", "shims", "aws"))
	}
	for _, c := range candidates {
		out, err := exec.Command(c, "--version").CombinedOutput()
		if err == nil && strings.HasPrefix(string(out), "aws-cli/"+major+".") {
			return c
		}
	}
	t.Fatalf("no aws CLI v%s found (./scripts/test.sh installs v1 with pip and v2 with apt-get install awscli)", major)
	return ""
}

// awsCommand prepares an aws CLI run against endpoint with throwaway
// credentials and none of the host's AWS settings.
func awsCommand(t *testing.T, bin, endpoint string, args ...string) *exec.Cmd {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(bin, append([]string{"--endpoint-url", endpoint, "--output", "json"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LANG=C.UTF-8",
		"AWS_ACCESS_KEY_ID=AKIDLAMBDALAB", "AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER="}
	for _, v := range []string{"PYENV_ROOT", "PYENV_VERSION"} {
		if s, ok := os.LookupEnv(v); ok {
			cmd.Env = append(cmd.Env, v+"="+s)
		}
	}
	return cmd
}

func runAWS(t *testing.T, bin, endpoint string, args ...string) string {
	t.Helper()
	out, err := awsCommand(t, bin, endpoint, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// wallLab serves a store on the wall clock: `aws logs tail` asks for the
// last ten minutes of the real time.
func wallLab(t *testing.T) (*logs.Store, string) {
	t.Helper()
	store := logs.New()
	srv := httptest.NewServer(logs.NewHandler(store))
	t.Cleanup(srv.Close)
	return store, srv.URL
}

// tailLine is how `aws logs tail` prints an event (format detailed).
func tailLine(at time.Time, stream, msg string) string {
	return at.UTC().Format("2006-01-02T15:04:05.000000-07:00") + " " + stream + " " + msg
}

func TestAWSLogsTail(t *testing.T) {
	t.Parallel()
	v2 := findCLI(t, "2")
	store, endpoint := wallLab(t)
	now := time.Now().Truncate(time.Millisecond)
	store.Append(fn, envA, logsEvent(now.Add(-time.Hour), "an hour ago", "r0"))
	store.Append(fn, envA, logsEvent(now.Add(-2*time.Minute), "START RequestId: r1 Version: $LATEST", "r1"))
	store.Append(fn, envB, logsEvent(now.Add(-time.Minute), "[ERROR] boom", "r2"))
	store.Append(fn, envA, logsEvent(now.Add(-30*time.Second), "END RequestId: r1", "r1"))

	got := runAWS(t, v2, endpoint, "logs", "tail", fn)
	want := strings.Join([]string{
		tailLine(now.Add(-2*time.Minute), envA, "START RequestId: r1 Version: $LATEST"),
		tailLine(now.Add(-time.Minute), envB, "[ERROR] boom"),
		tailLine(now.Add(-30*time.Second), envA, "END RequestId: r1"),
	}, "\n") + "\n"
	if got != want {
		t.Errorf("aws logs tail:\n%s\nwant:\n%s", got, want)
	}
	got = runAWS(t, v2, endpoint, "logs", "tail", fn, "--since", "2h", "--filter-pattern", "?hour ?ERROR")
	want = tailLine(now.Add(-time.Hour), envA, "an hour ago") + "\n" + tailLine(now.Add(-time.Minute), envB, "[ERROR] boom") + "\n"
	if got != want {
		t.Errorf("aws logs tail --since 2h --filter-pattern:\n%s\nwant:\n%s", got, want)
	}
}

// follower is a running `aws logs tail --follow` and what it printed.
type follower struct {
	t      *testing.T
	lines  chan string
	stderr *strings.Builder
	seen   []string
}

func startFollow(t *testing.T, bin, endpoint, group string) *follower {
	t.Helper()
	cmd := awsCommand(t, bin, endpoint, "logs", "tail", group, "--follow")
	// In a terminal Python flushes each line; into a pipe it would hold
	// them until exit.
	cmd.Env = append(cmd.Env, "PYTHONUNBUFFERED=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	f := &follower{t: t, lines: make(chan string), stderr: &strings.Builder{}}
	cmd.Stderr = f.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	go func() {
		defer close(f.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			f.lines <- sc.Text()
		}
	}()
	return f
}

// waitLine reads the tail's output until want appears; the guard only
// stops a hung test (the CLI polls every 5 s).
func (f *follower) waitLine(want string) {
	f.t.Helper()
	guard := time.After(2 * time.Minute)
	for {
		select {
		case line, ok := <-f.lines:
			if !ok {
				f.t.Fatalf("aws logs tail --follow ended before %q; printed %q; stderr %s", want, f.seen, f.stderr.String())
			}
			f.seen = append(f.seen, line)
			if line == want {
				return
			}
		case <-guard:
			f.t.Fatalf("no %q from aws logs tail --follow; printed %q; stderr %s", want, f.seen, f.stderr.String())
		}
	}
}

func TestAWSLogsTailFollow(t *testing.T) {
	t.Parallel() // it mostly waits for the CLI's 5 s polls
	v2 := findCLI(t, "2")
	store, endpoint := wallLab(t)
	now := time.Now().Truncate(time.Millisecond)
	store.Append(fn, envA, logsEvent(now.Add(-time.Minute), "before the tail", "r1"))

	f := startFollow(t, v2, endpoint, fn)
	f.waitLine(tailLine(now.Add(-time.Minute), envA, "before the tail"))
	later := time.Now().Truncate(time.Millisecond)
	store.Append(fn, envB, logsEvent(later, "appended while tailing", "r2"))
	f.waitLine(tailLine(later, envB, "appended while tailing"))
	// The next poll starts at the newest timestamp seen, so it answers that
	// event again; the CLI drops it by eventId and prints only the new one.
	store.Append(fn, envB, logsEvent(later, "same millisecond", "r2"))
	f.waitLine(tailLine(later, envB, "same millisecond"))
	count := 0
	for _, l := range f.seen {
		if strings.HasSuffix(l, " appended while tailing") {
			count++
		}
	}
	if count != 1 || len(f.seen) != 3 {
		t.Errorf("printed %q: want each event once", f.seen)
	}
}

// TestAWSCLIOperations drives the operations the CLI has commands for with
// v1, whose requests v2 shares (v2 runs tail above): each CLI start costs
// a CPU-second and a half on the CI machine.
func TestAWSCLIOperations(t *testing.T) {
	t.Parallel()
	for _, major := range []string{"1"} {
		t.Run("v"+major, func(t *testing.T) {
			bin := findCLI(t, major)
			store, endpoint := wallLab(t)
			now := time.Now().Truncate(time.Millisecond)
			runAWS(t, bin, endpoint, "logs", "create-log-group", "--log-group-name", fn)
			runAWS(t, bin, endpoint, "logs", "create-log-stream", "--log-group-name", fn, "--log-stream-name", envA)
			runAWS(t, bin, endpoint, "logs", "put-log-events", "--log-group-name", fn, "--log-stream-name", envA, "--log-events",
				fmt.Sprintf("timestamp=%d,message=first line", now.UnixMilli()), fmt.Sprintf("timestamp=%d,message=ERROR second", now.UnixMilli()+1))
			store.Append(fn, envB, logsEvent(now.Add(2*time.Millisecond), "ERROR third", "r"))

			// --page-size 1 makes the CLI page through every nextToken.
			var filter struct {
				Events []struct {
					LogStreamName, Message, EventID string
					Timestamp, IngestionTime        int64
				}
				SearchedLogStreams []any
			}
			decode(t, runAWS(t, bin, endpoint, "logs", "filter-log-events", "--log-group-name", fn, "--filter-pattern", "ERROR", "--page-size", "1"), &filter)
			if len(filter.Events) != 2 || filter.Events[0].Message != "ERROR second" || filter.Events[1].LogStreamName != envB ||
				filter.Events[0].Timestamp != now.UnixMilli()+1 || len(filter.Events[1].EventID) != 56 || filter.SearchedLogStreams == nil {
				t.Errorf("filter-log-events: %+v", filter)
			}
			var get struct {
				Events                              []struct{ Message string }
				NextForwardToken, NextBackwardToken string
			}
			decode(t, runAWS(t, bin, endpoint, "logs", "get-log-events", "--log-group-name", fn, "--log-stream-name", envA, "--start-from-head"), &get)
			if len(get.Events) != 2 || get.Events[0].Message != "first line" || !strings.HasPrefix(get.NextForwardToken, "f/") {
				t.Errorf("get-log-events: %+v", get)
			}
			var streams struct {
				LogStreams []struct{ LogStreamName string }
			}
			decode(t, runAWS(t, bin, endpoint, "logs", "describe-log-streams", "--log-group-name", fn, "--order-by", "LastEventTime", "--descending"), &streams)
			if len(streams.LogStreams) != 2 || streams.LogStreams[0].LogStreamName != envB {
				t.Errorf("describe-log-streams: %+v", streams)
			}
			out, err := awsCommand(t, bin, endpoint, "logs", "create-log-group", "--log-group-name", fn).CombinedOutput()
			if err == nil || !strings.Contains(string(out), "ResourceAlreadyExistsException") || !strings.Contains(string(out), "The specified log group already exists") {
				t.Errorf("create-log-group again: %v\n%s", err, out)
			}
		})
	}
}

func decode(t *testing.T, out string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
}
