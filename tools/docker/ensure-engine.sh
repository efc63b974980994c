#!/usr/bin/env bash
# Makes sure a Docker engine answers, for `make test-docker`. Starts the engine when it is
# installed but down; on a Debian machine without it, as root, installs Debian's docker.io
# with apt-get (and says so); otherwise says how to get one.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tools/docker/lib.sh
. "$here/lib.sh"
answers() { "$docker" info >/dev/null 2>&1; }
if answers; then exit 0; fi
if ! command -v dockerd >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1 && [[ -f /etc/debian_version ]]; then
    echo "No Docker engine: installing Debian's docker.io with apt-get."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null
    . "$here/lib.sh"
  else
    echo "No Docker engine answers and none is installed: install Docker Engine" >&2
    echo "(Debian: sudo apt-get install docker.io; https://docs.docker.com/engine/install/)." >&2
    exit 1
  fi
fi
if answers; then exit 0; fi
if [[ "$(id -u)" != 0 ]]; then
  echo "The Docker engine is installed but not running: start it (sudo systemctl start docker)." >&2
  exit 1
fi
# An engine still starting or stopping answers in a moment, or leaves: a second one would
# find its pid file and refuse to start.
if pgrep -x dockerd >/dev/null 2>&1; then
  echo "A Docker engine is starting or stopping: waiting for it…"
  for _ in $(seq 1 60); do
    answers && exit 0
    pgrep -x dockerd >/dev/null 2>&1 || break
    sleep 1
  done
fi
echo "Starting the Docker engine (dockerd, log: /var/log/dockerd.log)…"
nohup dockerd >>/var/log/dockerd.log 2>&1 &
for _ in $(seq 1 60); do answers && { echo "The Docker engine is up."; exit 0; }; sleep 1; done
echo "The Docker engine did not answer within 60 s; see /var/log/dockerd.log." >&2
exit 1
