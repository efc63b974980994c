#!/usr/bin/env bash
# `make test-docker`: the end-to-end tests across containers, from a bare machine.
#   1-3. images.sh: a Docker engine (started, or installed as root: ensure-engine.sh); the
#      official base images, or, when no registry answers, local stand-ins built from
#      Debian's packages (stand-ins.sh) and the compose override docker-compose.local.yml;
#      the five service images (build.sh);
#   4. pytest tests/e2e --platform=docker: pytest-docker brings the stack up, the tests
#      run against its published ports, and it is torn down (down -v).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# shellcheck source=tools/docker/lib.sh
. tools/docker/lib.sh
started=$SECONDS
# shellcheck source=tools/docker/images.sh
. tools/docker/images.sh
echo "Images ready in $((SECONDS - started)) s; the end-to-end tests across containers:"
.venv/bin/pytest tests/e2e --platform=docker "$@"
echo "make test-docker took $((SECONDS - started)) s."
