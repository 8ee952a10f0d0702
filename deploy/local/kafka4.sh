#!/usr/bin/env bash
# A second local broker on Apache Kafka 4.x (KRaft, single node), beside the 3.9 one of kafka.sh:
# the bus adapter on @platformatic/kafka is tested against both (kafkajs 2.2 cannot talk to 4.x).
# Own ports (19094/19095), own directory ${CRM_LOCAL_DIR:-<repo>/.local}/kafka4; `up` prints
# KAFKA4_BROKERS=... and KAFKA4_LOG=....
#   deploy/local/kafka4.sh up|down|status
set -euo pipefail

# 4.1.x: the newest line @platformatic/kafka 1.35 supports. Keep in sync with deploy/local/kafka/pom-kafka4.xml.
export KAFKA_VERSION="${KAFKA4_VERSION:-4.1.2}"
export KAFKA_NAME=kafka4
export KAFKA_ENV_PREFIX=KAFKA4
export KAFKA_PORT="${KAFKA4_PORT:-19094}"
export KAFKA_CONTROLLER_PORT="${KAFKA4_CONTROLLER_PORT:-19095}"
exec bash "$(dirname "${BASH_SOURCE[0]}")/kafka.sh" "$@"
