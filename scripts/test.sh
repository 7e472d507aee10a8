#!/usr/bin/env bash
# The project's one test command: installs what the tests need and is
# missing (the aws CLI, tmux), then vets and runs every test with the race
# detector. Extra arguments go to `go test` (e.g. -run TestServe).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v aws >/dev/null 2>&1 || need+=(awscli)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
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
