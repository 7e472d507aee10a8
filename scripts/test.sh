#!/usr/bin/env bash
# The project's one test command: installs what the tests need and is
# missing (Debian's aws CLI v2, tmux, boto3; pip's aws CLI v1 and cfn-lint),
# then vets and runs every test: with the race detector, except the two
# image packages that start no goroutine (pure computation, ten times slower
# under the detector) and cmd/lambdalab (its tests drive the built binary),
# which run without it together with the lab tests again with objects kept
# on disk (--data); then every benchmark once (so that none rots). With FUZZTIME set (e.g. FUZZTIME=30s) it also fuzzes each
# target that long (scripts/fuzz.sh); the seed corpora run as tests always.
# Extra arguments go to the first `go test` only (e.g. -run TestServe), and
# then skip the rest.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
# The compatibility suite drives the aws CLI v1 (pip's) and v2 (Debian's
# awscli, /usr/bin/aws); TestExportSAM runs cfn-lint (pip's).
has_v1=false has_v2=false
for a in /usr/bin/aws $(command -v aws 2>/dev/null) "$HOME/.pyenv/shims/aws" "$HOME/.local/bin/aws"; do
  [ -x "$a" ] || continue
  v=$("$a" --version 2>&1 || true)
  case $v in aws-cli/1.*) has_v1=true ;; aws-cli/2.*) has_v2=true ;; esac
done
$has_v2 || need+=(awscli)
pytools=${XDG_CACHE_HOME:-$HOME/.cache}/lambdalab/pytools
pip_need=()
$has_v1 || [ -x "$pytools/bin/aws" ] || pip_need+=('awscli<2')
command -v cfn-lint >/dev/null 2>&1 || [ -x "$pytools/bin/cfn-lint" ] || pip_need+=(cfn-lint)
if [ ${#pip_need[@]} -gt 0 ] && ! /usr/bin/python3 -m ensurepip --version >/dev/null 2>&1; then
  need+=(python3-venv)
fi
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg) # the transcode lab's layer
command -v chromium >/dev/null 2>&1 || need+=(chromium) # the CORS test's browser
# the transcode lab's layer, test videos and checks (ffmpeg, ffprobe)
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
# boto3 for the compatibility suite: the python3 on PATH or Debian's.
has_py() { python3 -c "import $1" 2>/dev/null || /usr/bin/python3 -c "import $1" 2>/dev/null; }
has_py boto3 || need+=(python3-boto3)
# The Python runtime tests run functions with the system's python3 (never
# pyenv's): Debian's boto3 (the runtime's SDK), Pillow (layers) and pip.
sys_py() { /usr/bin/python3 -c "import $1" 2>/dev/null; }
sys_py boto3 || [[ " ${need[*]} " == *" python3-boto3 "* ]] || need+=(python3-boto3)
sys_py PIL || need+=(python3-pil)
sys_py pip || need+=(python3-pip)
if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
# pip's tools go into a virtual environment of their own (Debian's python
# refuses system-wide pip installs); the tests find them through PATH (put
# last, so that /usr/bin/aws stays v2) and LAMBDALAB_AWS_V1.
if [ ${#pip_need[@]} -gt 0 ]; then
  echo "test.sh: installing ${pip_need[*]} with pip into $pytools" >&2
  [ -x "$pytools/bin/pip" ] || /usr/bin/python3 -m venv "$pytools"
  if ! "$pytools/bin/pip" install -q "${pip_need[@]}"; then
    echo "test.sh: pip could not install ${pip_need[*]} (is PyPI reachable?); the compatibility tests need them" >&2
    exit 1
  fi
fi
if [ -d "$pytools/bin" ]; then
  export PATH="$PATH:$pytools/bin"
  [ -x "$pytools/bin/aws" ] && export LAMBDALAB_AWS_V1="$pytools/bin/aws"
fi
# pyenv's shim costs the aws CLI v1 a second per start (the suite starts it
# hundreds of times): call the real program.
if command -v pyenv >/dev/null 2>&1 && real=$(pyenv which aws 2>/dev/null) &&
  [[ "$("$real" --version 2>&1)" == aws-cli/1.* ]]; then
  export LAMBDALAB_AWS_V1="$real" PATH="$(dirname "$real"):$PATH"
fi

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "test.sh: gofmt would change:" >&2
  echo "$unformatted" >&2
  exit 1
fi
if markers=$(git grep -nE '^(<<<<<<<|>>>>>>>) ' -- . ':!*.golden' 2>/dev/null) && [ -n "$markers" ]; then
  echo "test.sh: merge conflict markers:" >&2
  echo "$markers" >&2
  exit 1
fi
go vet ./...
phase() { echo "test.sh: $1 took $((SECONDS - t0))s"; t0=$SECONDS; }
t0=$SECONDS
# Captures the tests take of the console (tmux) are kept here.
export ARTIFACTS=${ARTIFACTS:-$PWD/artifacts}
# -parallel 4: most end-to-end tests wait on processes (lambdalab, the aws
# CLI, Python), so more of them than cores can run side by side.
if [ $# -gt 0 ]; then
  exec go test -race -count=1 -parallel 4 "$@" ./...
fi
# Without the race detector: the image packages (they start no goroutine)
# and cmd/lambdalab, whose tests drive the built lambdalab binary (built
# without it, so the detector would only slow the driver down).
norace='handler/resize$|internal/jpegscale$|cmd/lambdalab$'
go test -race -count=1 -parallel 4 $(go list ./... | grep -vE "$norace")
phase "go test -race"

# The lab's tests again, each lab kept in a data directory (bbolt), as with
# --data, but for those the store does not matter to (IAM's refusals, the
# browser, a Go bootstrap, a thousand PUTs); bucket versioning needs the
# memory store. With them, the packages left out above, without the race
# detector (LAMBDALAB_TEST_DATA only changes the in-process labs the
# emulator's tests start).
LAMBDALAB_TEST_DATA=1 go test -count=1 -parallel 6 \
  -skip 'TestEventNames|TestRefusalsThroughTheDoor|TestBrowserOnAnotherOrigin|TestOwnGoBootstrap|TestLoadThousandPuts|TestExerciseFromScratchWithTheGoSDK' \
  ./emulator/ $(go list ./... | grep -E "$norace")
phase "the --data pass, the image packages and cmd/lambdalab"
# Every benchmark once: they compile and run. Their output is kept for a
# failure to show. (The transcode benchmark on a 4 s video: two chunks are
# a fan-out too, and 20 s cost CI most of a minute.)
benchlog=$(mktemp)
trap 'rm -f "$benchlog"' EXIT
if ! LAMBDALAB_BENCH_VIDEO_SECONDS=4 go test -run '^$' -bench . -benchtime=1x ./... >"$benchlog" 2>&1; then
  grep -vE '^(ok|\?|goos|goarch|pkg|cpu|PASS|Benchmark)' "$benchlog" | tail -n 60 >&2
  echo "test.sh: a benchmark failed (above)" >&2
  exit 1
fi
phase "every benchmark once (scripts/bench.sh measures them)"
if [ -n "${FUZZTIME:-}" ]; then
  ./scripts/fuzz.sh
  phase "fuzzing (FUZZTIME=$FUZZTIME a target)"
fi
