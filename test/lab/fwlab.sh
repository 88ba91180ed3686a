#!/usr/bin/env bash
# xferscan firewall lab: real FTP/FTPS servers behind real iptables rules, across a veth pair
# between two network namespaces this script creates (nothing routes anywhere else).
#
#   fwlab.sh create    idempotent: namespaces, veth, servers, iptables rules, manifest
#   fwlab.sh destroy   stop what it started, delete both namespaces (and with them veth + rules)
#   fwlab.sh status
#
#   xfs-srv  10.203.0.1/30 (veth xfs-srv0)   servers + server-side firewall (INPUT)
#   xfs-cli  10.203.0.2/30 (veth xfs-cli0)   the scanner + client-side firewall (INPUT)
#
# Endpoints on 10.203.0.1 (manifest: <run dir>/fwlab.json):
#   2121  vsftpd explicit FTPS, xfsuser, PASV 41000-41019; INPUT DROP 41010-41019 (half the range);
#         active mode from port 20 allowed
#   2122  vsftpd plain FTP, anonymous (read-only), PASV 41020-41039 all allowed; active from port 20
#         allowed
#   2123  vsftpd plain FTP, anonymous, PASV 41040-41059 allowed; active mode connects from port
#         2020 and the scanner's INPUT drops it (connect_timeout=4: vsftpd answers 425 after 4 s)
#   2124  listener present, INPUT DROP                -> filtered
#   2125  listener present, INPUT REJECT tcp-reset    -> closed
#   2126  nothing listens                             -> closed
# Scan from the scanner side:
#   ip netns exec xfs-cli node bin/xferscan.js scan ftpes://10.203.0.1:2121 --user xfsuser ...
set -euo pipefail

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$LAB_DIR/lib.sh"
RUN="${XFS_LAB_RUN:-$LAB_DIR/.run}"
STATE="$RUN/fwlab"
SRV=xfs-srv
CLI=xfs-cli
SRV_IF=xfs-srv0
CLI_IF=xfs-cli0
SRV_IP=10.203.0.1
CLI_IP=10.203.0.2
LISTEN_PORTS=(2124 2125)

say() { printf '[fwlab] %s\n' "$*"; }
die() { printf '[fwlab] ERROR: %s\n' "$*" >&2; exit 1; }
ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }
in_srv() { ip netns exec "$SRV" "$@"; }
in_cli() { ip netns exec "$CLI" "$@"; }

IPT=iptables
LISTENER_JS='
const net = require("net");
const [host, port] = [process.argv[1], Number(process.argv[2])];
net.createServer((s) => {
  s.setTimeout(15000, () => s.destroy());
  s.on("error", () => {});
  s.end("220 ok\r\n");
}).listen(port, host);
'

alive() { # pidfile [binary] -> the process lives (and is that binary)
  local pid
  [ -s "$1" ] || return 1
  pid=$(cat "$1")
  kill -0 "$pid" 2>/dev/null || return 1
  [ -z "${2:-}" ] || [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$2")" ]
}

write_vsftpd() { # name port kind(explicit|plain) pasv_min pasv_max data_port connect_timeout
  local name=$1 port=$2 kind=$3 c="$RUN/certs"
  {
    vsftpd_header fwlab.sh "$name" "$SRV_IP" "$port"
    cat <<EOF
connect_from_port_20=YES
ftp_data_port=$6
connect_timeout=$7
port_enable=YES
pasv_enable=YES
pasv_min_port=$4
pasv_max_port=$5
pasv_address=$SRV_IP
pasv_addr_resolve=NO
local_enable=YES
write_enable=NO
use_localtime=NO
syslog_enable=NO
xferlog_enable=YES
xferlog_std_format=NO
log_ftp_protocol=YES
vsftpd_log_file=$STATE/$name.vsftpd.log
max_clients=50
max_per_ip=20
EOF
    if [ "$kind" = explicit ]; then
      vsftpd_strict_tls "$c"
    else
      cat <<EOF
ssl_enable=NO
anonymous_enable=YES
anon_root=$STATE/anon
no_anon_password=YES
anon_upload_enable=NO
anon_mkdir_write_enable=NO
anon_other_write_enable=NO
ftp_username=ftp
EOF
    fi
  } >"$STATE/$name.conf"
}

VSFTPD=(
  # name port kind pasv_min pasv_max data_port connect_timeout
  "fw-ftps 2121 explicit 41000 41019 20 60"
  "fw-plain 2122 plain 41020 41039 20 60"
  "fw-noactive 2123 plain 41040 41059 2020 4"
)

cmd_create() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  command -v vsftpd >/dev/null || [ -x /usr/sbin/vsftpd ] || die "vsftpd missing: bash test/lab/install.sh"
  command -v node >/dev/null || die "node not found"
  getent passwd xfsuser >/dev/null || die "user xfsuser missing: run bash test/lab/lab.sh start first"
  [ -s "$RUN/secrets/xfsuser.password" ] || die "$RUN/secrets/xfsuser.password missing: run bash test/lab/lab.sh start first"
  [ -s "$RUN/certs/good.crt" ] || die "$RUN/certs/good.crt missing: run bash test/lab/lab.sh start first"
  mkdir -p "$STATE/anon" /var/run/vsftpd/empty
  chown root:root "$STATE/anon"; chmod 755 "$STATE/anon"
  [ -f "$STATE/anon/welcome.txt" ] || echo "xferscan firewall lab: anonymous read-only area" >"$STATE/anon/welcome.txt"

  local ns
  for ns in "$SRV" "$CLI"; do
    if ns_exists "$ns"; then say "namespace $ns exists"; else ip netns add "$ns"; say "created namespace $ns"; fi
    ip netns exec "$ns" ip link set lo up
  done
  if ! in_srv ip link show "$SRV_IF" >/dev/null 2>&1; then
    # a half-made pair from an earlier run: the cli end may linger
    in_cli ip link del "$CLI_IF" 2>/dev/null || true
    in_srv ip link add "$SRV_IF" type veth peer name "$CLI_IF" netns "$CLI"
    say "veth $SRV_IF ($SRV) <-> $CLI_IF ($CLI)"
  fi
  in_srv ip addr replace "$SRV_IP/30" dev "$SRV_IF"
  in_cli ip addr replace "$CLI_IP/30" dev "$CLI_IF"
  in_srv ip link set "$SRV_IF" up
  in_cli ip link set "$CLI_IF" up

  pick_iptables "$SRV"
  # our own namespaces: rebuild INPUT from scratch (idempotent)
  in_srv "$IPT" -w -F INPUT
  in_srv "$IPT" -w -A INPUT -p tcp --dport 2124 -j DROP
  in_srv "$IPT" -w -A INPUT -p tcp --dport 2125 -j REJECT --reject-with tcp-reset
  in_srv "$IPT" -w -A INPUT -p tcp --dport 41010:41019 -j DROP
  in_cli "$IPT" -w -F INPUT
  in_cli "$IPT" -w -A INPUT -s "$SRV_IP" -p tcp --sport 2020 -j DROP
  say "iptables rules: $SRV INPUT:"; in_srv "$IPT" -w -S INPUT | sed 's/^/    /'
  say "iptables rules: $CLI INPUT:"; in_cli "$IPT" -w -S INPUT | sed 's/^/    /'

  local line name port kind lo hi dp ct p i
  for line in "${VSFTPD[@]}"; do
    read -r name port kind lo hi dp ct <<<"$line"
    write_vsftpd "$name" "$port" "$kind" "$lo" "$hi" "$dp" "$ct"
    if alive "$STATE/$name.pid" /usr/sbin/vsftpd; then say "$name already running"; continue; fi
    # ip netns exec execs its command, so $! is vsftpd itself
    OPENSSL_CONF="$RUN/conf/openssl-tls12.cnf" ip netns exec "$SRV" setsid /usr/sbin/vsftpd "$STATE/$name.conf" </dev/null >>"$STATE/$name.out.log" 2>&1 &
    echo $! >"$STATE/$name.pid"
  done
  for p in "${LISTEN_PORTS[@]}"; do
    if alive "$STATE/listener-$p.pid" "$(command -v node)"; then continue; fi
    ip netns exec "$SRV" setsid node -e "$LISTENER_JS" "$SRV_IP" "$p" </dev/null >>"$STATE/listener-$p.log" 2>&1 &
    echo $! >"$STATE/listener-$p.pid"
  done
  for p in 2121 2122 2123 "${LISTEN_PORTS[@]}"; do
    wait_listening "$SRV" "$p" || die "nothing listens on $SRV_IP:$p in $SRV (logs in $STATE)"
  done

  cat >"$RUN/fwlab.json" <<EOF
{
  "serverNetns": "$SRV",
  "clientNetns": "$CLI",
  "serverAddress": "$SRV_IP",
  "clientAddress": "$CLI_IP",
  "user": "xfsuser",
  "passwordFile": "$RUN/secrets/xfsuser.password",
  "endpoints": [
    {"name":"fw-ftps","host":"$SRV_IP","port":2121,"url":"ftpes://$SRV_IP:2121","expectedState":"open","service":"ftps-explicit","anonymous":false,
     "passiveRange":[41000,41019],"passiveAllowed":[41000,41009],"passiveDropped":[41010,41019],"activeBlocked":false,"dataPort":20,
     "notes":"vsftpd explicit FTPS; server INPUT drops passive ports 41010-41019"},
    {"name":"fw-plain","host":"$SRV_IP","port":2122,"url":"ftp://$SRV_IP:2122","expectedState":"open","service":"ftp","anonymous":true,
     "passiveRange":[41020,41039],"passiveAllowed":[41020,41039],"passiveDropped":null,"activeBlocked":false,"dataPort":20,
     "notes":"vsftpd plain FTP, anonymous read-only; nothing blocked"},
    {"name":"fw-noactive","host":"$SRV_IP","port":2123,"url":"ftp://$SRV_IP:2123","expectedState":"open","service":"ftp","anonymous":true,
     "passiveRange":[41040,41059],"passiveAllowed":[41040,41059],"passiveDropped":null,"activeBlocked":true,"dataPort":2020,
     "notes":"vsftpd plain FTP, anonymous; active data connections (from port 2020) dropped by the scanner's INPUT; vsftpd gives up after 4 s (425)"},
    {"name":"fw-drop","host":"$SRV_IP","port":2124,"expectedState":"filtered","notes":"listener present, server INPUT DROP"},
    {"name":"fw-reject","host":"$SRV_IP","port":2125,"expectedState":"closed","notes":"listener present, server INPUT REJECT --reject-with tcp-reset"},
    {"name":"fw-closed","host":"$SRV_IP","port":2126,"expectedState":"closed","notes":"nothing listens"}
  ]
}
EOF
  say "ready: ip netns exec $CLI node bin/xferscan.js scan ftpes://$SRV_IP:2121 ...   (manifest $RUN/fwlab.json)"
}

cmd_destroy() {
  local f pid ns
  for f in "$STATE"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
    rm -f "$f"
  done
  for ns in "$SRV" "$CLI"; do
    if ns_exists "$ns"; then
      # whatever still runs inside our own namespaces was started there by this lab or its tests
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
      sleep 0.2
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
      ip netns del "$ns"   # takes its end of the veth (and so the pair) and its iptables rules with it
      say "deleted namespace $ns"
    else
      say "namespace $ns not present"
    fi
  done
  rm -f "$RUN/fwlab.json"
}

cmd_status() {
  local ns rc=0
  for ns in "$SRV" "$CLI"; do
    if ns_exists "$ns"; then echo "namespace $ns: present"; else echo "namespace $ns: absent"; rc=3; fi
  done
  [ "$rc" = 0 ] || return $rc
  in_srv ip -brief addr show "$SRV_IF" | sed 's/^/    /'
  in_srv ss -Hltn | sed 's/^/    /'
  echo "  $SRV INPUT:"; in_srv iptables -w -S INPUT 2>/dev/null | sed 's/^/    /' || true
  echo "  $CLI INPUT:"; in_cli iptables -w -S INPUT 2>/dev/null | sed 's/^/    /' || true
}

case "${1:-}" in
  create)  cmd_create ;;
  destroy) cmd_destroy ;;
  status)  cmd_status ;;
  *) echo "usage: $0 create|destroy|status" >&2; exit 2 ;;
esac
