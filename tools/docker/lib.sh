# Sourced by the scripts of tools/docker: the Docker CLI to use and the build secret.
#
# Debian's /usr/bin/docker when there: its built-in BuildKit builds with `--secret`, while
# a newer client elsewhere on PATH may want a buildx plugin that is not installed.
if [[ -x /usr/bin/docker ]]; then docker=/usr/bin/docker; else docker="$(command -v docker || echo docker)"; fi
# The build machine's CA bundle (to reach the package index) as a build secret only: the
# Dockerfiles mount it for their `pip install` steps, no layer keeps it.
ca="${PIP_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
secret=()
if [[ -f "$ca" ]]; then secret=(--secret "id=pip_ca,src=$ca"); fi
export DOCKER_BUILDKIT=1
