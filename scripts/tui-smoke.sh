#!/usr/bin/env bash
# Drives the console in tmux as a user would: starts lambdalab at 100x30,
# uploads the sample image through the upload dialog, opens the output
# bucket, and checks from the screen that the thumbnail and an ok
# invocation are there. The screen is saved to $ARTIFACTS (./artifacts).
#   usage: scripts/tui-smoke.sh [path/to/lambdalab]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "tui-smoke: tmux is not installed (scripts/test.sh installs it)" >&2; exit 1; }

artifacts=${ARTIFACTS:-artifacts}
mkdir -p "$artifacts"
bin=${1:-}
if [ -z "$bin" ]; then
  bin=$(mktemp -d)/lambdalab
  go build -o "$bin" ./cmd/lambdalab
fi
sample=$(pwd)/scenarios/samples/sunset.jpg
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
session=lambdalab-smoke-$$
export TMUX_TMPDIR=$(mktemp -d)   # our own tmux server, not the user's

cleanup() { tmux kill-server 2>/dev/null || true; }
trap cleanup EXIT

screen() { tmux capture-pane -t "$session" -p; }
wait_for() { # wait_for TEXT: until the screen shows TEXT (10 s)
  for _ in $(seq 1 100); do
    if screen | grep -qF -- "$1"; then return 0; fi
    sleep 0.1
  done
  echo "tui-smoke: the screen never showed: $1" >&2
  screen >&2
  return 1
}

tmux new-session -d -s "$session" -x 100 -y 30 "TERM=xterm-256color $bin --addr 127.0.0.1:$port"
wait_for "export AWS_ENDPOINT_URL=http://127.0.0.1:$port"
wait_for "cis-examples"

# Upload through the dialog (u), into the selected bucket (cis-examples).
tmux send-keys -t "$session" u
wait_for "Upload to cis-examples"
tmux send-keys -t "$session" -l "$sample"
tmux send-keys -t "$session" Enter
wait_for "uploaded 1 file(s) to cis-examples"

# The trigger fires; the invocation appears with status ok.
wait_for " ok "

# Open the output bucket: j moves the Lab cursor to it.
tmux send-keys -t "$session" j
wait_for "Objects · cis-examples-output (1)"
wait_for "sunset.jpg"

# Open the thumbnail's detail: a 300 x 300 PNG.
tmux send-keys -t "$session" Tab Enter
wait_for "png, 300 × 300"

screen > "$artifacts/tui-smoke.txt"
tmux capture-pane -t "$session" -p -e > "$artifacts/tui-smoke.ansi"
# What the saved screen must still show: the thumbnail's detail and the
# invocation's status.
for want in "png, 300 × 300" " ok "; do
  grep -qF -- "$want" "$artifacts/tui-smoke.txt" || { echo "tui-smoke: the saved screen lacks: $want" >&2; cat "$artifacts/tui-smoke.txt" >&2; exit 1; }
done
echo "tui-smoke: ok (screen saved to $artifacts/tui-smoke.txt)"
