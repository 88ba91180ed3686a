# Process handling shared by the lab modules that run their own servers (test/lab/servers/
# cluster.sh, ipv6.sh, proxy.sh, tls-extra.sh). A module sets NAME (its name) and RUN (the run
# directory) and then sources this file. Logs go to $RUN/logs/<LOG_PREFIX><name>.out.log
# (LOG_PREFIX defaults to "$NAME-"), pid files to $RUN/pids/$NAME-<name>.pid ("pid binary").

say() { printf '[lab:%s] %s\n' "$NAME" "$*"; }
die() { printf '[lab:%s] ERROR: %s\n' "$NAME" "$*" >&2; exit 1; }

# running PID: the process exists and is not a zombie
running() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1; [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]; }

# pid_alive NAME: the process this module started as NAME is running
pid_alive() { local f="$RUN/pids/$NAME-$1.pid" pid; [ -s "$f" ] || return 1; read -r pid _ <"$f" || true; [ -n "${pid:-}" ] && running "$pid"; }

# module_log NAME: where NAME's output goes
module_log() { echo "$RUN/logs/${LOG_PREFIX-$NAME-}$1.out.log"; }

# launch NAME BINARY ARGS...: in a session of its own (stop_one signals the whole group), detached
launch() {
  local name=$1 bin=$2 log; shift 2
  log=$(module_log "$name")
  echo "=== $(date -u +%FT%TZ) start $bin $*" >>"$log"
  setsid "$bin" "$@" </dev/null >>"$log" 2>&1 &
  echo "$! $bin" >"$RUN/pids/$NAME-$name.pid"
}

# stop_one NAME: TERM to its process group, KILL after 3 s, and forget its pid file
stop_one() {
  local f="$RUN/pids/$NAME-$1.pid" pid i
  [ -s "$f" ] || return 0
  read -r pid _ <"$f" || true
  if [ -n "${pid:-}" ] && running "$pid"; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 30); do running "$pid" || break; sleep 0.1; done
    if running "$pid"; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; fi
    say "stopped $1 (pid $pid)"
  fi
  rm -f "$f"
}
