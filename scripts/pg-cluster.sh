#!/usr/bin/env bash
# A private PostgreSQL cluster for tests and local clusters, owned by the postgres user, on its
# own port and socket directory, with wal_level=logical (change data capture needs it).
#   scripts/pg-cluster.sh start DIR PORT   -> prints the connection URL
#   scripts/pg-cluster.sh stop DIR
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?data directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/postgres" ] || { echo "pg-cluster: PostgreSQL server binaries not found; run scripts/setup.sh" >&2; exit 1; }
as_pg() { runuser -u postgres -- "$@"; }

case "$cmd" in
  start)
    port=${3:?port}
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      mkdir -p "$dir"
      chown postgres: "$dir"
      as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c wal_level=logical -c max_replication_slots=8 -c max_wal_senders=8" >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; fi
    ;;
  *)
    echo "pg-cluster: unknown command $cmd" >&2
    exit 2
    ;;
esac
