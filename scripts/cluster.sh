#!/usr/bin/env bash
# A whole distributed Verdict on this machine, every part real and started by this script:
# PostgreSQL (private cluster, wal_level=logical), a single-node Kafka broker, the CDC relay,
# workers, API replicas and nginx as the round-robin load balancer in front of them.
#
#   scripts/cluster.sh up     starts what is not running; writes DIR/env and DIR/<part>.pid
#   scripts/cluster.sh down   stops every part and leaves nothing running
#   scripts/cluster.sh status one line per part
#
# Settings (environment): VERDICT_CLUSTER_DIR (default .cluster), VERDICT_CLUSTER_PORT (base
# port, default 2400: load balancer on it, the parts on the ports after it), VERDICT_CLUSTER_APIS
# (2), VERDICT_CLUSTER_WORKERS (2), VERDICT_CLUSTER_WORKER_SLOTS (1 each). Every other VERDICT_*
# setting in the environment reaches the processes unchanged.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-up}
dir=$(mkdir -p "${VERDICT_CLUSTER_DIR:-$root/.cluster}" && cd "${VERDICT_CLUSTER_DIR:-$root/.cluster}" && pwd)
base=${VERDICT_CLUSTER_PORT:-2400}
apis=${VERDICT_CLUSTER_APIS:-2}
workers=${VERDICT_CLUSTER_WORKERS:-2}
slots=${VERDICT_CLUSTER_WORKER_SLOTS:-1}
# A name of this cluster's own for its sandbox directories, so two clusters never share one.
tag=$(printf '%s' "$dir" | cksum | cut -d' ' -f1)

lb_port=$base
pg_port=$((base + 1))
kafka_port=$((base + 2)) # its controller listens on the next port
relay_port=$((base + 4))
api_port() { echo $((base + 10 + $1)); }
worker_port() { echo $((base + 30 + $1)); }

say() { printf 'cluster: %s\n' "$*" >&2; }
# shellcheck source=lib/proc.sh
. "$root/scripts/lib/proc.sh"
# A part is alive if the pid in its pid file is.
alive() { [ -f "$dir/$1.pid" ] && pid_alive "$(cat "$dir/$1.pid")"; }

wait_ready() { # wait_ready NAME URL SECONDS
  local deadline=$((SECONDS + $3))
  until curl -fsS -o /dev/null "$2" 2>/dev/null; do
    if ! alive "$1"; then say "$1 exited; its log: $dir/logs/$1.log"; tail -n 20 "$dir/logs/$1.log" >&2 || true; return 1; fi
    if [ $SECONDS -ge $deadline ]; then say "$1 not ready at $2 after $3 s; its log: $dir/logs/$1.log"; return 1; fi
    sleep 0.2
  done
}

start_node() { # start_node NAME COMMAND PORT [VAR=VALUE...]
  local name=$1 command=$2 port=$3
  shift 3
  if alive "$name"; then return 0; fi
  # setsid: the part outlives this script and the terminal it ran in, until `down`.
  env "$@" PORT="$port" DATABASE_URL="$database_url" KAFKA_BROKERS="$kafka_brokers" VERDICT_REPLICA_NAME="$name" \
    setsid node "$root/dist/src/cli/main.js" "$command" >>"$dir/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/$name.pid"
}

nginx_conf() {
  local upstream="" i
  for i in $(seq 1 "$apis"); do upstream+="    server 127.0.0.1:$(api_port "$i") max_fails=1 fail_timeout=2s;"$'\n'; done
  mkdir -p "$dir/nginx/tmp"
  cat >"$dir/nginx/nginx.conf" <<EOF
# Written by scripts/cluster.sh: round robin over the API replicas.
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/nginx.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/nginx/tmp/body;
  proxy_temp_path $dir/nginx/tmp/proxy;
  fastcgi_temp_path $dir/nginx/tmp/fastcgi;
  uwsgi_temp_path $dir/nginx/tmp/uwsgi;
  scgi_temp_path $dir/nginx/tmp/scgi;
  client_max_body_size 20m;
  upstream verdict_api {
$upstream    keepalive 32;
  }
  server {
    listen 127.0.0.1:$lb_port;
    location / {
      proxy_pass http://verdict_api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$remote_addr;
      # ?wait=true holds a request open until the run is done.
      proxy_read_timeout 120s;
      # A replica that is down (or restarting) is skipped; the request goes to the next one. Not
      # on 503: that is the store being unreachable, the same on every replica, and the client
      # should hear it rather than have every replica marked dead.
      proxy_next_upstream error timeout http_502;
    }
  }
}
EOF
}

up() {
  mkdir -p "$dir/logs"
  [ -f "$root/dist/src/cli/main.js" ] || { say "not built; run: npm run build (or bash scripts/setup.sh)"; exit 1; }
  database_url="postgres://postgres@127.0.0.1:$pg_port/postgres"
  kafka_brokers="127.0.0.1:$kafka_port"
  if ! alive postgres; then
    database_url=$(bash "$root/scripts/pg-cluster.sh" start "$dir/postgres" "$pg_port")
    head -n 1 "$dir/postgres/data/postmaster.pid" >"$dir/postgres.pid"
  fi
  if ! alive kafka; then
    kafka_brokers=$(bash "$root/scripts/kafka.sh" start "$dir/kafka" "$kafka_port")
    cp "$dir/kafka/kafka.pid" "$dir/kafka.pid"
  fi

  start_node relay relay "$relay_port"
  wait_ready relay "http://127.0.0.1:$relay_port/healthz" 60
  for i in $(seq 1 "$workers"); do
    # Each worker gets uids and a sandbox directory of its own: two workers on one host must
    # never run programs as the same uid.
    start_node "worker-$i" worker "$(worker_port "$i")" VERDICT_SLOTS="$slots" \
      VERDICT_SANDBOX_UID_BASE=$((2100000 + i * 1000)) VERDICT_SANDBOX_DIR="/run/verdict-cluster-$tag-w$i"
  done
  # API replicas after the workers: they serve the languages the workers report.
  for i in $(seq 1 "$workers"); do wait_ready "worker-$i" "http://127.0.0.1:$(worker_port "$i")/readyz" 120; done
  for i in $(seq 1 "$apis"); do start_node "api-$i" api "$(api_port "$i")"; done
  for i in $(seq 1 "$apis"); do wait_ready "api-$i" "http://127.0.0.1:$(api_port "$i")/readyz" 60; done
  wait_ready relay "http://127.0.0.1:$relay_port/readyz" 60

  if ! alive nginx; then
    nginx_conf
    nginx -c "$dir/nginx/nginx.conf" -p "$dir/nginx"
  fi
  wait_ready nginx "http://127.0.0.1:$lb_port/readyz" 30

  cat >"$dir/env" <<EOF
VERDICT_URL=http://127.0.0.1:$lb_port
DATABASE_URL=$database_url
KAFKA_BROKERS=$kafka_brokers
EOF
  say "up: load balancer http://127.0.0.1:$lb_port ($apis API replicas, $workers workers, relay); settings in $dir/env"
  cat "$dir/env"
}

down() {
  [ -d "$dir" ] || return 0
  if alive nginx; then nginx -c "$dir/nginx/nginx.conf" -p "$dir/nginx" -s quit 2>/dev/null || true; fi
  # Every Verdict process at once: each drains on SIGTERM (workers let runs in flight finish
  # within their grace period); whatever is still there after the deadline is killed.
  local names=() name f
  for f in "$dir"/nginx.pid "$dir"/api-*.pid "$dir"/worker-*.pid "$dir"/relay.pid; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .pid)
    names+=("$name")
    alive "$name" && kill -TERM "$(cat "$f")" 2>/dev/null || true
  done
  local deadline=$((SECONDS + ${VERDICT_CLUSTER_STOP_TIMEOUT_S:-45}))
  for name in "${names[@]}"; do
    while alive "$name" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    if alive "$name"; then say "$name did not stop in time; killing it"; kill -KILL "$(cat "$dir/$name.pid")" 2>/dev/null || true; fi
    rm -f "$dir/$name.pid"
  done
  bash "$root/scripts/kafka.sh" stop "$dir/kafka" || true
  rm -f "$dir/kafka.pid"
  bash "$root/scripts/pg-cluster.sh" stop "$dir/postgres" || true
  rm -f "$dir/postgres.pid" "$dir/env"
  # A worker that had to be killed leaves its per-slot box file systems mounted.
  { awk '{print $2}' /proc/mounts | grep "^/run/verdict-cluster-$tag-w" || true; } | while read -r m; do umount -l "$m" || true; done
  rm -rf /run/verdict-cluster-"$tag"-w*
  say "down: nothing of the cluster in $dir is running"
}

status() {
  local f name
  for f in "$dir"/*.pid; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .pid)
    if alive "$name"; then echo "$name running (pid $(cat "$f"))"; else echo "$name not running"; fi
  done
}

case "$cmd" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) say "unknown command $cmd (up, down, status)"; exit 2 ;;
esac
