#!/usr/bin/env bash
# Crash test for --data: starts `lambdalab serve --data DIR`, uploads N
# images to the exercise's input bucket with the aws CLI, kills lambdalab
# with SIGKILL the moment the last upload is acknowledged, restarts it on the
# same directory, and checks that all N objects are there byte for byte and
# that every upload's event is delivered (N thumbnails in the output bucket).
# Then, on a new directory, it kills lambdalab while the uploads are still
# arriving and checks that every object that made it into the bucket gets
# its thumbnail after the restart.
#   usage: scripts/crash-test.sh [N] [path/to/lambdalab]
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-50}
bin=${2:-}
case $n in
  '' | *[!0-9]*) echo "usage: scripts/crash-test.sh [N] [path/to/lambdalab] (N, the number of uploads, is a number: got $n)" >&2; exit 2 ;;
esac
work=$(mktemp -d)
if [ -z "$bin" ]; then
  bin=$work/lambdalab
  go build -o "$bin" ./cmd/lambdalab
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
endpoint=http://127.0.0.1:$port
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
aws() { command aws --endpoint-url "$endpoint" "$@"; }

pid=""
cleanup() {
  if [ -n "$pid" ]; then { kill -9 "$pid"; wait "$pid"; } 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The waits below wait for what lambdalab prints, however long the machine
# takes, while it runs; 3000 rounds of 0.1 s (five minutes) only guard
# against a hang.
start() { # start LOG: serve in the background until the endpoint answers
  "$bin" serve --addr "127.0.0.1:$port" --data "$work/data" >"$1" 2>&1 &
  pid=$!
  for _ in $(seq 1 3000); do
    if grep -q "serving S3 at" "$1" 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "crash-test: lambdalab did not start:" >&2
  cat "$1" >&2
  exit 1
}

thumbnails() { # thumbnails LOG...: the thumbnails the logs say were written
  grep -ho 'S3 PUT cis-examples-output/photo-[^ ]*' "$@" 2>/dev/null | sort -u | wc -l
}

wait_thumbnails() { # wait_thumbnails N LOG...: until the logs show N thumbnails
  local want=$1
  shift
  for _ in $(seq 1 3000); do
    [ "$(thumbnails "$@")" -ge "$want" ] && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

mkdir -p "$work/in" "$work/back"
for i in $(seq 1 "$n"); do
  # The same picture under N names, each with a distinct tail so that no two
  # objects are alike.
  cp scenarios/samples/sunset-small.png "$work/in/photo-$i.png"
  printf 'crash-test %d' "$i" >>"$work/in/photo-$i.png"
done

start "$work/first.log"
if ! aws s3 cp --recursive --only-show-errors "$work/in" s3://cis-examples/; then
  echo "crash-test: FAIL: the uploads failed; lambdalab's log:" >&2
  grep -m1 -B2 -A30 -E "^(panic|fatal error)" "$work/first.log" >&2 || tail -40 "$work/first.log" >&2
  exit 1
fi
{ kill -9 "$pid"; wait "$pid"; } 2>/dev/null || true
pid=""
done_before=$(grep -c "REPORT RequestId" "$work/first.log" || true)
echo "crash-test: $n uploads acknowledged; lambdalab killed with SIGKILL after $done_before of $n invocations had finished"

start "$work/second.log"
grep -h "data .*restored" "$work/second.log" || true
aws s3 sync --only-show-errors s3://cis-examples/ "$work/back"
if ! diff -r "$work/in" "$work/back" >/dev/null; then
  echo "crash-test: FAIL: the objects after the restart differ from the uploads:" >&2
  diff -rq "$work/in" "$work/back" >&2 || true
  exit 1
fi
echo "crash-test: all $n objects are back, byte for byte"

wait_thumbnails "$n" "$work/first.log" "$work/second.log" || true
thumbs=$(aws s3 ls s3://cis-examples-output/ | grep -c 'photo-' || true)
if [ "$thumbs" -lt "$n" ]; then
  echo "crash-test: FAIL: $thumbs of $n thumbnails after the restart" >&2
  tail -20 "$work/second.log" >&2
  exit 1
fi
echo "crash-test: all $n events delivered ($thumbs thumbnails in cis-examples-output)"

# Second round: kill -9 while uploads are still arriving. Whatever made it
# into the bucket, acknowledged or not, gets its event after the restart
# (the object and the intent to send its event are stored before the
# object is).
{ kill -9 "$pid"; wait "$pid"; } 2>/dev/null || true
pid=""
rm -rf "$work/data"
start "$work/third.log"
aws s3 cp --recursive --only-show-errors "$work/in" s3://cis-examples/ >/dev/null 2>&1 &
uploader=$!
for _ in $(seq 1 200); do
  [ "$(grep -c ' PutObject 200 ' "$work/third.log" || true)" -ge $((n / 2)) ] && break
  sleep 0.05
done
{ kill -9 "$pid"; wait "$pid"; } 2>/dev/null || true
pid=""
wait "$uploader" 2>/dev/null || true
start "$work/fourth.log"
stored=$(aws s3 ls s3://cis-examples/ | grep -c 'photo-' || true)
wait_thumbnails "$stored" "$work/third.log" "$work/fourth.log" || true
thumbs=$(aws s3 ls s3://cis-examples-output/ | grep -c 'photo-' || true)
if [ "$thumbs" -lt "$stored" ]; then
  echo "crash-test: FAIL: killed mid-upload, $stored objects stored but $thumbs thumbnails after the restart" >&2
  exit 1
fi
echo "crash-test: killed mid-upload: every stored object got its event ($stored stored, $thumbs thumbnails)"
