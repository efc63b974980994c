#!/usr/bin/env bash
# Makes sure RabbitMQ answers at AMQP_URL (default amqp://guest:guest@127.0.0.1:5672/).
# Starts the local rabbitmq-server if it is installed but down; on a Debian machine where
# it is missing and we are root, installs it with apt-get (and says so); otherwise stops
# with a message saying how to get one.
set -euo pipefail
url="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/}"
hostport="${url#*://}"; hostport="${hostport#*@}"; hostport="${hostport%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"
[[ "$port" == "$host" ]] && port=5672

answers() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }
wait_for_broker() {
  for _ in $(seq 1 120); do answers && return 0; sleep 0.5; done
  return 1
}

if answers; then exit 0; fi
if [[ "$host" != "127.0.0.1" && "$host" != "localhost" ]]; then
  echo "RabbitMQ does not answer at $host:$port (AMQP_URL). Start it there, or unset AMQP_URL." >&2
  exit 1
fi
if ! command -v rabbitmq-server >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1 && [[ -f /etc/debian_version ]]; then
    echo "RabbitMQ is not installed: installing it with apt-get (Debian package rabbitmq-server)."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server
  else
    echo "RabbitMQ is not running at $host:$port and not installed." >&2
    echo "Install it (Debian: sudo apt-get install rabbitmq-server; macOS: brew install rabbitmq)," >&2
    echo "or run one in a container (docker run -p 5672:5672 rabbitmq:3-management)," >&2
    echo "or set AMQP_URL to a broker you have." >&2
    exit 1
  fi
fi
echo "Starting the local RabbitMQ (rabbitmq-server -detached)…"
rabbitmq-server -detached >/dev/null 2>&1 || true
if wait_for_broker; then echo "RabbitMQ is up at $host:$port."; exit 0; fi
echo "RabbitMQ did not come up at $host:$port within 60 s; see its logs (/var/log/rabbitmq)." >&2
exit 1
