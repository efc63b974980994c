#!/bin/sh
# The broker's users, rights and topology (definitions.json beside this file, written by
# `make broker-definitions` from shared.messaging.access) are loaded at each start
# (definitions.conf). Their passwords come from the environment (.env): each `${VAR}` of
# the file is replaced by its value in a copy readable by the broker's user only, outside
# any image and volume. Then the next entrypoint (the command) runs as usual.
set -eu
template=/etc/marketplace/rabbitmq/definitions.json
rendered=/tmp/marketplace-definitions.json
umask 077
cp "$template" "$rendered"
for name in $(grep -o '\${[A-Z0-9_]*}' "$template" | tr -d '${}' | sort -u); do
  value=$(printenv "$name" || true)
  if [ -z "$value" ]; then
    echo "set $name in .env (cp .env.example .env)" >&2
    exit 1
  fi
  case "$value" in
    *[!A-Za-z0-9._~-]*)
      echo "$name: use URL-safe characters only (A-Z a-z 0-9 . _ ~ -)" >&2
      exit 1
      ;;
  esac
  sed -i "s/\${$name}/$value/g" "$rendered"
done
if [ "$(id -u)" = 0 ]; then
  chown rabbitmq:rabbitmq "$rendered"
fi
exec "$@"
