# Every service's image, from one Dockerfile: build from the repository root with the
# service's name and port, as docker-compose.yml and tools/docker/build.sh do:
#   docker build -f docker/service.Dockerfile --build-arg SERVICE=orders --build-arg PORT=8002 .
# The official Python image; machines that reach no registry build a stand-in from Debian's
# packages and pass it here (tools/docker/stand-ins.sh, docker-compose.local.yml).
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE}
ARG SERVICE
ARG PORT
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SERVICE=${SERVICE} SERVICE_PORT=${PORT}
WORKDIR /app
# Dependencies first: this layer stays cached until a pyproject.toml changes.
COPY shared/pyproject.toml shared/pyproject.toml
COPY services/${SERVICE}/pyproject.toml services/${SERVICE}/pyproject.toml
# A CA the build machine needs to reach the package index comes only as a build secret
# (`--secret id=pip_ca,src=<bundle>`), never a layer of the image.
RUN --mount=type=secret,id=pip_ca,required=false \
    if [ -f /run/secrets/pip_ca ]; then export PIP_CERT=/run/secrets/pip_ca; fi \
    && test -n "${SERVICE}" && test -n "${PORT}" \
    && mkdir -p shared/shared services/${SERVICE}/${SERVICE} \
    && pip install ./shared ./services/${SERVICE} \
    && pip uninstall -y marketplace-shared marketplace-${SERVICE}
COPY shared/shared shared/shared
COPY services/${SERVICE}/${SERVICE} services/${SERVICE}/${SERVICE}
RUN --mount=type=secret,id=pip_ca,required=false \
    if [ -f /run/secrets/pip_ca ]; then export PIP_CERT=/run/secrets/pip_ca; fi \
    && pip install --no-deps ./shared ./services/${SERVICE} \
    && useradd --system --uid 10001 --no-create-home app
# A numeric non-root user, so runtimes that check runAsNonRoot can verify it.
USER 10001
# The service's own <SERVICE>_PORT defaults to PORT: the image sets only where it listens.
ENV HOST=0.0.0.0
EXPOSE ${PORT}
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=12 \
    CMD python -c "import os, urllib.request as u; u.urlopen('http://127.0.0.1:' + os.environ['SERVICE_PORT'] + '/health/ready', timeout=2)"
CMD ["sh", "-c", "exec python -m \"$SERVICE\""]
