#!/usr/bin/env bash
# Makes sure `chromium` is on PATH for the HTML report's browser test
# (internal/render/html_browser_test.go, which fails when CI=true and chromium is missing).
# Idempotent: with chromium already there it only prints its version. Otherwise it installs Debian's
# chromium package with apt-get, as root or through passwordless sudo, and stops with a clear message
# when that is impossible.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  chromium --version 2>/dev/null || echo "ci: chromium is $(command -v chromium)"
  exit 0
fi

fail() {
  echo "ci: chromium is required by the HTML report's browser test and could not be installed: $*" >&2
  echo "ci: install Debian's chromium package (apt-get install chromium) and run again" >&2
  exit 1
}

command -v apt-get >/dev/null 2>&1 || fail "apt-get is not available on this machine"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || fail "not root, and sudo is not available"
  sudo -n true 2>/dev/null || fail "not root, and sudo asks for a password"
  sudo=(sudo -n)
fi

echo "ci: chromium not found; installing Debian's chromium" >&2
export DEBIAN_FRONTEND=noninteractive
# One retry: a mirror that is being updated fails an update now and then.
for attempt in 1 2; do
  if "${sudo[@]}" apt-get update -qq >&2 &&
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >&2; then
    break
  fi
  [ "$attempt" = 2 ] && fail "apt-get update or install failed twice"
  sleep 5
done

command -v chromium >/dev/null 2>&1 || fail "the package installed, but chromium is not on PATH"
chromium --version 2>/dev/null || echo "ci: chromium is $(command -v chromium)"
