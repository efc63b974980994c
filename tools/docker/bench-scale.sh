#!/usr/bin/env bash
# `make bench-scale`: the images as `make test-docker` makes them, then bench/scale_out.py.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# shellcheck source=tools/docker/lib.sh
. tools/docker/lib.sh
started=$SECONDS
# shellcheck source=tools/docker/images.sh
. tools/docker/images.sh
.venv/bin/python bench/scale_out.py "$@"
echo "make bench-scale took $((SECONDS - started)) s."
