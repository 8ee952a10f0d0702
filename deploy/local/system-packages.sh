#!/usr/bin/env bash
# Debian packages the test suites need besides Node.js (not servers):
#   poppler-utils — pdftoppm and pdftotext; the quote document spec (services/sales/src/quotes)
#                   renders the quote PDF with them to prove it opens and shows the totals.
#   chromium      — the browser suite (npm run test:browser) drives Debian's Chromium through
#                   playwright-core: Playwright's own browser download is not reachable here.
#   deploy/local/system-packages.sh            install what is missing (apt-get; needs root)
#   deploy/local/system-packages.sh --check    exit 3 naming what is missing, install nothing
set -euo pipefail

# shellcheck disable=SC2034
COMPONENT=system-packages # used by log() in _lib.sh
# shellcheck source=deploy/local/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

# command → the Debian package that provides it
declare -A PROVIDER=([pdftoppm]=poppler-utils [pdftotext]=poppler-utils [chromium]=chromium)

missing=()
for cmd in "${!PROVIDER[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${PROVIDER[$cmd]}")
done
if [ "${#missing[@]}" -eq 0 ]; then
  log "all present: ${!PROVIDER[*]}"
  exit 0
fi
mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "${1:-}" = "--check" ]; then
  log "missing: ${packages[*]} (run deploy/local/system-packages.sh)"
  exit 3
fi
apt_install "${packages[@]}"
for cmd in "${!PROVIDER[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || die "$cmd still missing after installing ${PROVIDER[$cmd]}"
done
log "installed: ${packages[*]}"
