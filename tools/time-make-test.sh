#!/usr/bin/env bash
# Time `make test` of two commits in one run, on this machine: each in its own clone, installed first
# (untimed: venvs, npm ci, Brownie, Slither), then `make test` timed as a whole. Run it on a quiet
# machine; the figures go to stdout and to time-make-test.txt.
#
#   tools/time-make-test.sh BEFORE_REV [AFTER_REV]     # AFTER_REV defaults to HEAD
set -euo pipefail
before=${1:?usage: tools/time-make-test.sh BEFORE_REV [AFTER_REV]}
after=${2:-HEAD}
repo=$(git rev-parse --show-toplevel)
work=$(mktemp -d /tmp/medchain-timing-XXXXXX)
# ../shared (the EPCIS schemas) is looked up beside the clone, as in CI
[ -d "$repo/../shared" ] && ln -s "$repo/../shared" "$work/shared"
out="$repo/time-make-test.txt"
: > "$out"
for rev in "$before" "$after"; do
  sha=$(git -C "$repo" rev-parse --short "$rev")
  dir="$work/$sha"
  git clone -q "$repo" "$dir" && git -C "$dir" checkout -q "$sha"
  # every tool venv the revision's `make test` would otherwise install inside the timed run
  targets="install node-tools brownie slither"
  for t in ape; do make -C "$dir" -n "$t" >/dev/null 2>&1 && targets="$targets $t"; done
  (cd "$dir" && make $targets >/dev/null 2>&1)
  start=$(date +%s)
  if (cd "$dir" && CI=true make test >"$work/$sha.log" 2>&1); then status=green; else status=red; fi
  seconds=$(( $(date +%s) - start ))
  line="$sha ($rev): make test $status in $seconds s; $(grep -E '^[0-9]+ passed|passed' "$work/$sha.log" | tail -1)"
  echo "$line" | tee -a "$out"
  grep -E '^(FAILED|ERROR) ' "$work/$sha.log" | sed 's/^/  /' | tee -a "$out" || true
done
echo "logs in $work"
