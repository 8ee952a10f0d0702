#!/usr/bin/env bash
# Local Mailpit (an SMTP server that keeps every message, with an HTTP API to read them) for the
# service's e-mail infra test. Built with `go install` into ${CRM_LOCAL_DIR:-<repo>/.local}/bin (Go
# module cache under ${CRM_CACHE_DIR:-<repo>/.cache}/go); data, pid and log in .local/mailpit.
#   deploy/local/mailpit.sh up|down|status
# `up` prints MAILPIT_SMTP_URL=… and MAILPIT_URL=… on stdout (the service takes the first as CRM_SMTP_URL).
set -euo pipefail

# shellcheck disable=SC2034
COMPONENT=mailpit # used by log() in _lib.sh
# shellcheck source=deploy/local/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

MAILPIT_VERSION=v1.33.1
MAILPIT_HOST=127.0.0.1
MAILPIT_SMTP_PORT="${MAILPIT_SMTP_PORT:-11025}"
MAILPIT_HTTP_PORT="${MAILPIT_HTTP_PORT:-18025}"
# Kept before the oldest are pruned (Mailpit keeps 500 by default; the infra suite sends a 10,000-message campaign).
MAILPIT_MAX_MESSAGES="${MAILPIT_MAX_MESSAGES:-50000}"
MAILPIT_START_TIMEOUT="${MAILPIT_START_TIMEOUT:-30}"

BIN_DIR="$CRM_LOCAL_DIR/bin"
MAILPIT_BIN="$BIN_DIR/mailpit"
MAILPIT_STAMP="$BIN_DIR/.mailpit-version"
MDIR="$CRM_LOCAL_DIR/mailpit"
MLOG="$MDIR/mailpit.log"
MPID="$MDIR/mailpit.pid"
MDB="$MDIR/mailpit.db"

ensure_binary() {
  if [ -x "$MAILPIT_BIN" ] && [ "$(cat "$MAILPIT_STAMP" 2>/dev/null || true)" = "$MAILPIT_VERSION" ]; then
    log "binary: $MAILPIT_BIN ($MAILPIT_VERSION, cached)"
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "go is needed to build Mailpit (go install github.com/axllent/mailpit@$MAILPIT_VERSION)"
  mkdir -p "$BIN_DIR" "$CRM_CACHE_DIR/go"
  log "building Mailpit $MAILPIT_VERSION with $(go version | cut -d' ' -f3) -> $MAILPIT_BIN"
  GOBIN="$BIN_DIR" GOPATH="$CRM_CACHE_DIR/go" GOMODCACHE="$CRM_CACHE_DIR/go/pkg/mod" GOFLAGS=-modcacherw \
    go install "github.com/axllent/mailpit@$MAILPIT_VERSION" >&2 || die "go install github.com/axllent/mailpit@$MAILPIT_VERSION failed"
  echo "$MAILPIT_VERSION" >"$MAILPIT_STAMP"
}

# pid_is_our_mailpit PID -> a live mailpit started with our database file
pid_is_our_mailpit() {
  local pid="$1"
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  [ "$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)" != Z ] || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF "$MDB"
}

find_mailpit() { # sets MAILPIT_PID (empty if none running)
  MAILPIT_PID=""
  local pid=""
  [ -f "$MPID" ] && pid="$(tr -dc '0-9' <"$MPID" || true)"
  if pid_is_our_mailpit "$pid"; then
    MAILPIT_PID="$pid"
    return 0
  fi
  [ -f "$MPID" ] && rm -f "$MPID"
  return 1
}

print_env() {
  log "log: $MLOG"
  echo "MAILPIT_LOG=$MLOG"
  echo "MAILPIT_SMTP_URL=smtp://$MAILPIT_HOST:$MAILPIT_SMTP_PORT"
  echo "MAILPIT_URL=http://$MAILPIT_HOST:$MAILPIT_HTTP_PORT"
}

lock() {
  mkdir -p "$MDIR"
  exec 9>"$MDIR/.lock"
  flock -w 300 9 || die "could not lock $MDIR/.lock"
}

wait_ready() {
  local deadline=$((SECONDS + MAILPIT_START_TIMEOUT))
  until port_open "$MAILPIT_HOST" "$MAILPIT_HTTP_PORT" && port_open "$MAILPIT_HOST" "$MAILPIT_SMTP_PORT"; do
    if ! pid_is_our_mailpit "$1"; then
      show_log_tail "$MLOG" 40
      die "mailpit exited during startup (log: $MLOG)"
    fi
    [ "$SECONDS" -lt "$deadline" ] || {
      show_log_tail "$MLOG" 40
      die "mailpit not ready after ${MAILPIT_START_TIMEOUT}s (log: $MLOG)"
    }
    sleep 0.3
  done
}

cmd_up() {
  lock
  if find_mailpit; then
    log "already running (pid $MAILPIT_PID)"
  else
    for port in "$MAILPIT_SMTP_PORT" "$MAILPIT_HTTP_PORT"; do
      port_free_within "$MAILPIT_HOST" "$port" 10 || die "port $MAILPIT_HOST:$port is in use by another process; set MAILPIT_SMTP_PORT / MAILPIT_HTTP_PORT"
    done
    ensure_binary
    log "starting Mailpit on smtp://$MAILPIT_HOST:$MAILPIT_SMTP_PORT, http://$MAILPIT_HOST:$MAILPIT_HTTP_PORT"
    (
      cd "$MDIR"
      # setsid: own session, survives the calling shell; fd 9 (the lock) must not leak into it.
      nohup setsid "$MAILPIT_BIN" --smtp "$MAILPIT_HOST:$MAILPIT_SMTP_PORT" --listen "$MAILPIT_HOST:$MAILPIT_HTTP_PORT" \
        --database "$MDB" --max "$MAILPIT_MAX_MESSAGES" --smtp-auth-accept-any --smtp-auth-allow-insecure </dev/null >>"$MLOG" 2>&1 9>&- &
      echo $! >"$MPID"
    )
    sleep 0.3
    find_mailpit || true
    wait_ready "${MAILPIT_PID:-$(cat "$MPID")}"
  fi
  log "ready"
  print_env
}

cmd_down() {
  lock
  if ! find_mailpit; then
    log "not running"
    return 0
  fi
  log "stopping (pid $MAILPIT_PID)"
  kill -TERM "$MAILPIT_PID" 2>/dev/null || true
  local deadline=$((SECONDS + 15))
  while pid_is_our_mailpit "$MAILPIT_PID"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      kill -KILL "$MAILPIT_PID" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rm -f "$MPID"
  log "stopped"
}

cmd_status() {
  if find_mailpit && port_open "$MAILPIT_HOST" "$MAILPIT_HTTP_PORT"; then
    echo "mailpit: running (pid $MAILPIT_PID) smtp://$MAILPIT_HOST:$MAILPIT_SMTP_PORT http://$MAILPIT_HOST:$MAILPIT_HTTP_PORT"
    return 0
  fi
  echo "mailpit: not running"
  return 3
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) usage_and_exit ;;
esac
