package runtime

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// A lambdalab killed with SIGKILL runs no cleanup at all; its environments'
// processes, and the children they started, must die anyway.
func TestKillDashNineLeavesNoProcess(t *testing.T) {
	bin := testProgram(t, "killparent")
	var nonce [8]byte
	rand.Read(nonce[:])
	marker := "LAMBDALAB_TEST_MARKER=" + hex.EncodeToString(nonce[:])
	cmd := exec.Command(bin, t.TempDir(), strings.TrimPrefix(marker, "LAMBDALAB_TEST_MARKER="), "3")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		cmd.Process.Kill()
		t.Fatalf("killparent said %q, %v", line, err)
	}
	// three environments, each a shell and its two sleeps (a shell forks
	// its sleeps when it is next scheduled: wait for them)
	eventually(t, "nine marked processes before the kill", func() bool { return len(processesWith(marker)) == 9 })
	reaperOf := reaperMarker + "=" + strconv.Itoa(cmd.Process.Pid)
	if len(processesWith(reaperOf)) != 1 {
		t.Fatal("killparent has no reaper")
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	eventually(t, "the reaper exits", func() bool { return len(processesWith(reaperOf)) == 0 })
	eventually(t, "no marked process left", func() bool { return len(processesWith(marker)) == 0 })
}

// Close kills what is left, stops the reaper and removes the scratch
// folder; the build cache stays for the next run.
func TestCloseCleansUp(t *testing.T) {
	cache := t.TempDir()
	m := NewManager(WithCacheDir(cache))
	p := goHandler(t, m, "handler")
	pr := start(t, m, p, functionEnv(), 128, nil)
	if !p.Built() {
		t.Fatal("a fresh cache did not build the handler")
	}
	reaperOf := reaperMarker + "=" + strconv.Itoa(os.Getpid())
	m.Close()
	if alive(pr.pgid) {
		t.Fatal("Close left the environment running")
	}
	if len(processesWith(reaperOf)) != 0 {
		t.Fatal("Close left the reaper running")
	}
	runs, _ := os.ReadDir(cache + "/run")
	builds, _ := os.ReadDir(cache + "/build")
	if len(runs) != 0 || len(builds) != 1 {
		t.Fatalf("after Close: run %v, build %v", names(runs), names(builds))
	}
	if _, err := m.Prepare(p.Spec()); err != errClosed {
		t.Fatalf("Prepare after Close: %v", err)
	}
	m2 := NewManager(WithCacheDir(cache))
	defer m2.Close()
	if p2 := goHandler(t, m2, "handler"); p2.Built() || p2.TaskRoot() != p.TaskRoot() {
		t.Fatal("the next run rebuilt the handler")
	}
}

// A Manager that died without Close leaves its scratch folder; the next
// one sweeps it, and leaves a live Manager's alone.
func TestStaleScratchSwept(t *testing.T) {
	cache := t.TempDir()
	live := NewManager(WithCacheDir(cache))
	defer live.Close()
	if err := live.setup(); err != nil {
		t.Fatal(err)
	}
	stale := cache + "/run/run-dead"
	os.MkdirAll(stale+"/task-x", 0o755)
	os.WriteFile(stale+"/lock", nil, 0o600)
	m := NewManager(WithCacheDir(cache))
	defer m.Close()
	if err := m.setup(); err != nil {
		t.Fatal(err)
	}
	runs, _ := os.ReadDir(cache + "/run")
	if got := names(runs); len(got) != 2 || slices.Contains(got, "run-dead") {
		t.Fatalf("run folders after the sweep: %v", got)
	}
}

func names(entries []os.DirEntry) []string {
	var n []string
	for _, e := range entries {
		n = append(n, e.Name())
	}
	return n
}
