package runtime

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
)

// A parent-death signal reaches only an environment's own process, not the
// children it starts (a `sleep 1000 &`, an ffmpeg), and lambdalab may die
// by SIGKILL without running any cleanup. So each Manager keeps one small
// shell alive beside it that knows the process group of every environment:
// it reads "add PGID" and "del PGID" lines from a pipe whose only writer is
// lambdalab, and when the pipe reaches end of file — lambdalab closed it, or
// the kernel did because lambdalab died — it kills every group still
// listed and exits. It sits in its own process group and ignores the
// terminal's signals, so a Ctrl-C that stops lambdalab does not stop it
// first.
//
// A group is listed right after its leader starts and unlisted before the
// leader is reaped: while the leader is an unreaped zombie its PGID cannot
// be reused, so the shell never kills a stranger's group.
const reaperScript = `trap '' HUP INT QUIT TERM TSTP TTIN TTOU PIPE
groups=' '
while read -r op pg; do
	case $pg in ''|*[!0-9]*) continue ;; esac
	case $op in
	add) groups="$groups$pg " ;;
	del) case $groups in *" $pg "*) groups="${groups% $pg *} ${groups#* $pg }" ;; esac ;;
	esac
done
for pg in $groups; do kill -9 -$pg 2>/dev/null; done
`

// reaperMarker names the reaper's one environment variable; its value is
// lambdalab's pid, so a test (or a person) can tell whose reaper it is.
const reaperMarker = "LAMBDALAB_REAPER"

type reaper struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	w    *os.File
	done chan struct{}
}

func startReaper() (*reaper, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cmd := exec.Command("/bin/sh", "-c", reaperScript)
	cmd.Stdin = r
	cmd.Env = []string{"PATH=/usr/bin:/bin", reaperMarker + "=" + strconv.Itoa(os.Getpid())}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil, fmt.Errorf("start the process reaper: %w", err)
	}
	rp := &reaper{cmd: cmd, w: w, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(rp.done)
	}()
	return rp, nil
}

func (r *reaper) send(op string, pgid int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.w != nil {
		// One short line is one atomic pipe write.
		fmt.Fprintf(r.w, "%s %d\n", op, pgid)
	}
}

func (r *reaper) add(pgid int) { r.send("add", pgid) }
func (r *reaper) del(pgid int) { r.send("del", pgid) }

// close ends the pipe; the reaper kills what is still listed and exits.
func (r *reaper) close() {
	r.mu.Lock()
	if r.w != nil {
		r.w.Close()
		r.w = nil
	}
	r.mu.Unlock()
	<-r.done
}
