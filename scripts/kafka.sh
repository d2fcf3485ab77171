#!/usr/bin/env bash
# A single-node Kafka broker (KRaft: broker and controller in one JVM) for tests and local clusters,
# assembled from Maven Central jars because no Kafka package exists in Debian or npm.
#   scripts/kafka.sh install                           jars into .cache/kafka/libs, once per pom
#   scripts/kafka.sh start DIR PORT [CONTROLLER_PORT]  prints 127.0.0.1:PORT once the broker answers
#   scripts/kafka.sh stop DIR                          SIGTERM, then SIGKILL after KAFKA_STOP_TIMEOUT_S
#   scripts/kafka.sh topic BROKERS NAME PARTITIONS     creates the topic unless it exists
# DIR holds server.properties, the data, kafka.log and kafka.pid; starting an existing DIR again
# keeps its data, which is how tests restart a broker. CONTROLLER_PORT defaults to PORT+1; start
# gives up after KAFKA_START_TIMEOUT_S (90). A start takes about 3 s on a 2-core machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pom=$root/scripts/kafka/pom.xml
cache=$root/.cache/kafka
libs=$cache/libs
stamp=$cache/installed

say() { printf 'kafka: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")
pom_hash() { sha256sum "$pom" | cut -d' ' -f1; }

# shellcheck source=lib/proc.sh
. "$root/scripts/lib/proc.sh"
alive() { pid_alive "$1"; }

# The pid file may outlive its process and the pid be reused: only a JVM running this DIR's
# server.properties is ours to signal.
broker_pid() {
  local dir=$1 pid
  [ -f "$dir/kafka.pid" ] || return 1
  pid=$(cat "$dir/kafka.pid")
  alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $dir/server.properties" || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Kafka's cluster ids are 16 random bytes in unpadded base64url; making one here saves the JVM
# start `kafka-storage random-uuid` would cost. Like Kafka's own generator, never one that starts
# with '-': the storage tool's argument parser would take it for an option (1 run in 64 failed).
cluster_id() {
  local id
  id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
  while [ "${id#-}" != "$id" ]; do id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'); done
  printf '%s' "$id"
}

install() {
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(pom_hash)" ] && [ -d "$libs" ]; then return 0; fi
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
  java -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])' || die "Kafka $version needs Java 17 or newer"
  say "installing Kafka $version into ${libs#"$root"/}"
  mkdir -p "$cache"
  rm -rf "$libs.tmp"
  local out
  # Maven prints colour codes even when quiet and not on a terminal; only its errors are worth showing.
  if ! out=$(mvn -q -B -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs.tmp" 2>&1); then
    printf '%s\n' "$out" >&2
    die "could not fetch Kafka $version from Maven Central"
  fi
  rm -rf "$libs"
  mv "$libs.tmp" "$libs"
  pom_hash >"$stamp"
}

write_config() {
  local dir=$1 port=$2 cport=$3
  cat >"$dir/server.properties" <<EOF
# Written by scripts/kafka.sh: one node that is its own controller, reachable on 127.0.0.1 only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=8
auto.create.topics.enable=false
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# One node carries little load; the default 50 partitions of each internal topic only slow the
# first group join and the first idempotent producer.
offsets.topic.num.partitions=1
transaction.state.log.num.partitions=1
# A lone consumer should get its partitions at once, not after the 3 s wait for more members.
group.initial.rebalance.delay.ms=0
EOF
}

start() {
  local dir=${1:?start DIR PORT [CONTROLLER_PORT]} port=${2:?port} cport=${3:-$(($2 + 1))}
  [ -f "$libs/kafka_2.13-$version.jar" ] || die "Kafka $version is not installed; run scripts/kafka.sh install"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if broker_pid "$dir" >/dev/null; then die "a broker already runs in $dir"; fi
  write_config "$dir" "$port" "$cport"
  local cp="$libs/*"
  local jvm=(-Xms128m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$root/scripts/kafka/log4j2.properties" -Dlog4j2.shutdownHookEnabled=false
    "-Dkafka.logs.dir=$dir")
  if [ ! -f "$dir/data/meta.properties" ]; then
    java "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$(cluster_id)" -c "$dir/server.properties" \
      >"$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; die "formatting $dir/data failed"; }
  fi
  # Detached from our stdout: whoever runs this script waits for its output to close.
  java "${jvm[@]}" -cp "$cp" kafka.Kafka "$dir/server.properties" </dev/null >>"$dir/kafka.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$dir/kafka.pid"
  local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT_S:-90}))
  until port_open "$port"; do
    if ! alive "$pid"; then tail -n 30 "$dir/kafka.log" >&2; rm -f "$dir/kafka.pid"; die "broker exited during startup"; fi
    if [ $SECONDS -ge $deadline ]; then tail -n 30 "$dir/kafka.log" >&2; stop "$dir"; die "broker did not listen on $port"; fi
    sleep 0.1
  done
  if ! node "$root/scripts/kafka/admin.js" ready "127.0.0.1:$port" $(((deadline - SECONDS) * 1000)); then
    tail -n 30 "$dir/kafka.log" >&2
    stop "$dir"
    die "broker on $port does not answer"
  fi
  echo "127.0.0.1:$port"
}

stop() {
  local dir=${1:?stop DIR} pid
  [ -d "$dir" ] || return 0
  dir=$(cd "$dir" && pwd)
  if pid=$(broker_pid "$dir"); then
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + ${KAFKA_STOP_TIMEOUT_S:-30}))
    while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    if alive "$pid"; then
      say "broker $pid ignored SIGTERM for ${KAFKA_STOP_TIMEOUT_S:-30} s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      while alive "$pid"; do sleep 0.1; done
    fi
  fi
  rm -f "$dir/kafka.pid"
}

cmd=${1:-}
shift || true
case "$cmd" in
  install) install ;;
  start) start "$@" ;;
  stop) stop "$@" ;;
  topic) node "$root/scripts/kafka/admin.js" topic "${1:?topic BROKERS NAME PARTITIONS}" "${2:?name}" "${3:-8}" ;;
  *) die "usage: kafka.sh install | start DIR PORT [CONTROLLER_PORT] | stop DIR | topic BROKERS NAME PARTITIONS" ;;
esac
