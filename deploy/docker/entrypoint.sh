#!/bin/sh
# Entry point of the CRM images. APP_COMPONENT (set per image target; not a CRM_* variable, which
# the processes would refuse as an unknown setting) names the process: sales, service, marketing,
# partner-portal, analytics, console or relay.
#   start        run the component (default CMD)
#   migrate      create/upgrade the event store and platform schemas, then exit (dist/tools/migrate.js)
#   healthcheck  GET /health on the component's port (Docker HEALTHCHECK; services only)
#   node ...     anything else is executed as given
set -eu
cd /app
# Plain node, no preload: the build resolved the @crm/* aliases, each entry point loads reflect-metadata.
NODE="node --enable-source-maps"
component="${APP_COMPONENT:-}"

default_port() {
  case "$1" in
    sales) echo 3001 ;; service) echo 3002 ;; marketing) echo 3003 ;;
    partner-portal) echo 3004 ;; analytics) echo 3005 ;; console) echo "${CRM_CONSOLE_PORT:-3000}" ;; *) echo "" ;;
  esac
}

case "${1:-start}" in
  start)
    case "$component" in
      relay) exec $NODE dist/tools/relay.js ;;
      console)
        [ -f dist/apps/console/server/main.js ] && [ -f dist/console/index.html ] || { echo "entrypoint: the console (dist/apps/console/server, dist/console) is missing from this image" >&2; exit 70; }
        exec $NODE dist/apps/console/server/main.js ;;
      sales|service|marketing|partner-portal|analytics)
        main="dist/services/$component/src/main.js"
        [ -f "$main" ] || { echo "entrypoint: $main is missing from this image (was services/$component built?)" >&2; exit 70; }
        exec $NODE "$main" ;;
      *) echo "entrypoint: APP_COMPONENT='$component' is not one of sales, service, marketing, partner-portal, analytics, console, relay" >&2; exit 64 ;;
    esac ;;
  migrate)
    [ -f dist/tools/migrate.js ] || { echo "entrypoint: dist/tools/migrate.js is missing (tools/migrate.ts not in this build)" >&2; exit 70; }
    shift; exec $NODE dist/tools/migrate.js "$@" ;;
  healthcheck)
    port="${CRM_HTTP_PORT:-$(default_port "$component")}"
    [ -n "$port" ] || exit 0
    exec node -e "fetch('http://127.0.0.1:$port/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" ;;
  *) exec "$@" ;;
esac
