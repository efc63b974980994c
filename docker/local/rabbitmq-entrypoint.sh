#!/bin/sh
# The official image's two settings the platform uses: the default user from the
# environment, and connections from other containers (not only loopback).
set -eu
cat > /etc/rabbitmq/rabbitmq.conf <<CONF
loopback_users = none
default_user = ${RABBITMQ_DEFAULT_USER:-guest}
default_pass = ${RABBITMQ_DEFAULT_PASS:-guest}
CONF
exec "$@"
