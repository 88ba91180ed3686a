#!/usr/bin/env bash
# xferscan test lab: firewall test namespace `xfs-fw` (all traffic stays on the
# namespace's own loopback).
#
#   netns.sh create    idempotent: namespace, lo up, listeners, iptables rules
#   netns.sh destroy   kill the listeners, delete the namespace
#   netns.sh status
#
# Inside the namespace, on 127.0.0.1:
#   21097  listener sends "220 ok\r\n"                 -> open
#   21098  listener present, INPUT DROP                -> filtered (timeout)
#   21096  listener present, INPUT REJECT tcp-reset    -> looks closed (RST)
#   21099  nothing listens                             -> closed (RST)
# Scan inside it with:  ip netns exec xfs-fw node bin/xferscan.js scan 127.0.0.1:21098 ...
# Manifest: <run dir>/netns.json
set -euo pipefail

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$LAB_DIR/lib.sh"
RUN="${XFS_LAB_RUN:-$LAB_DIR/.run}"
NS="${XFS_LAB_NETNS:-xfs-fw}"
STATE="$RUN/netns"
LISTEN_PORTS=(21097 21098 21096)

say() { printf '[netns] %s\n' "$*"; }
die() { printf '[netns] ERROR: %s\n' "$*" >&2; exit 1; }
nsx() { ip netns exec "$NS" "$@"; }
ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$NS"; }

IPT=iptables
LISTENER_JS='
const net = require("net");
const port = Number(process.argv[1]);
net.createServer((s) => {
  s.setTimeout(15000, () => s.destroy());
  s.on("error", () => {});
  s.write("220 ok\r\n");
  let buf = "";
  s.on("data", (d) => {
    buf += d.toString("latin1");
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i).trim(); buf = buf.slice(i + 1);
      if (/^quit/i.test(line)) { s.end("221 bye\r\n"); return; }
      s.write("502 not implemented\r\n");
    }
  });
}).listen(port, "127.0.0.1");
'

listener_alive() { # port
  local f="$STATE/listener-$1.pid" pid
  [ -s "$f" ] || return 1
  pid=$(cat "$f")
  kill -0 "$pid" 2>/dev/null && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$(command -v node)")" ]
}

cmd_create() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  command -v node >/dev/null || die "node not found"
  mkdir -p "$STATE"
  if ns_exists; then say "namespace $NS exists"; else ip netns add "$NS"; say "created namespace $NS"; fi
  nsx ip link set lo up
  pick_iptables "$NS"
  # our own namespace: rebuild INPUT from scratch (idempotent)
  nsx "$IPT" -w -F INPUT
  nsx "$IPT" -w -A INPUT -p tcp --dport 21098 -j DROP
  nsx "$IPT" -w -A INPUT -p tcp --dport 21096 -j REJECT --reject-with tcp-reset
  say "iptables ($($IPT --version 2>/dev/null | head -1)) rules in $NS:"
  nsx "$IPT" -w -S INPUT | sed 's/^/    /'
  local p i
  for p in "${LISTEN_PORTS[@]}"; do
    if listener_alive "$p"; then say "listener 127.0.0.1:$p already running (pid $(cat "$STATE/listener-$p.pid"))"; continue; fi
    # ip netns exec execs the command directly, so $! is the node process
    ip netns exec "$NS" setsid node -e "$LISTENER_JS" "$p" </dev/null >>"$STATE/listener-$p.log" 2>&1 &
    echo $! >"$STATE/listener-$p.pid"
  done
  for p in "${LISTEN_PORTS[@]}"; do
    wait_listening "$NS" "$p" || die "listener on $p in $NS did not start (log: $STATE/listener-$p.log)"
  done
  cat >"$RUN/netns.json" <<EOF
[
  {"name":"fw-open","netns":"$NS","host":"127.0.0.1","port":21097,"expectedState":"open","notes":"tiny listener, greeting '220 ok'"},
  {"name":"fw-drop","netns":"$NS","host":"127.0.0.1","port":21098,"expectedState":"filtered","notes":"listener present, iptables INPUT DROP: connect times out"},
  {"name":"fw-reject","netns":"$NS","host":"127.0.0.1","port":21096,"expectedState":"closed","notes":"listener present, iptables REJECT --reject-with tcp-reset: connection refused"},
  {"name":"fw-closed","netns":"$NS","host":"127.0.0.1","port":21099,"expectedState":"closed","notes":"nothing listens"}
]
EOF
  say "ready: ip netns exec $NS node bin/xferscan.js scan 127.0.0.1:21098   (manifest $RUN/netns.json)"
}

cmd_destroy() {
  local f pid
  for f in "$STATE"/listener-*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
    rm -f "$f"
  done
  if ns_exists; then
    # anything else still running inside our namespace was started there by the lab/tests
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    sleep 0.2
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$NS"
    say "deleted namespace $NS"
  else
    say "namespace $NS not present"
  fi
  rm -f "$RUN/netns.json"
}

cmd_status() {
  ns_exists || { echo "namespace $NS: absent"; return 3; }
  echo "namespace $NS: present"
  nsx ss -Hltn | sed 's/^/    /'
  nsx iptables -w -S INPUT 2>/dev/null | sed 's/^/    /' || true
}

case "${1:-}" in
  create)  cmd_create ;;
  destroy) cmd_destroy ;;
  status)  cmd_status ;;
  *) echo "usage: $0 create|destroy|status" >&2; exit 2 ;;
esac
