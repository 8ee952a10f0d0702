#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, combined broker+controller) for integration tests.
# Jars come from Maven Central (deploy/local/kafka/pom.xml) into ${CRM_CACHE_DIR:-<repo>/.cache};
# config, data, pid and logs live in ${CRM_LOCAL_DIR:-<repo>/.local}/${KAFKA_NAME:-kafka}.
#   deploy/local/kafka.sh up|down|status
# KAFKA_VERSION picks the release (default 3.9.1); 4.x is fetched with deploy/local/kafka/pom-kafka4.xml
# and logs with log4j2. KAFKA_NAME (own directory and log prefix) and KAFKA_ENV_PREFIX (the names of
# the KEY=VALUE lines `up` prints) let a second broker run beside the first: deploy/local/kafka4.sh.
set -euo pipefail

KAFKA_NAME="${KAFKA_NAME:-kafka}"
KAFKA_ENV_PREFIX="${KAFKA_ENV_PREFIX:-KAFKA}"
# shellcheck disable=SC2034
COMPONENT="$KAFKA_NAME" # used by log() in _lib.sh
# shellcheck source=deploy/local/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

# 3.9.x: newest line that still accepts the old protocol versions kafkajs 2.2 uses (4.x does not).
# Keep the default in sync with <kafka.version> in deploy/local/kafka/pom.xml (it is also passed to mvn).
KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
KAFKA_MAJOR="${KAFKA_VERSION%%.*}"
KAFKA_HOST=127.0.0.1
KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

if [ "$KAFKA_MAJOR" -ge 4 ]; then POM="$CRM_DEPLOY_DIR/kafka/pom-kafka4.xml"; else POM="$CRM_DEPLOY_DIR/kafka/pom.xml"; fi
KAFKA_CACHE="$CRM_CACHE_DIR/kafka-$KAFKA_VERSION"
KAFKA_LIBS="$KAFKA_CACHE/libs"
KAFKA_LIBS_MARKER="$KAFKA_CACHE/.complete"

KDIR="$CRM_LOCAL_DIR/$KAFKA_NAME"
KDATA="$KDIR/data"
KPROPS="$KDIR/server.properties"
KLOG4J="$KDIR/log4j.properties"   # Kafka 3.x (reload4j)
KLOG4J2="$KDIR/log4j2.xml"        # Kafka 4.x (log4j2)
KLOG="$KDIR/kafka.log"            # broker log (log4j)
KOUT="$KDIR/kafka.out"            # JVM stdout/stderr (crashes, GC warnings)
KPID="$KDIR/kafka.pid"
KCLUSTER_ID_FILE="$KDIR/cluster.id"
KSTART_OFFSET_FILE="$KDIR/.start-offset" # size of kafka.log when the running broker was launched
KAFKA_BROKERS="$KAFKA_HOST:$KAFKA_PORT"

READY_PATTERN='Kafka Server started'

# ---------------------------------------------------------------- tools / jars

find_java() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    JAVA="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    JAVA="$(command -v java)"
  else
    log "no java found; installing Debian's default-jre-headless (JDK 17 on Debian 12)"
    apt_install default-jre-headless
    JAVA="$(command -v java)"
  fi
}

pom_hash() { sha256sum "$POM" | cut -d' ' -f1; }

libs_complete() {
  [ -f "$KAFKA_LIBS_MARKER" ] &&
    [ "$(cat "$KAFKA_LIBS_MARKER")" = "$(pom_hash)" ] &&
    [ -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" ]
}

ensure_libs() {
  if libs_complete; then
    log "jars: $KAFKA_LIBS (cached)"
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || apt_install maven
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central -> $KAFKA_LIBS"
  mkdir -p "$KAFKA_CACHE"
  local tmp="$KAFKA_CACHE/libs.tmp.$$"
  rm -rf "$tmp"
  local mvnlog="$KAFKA_CACHE/mvn.log"
  if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
    -Dkafka.version="$KAFKA_VERSION" -DoutputDirectory="$tmp" >"$mvnlog" 2>&1; then
    rm -rf "$tmp"
    show_log_tail "$mvnlog" 40
    die "mvn dependency:copy-dependencies failed (pom: $POM, log: $mvnlog)"
  fi
  [ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ] || {
    rm -rf "$tmp"
    die "mvn finished but kafka_2.13-$KAFKA_VERSION.jar is missing"
  }
  rm -rf "$KAFKA_LIBS" "$KAFKA_LIBS_MARKER"
  mv "$tmp" "$KAFKA_LIBS"
  pom_hash >"$KAFKA_LIBS_MARKER"
  log "jars: $KAFKA_LIBS ($(ls "$KAFKA_LIBS" | wc -l) files, $(du -sh "$KAFKA_LIBS" | cut -f1))"
}

# ---------------------------------------------------------------- process

# pid_is_our_broker PID -> the pid is a live (non-zombie) kafka.Kafka using OUR server.properties
pid_is_our_broker() {
  local pid="$1" state
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  state="$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)"
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ] || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF "$KPROPS" || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF kafka.Kafka
}

# Sets BROKER_PID to the running broker's pid (empty if none); cleans a stale pid file.
find_broker() {
  BROKER_PID=""
  local pid=""
  [ -f "$KPID" ] && pid="$(tr -dc '0-9' <"$KPID" || true)"
  if pid_is_our_broker "$pid"; then
    BROKER_PID="$pid"
    return 0
  fi
  if [ -f "$KPID" ]; then
    log "removing stale pid file $KPID (pid ${pid:-?} is not our broker)"
    rm -f "$KPID"
  fi
  # pid file lost but broker alive? Look for a kafka.Kafka with exactly our properties file.
  local p
  for p in $(pgrep -f -- "kafka\\.Kafka $KPROPS\$" 2>/dev/null || true); do
    if pid_is_our_broker "$p"; then
      BROKER_PID="$p"
      echo "$p" >"$KPID"
      return 0
    fi
  done
  return 1
}

# ---------------------------------------------------------------- config

write_config() {
  cat >"$KPROPS" <<EOF
# generated by deploy/local/kafka.sh - rewritten on every 'up' that starts the broker
node.id=1
process.roles=broker,controller
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KDATA

# single node: everything replicated once
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true

# after a crash (kill -9) the restarted broker cannot re-register until its old
# session expires (default 9 s): keep that short on a single local node
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=4000

# modest footprint (2 cores shared with the tests)
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4
log.segment.bytes=67108864
log.retention.hours=24
log.retention.check.interval.ms=300000
EOF

  if [ "$KAFKA_MAJOR" -ge 4 ]; then
    cat >"$KLOG4J2" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- generated by deploy/local/kafka.sh - everything goes to $KLOG, nothing to the terminal -->
<Configuration status="WARN">
  <Appenders>
    <File name="file" fileName="$KLOG" append="true">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </File>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="file"/></Root>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="kafka.authorizer.logger" level="WARN"/>
    <Logger name="state.change.logger" level="WARN"/>
    <Logger name="org.apache.kafka.clients" level="WARN"/>
  </Loggers>
</Configuration>
EOF
    return 0
  fi
  cat >"$KLOG4J" <<EOF
# generated by deploy/local/kafka.sh - everything goes to $KLOG, nothing to the terminal
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$KLOG
log4j.appender.file.Append=true
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.authorizer.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
EOF
}

jvm_args() { # sets JVM_ARGS: the JVM flags shared by the storage tool and the broker
  # shellcheck disable=SC2206 # KAFKA_HEAP_OPTS is a space-separated list of flags
  local logging="-Dlog4j.configuration=file:$KLOG4J"
  [ "$KAFKA_MAJOR" -ge 4 ] && logging="-Dlog4j2.configurationFile=$KLOG4J2"
  JVM_ARGS=($KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExplicitGCInvokesConcurrent
    -Djava.awt.headless=true "$logging" "-Dkafka.logs.dir=$KDIR"
    -cp "$KAFKA_LIBS/*")
}

format_storage_once() {
  local cid=""
  if [ -f "$KDATA/meta.properties" ]; then
    cid="$(sed -n 's/^cluster\.id=//p' "$KDATA/meta.properties")"
    [ -f "$KCLUSTER_ID_FILE" ] || echo "$cid" >"$KCLUSTER_ID_FILE"
    log "storage already formatted (cluster id $cid)"
    return 0
  fi
  # An id kept from an earlier attempt is reused, unless it is one the storage tool cannot parse.
  if [ -s "$KCLUSTER_ID_FILE" ] && [ "$(head -c 1 "$KCLUSTER_ID_FILE")" != "-" ]; then
    cid="$(cat "$KCLUSTER_ID_FILE")"
  else
    # A Kafka Uuid: 16 random bytes, URL-safe base64 without padding (22 chars). Drawn again while it
    # starts with '-': the storage tool's argument parser then reads it as an option and refuses
    # ("--cluster-id: expected one argument"), one fresh machine in 64. Kafka's own Uuid.randomUuid
    # rejects such ids for the same reason.
    cid="-"
    while [ "${cid#-}" != "$cid" ]; do
      cid="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    done
    echo "$cid" >"$KCLUSTER_ID_FILE"
  fi
  log "formatting storage $KDATA (cluster id $cid)"
  jvm_args
  if ! "$JAVA" "${JVM_ARGS[@]}" kafka.tools.StorageTool format --ignore-formatted -t "$cid" -c "$KPROPS" >>"$KOUT" 2>&1 9>&-; then
    show_log_tail "$KOUT" 30
    die "kafka.tools.StorageTool format failed"
  fi
}

# ---------------------------------------------------------------- readiness

log_since_start_has() { # grep the log written since the running broker was launched
  local off=0
  [ -f "$KSTART_OFFSET_FILE" ] && off="$(tr -dc '0-9' <"$KSTART_OFFSET_FILE")"
  [ -f "$KLOG" ] || return 1
  # Not `grep -q`: it stops at the first match, tail then dies of SIGPIPE, and under pipefail the
  # pipeline fails — a broker that started is never seen as ready once its log after the start outgrows
  # the pipe buffer (thousands of consumer groups loaded from an old data folder).
  tail -c +"$((${off:-0} + 1))" "$KLOG" | grep -F "$1" >/dev/null
}

wait_ready() { # wait_ready PID [running] -> 0 ready; dies (after killing the broker) otherwise
  # `running`: a broker found already running. Its start line may no longer be in kafka.log (log4j
  # rolls the file, e.g. at midnight), so an open port is enough for it.
  local pid="$1" already="${2:-}" deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while :; do
    if ! pid_is_our_broker "$pid"; then
      show_log_tail "$KLOG" 60
      show_log_tail "$KOUT" 20
      rm -f "$KPID"
      die "broker process $pid exited during startup (logs: $KLOG, $KOUT)"
    fi
    if port_open "$KAFKA_HOST" "$KAFKA_PORT" && { [ -n "$already" ] || log_since_start_has "$READY_PATTERN"; }; then
      return 0
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      show_log_tail "$KLOG" 60
      show_log_tail "$KOUT" 20
      log "not ready within ${KAFKA_START_TIMEOUT}s; stopping the half-started broker"
      stop_pid "$pid"
      die "broker not ready on $KAFKA_BROKERS within ${KAFKA_START_TIMEOUT}s (logs: $KLOG, $KOUT)"
    fi
    sleep 1
  done
}

stop_pid() {
  local pid="$1" deadline
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
  while pid_is_our_broker "$pid"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "still alive after ${KAFKA_STOP_TIMEOUT}s; sending KILL to $pid"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.5
  done
  rm -f "$KPID"
}

configured_port() { sed -n 's#^advertised\.listeners=PLAINTEXT://[^:]*:\([0-9]*\).*#\1#p' "$KPROPS" 2>/dev/null || true; }

print_env() {
  log "logs: $KLOG (broker), $KOUT (JVM stdout/stderr)"
  echo "${KAFKA_ENV_PREFIX}_LOG=$KLOG"
  echo "${KAFKA_ENV_PREFIX}_BROKERS=$KAFKA_BROKERS"
}

# ---------------------------------------------------------------- commands

lock() { # serialize concurrent up/down on the same CRM_LOCAL_DIR
  mkdir -p "$KDIR"
  exec 9>"$KDIR/.lock"
  flock -w 300 9 || die "could not lock $KDIR/.lock"
}

cmd_up() {
  lock
  mkdir -p "$KDATA"
  if find_broker; then
    local p
    p="$(configured_port)"
    if [ -n "$p" ] && [ "$p" != "$KAFKA_PORT" ]; then
      die "already running on port $p (pid $BROKER_PID), not KAFKA_PORT=$KAFKA_PORT; run '$0 down' first"
    fi
    log "already running (pid $BROKER_PID)"
    wait_ready "$BROKER_PID" running
  else
    local port
    for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
      if ! port_free_within "$KAFKA_HOST" "$port" 10; then
        die "port $KAFKA_HOST:$port is already in use by another process; set KAFKA_PORT / KAFKA_CONTROLLER_PORT"
      fi
    done
    find_java
    ensure_libs
    write_config
    format_storage_once
    # keep the log from growing without bound across many runs
    if [ -f "$KLOG" ] && [ "$(stat -c %s "$KLOG")" -gt $((50 * 1024 * 1024)) ]; then
      mv -f "$KLOG" "$KLOG.1"
    fi
    touch "$KLOG"
    stat -c %s "$KLOG" >"$KSTART_OFFSET_FILE"
    log "starting Kafka $KAFKA_VERSION on $KAFKA_BROKERS (controller $KAFKA_HOST:$KAFKA_CONTROLLER_PORT)"
    jvm_args
    printf '\n==== %s starting kafka.Kafka %s ====\n' "$(date -Is)" "$KPROPS" >>"$KOUT"
    (
      cd "$KDIR"
      # setsid: own session, survives the calling shell; fd 9 (the lock) must not leak into it.
      nohup setsid "$JAVA" "${JVM_ARGS[@]}" kafka.Kafka "$KPROPS" </dev/null >>"$KOUT" 2>&1 9>&- &
      echo $! >"$KPID"
    )
    local pid
    pid="$(cat "$KPID")"
    sleep 0.5
    if ! pid_is_our_broker "$pid"; then
      # setsid may have forked (if we were a process-group leader): find the real JVM.
      find_broker || true
      pid="${BROKER_PID:-$pid}"
    fi
    wait_ready "$pid"
  fi
  log "ready: ${KAFKA_ENV_PREFIX}_BROKERS=$KAFKA_BROKERS"
  print_env
}

cmd_down() {
  lock
  if find_broker; then
    log "stopping broker pid $BROKER_PID (TERM, KILL after ${KAFKA_STOP_TIMEOUT}s)"
    stop_pid "$BROKER_PID"
    log "stopped"
  else
    log "not running"
  fi
  log "logs: $KLOG, $KOUT"
}

cmd_status() {
  if find_broker 2>/dev/null; then
    local p
    p="$(configured_port)"
    p="${p:-$KAFKA_PORT}"
    echo "$KAFKA_NAME: running (pid $BROKER_PID, port $p, version $KAFKA_VERSION)"
    echo "$KAFKA_NAME log: $KLOG"
    echo "${KAFKA_ENV_PREFIX}_BROKERS=$KAFKA_HOST:$p"
    return 0
  fi
  echo "$KAFKA_NAME: stopped (port $KAFKA_PORT, version $KAFKA_VERSION)"
  echo "$KAFKA_NAME log: $KLOG"
  return 3
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) usage_and_exit ;;
esac
