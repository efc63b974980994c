#!/usr/bin/env bash
# Makes sure Debian's Chromium is here for the console's browser tests (Playwright drives
# it by its path; no test tool downloads a browser). As root on Debian, installs the
# package `chromium` with apt-get (and says so); otherwise says how to get it.
set -euo pipefail
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [[ -x "$CHROMIUM" ]]; then exit 0; fi
if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1 && [[ -f /etc/debian_version ]]; then
  echo "Chromium is not installed: installing Debian's package chromium for the console's browser tests."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  exit 0
fi
echo "No Chromium at $CHROMIUM: the console's browser tests need one (Debian: sudo apt-get" >&2
echo "install chromium; elsewhere set CHROMIUM to a Chromium or Chrome binary)." >&2
exit 1
