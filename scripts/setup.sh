#!/usr/bin/env bash
# Installs whatever Verdict needs and is missing, then builds it. Idempotent: a second run on a
# set-up machine only checks. Debian/Ubuntu, as root (Verdict creates cgroups and sandbox uids).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  say "run as root (sudo npm start / sudo npm test): Verdict creates cgroups and starts sandboxes as unprivileged uids"
  exit 1
fi

# --- system packages: a package is installed only when what it provides is missing ----------
need=()
want() { # want PACKAGE TEST...: add PACKAGE unless one of the paths exists
  local pkg=$1; shift
  for p in "$@"; do [ -e "$p" ] && return 0; done
  need+=("$pkg")
}
want bubblewrap /usr/bin/bwrap
want gcc /usr/bin/gcc
want g++ /usr/bin/g++
want make /usr/bin/make
want python3 /usr/bin/python3
# python3 -m venv: the Judge0 SDK's virtualenv (scripts/judge0-sdk.sh).
want python3-venv $(ls -d /usr/lib/python3*/ensurepip 2>/dev/null | head -n 1) /nonexistent
want default-jdk-headless /usr/bin/javac
want golang-go /usr/local/go/bin/go /usr/lib/go/bin/go /usr/bin/go
want rustc /usr/bin/rustc
want procps /usr/bin/pgrep
# PostgreSQL server binaries: the distributed store and its tests run a private cluster.
want postgresql $(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | head -n 1) /nonexistent
# nginx: the round-robin load balancer in front of the API replicas of a local cluster.
want nginx /usr/sbin/nginx
want curl /usr/bin/curl
# Kafka's broker runs on the JVM (its jars come from Maven Central, see scripts/kafka.sh).
want maven /usr/bin/mvn
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Packages such as postgresql and nginx start a system-wide service on install (a database on
  # 5432, a web server on 80); Verdict runs its own private instances, so keep those off.
  policy=/usr/sbin/policy-rc.d
  made_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && made_policy=1
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  if [ -n "$made_policy" ]; then rm -f "$policy"; trap - EXIT; fi
fi

# --- kernel tuning: cgroup migrations without RCU stalls ------------------------------------
# Every run moves one process into its cgroup. By default the kernel's cgroup migration lock
# sometimes waits a whole RCU grace period (measured up to 21 ms here); the cgroup2 mount option
# favordynmods (Linux >= 6.0) keeps that lock in the mode where moves are always fast. Applies
# until reboot; harmless on a host dedicated to judging. Skipped where it cannot be set.
for mnt in /sys/fs/cgroup /sys/fs/cgroup/unified; do
  if grep -qs " $mnt cgroup2 " /proc/mounts && ! grep -qs " $mnt cgroup2 [^ ]*favordynmods" /proc/mounts; then
    mount -o remount,favordynmods "$mnt" 2>/dev/null && say "enabled favordynmods on $mnt" || true
  fi
done

# --- the TypeScript toolchain submissions compile with, system-wide so sandbox uids can read it
ts_version=5.9.3
global_root=$(npm root -g)
if [ "$(node -p "try{require('$global_root/typescript/package.json').version}catch{''}")" != "$ts_version" ] ||
   [ ! -d "$global_root/@types/node" ]; then
  say "installing typescript@$ts_version and @types/node@20 for TypeScript submissions"
  npm install -g --no-fund --no-audit "typescript@$ts_version" "@types/node@20" >/dev/null
fi

# --- npm dependencies -----------------------------------------------------------------------
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies"
  npm ci --no-fund --no-audit >/dev/null
fi

# --- Kafka broker jars (scripts/kafka.sh) for distributed mode and its tests: Maven resolves them.
# Not fatal: standalone mode needs no broker, and the Kafka tests repeat the install and say why.
bash scripts/kafka.sh install || say "Kafka broker not installed; distributed mode and its tests need it"

# --- the official Judge0 Python SDK (PyPI) for the Judge0 compatibility test. Not fatal either:
# only that test needs it, and it runs the same script and says why it failed.
bash scripts/judge0-sdk.sh >/dev/null || say "Judge0 SDK not installed; test/compat/judge0/sdk.test.ts needs it"

# --- build (TypeScript, the sandbox helper, migrations) when any source changed ----------------
stamp=dist/.build-stamp
if [ ! -f "$stamp" ] || [ -n "$(find src test bench native scripts tsconfig.json package.json -newer "$stamp" -print -quit)" ]; then
  say "building"
  npm run -s build
  touch "$stamp"
fi
