#!/usr/bin/env bash
# Renders docs/tui.png, the README's screenshot, from a real capture of the
# console (tmux capture-pane with colours), drawn by charmbracelet/freeze.
#   usage: scripts/screenshot.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "screenshot: needs tmux" >&2; exit 1; }
freeze=$(command -v freeze || true)
if [ -z "$freeze" ]; then
  GOFLAGS=-mod=mod go install github.com/charmbracelet/freeze@v0.2.2
  freeze=$(go env GOPATH)/bin/freeze
fi
bin=$(mktemp -d)/lambdalab
go build -o "$bin" ./cmd/lambdalab
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
export TMUX_TMPDIR=$(mktemp -d)
trap 'tmux kill-server 2>/dev/null || true' EXIT
s=shot
tmux new-session -d -s $s -x 120 -y 34 "TERM=xterm-256color COLORTERM=truecolor $bin --addr 127.0.0.1:$port"
sleep 1
tmux send-keys -t $s u
sleep 0.3
tmux send-keys -t $s -l "$(pwd)/scenarios/samples/sunset.jpg"
tmux send-keys -t $s Enter
sleep 1
tmux send-keys -t $s Tab Tab Enter
sleep 0.5
tmux send-keys -t $s Escape
sleep 0.2
tmux send-keys -t $s Escape
sleep 0.2
tmux send-keys -t $s j Tab Enter
sleep 1
tmux capture-pane -t $s -p -e > /tmp/lambdalab-shot.ansi
mkdir -p docs
# freeze does not honour "default colour" (SGR 39 and 49): spell the
# defaults out (the dark theme's foreground, freeze's background).
sed -e 's/\x1b\[39m/\x1b[38;2;230;237;243m/g' -e 's/\x1b\[49m/\x1b[48;2;23;23;23m/g' \
  /tmp/lambdalab-shot.ansi > /tmp/lambdalab-shot-fixed.ansi
"$freeze" --language ansi --window --padding 12 --margin 0 --font.size 13 -o docs/tui.png < /tmp/lambdalab-shot-fixed.ansi
echo "screenshot: wrote docs/tui.png"
