#!/usr/bin/env bash
# Local infrastructure for integration tests: PostgreSQL + Kafka 3.9 and 4.x (+ Mailpit for e-mail), no Docker.
#   deploy/local/infra.sh up|down|status
# `up` prints KEY=VALUE lines on stdout (DATABASE_URL, KAFKA_BROKERS, log paths); progress goes to stderr.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"

case "${1:-}" in
  up)
    bash "$HERE/postgres.sh" up
    bash "$HERE/kafka.sh" up
    bash "$HERE/kafka4.sh" up
    bash "$HERE/mailpit.sh" up
    ;;
  down)
    # stop both even if one fails
    rc=0
    bash "$HERE/mailpit.sh" down || rc=$?
    bash "$HERE/kafka4.sh" down || rc=$?
    bash "$HERE/kafka.sh" down || rc=$?
    bash "$HERE/postgres.sh" down || rc=$?
    exit "$rc"
    ;;
  status)
    # 0 when both run, 3 otherwise
    rc=0
    bash "$HERE/postgres.sh" status || rc=3
    bash "$HERE/kafka.sh" status || rc=3
    bash "$HERE/kafka4.sh" status || rc=3
    bash "$HERE/mailpit.sh" status || rc=3
    exit "$rc"
    ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
