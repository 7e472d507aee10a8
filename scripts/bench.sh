#!/usr/bin/env bash
# Reruns every figure of BENCHMARKS.md on this machine: the go benchmarks
# (COUNT runs each, summarised by benchstat), then the side-by-side
# comparisons of bench/report (the resize handler against the exercise's
# Python function with Pillow, startup against moto_server). Installs what
# is missing: Debian's python3-pil, benchstat.
#   usage: scripts/bench.sh            # COUNT=6 by default
#          COUNT=10 scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! /usr/bin/python3 -c 'import PIL' 2>/dev/null; then
  echo "bench.sh: installing python3-pil" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq python3-pil >/dev/null
fi
benchstat=$(go env GOPATH)/bin/benchstat
if [ ! -x "$benchstat" ]; then
  echo "bench.sh: installing benchstat" >&2
  go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
fi

out=${OUT:-bench-results}
mkdir -p "$out"
{
  echo "## Machine"
  echo
  echo "- $(date -u +%Y-%m-%d), $(go version | cut -d' ' -f3-)"
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; memory $(free -g | awk '/Mem:/{print $2}') GiB"
  echo "- load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} >"$out/machine.md"

go test -run '^$' -bench . -count "${COUNT:-6}" ./handler/resize ./emulator ./tui ./cmd/lambdalab | tee "$out/bench.txt"
"$benchstat" "$out/bench.txt" | tee "$out/benchstat.txt"
go run ./bench/report -runs "${RUNS:-15}" | tee "$out/report.md"
cat "$out/machine.md"
echo "bench.sh: results in $out/"
