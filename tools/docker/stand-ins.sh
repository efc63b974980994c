#!/usr/bin/env bash
# Local stand-ins for the official base images, for a machine that reaches no container
# registry: a Debian bookworm base from Debian's packages (debootstrap, docker import),
# then Python, RabbitMQ and, as MongoDB, the embedded engine (docker/local/*.Dockerfile).
# Cached: the Debian base is made once; the others are docker builds, their layers cached.
# The machine's CA bundle reaches pip only as a build secret.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=tools/docker/lib.sh
. "$root/tools/docker/lib.sh"

if ! "$docker" image inspect marketplace-local/debian:bookworm >/dev/null 2>&1; then
  if ! command -v debootstrap >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
      echo "Installing Debian's debootstrap with apt-get, to make a base image."
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
    else
      echo "debootstrap is needed to make a Debian base image here (sudo apt-get install debootstrap)." >&2
      exit 1
    fi
  fi
  echo "Making the Debian bookworm base image from Debian's packages (debootstrap, about a minute)…"
  dir="$(mktemp -d)"
  trap 'rm -rf "$dir"' EXIT
  debootstrap --variant=minbase bookworm "$dir" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >/dev/null
  # What an image does not need: downloaded packages, package lists, documentation.
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* \
         "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/locale/*
  tar -C "$dir" -c . | "$docker" import --change 'CMD ["bash"]' - marketplace-local/debian:bookworm >/dev/null
fi
build() {
  local tag="$1" file="$2"; shift 2
  echo "Building the stand-in $tag ($file)…"
  "$docker" build -q "${secret[@]}" "$@" -f "$root/$file" -t "$tag" "$root" >/dev/null
}
build marketplace-local/python:3.11 docker/local/python.Dockerfile
build marketplace-local/rabbitmq:3 docker/local/rabbitmq.Dockerfile
build marketplace-local/mongo-engine:0.8.1 docker/local/mongo-engine.Dockerfile
