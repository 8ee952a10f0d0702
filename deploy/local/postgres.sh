#!/usr/bin/env bash
# Local PostgreSQL for integration tests: our own cluster (not Debian's pg_ctlcluster one),
# data under ${CRM_LOCAL_DIR:-<repo>/.local}/postgres, listening on 127.0.0.1:${PG_PORT:-54329}.
#   deploy/local/postgres.sh up|down|status
set -euo pipefail

# shellcheck disable=SC2034
COMPONENT=postgres # used by log() in _lib.sh
# shellcheck source=deploy/local/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

PG_PORT="${PG_PORT:-54329}"
PG_HOST=127.0.0.1
PG_DB=crm
PG_USER=crm
PG_PASSWORD=crm
PG_START_TIMEOUT="${PG_START_TIMEOUT:-60}"

# The server runs as the `postgres` OS user, which must be able to reach its data dir. A checkout
# inside a private directory (mktemp -d, /root) is not reachable: then the cluster lives under
# /var/tmp instead, in a folder named after the checkout so clones do not share one.
pg_root() {
  if [ -n "${CRM_PG_DIR:-}" ]; then printf '%s\n' "$CRM_PG_DIR"; return; fi
  local p="$CRM_LOCAL_DIR"
  if [ "$(id -u)" = 0 ]; then
    while :; do
      if [ -e "$p" ] && [ "$(stat -c %A "$p" | cut -c10)" != "x" ]; then
        printf '/var/tmp/crm-postgres-%s\n' "$(printf %s "$CRM_LOCAL_DIR" | cksum | cut -d' ' -f1)"
        return
      fi
      [ "$p" = "/" ] && break
      p="$(dirname "$p")"
    done
  fi
  printf '%s\n' "$CRM_LOCAL_DIR/postgres"
}
PG_ROOT="$(pg_root)"
PG_DATA="$PG_ROOT/data"
PG_SOCKET_DIR="$PG_ROOT/run"
PG_LOG="$PG_ROOT/postgres.log"
DATABASE_URL="postgres://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/$PG_DB"

# Highest installed server version, e.g. /usr/lib/postgresql/15/bin
find_pg_bin() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$d" ] && [ -x "$d/postgres" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
    printf '%s\n' "$d"
  fi
}

ensure_server_installed() {
  PG_BIN="$(find_pg_bin)"
  if [ -z "$PG_BIN" ]; then
    log "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; installing Debian's postgresql"
    apt_install postgresql
    PG_BIN="$(find_pg_bin)"
    [ -n "$PG_BIN" ] || die "postgresql installed but no /usr/lib/postgresql/*/bin/postgres found"
  fi
}

# initdb/postgres refuse to run as root: run them as the `postgres` OS user when we are root.
PG_OS_USER=""
ensure_os_user() {
  if is_root; then
    PG_OS_USER=postgres
    if ! id -u postgres >/dev/null 2>&1; then
      log "creating system user postgres"
      useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
  fi
}

as_pg() {
  if [ -n "$PG_OS_USER" ]; then
    runuser -u "$PG_OS_USER" -- "$@"
  else
    "$@"
  fi
}

postmaster_pid() { # pid from postmaster.pid (empty if none)
  as_pg sed -n 1p "$PG_DATA/postmaster.pid" 2>/dev/null || true
}

running_port() { # port of the running postmaster (line 4 of postmaster.pid)
  as_pg sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null || true
}

# Is the postmaster of OUR data dir alive? Stricter than `pg_ctl status`: a killed postmaster
# can linger as a zombie (kill -0 still succeeds) and a reused pid may belong to anything.
postmaster_alive() {
  local pid state
  pid="$(postmaster_pid)"
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  state="$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)"
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q postgres
}

# After a crash: postgres itself ignores a postmaster.pid whose pid is gone, but a killed
# postmaster may linger as a zombie for a moment (kill -0 still succeeds). Wait for it
# briefly, then drop the stale file ourselves.
clear_stale_pidfile() {
  local pid
  pid="$(postmaster_pid)"
  [ -n "$pid" ] || return 0
  postmaster_alive && return 0
  for _ in $(seq 1 20); do
    [ -d "/proc/$pid" ] || return 0
    sleep 0.5
  done
  log "removing stale $PG_DATA/postmaster.pid (pid $pid is not a live postmaster)"
  rm -f "$PG_DATA/postmaster.pid"
}

is_running() {
  PG_BIN="$(find_pg_bin)"
  [ -n "$PG_BIN" ] || return 1
  [ -f "$PG_DATA/PG_VERSION" ] || return 1
  ensure_os_user
  postmaster_alive
}

prepare_dirs() {
  mkdir -p "$PG_DATA" "$PG_SOCKET_DIR"
  touch "$PG_LOG"
  if [ -n "$PG_OS_USER" ]; then
    chown -R "$PG_OS_USER:$PG_OS_USER" "$PG_ROOT"
    # postgres must be able to reach its dirs: check every parent is traversable.
    runuser -u "$PG_OS_USER" -- test -w "$PG_ROOT" ||
      die "user $PG_OS_USER cannot write $PG_ROOT (a parent dir is not traversable?); set CRM_LOCAL_DIR elsewhere"
  fi
  chmod 700 "$PG_DATA"
  # unix socket paths are limited to ~107 bytes
  if [ "$(printf '%s' "$PG_SOCKET_DIR/.s.PGSQL.$PG_PORT" | wc -c)" -gt 100 ]; then
    die "socket path $PG_SOCKET_DIR is too long for a unix socket; use a shorter CRM_LOCAL_DIR"
  fi
}

init_cluster() {
  if [ -f "$PG_DATA/PG_VERSION" ]; then
    return 0
  fi
  if [ -n "$(ls -A "$PG_DATA" 2>/dev/null)" ]; then
    die "$PG_DATA is not empty but has no PG_VERSION (half-initialised?); remove it and retry"
  fi
  log "initdb -> $PG_DATA"
  # Local socket: trust (used by this script as the bootstrap superuser).
  # TCP on loopback: scram-sha-256, so the crm/crm credentials in DATABASE_URL are really checked.
  as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >>"$PG_LOG" 2>&1 ||
    {
      show_log_tail "$PG_LOG"
      die "initdb failed"
    }
  printf "\n# added by deploy/local/postgres.sh (rewritten on every 'up')\ninclude_if_exists = 'crm_local.conf'\n" |
    as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

write_local_conf() {
  # Rewritten on every `up` so a changed PG_PORT takes effect.
  as_pg tee "$PG_DATA/crm_local.conf" >/dev/null <<EOF
# generated by deploy/local/postgres.sh - do not edit, rewritten on every 'up'
listen_addresses = '$PG_HOST'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
max_connections = 100
shared_buffers = 128MB
# throwaway test database: trade durability for speed, but only what an OS crash would take.
# fsync/full_page_writes off: WAL is still written to the kernel at every commit, so a crash of
# PostgreSQL itself (the chaos and fault suites restart it in immediate mode) loses nothing.
# synchronous_commit stays ON: off acknowledges a commit while its WAL is still in shared memory,
# and an immediate restart then loses acknowledged commits - a projection's batch whose Kafka
# offset was already committed, i.e. events lost for good (what the chaos suite caught).
fsync = off
synchronous_commit = on
full_page_writes = off
logging_collector = off
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

# wait_ready -> 0 when accepting connections, 1 if the postmaster died meanwhile; dies on timeout.
wait_ready() {
  local deadline=$((SECONDS + PG_START_TIMEOUT))
  until "$PG_BIN/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT" -d postgres; do
    postmaster_alive || return 1
    if [ "$SECONDS" -ge "$deadline" ]; then
      show_log_tail "$PG_LOG"
      die "postgres did not accept connections on $PG_HOST:$PG_PORT within ${PG_START_TIMEOUT}s (log: $PG_LOG)"
    fi
    sleep 0.5
  done
}

ensure_role_and_db() {
  local psql=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres)
  "${psql[@]}" >/dev/null <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE $PG_USER LOGIN SUPERUSER PASSWORD '$PG_PASSWORD';
  ELSE
    ALTER ROLE $PG_USER LOGIN SUPERUSER PASSWORD '$PG_PASSWORD';
  END IF;
END
\$\$;
SELECT 'CREATE DATABASE $PG_DB OWNER $PG_USER'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$PG_DB') \gexec
SQL
}

print_env() {
  log "log: $PG_LOG"
  echo "POSTGRES_LOG=$PG_LOG"
  echo "DATABASE_URL=$DATABASE_URL"
}

cmd_up() {
  ensure_server_installed
  ensure_os_user
  prepare_dirs
  init_cluster
  local ready=0
  if postmaster_alive; then
    local rport
    rport="$(running_port)"
    if [ -n "$rport" ] && [ "$rport" != "$PG_PORT" ]; then
      die "already running on port $rport, not PG_PORT=$PG_PORT; run '$0 down' first"
    fi
    log "already running (pid $(postmaster_pid), data $PG_DATA)"
    if wait_ready; then ready=1; else log "postmaster died while waiting; starting again"; fi
  fi
  if [ "$ready" -eq 0 ]; then
    if ! port_free_within "$PG_HOST" "$PG_PORT" 10; then
      die "port $PG_HOST:$PG_PORT is already in use by another process; set PG_PORT"
    fi
    clear_stale_pidfile
    write_local_conf
    log "starting on $PG_HOST:$PG_PORT (pg_ctl, data $PG_DATA)"
    # Orphaned backends of a killed postmaster can make the first try fail
    # ("shared memory block is still in use") for a moment: retry a few times.
    local try
    for try in 1 2 3; do
      if as_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t "$PG_START_TIMEOUT" >/dev/null 2>&1; then
        break
      fi
      if [ "$try" -eq 3 ]; then
        show_log_tail "$PG_LOG"
        die "pg_ctl start failed (log: $PG_LOG)"
      fi
      log "pg_ctl start failed (try $try), retrying in 2s"
      sleep 2
      clear_stale_pidfile
    done
    wait_ready || {
      show_log_tail "$PG_LOG"
      die "postgres exited right after start (log: $PG_LOG)"
    }
  fi
  ensure_role_and_db
  log "ready: $DATABASE_URL"
  print_env
}

cmd_down() {
  if is_running; then
    log "stopping (pg_ctl stop -m fast)"
    as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 >/dev/null
    log "stopped"
  else
    log "not running"
  fi
  log "log: $PG_LOG"
}

# A crash-like restart for chaos tests: stop in immediate mode (no shutdown checkpoint, every
# connection cut), then start again; recovery replays the WAL.
cmd_restart_immediate() {
  is_running || die "not running"
  ensure_server_installed
  log "restarting (pg_ctl stop -m immediate, then start)"
  as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w -t 60 >/dev/null
  cmd_up
}

cmd_status() {
  if is_running; then
    local rport
    rport="$(running_port)"
    PG_PORT="${rport:-$PG_PORT}"
    DATABASE_URL="postgres://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/$PG_DB"
    echo "postgres: running (port $PG_PORT, pid $(postmaster_pid), data $PG_DATA)"
    echo "postgres log: $PG_LOG"
    echo "DATABASE_URL=$DATABASE_URL"
    return 0
  fi
  echo "postgres: stopped (port $PG_PORT, data $PG_DATA)"
  echo "postgres log: $PG_LOG"
  return 3
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  restart-immediate) cmd_restart_immediate ;;
  *) usage_and_exit ;;
esac
