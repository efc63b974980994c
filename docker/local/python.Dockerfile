# A stand-in for the official python:3.11-slim, built from Debian's packages, for machines
# that reach no container registry (tools/docker/stand-ins.sh). Never used in production:
# docker-compose.yml and the services' Dockerfiles default to the official image.
ARG DEBIAN_IMAGE=marketplace-local/debian:bookworm
FROM ${DEBIAN_IMAGE}
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv python-is-python3 \
       ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/*
# Debian's pip refuses system installs (PEP 668): a venv on PATH, as the official image's
# /usr/local is.
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
CMD ["python3"]
