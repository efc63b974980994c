# A stand-in for the official rabbitmq:3.13-management, from Debian's rabbitmq-server
# (3.10, quorum queues and delivery limits included), for machines that reach no
# container registry (tools/docker/stand-ins.sh). Never used in production.
ARG DEBIAN_IMAGE=marketplace-local/debian:bookworm
FROM ${DEBIAN_IMAGE}
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
RUN apt-get update \
    && apt-get install -y --no-install-recommends rabbitmq-server \
    && rm -rf /var/lib/apt/lists/* \
    && rabbitmq-plugins enable --offline rabbitmq_management \
    && chown -R rabbitmq:rabbitmq /etc/rabbitmq /var/lib/rabbitmq /var/log/rabbitmq
COPY docker/local/rabbitmq-entrypoint.sh /usr/local/bin/rabbitmq-entrypoint.sh
# As the official image: the broker, its CLI tools and their Erlang cookie share one user.
USER rabbitmq
ENV HOME=/var/lib/rabbitmq RABBITMQ_LOGS=-
EXPOSE 5672 15672
VOLUME /var/lib/rabbitmq
ENTRYPOINT ["/usr/local/bin/rabbitmq-entrypoint.sh"]
CMD ["/usr/lib/rabbitmq/bin/rabbitmq-server"]
