#!/usr/bin/env bash
# Sourced by test-docker.sh and bench-scale.sh: a Docker engine, the base images (the
# official ones, or local stand-ins built from Debian's packages when no registry answers,
# with COMPOSE_STAND_INS=1 for docker-compose.local.yml) and the five service images.
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
