#!/usr/bin/env bash
# Makes sure a Docker Compose CLI is here, for `make test` to validate docker-compose.yml
# (`docker-compose config` needs no Docker engine). Either `docker-compose` or the
# `docker compose` plugin will do. On a Debian machine without either, as root, installs
# Debian's docker-compose package with apt-get (and says so); otherwise says how to get one.
set -euo pipefail
if command -v docker-compose >/dev/null 2>&1; then exit 0; fi
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then exit 0; fi
if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1 && [[ -f /etc/debian_version ]]; then
  echo "docker-compose is not installed: installing it with apt-get (Debian package docker-compose) to validate docker-compose.yml."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
  exit 0
fi
echo "No Docker Compose CLI: tests/test_containers.py needs one to validate docker-compose.yml." >&2
echo "Install it (Debian: sudo apt-get install docker-compose; elsewhere Docker Desktop or the" >&2
echo "docker-compose-plugin package, https://docs.docker.com/compose/install/); no engine is needed." >&2
exit 1
