# shellcheck shell=bash
# Shared helpers for deploy/local/*.sh. Sourced, never executed.
# Callers set COMPONENT before sourcing and run with `set -euo pipefail`.

# Repo root = two levels above this file, whatever the caller's cwd is.
CRM_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
export CRM_DEPLOY_DIR="$CRM_REPO_ROOT/deploy/local"

_abs_dir() { # make a (possibly relative) dir absolute, relative to the caller's cwd
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$PWD/$1" ;;
  esac
}

CRM_LOCAL_DIR="$(_abs_dir "${CRM_LOCAL_DIR:-$CRM_REPO_ROOT/.local}")"
CRM_CACHE_DIR="$(_abs_dir "${CRM_CACHE_DIR:-$CRM_REPO_ROOT/.cache}")"
export CRM_LOCAL_DIR CRM_CACHE_DIR

# Human-readable progress goes to stderr; stdout only carries KEY=VALUE lines
# (on `up`) or the status report, so callers can grep/eval it.
log() { printf '[%s] %s\n' "${COMPONENT:-local}" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# port_open HOST PORT -> 0 when something accepts TCP connections there.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# port_free_within HOST PORT SECONDS -> 0 once nothing listens there (a just-killed
# process may hold its socket for a moment), 1 if still taken after SECONDS.
port_free_within() {
  local deadline=$((SECONDS + $3))
  while port_open "$1" "$2"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# show_log_tail FILE [N] -> last N lines of a log to stderr (for failures).
show_log_tail() {
  local f="$1" n="${2:-60}"
  if [ -f "$f" ]; then
    log "---- last $n lines of $f ----"
    tail -n "$n" "$f" >&2 || true
    log "---- end of $f ----"
  else
    log "(no log file at $f)"
  fi
}

# apt_install PKG... : non-interactive install; `apt-get update` only if the first try fails.
apt_install() {
  is_root || die "need root to apt-get install $* (or install it yourself)"
  export DEBIAN_FRONTEND=noninteractive
  log "apt-get install -y $*"
  if ! apt-get install -y -q --no-install-recommends "$@" >&2; then
    log "install failed; running apt-get update and retrying"
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends "$@" >&2
  fi
}

usage_and_exit() {
  echo "usage: $0 up|down|status" >&2
  exit 2
}
