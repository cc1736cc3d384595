#!/usr/bin/env bash
# The README's promise, checked as a newcomer meets it: a fresh clone in an empty temporary
# folder (no ../shared beside it, none of the checkout's ignored files), then `npm ci && npm test`
# with nothing else installed by hand. The browser tests must run, not be skipped.
#
# What it tests is a commit (FRESH_CLONE_REF, default HEAD): uncommitted changes are not cloned.
# FRESH_CLONE_TESTS picks the test files (run-tests.mjs filters, space-separated); "all" runs the
# whole suite. The default is the tests a fresh machine can change: the dashboard's (the browser)
# and the analysis ones (the only tests that ever read data from outside the repository); the
# rest already runs in the checkout, which in CI is itself a fresh checkout.
#
# When this machine has Debian's chromium at /usr/bin/chromium and we may mount (root with
# unshare), it is hidden for the run (an overlay with a whiteout, in a private mount namespace:
# the machine's /usr/bin is untouched), so a harness that still reached for it would fail here.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
script="$repo/scripts/fresh-clone-test.sh"
sha="$(git -C "$repo" rev-parse "${FRESH_CLONE_REF:-HEAD}^{commit}")"

if [ -z "${HOMEOSTAT_FRESH_NAMESPACE:-}" ] && [ -e /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
  hide="$(mktemp -d)"
  mkdir "$hide/upper" "$hide/work" && mknod "$hide/upper/chromium" c 0 0
  status=0
  HOMEOSTAT_FRESH_NAMESPACE=1 FRESH_CLONE_REF="$sha" unshare -m sh -c \
    'mount -t overlay overlay -o "lowerdir=/usr/bin,upperdir=$1/upper,workdir=$1/work" /usr/bin || echo "(could not hide /usr/bin/chromium)"; exec bash "$2"' \
    sh "$hide" "$script" || status=$?
  rm -rf "$hide"
  exit "$status"
fi

unset HOMEOSTAT_CHROMIUM
work="$(mktemp -d "${TMPDIR:-/tmp}/homeostat-fresh-XXXXXX")"
trap 'rm -rf "$work"' EXIT
clone="$work/homeostat"
echo "fresh clone of ${sha:0:12} in $clone (../shared beside it: $([ -e "$work/shared" ] && echo yes || echo no); /usr/bin/chromium: $([ -e /usr/bin/chromium ] && echo present || echo absent))"
# A push into an empty repository reaches any commit, on a branch or detached (as CI checkouts are).
git init -q "$clone"
git -C "$repo" push -q "$clone" "$sha:refs/heads/fresh"
git -C "$clone" checkout -q fresh

cd "$clone"
npm ci --no-audit --no-fund
tests="${FRESH_CLONE_TESTS:-dashboard- analyze nab-scorer}"
[ "$tests" = all ] && tests=""
# shellcheck disable=SC2086 # the filters are separate words on purpose
npm test -- $tests 2>&1 | tee "$work/test.tap"
status="${PIPESTATUS[0]}"

# Passed, with every browser test run: each dashboard file's tests must appear as `ok`, none skipped.
browser_ok="$(grep -cE '^ok [0-9]+ - dashboard' "$work/test.tap" || true)"
skipped="$(grep -cE '^ok [0-9]+ - .*# SKIP' "$work/test.tap" || true)"
echo "fresh clone: npm test exit $status, $browser_ok browser tests ok, $skipped skipped"
if [ "$status" != 0 ] || [ "$browser_ok" -lt 4 ] || [ "$skipped" != 0 ]; then
  echo "fresh clone check FAILED" >&2
  exit 1
fi
