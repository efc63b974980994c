#!/bin/sh
# MongoDB with access control, as a replica set (transactions need one): its members
# authenticate to each other with a shared key file, which mongod wants owned by its user
# and readable by no one else. The key comes from the environment (.env's
# MONGO_REPLICA_SET_KEY), is written at each start and never baked into an image; then the
# official entrypoint runs as usual (the root user and docker/mongo/initdb on first start).
set -eu
: "${MONGO_REPLICA_SET_KEY:?set MONGO_REPLICA_SET_KEY in .env}"
key=/tmp/mongo-replica-set.key
umask 077
printf '%s\n' "$MONGO_REPLICA_SET_KEY" > "$key"
chown mongodb:mongodb "$key"
chmod 400 "$key"
exec docker-entrypoint.sh "$@" --keyFile "$key"
