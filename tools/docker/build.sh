#!/usr/bin/env bash
# Builds the five service images and the console's (marketplace/<service>:${IMAGE_TAG:-dev}) as compose runs
# them, with BuildKit; PYTHON_IMAGE chooses the base (default: the official
# python:3.11-slim). The machine's CA bundle reaches pip only as a build secret.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=tools/docker/lib.sh
. "$root/tools/docker/lib.sh"
# Each service's name and port, as the compose file's build arguments give them.
for built in review:8001 orders:8002 logistics:8003 aftersales:8004 settlement:8005 console:8010; do
  service=${built%%:*}
  started=$SECONDS
  "$docker" build -q "${secret[@]}" \
    --build-arg "PYTHON_IMAGE=${PYTHON_IMAGE:-python:3.11-slim}" \
    --build-arg "SERVICE=$service" --build-arg "PORT=${built#*:}" \
    -f "$root/docker/service.Dockerfile" -t "marketplace/$service:${IMAGE_TAG:-dev}" "$root" >/dev/null
  echo "built marketplace/$service:${IMAGE_TAG:-dev} in $((SECONDS - started)) s"
done
