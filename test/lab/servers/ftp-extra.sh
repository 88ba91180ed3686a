#!/usr/bin/env bash
# Lab module ftp-extra: more real FTP implementations beside the core lab's vsftpd/ProFTPD/Pure-FTPd,
# in good, lax and deliberately broken configurations, plus an SMTP server that greets with 220
# and FTP endpoints on [::1]. Module contract: test/lab/servers/README.md.
#
#   ftp-extra.sh install | start | stop | status | names
#
# Control ports 23000-23999, passive ranges 43000-43999, loopback only (127.0.0.1 and ::1).
# The inetd-style servers (GNU inetutils ftpd, netkit ftpd-ssl) bind their active-mode source
# port to control port - 1 (the classic "port L-1"): that port is left free.
# Manifest: $XFS_LAB_RUN/endpoints.ftp-extra.json (fields of LabEndpoint, test/lab/endpoints.ts).
set -euo pipefail

MODULE=ftp-extra
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB_DIR="$(dirname "$HERE")"
# shellcheck source=../lib.sh
. "$LAB_DIR/lib.sh"  # shared helpers (vsftpd_header, port_holder)
BIN="$HERE/ftp-extra"
RUN="${XFS_LAB_RUN:-$LAB_DIR/.run}"
PREFIX="${XFS_LAB_PREFIX:-/opt/xferscan-lab/root}"
LAB_HOME="$(dirname "$PREFIX")"
PY=/usr/bin/python3 # Debian's Python: the python3-* packages below are installed for it
DATA="$RUN/$MODULE"

say() { printf '[%s] %s\n' "$MODULE" "$*"; }
die() { printf '[%s] ERROR: %s\n' "$MODULE" "$*" >&2; exit 1; }

# name host port: the order is the manifest's order
ENDPOINTS=(
  pyftpd-plain:127.0.0.1:23021
  pyftpd-bounce:127.0.0.1:23022
  pyftpd-tls:127.0.0.1:23023
  pyftpd-lax:127.0.0.1:23024
  pyftpd-implicit:127.0.0.1:23990
  pyftpd-ipv6:::1:23026
  twisted-ftpd:127.0.0.1:23031
  aioftp-implicit:127.0.0.1:23991
  inetutils-ftpd:127.0.0.1:23041
  netkit-ftpd-ssl:127.0.0.1:23051
  vsftpd-ipv6:::1:23027
  smtpd-220:127.0.0.1:23025
)
name_of() { echo "${1%%:*}"; }
port_of_entry() { echo "${1##*:}"; }
host_of_entry() { local h="${1#*:}"; echo "${h%:*}"; }
entry_of() { local e; for e in "${ENDPOINTS[@]}"; do [ "$(name_of "$e")" = "$1" ] && { echo "$e"; return 0; }; done; return 1; }

APT_PKGS=(python3-pyftpdlib python3-twisted python3-aioftp)
# conflicting packages (both Provide/Conflict ftp-server, as vsftpd does): unpacked into $PREFIX
PRIVATE_PKGS=("usr/sbin/ftpd:inetutils-ftpd" "usr/sbin/in.ftpd:ftpd-ssl")

port_open() { # host port
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}
running() {
  local st
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
pidfile() { echo "$RUN/pids/$MODULE.$1.pid"; }
pid_alive() { # name: our pidfile points at a live process of the recorded binary
  local f pid bin
  f=$(pidfile "$1")
  [ -s "$f" ] || return 1
  read -r pid bin <"$f" || true
  [ -n "${pid:-}" ] && running "$pid" || return 1
  [ -z "${bin:-}" ] || [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$bin")" ]
}

# ---------------------------------------------------------------- install
is_installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]; }
libs_ok() { local out; out="$(ldd "$1" 2>&1)" || return 1; ! grep -q 'not found' <<<"$out"; }

cmd_install() {
  local missing=() p e rel pkg ver stamp libs need l
  for p in "${APT_PKGS[@]}"; do is_installed "$p" || missing+=("$p"); done
  local done_private=1
  for e in "${PRIVATE_PKGS[@]}"; do [ -x "$PREFIX/${e%%:*}" ] && libs_ok "$PREFIX/${e%%:*}" || done_private=0; done
  [ -e /etc/pam.d/ftp ] || done_private=0
  if [ ${#missing[@]} -eq 0 ] && [ $done_private = 1 ] && [ "${XFS_LAB_FORCE:-0}" != 1 ]; then
    say "already installed"
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "install must run as root"
  export DEBIAN_FRONTEND=noninteractive
  mkdir -p "$PREFIX" "$LAB_HOME/debs"
  if [ ${#missing[@]} -gt 0 ]; then
    say "apt-get install ${missing[*]}"
    apt-get install -y -q --no-install-recommends "${missing[@]}" >"$LAB_HOME/apt-$MODULE.log" 2>&1 \
      || { tail -20 "$LAB_HOME/apt-$MODULE.log" >&2; die "apt-get install ${missing[*]} failed"; }
  fi
  for e in "${PRIVATE_PKGS[@]}"; do
    rel="${e%%:*}"; pkg="${e#*:}"
    ver="$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')"
    [ -n "$ver" ] && [ "$ver" != "(none)" ] || die "package $pkg not available from apt"
    stamp="$PREFIX/.unpacked-$pkg"
    if [ ! -f "$PREFIX/$rel" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$ver" ] || [ "${XFS_LAB_FORCE:-0}" = 1 ]; then
      say "apt-get download $pkg ($ver) + dpkg -x -> $PREFIX"
      rm -f "$LAB_HOME/debs/${pkg}_"*.deb
      (cd "$LAB_HOME/debs" && apt-get download -q "$pkg" >"$LAB_HOME/apt-download-$pkg.log" 2>&1) \
        || die "apt-get download $pkg failed (log: $LAB_HOME/apt-download-$pkg.log)"
      dpkg -x "$LAB_HOME/debs/${pkg}_"*.deb "$PREFIX" || die "dpkg -x $pkg failed"
      echo "$ver" >"$stamp"
    fi
    libs=()
    while read -r l; do libs+=("$l"); done < <(
      apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances "$pkg" 2>/dev/null \
        | awk '$1 ~ /^(Pre)?Depends:$/ {print $2}' | grep -E '^lib' | grep -v '^libpam-' | grep -v '<' || true)
    need=()
    for l in ${libs[@]+"${libs[@]}"}; do is_installed "$l" || need+=("$l"); done
    if [ ${#need[@]} -gt 0 ]; then
      say "apt-get install libraries for $pkg: ${need[*]}"
      apt-get install -y -q --no-install-recommends "${need[@]}" >>"$LAB_HOME/apt-$MODULE.log" 2>&1 || die "libraries for $pkg failed"
    fi
    libs_ok "$PREFIX/$rel" || { ldd "$PREFIX/$rel" | grep 'not found' >&2; die "$PREFIX/$rel has unresolved libraries"; }
    say "$pkg $ver ok ($PREFIX/$rel)"
  done
  ensure_pam
}

# netkit ftpd authenticates through PAM service "ftp", whose file the package would install:
# without it PAM falls back to "other" and netkit's USER-time conversation fails (550). Install
# the package's own file, only when the system has none (nothing else uses service "ftp").
ensure_pam() {
  [ -e /etc/pam.d/ftp ] && return 0
  [ -s "$PREFIX/etc/pam.d/ftp" ] || die "$PREFIX/etc/pam.d/ftp missing (ftpd-ssl not unpacked)"
  install -m 644 "$PREFIX/etc/pam.d/ftp" /etc/pam.d/ftp
  say "installed /etc/pam.d/ftp (the ftpd-ssl package's PAM service file)"
}

# ---------------------------------------------------------------- start
check_ready() {
  [ -s "$RUN/secrets/xfsuser.password" ] || die "$RUN/secrets/xfsuser.password missing: start the core lab first (bash test/lab/lab.sh start)"
  [ -s "$RUN/certs/good.crt" ] || die "$RUN/certs/good.crt missing: start the core lab first"
  getent passwd xfsuser >/dev/null || die "user xfsuser missing: start the core lab first"
  local p
  for p in pyftpdlib twisted.protocols.ftp aioftp; do
    "$PY" -c "import $p" 2>/dev/null || die "$PY cannot import $p - run: bash $0 install"
  done
  for p in usr/sbin/ftpd usr/sbin/in.ftpd; do [ -x "$PREFIX/$p" ] || die "$PREFIX/$p missing - run: bash $0 install"; done
  [ -e /etc/pam.d/ftp ] || die "/etc/pam.d/ftp missing - run: bash $0 install"
}

ensure_data() {
  local n
  mkdir -p "$RUN/pids" "$RUN/logs" "$RUN/conf"
  for n in pyftpd-plain pyftpd-bounce pyftpd-tls pyftpd-lax pyftpd-implicit pyftpd-ipv6 twisted-ftpd aioftp-implicit; do
    mkdir -p "$DATA/$n/home" "$DATA/$n/anon"
    [ -f "$DATA/$n/home/readme.txt" ] || echo "xferscan lab ($n): home of xfsuser" >"$DATA/$n/home/readme.txt"
    [ -f "$DATA/$n/anon/welcome.txt" ] || echo "xferscan lab ($n): anonymous area" >"$DATA/$n/anon/welcome.txt"
  done
}

write_vsftpd_ipv6_conf() { # name port pasv_min pasv_max
  local c="$RUN/certs"
  # shellcheck source=../lib.sh
  . "$LAB_DIR/lib.sh"
  {
    vsftpd_header "servers/$MODULE.sh" "$1" 127.0.0.1 "$2" | grep -v -E '^(listen|listen_ipv6|listen_address)='
    cat <<EOF
listen=NO
listen_ipv6=YES
listen_address6=::1
connect_from_port_20=NO
pasv_enable=YES
pasv_min_port=$3
pasv_max_port=$4
local_enable=YES
write_enable=YES
local_umask=022
use_localtime=NO
syslog_enable=NO
xferlog_enable=YES
xferlog_std_format=NO
log_ftp_protocol=YES
vsftpd_log_file=$RUN/logs/$MODULE.$1.vsftpd.log
max_clients=50
EOF
    vsftpd_strict_tls "$c"
  } >"$RUN/conf/$MODULE.$1.conf"
}

launch() { # name binary args... (own session, detached; pidfile = "pid binary")
  local name=$1 bin=$2; shift 2
  local log="$RUN/logs/$MODULE.$name.log"
  echo "=== $(date -u +%FT%TZ) start $bin $*" >>"$log"
  setsid "$bin" "$@" </dev/null >>"$log" 2>&1 &
  echo "$! $bin" >"$(pidfile "$name")"
}

start_one() { # name host port
  local name=$1 host=$2 port=$3 c="$RUN/certs" pw="$RUN/secrets/xfsuser.password"
  local common=(--host "$host" --port "$port" --user xfsuser --password-file "$pw")
  case $name in
    pyftpd-plain) launch "$name" "$PY" "$BIN/pyftpd.py" --config plain "${common[@]}" --pasv 43000-43019 \
                    --root "$DATA/$name/home" --anon-root "$DATA/$name/anon" ;;
    pyftpd-bounce) launch "$name" "$PY" "$BIN/pyftpd.py" --config bounce "${common[@]}" --pasv 43020-43039 \
                    --root "$DATA/$name/home" --anon-root "$DATA/$name/anon" ;;
    pyftpd-tls) launch "$name" "$PY" "$BIN/pyftpd.py" --config tls "${common[@]}" --pasv 43040-43059 \
                    --root "$DATA/$name/home" --cert "$c/good.crt" --key "$c/good.key" ;;
    pyftpd-lax) launch "$name" "$PY" "$BIN/pyftpd.py" --config tls-lax "${common[@]}" --pasv 43060-43079 \
                    --root "$DATA/$name/home" --anon-root "$DATA/$name/anon" --cert "$c/good.crt" --key "$c/good.key" ;;
    pyftpd-implicit) launch "$name" "$PY" "$BIN/pyftpd.py" --config implicit "${common[@]}" --pasv 43080-43099 \
                    --root "$DATA/$name/home" --cert "$c/good.crt" --key "$c/good.key" ;;
    pyftpd-ipv6) launch "$name" "$PY" "$BIN/pyftpd.py" --config plain "${common[@]}" --pasv 43100-43119 \
                    --root "$DATA/$name/home" ;;
    twisted-ftpd) launch "$name" "$PY" "$BIN/twisted_ftpd.py" "${common[@]}" --pasv 43120-43139 \
                    --root "$DATA/$name/home" --anon-root "$DATA/$name/anon" ;;
    aioftp-implicit) launch "$name" "$PY" "$BIN/aioftp_server.py" "${common[@]}" --pasv 43140-43159 \
                    --root "$DATA/$name/home" --cert "$c/good.crt" --key "$c/good.key" ;;
    # GNU inetutils ftpd: stock options (its greeting names "GNU inetutils 2.4"); system accounts
    # (xfsuser) and anonymous through the system's "ftp" account, as the package would do.
    inetutils-ftpd) launch "$name" "$PY" "$BIN/inetd.py" "$host" "$port" "$PREFIX/usr/sbin/ftpd" -l ;;
    # netkit ftpd-ssl: -P permits PORT to any address (FTP bounce); TLS offered (AUTH TLS/SSL 234)
    # with a certificate it does not load in this build: every handshake fails (no shared cipher).
    netkit-ftpd-ssl) launch "$name" "$PY" "$BIN/inetd.py" "$host" "$port" "$PREFIX/usr/sbin/in.ftpd" -l -P \
                    -z "cert=$c/good.crt" -z "key=$c/good.key" ;;
    vsftpd-ipv6) write_vsftpd_ipv6_conf "$name" "$port" 43160 43179
                 OPENSSL_CONF="$RUN/conf/openssl-tls12.cnf" launch "$name" /usr/sbin/vsftpd "$RUN/conf/$MODULE.$name.conf" ;;
    smtpd-220) launch "$name" "$PY" -W ignore::DeprecationWarning -m smtpd -n -c DebuggingServer "$host:$port" ;;
    *) die "unknown endpoint $name" ;;
  esac
}

stop_one() {
  local name=$1 f pid bin i
  f=$(pidfile "$name")
  [ -s "$f" ] || return 0
  read -r pid bin <"$f" || true
  if pid_alive "$name"; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 30); do running "$pid" || break; sleep 0.1; done
    if running "$pid"; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; fi
    say "stopped $name (pid $pid)"
  fi
  rm -f "$f"
}

version_of() { # package -> version string of the installed/unpacked package
  local v
  v=$(dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true)
  [ -n "$v" ] || v=$(cat "$PREFIX/.unpacked-$1" 2>/dev/null || echo "?")
  echo "$v"
}

write_manifest() {
  local pu="$RUN/secrets/xfsuser.password" v_py v_tw v_aio v_inet v_netkit v_vs
  v_py=$(version_of python3-pyftpdlib); v_tw=$(version_of python3-twisted); v_aio=$(version_of python3-aioftp)
  v_inet=$(version_of inetutils-ftpd); v_netkit=$(version_of ftpd-ssl); v_vs=$(version_of vsftpd)
  # common fields: host port software expectedService tlsRequired anonymous passiveRange
  ep() { # name host port software service tlsRequired anonymous passive tlsCert implementation ipv6 behaviours notes
    printf '  {"name":"%s","host":"%s","port":%s,"software":"%s","expectedService":%s,"expectedState":"open","tlsRequired":%s,"anonymous":%s,"passiveRange":%s,"masqueradeAddress":null,"user":%s,"passwordFile":%s,"tlsCertificate":%s,"implementation":"%s","ipv6":%s,"module":"%s","behaviours":%s,\n   "notes":"%s"}' \
      "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$( [ "$5" = null ] && echo null || echo '"xfsuser"')" "$( [ "$5" = null ] && echo null || echo "\"$pu\"")" "$9" "${10}" "${11}" "$MODULE" "${12}" "${13}"
  }
  {
    echo "["
    ep pyftpd-plain 127.0.0.1 23021 pyftpdlib '"ftp"' false true '[43000,43019]' null "pyftpdlib $v_py" false \
      '["anonymous-read","active-connects-before-reply","bounce-refused"]' \
      "plain FTP, no TLS; anonymous read-only; PORT/EPRT to a foreign address refused (501); active data connection opened while PORT/EPRT is read, before the 200 reply"; echo ","
    ep pyftpd-bounce 127.0.0.1 23022 pyftpdlib '"ftp"' false true '[43020,43039]' null "pyftpdlib $v_py" false \
      '["anonymous-write","bounce-allowed","active-connects-before-reply"]' \
      "deliberately broken plain FTP: permit_foreign_addresses=True (FTP bounce: the server connects to any PORT/EPRT address, 425 when nothing listens there), anonymous users may upload"; echo ","
    ep pyftpd-tls 127.0.0.1 23023 pyftpdlib '"ftps-explicit"' true false '[43040,43059]' '"good"' "pyftpdlib $v_py" false \
      '["tls-required","prot-c-data-refused","active-connects-before-reply","no-ccc","reuse-not-required"]' \
      "good explicit FTPS: tls_control_required (USER before AUTH: 550), tls_data_required (PASV/EPSV/PORT/EPRT refused 550 unless PROT P); no CCC (502); no session reuse required; anonymous off"; echo ","
    ep pyftpd-lax 127.0.0.1 23024 pyftpdlib '"ftps-explicit"' false true '[43060,43079]' '"good"' "pyftpdlib $v_py" false \
      '["tls-optional","prot-c-allowed","anonymous-read","active-connects-before-reply","no-ccc"]' \
      "lax explicit FTPS: TLS optional for login and data (PROT C transfers work), anonymous read-only in clear and over TLS"; echo ","
    ep pyftpd-implicit 127.0.0.1 23990 pyftpdlib '"ftps-implicit"' true false '[43080,43099]' '"good"' "pyftpdlib $v_py" false \
      '["implicit-tls","prot-p-default","active-connects-before-reply"]' \
      "implicit FTPS (TLS on connect, pyftpdlib's recipe); data protected by default, PROT C accepted but data commands then refused (550)"; echo ","
    ep pyftpd-ipv6 ::1 23026 pyftpdlib '"ftp"' false false '[43100,43119]' null "pyftpdlib $v_py" true \
      '["ipv6","active-connects-before-reply"]' \
      "plain FTP on [::1] only: EPSV/EPRT over IPv6 (PASV/PORT are IPv4-only)"; echo ","
    ep twisted-ftpd 127.0.0.1 23031 twisted '"ftp"' false true '[43120,43139]' null "Twisted $v_tw" false \
      '["anonymous-read","bounce-allowed","no-epsv","active-connects-before-reply"]' \
      "Twisted's FTP server: plain FTP (no TLS), anonymous read-only, PASV and PORT only (no EPSV/EPRT), PORT connects to any address (bounce) before replying"; echo ","
    ep aioftp-implicit 127.0.0.1 23991 aioftp '"ftps-implicit"' true false '[43140,43159]' '"good"' "aioftp $v_aio" false \
      '["implicit-tls","pbsz-prot-503-before-login","prot-c-refused","no-active"]' \
      "aioftp: implicit FTPS, every passive data connection TLS; PBSZ/PROT before login: 503 bad sequence; PROT C 502; no PORT/EPRT"; echo ","
    ep inetutils-ftpd 127.0.0.1 23041 inetutils-ftpd '"ftp"' false true null null "GNU inetutils ftpd $v_inet" false \
      '["anonymous-read","bounce-refused","software-in-greeting","system-accounts"]' \
      "GNU inetutils ftpd 2.4 (inetd-style, system accounts): plain FTP, greeting names the software, anonymous through the system ftp account (no /etc/ftpusers), PORT to another host refused; passive ports: kernel-chosen"; echo ","
    ep netkit-ftpd-ssl 127.0.0.1 23051 netkit-ftpd '"ftp"' false true null null "netkit ftpd-ssl $v_netkit" false \
      '["auth-tls-234-handshake-fails","bounce-allowed","anonymous-read","system-accounts"]' \
      "netkit ftpd-ssl 0.17 (Linux-ftpd; inetd-style, system accounts, PAM service ftp with pam_ftp: anonymous allowed) with -P: PORT to any address accepted (bounce); AUTH TLS/SSL answered 234 but every handshake fails (this build loads no certificate: no shared cipher), so in effect cleartext FTP"; echo ","
    ep vsftpd-ipv6 ::1 23027 vsftpd '"ftps-explicit"' true false '[43160,43179]' '"good"' "vsftpd $v_vs" true \
      '["ipv6","tls-required","reuse-required"]' \
      "vsftpd on [::1] only (listen_ipv6): explicit FTPS with TLS required for login and data, session reuse required, TLS 1.2+"; echo ","
    ep smtpd-220 127.0.0.1 23025 python-smtpd null null false null null "Python smtpd (stdlib)" false \
      '["not-ftp","greets-220"]' \
      "an SMTP server (Python's smtpd DebuggingServer): greets with 220 but is not FTP"
    echo
    echo "]"
  } >"$RUN/endpoints.$MODULE.json.tmp"
  mv "$RUN/endpoints.$MODULE.json.tmp" "$RUN/endpoints.$MODULE.json"
}

cmd_start() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  check_ready
  ensure_data
  write_manifest
  local started=() waiting=() e name host port i
  for e in "${ENDPOINTS[@]}"; do
    name=$(name_of "$e"); host=$(host_of_entry "$e"); port=$(port_of_entry "$e")
    if port_open "$host" "$port"; then
      if pid_alive "$name"; then say "$name already running on $host:$port"
      else die "$host:$port is held by a process this module did not start ($(port_holder "$host" "$port")): stop it first"; fi
      continue
    fi
    stop_one "$name"
    start_one "$name" "$host" "$port"
    started+=("$name")
  done
  for name in ${started[@]+"${started[@]}"}; do
    e=$(entry_of "$name"); host=$(host_of_entry "$e"); port=$(port_of_entry "$e")
    for i in $(seq 1 100); do
      port_open "$host" "$port" && break
      pid_alive "$name" || break
      sleep 0.1
    done
    port_open "$host" "$port" || { tail -20 "$RUN/logs/$MODULE.$name.log" >&2 || true; die "$name did not come up on $host:$port"; }
  done
  [ ${#started[@]} -eq 0 ] || say "started ${started[*]}"
  if [ ${#started[@]} -gt 0 ]; then echo "LAB_MODULE_STARTED=$MODULE"; fi
}

cmd_stop() {
  local e
  for e in "${ENDPOINTS[@]}"; do stop_one "$(name_of "$e")"; done
}

cmd_status() {
  local e name host port up=0 total=0 state proc
  for e in "${ENDPOINTS[@]}"; do
    name=$(name_of "$e"); host=$(host_of_entry "$e"); port=$(port_of_entry "$e"); total=$((total + 1))
    if pid_alive "$name"; then proc="pid $(cut -d' ' -f1 "$(pidfile "$name")")"; else proc="not started by $MODULE"; fi
    if port_open "$host" "$port"; then state=up; up=$((up + 1)); else state=down; fi
    printf '%-16s %-10s %-5s %-4s (%s)\n' "$name" "$host" "$port" "$state" "$proc"
  done
  [ "$up" = "$total" ] || return 3
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  names) for e in "${ENDPOINTS[@]}"; do name_of "$e"; done ;;
  *) echo "usage: $0 install|start|stop|status|names" >&2; exit 2 ;;
esac
