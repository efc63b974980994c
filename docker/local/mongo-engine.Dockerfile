# For MongoDB, no server can be had on machines that reach no registry: the embedded
# engine (nx-27017, a MongoDB wire-protocol server on SQLite) the local runs use, in a
# container, as the compose stack's `mongo` (tools/docker/stand-ins.sh). Single node, no
# replica set: the services connect with directConnection. Never used in production.
ARG PYTHON_IMAGE=marketplace-local/python:3.11
FROM ${PYTHON_IMAGE}
ARG NX_VERSION=0.8.1
# The machine's CA reaches pip only as a build secret, never a layer of the image.
RUN --mount=type=secret,id=pip_ca,required=false \
    if [ -f /run/secrets/pip_ca ]; then export PIP_CERT=/run/secrets/pip_ca; fi \
    && pip install --no-cache-dir "nx-27017==${NX_VERSION}" \
    && useradd --system --uid 10001 --no-create-home engine \
    && mkdir -p /data/db && chown 10001 /data/db
USER 10001
# Where the official image keeps its data, so the compose file's volume serves both.
VOLUME /data/db
EXPOSE 27017
HEALTHCHECK --interval=3s --timeout=3s --start-period=5s --retries=20 \
    CMD python -c "import socket; socket.create_connection(('127.0.0.1', 27017), 2)"
CMD ["nx-27017", "--data-dir", "/data/db", "--host", "0.0.0.0", "-p", "27017"]
