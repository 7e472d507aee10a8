#!/usr/bin/env bash
# The project's one test command: installs what the tests need and is
# missing (Debian's aws CLI v2, tmux, boto3), then vets and runs every test
# with the race detector, the lab tests again with objects kept on disk
# (--data), every benchmark once (so that none rots), and each fuzz target
# for FUZZTIME (20s). Extra arguments go to the first `go test` only (e.g.
# -run TestServe), and then skip the rest.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
# The compatibility suite drives the aws CLI v1 (pip's, on the machine) and
# v2 (Debian's awscli, /usr/bin/aws).
has_v2=false
for a in /usr/bin/aws $(command -v aws 2>/dev/null); do
  if "$a" --version 2>&1 | grep -q '^aws-cli/2'; then has_v2=true; fi
done
$has_v2 || need+=(awscli)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
# boto3 for the compatibility suite: the python3 on PATH or Debian's.
has_py() { python3 -c "import $1" 2>/dev/null || /usr/bin/python3 -c "import $1" 2>/dev/null; }
has_py boto3 || need+=(python3-boto3)
if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "test.sh: gofmt would change:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
go test -race -count=1 "$@" ./...
[ $# -gt 0 ] && exit 0

# The lab's tests again, each lab kept in a data directory (bbolt), as with
# --data. (Bucket versioning needs the memory store.)
LAMBDALAB_TEST_DATA=1 go test -count=1 -skip 'TestEventNames' ./emulator/
# Every benchmark once, in short mode: they compile and run.
go test -run '^$' -bench . -benchtime=1x ./... >/dev/null
echo "test.sh: benchmarks ran (scripts/bench.sh measures them)"
FUZZTIME=${FUZZTIME:-20s} ./scripts/fuzz.sh
