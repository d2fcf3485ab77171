# Sourced by the scripts that start and stop processes.

# Whether a pid runs and is not a zombie: a dead child stays a zombie until its (adoptive) parent
# reaps it, and kill -0 still succeeds on one, but a zombie holds no port and no file.
pid_alive() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}
