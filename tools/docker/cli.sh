#!/usr/bin/env bash
# Prints the Docker CLI to use: Debian's /usr/bin/docker when there (its built-in BuildKit
# builds with `--secret`; a newer client elsewhere on PATH may want a buildx plugin that is
# not installed), else whatever `docker` is on PATH.
if [[ -x /usr/bin/docker ]]; then echo /usr/bin/docker; else command -v docker || echo docker; fi
