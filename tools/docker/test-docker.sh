#!/usr/bin/env bash
# `make test-docker`: the end-to-end tests across containers, from a bare machine.
#   1. a Docker engine (started, or installed as root: ensure-engine.sh);
#   2. the official base images, or, when no registry answers, local stand-ins built from
#      Debian's packages (stand-ins.sh) and the compose override docker-compose.local.yml;
#   3. the four service images (build.sh);
#   4. pytest tests/e2e --platform=docker: pytest-docker brings the stack up, the tests
#      run against its published ports, and it is torn down (down -v).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# shellcheck source=tools/docker/lib.sh
. tools/docker/lib.sh
started=$SECONDS
bash tools/docker/ensure-engine.sh
official=(python:3.11-slim mongo:7 rabbitmq:3.13-management)
have_official() {
  for image in "${official[@]}"; do
    "$docker" image inspect "$image" >/dev/null 2>&1 || timeout 300 "$docker" pull -q "$image" >/dev/null 2>&1 || return 1
  done
}
if have_official; then
  echo "Official base images: ${official[*]}."
  export COMPOSE_STAND_INS=0 PYTHON_IMAGE=python:3.11-slim
else
  echo "No container registry answers: using local stand-ins for ${official[*]} (docker-compose.local.yml)."
  bash tools/docker/stand-ins.sh
  export COMPOSE_STAND_INS=1 PYTHON_IMAGE=marketplace-local/python:3.11
fi
bash tools/docker/build.sh
echo "Images ready in $((SECONDS - started)) s; the end-to-end tests across containers:"
.venv/bin/pytest tests/e2e --platform=docker "$@"
echo "make test-docker took $((SECONDS - started)) s."
