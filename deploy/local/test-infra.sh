#!/usr/bin/env bash
# npm run test:infra — the suites that need real servers (*.infra.spec.ts).
# Uses the servers given by DATABASE_URL / KAFKA_BROKERS (and ESDB_CONNECTION_STRING) when set;
# otherwise brings up the local PostgreSQL and Kafka with deploy/local and stops them afterwards.
# Leaves no process behind, whether the tests pass or fail.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/../.." && pwd -P)"
cd "$ROOT"

started=()
cleanup() {
  local rc=$?
  # Child processes of the fault/e2e tests run in their own process groups; they are killed by the
  # tests, and here once more in case jest itself was killed.
  pkill -KILL -f "$ROOT/tools/run-ts.js" 2>/dev/null || true
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do
    bash "$HERE/${started[$i]}.sh" down >&2 || true
  done
  exit "$rc"
}
trap cleanup EXIT INT TERM

# Both servers started here: suites may stop and restart them (broker outage, PostgreSQL crash).
if [[ -z "${DATABASE_URL:-}" && -z "${KAFKA_BROKERS:-}" ]]; then export DEPLOY_LOCAL_INFRA=1; fi
if [[ -z "${DATABASE_URL:-}" ]]; then
  out="$(bash "$HERE/postgres.sh" up)"
  started+=(postgres)
  export "$(grep '^DATABASE_URL=' <<<"$out")"
  grep '^POSTGRES_LOG=' <<<"$out" >&2 || true
fi
if [[ -z "${KAFKA_BROKERS:-}" ]]; then
  out="$(bash "$HERE/kafka.sh" up)"
  started+=(kafka)
  export "$(grep '^KAFKA_BROKERS=' <<<"$out")"
  grep '^KAFKA_LOG=' <<<"$out" >&2 || true
fi
# The second broker, on Kafka 4.x (deploy/local/kafka4.sh): the @platformatic/kafka bus adapter's
# conformance runs against it too. The one given by KAFKA4_BROKERS, else the local one.
if [[ -z "${KAFKA4_BROKERS:-}" ]]; then
  out="$(bash "$HERE/kafka4.sh" up)"
  started+=(kafka4)
  export "$(grep '^KAFKA4_BROKERS=' <<<"$out")"
  grep '^KAFKA4_LOG=' <<<"$out" >&2 || true
fi
# Mailpit (the e-mail suite's SMTP server): the one given by MAILPIT_URL, else the local one, built
# with Go on first use (deploy/local/mailpit.sh) and stopped afterwards when started here.
if [[ -z "${MAILPIT_URL:-}" ]]; then
  if ! bash "$HERE/mailpit.sh" status >/dev/null 2>&1; then
    bash "$HERE/mailpit.sh" up >/dev/null
    started+=(mailpit)
  fi
  export MAILPIT_URL=http://127.0.0.1:${MAILPIT_HTTP_PORT:-18025} MAILPIT_SMTP_URL=smtp://127.0.0.1:${MAILPIT_SMTP_PORT:-11025}
fi
echo "test:infra: DATABASE_URL=$DATABASE_URL KAFKA_BROKERS=$KAFKA_BROKERS KAFKA4_BROKERS=$KAFKA4_BROKERS MAILPIT_URL=$MAILPIT_URL ESDB_CONNECTION_STRING=${ESDB_CONNECTION_STRING:-<not set: EventStoreDB suites skip>}" >&2

NODE_OPTIONS=--experimental-vm-modules npx jest -c jest.infra.config.js "$@"
