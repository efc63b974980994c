#!/usr/bin/env bash
# Builds the four service images (marketplace/<service>:${IMAGE_TAG:-dev}) as compose runs
# them, with BuildKit; PYTHON_IMAGE chooses the base (default: the official
# python:3.11-slim). The machine's CA bundle reaches pip only as a build secret.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=tools/docker/lib.sh
. "$root/tools/docker/lib.sh"
for service in review orders logistics aftersales; do
  started=$SECONDS
  "$docker" build -q "${secret[@]}" \
    --build-arg "PYTHON_IMAGE=${PYTHON_IMAGE:-python:3.11-slim}" \
    -f "$root/services/$service/Dockerfile" -t "marketplace/$service:${IMAGE_TAG:-dev}" "$root" >/dev/null
  echo "built marketplace/$service:${IMAGE_TAG:-dev} in $((SECONDS - started)) s"
done
