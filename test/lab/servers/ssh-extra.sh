#!/usr/bin/env bash
# Lab module ssh-extra: SSH/SFTP server implementations beyond the core lab's OpenSSH 9.2, for
# the differential tests (test/integration/differential-ssh.test.ts) — see test/lab/servers/README.md.
#
#   ssh-extra.sh install|start|stop|status
#
# | name                | address          | software                    | behaviour                                                |
# | dropbear            | 127.0.0.1:22100  | Dropbear 2022.83            | full shell account, sftp = OpenSSH sftp-server           |
# | dropbear-forcedcmd  | 127.0.0.1:22101  | Dropbear 2022.83 -c -j -k   | forced command sftp-server: exec exits 0, runs nothing   |
# | proftpd-sftp        | 127.0.0.1:22102  | ProFTPD 1.3.8 mod_sftp      | SFTP only; direct-tcpip: unknown channel type (3)        |
# | paramiko-onechan    | 127.0.0.1:22110  | paramiko 2.12 (scripted)    | one session channel per connection; full shell           |
# | paramiko-fakeexec   | 127.0.0.1:22111  | paramiko 2.12 (scripted)    | exec exits 0 without running; shell/forwarding refused   |
# | paramiko-abort      | 127.0.0.1:22112  | paramiko 2.12 (scripted)    | drops the connection when a channel opens after a close  |
# | paramiko-fwd-allow  | 127.0.0.1:22113  | paramiko 2.12 (scripted)    | exec/shell refused, direct-tcpip works; GEX drops the conn |
# | paramiko-fwd-policy | 127.0.0.1:22114  | paramiko 2.12 (scripted)    | exec/shell refused, direct-tcpip refused by policy (1)   |
# | tinysshd            | 127.0.0.1:22120  | tinysshd 20230101 (tcpserver)| publickey only, one session channel, no strict kex      |
# | sshd-ipv6           | [::1]:22130      | OpenSSH 9.2                 | hardened lists; xfssftp ForceCommand but forwarding left |
#
# Users: the core lab's xfsuser / xfssftp (lab.sh start creates them and their password files);
# tinysshd takes keys only: $RUN/ssh-extra/keys/xfsuser_ed25519 is put in xfsuser's authorized_keys.
# Manifest: $RUN/endpoints.ssh-extra.json. Logs: $RUN/logs/ssh-extra.NAME.log.
set -euo pipefail

MOD=ssh-extra
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB_DIR="$(dirname "$HERE")"
RUN="${XFS_LAB_RUN:-$LAB_DIR/.run}"
PREFIX="${XFS_LAB_PREFIX:-/opt/xferscan-lab/root}"
LAB_HOME="$(dirname "$PREFIX")"
CHROOT="$LAB_HOME/chroot/xfssftp"  # made by lab.sh (core)
D="$RUN/$MOD"                       # confs, keys, state of this module
HOST=127.0.0.1
PY=/usr/bin/python3
SFTP_SERVER=/usr/lib/openssh/sftp-server

say() { printf '[%s] %s\n' "$MOD" "$*"; }
die() { printf '[%s] ERROR: %s\n' "$MOD" "$*" >&2; exit 1; }

# name:host:port (host [::1] is written as ::1)
ENDPOINTS=(
  dropbear:127.0.0.1:22100
  dropbear-forcedcmd:127.0.0.1:22101
  proftpd-sftp:127.0.0.1:22102
  paramiko-onechan:127.0.0.1:22110
  paramiko-fakeexec:127.0.0.1:22111
  paramiko-abort:127.0.0.1:22112
  paramiko-fwd-allow:127.0.0.1:22113
  paramiko-fwd-policy:127.0.0.1:22114
  tinysshd:127.0.0.1:22120
  sshd-ipv6:::1:22130
)
# processes (one per pidfile): the paramiko process serves every paramiko-* endpoint
PROCS=(dropbear dropbear-forcedcmd proftpd-sftp paramiko tinysshd sshd-ipv6)

ep_name() { echo "${1%%:*}"; }
ep_port() { echo "${1##*:}"; }
ep_host() { local x=${1#*:}; echo "${x%:*}"; }
proc_of() { case $1 in paramiko-*) echo paramiko ;; *) echo "$1" ;; esac; }

# ---------------------------------------------------------------- install
APT=(
  "/usr/sbin/dropbear:dropbear-bin"
  "$SFTP_SERVER:openssh-sftp-server"
  "/usr/lib/python3/dist-packages/paramiko/__init__.py:python3-paramiko"
  "/usr/bin/sshpass:sshpass"
  "/usr/sbin/tinysshd:tinysshd"
  "/usr/bin/tcpserver:ucspi-tcp"
  "/usr/sbin/sshd:openssh-server"
  "/usr/bin/ssh-keyscan:openssh-client"
)

cmd_install() {
  local e missing=()
  for e in "${APT[@]}"; do [ -e "${e%%:*}" ] || missing+=("${e#*:}"); done
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "must run as root to apt-get install ${missing[*]}"
    say "apt-get install ${missing[*]}"
    mkdir -p "$LAB_HOME"
    # no package may start a service (tinysshd ships a socket unit for port 22 on every address)
    local policy=/usr/sbin/policy-rc.d created=0
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\n# temporary, created by xferscan test/lab/servers/%s.sh\nexit 101\n' "$MOD" >"$policy"
      chmod 755 "$policy"; created=1
    fi
    local rc=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" \
      >"$LAB_HOME/apt-install-$MOD.log" 2>&1 || rc=$?
    if [ "$created" = 1 ]; then rm -f "$policy"; fi
    [ "$rc" = 0 ] || { tail -20 "$LAB_HOME/apt-install-$MOD.log" >&2; die "apt-get install failed (log: $LAB_HOME/apt-install-$MOD.log)"; }
    if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
      systemctl disable --now tinysshd.socket >/dev/null 2>&1 || true   # the lab runs its own, on loopback
    fi
    for e in "${APT[@]}"; do [ -e "${e%%:*}" ] || die "${e%%:*} still missing after installing ${e#*:}"; done
  fi
  # mod_sftp.so ships in proftpd-mod-crypto, which the core install.sh unpacks into $PREFIX
  if [ ! -f "$PREFIX/usr/lib/proftpd/mod_sftp.so" ]; then
    [ "$(id -u)" = 0 ] || die "must run as root to unpack proftpd-mod-crypto"
    say "apt-get download proftpd-core proftpd-mod-crypto + dpkg -x -> $PREFIX"
    mkdir -p "$LAB_HOME/debs" "$PREFIX"
    (cd "$LAB_HOME/debs" && apt-get download -q proftpd-core proftpd-mod-crypto >"$LAB_HOME/apt-download-$MOD.log" 2>&1) \
      || die "apt-get download failed (log: $LAB_HOME/apt-download-$MOD.log)"
    local deb
    for deb in "$LAB_HOME/debs"/proftpd-core_*.deb "$LAB_HOME/debs"/proftpd-mod-crypto_*.deb; do dpkg -x "$deb" "$PREFIX"; done
  fi
  say "installed (dropbear, sftp-server, paramiko, sshpass, tinysshd, tcpserver, ProFTPD mod_sftp)"
}

# ---------------------------------------------------------------- helpers
port_open() { # host port
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

running() {
  local st
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

pidfile() { echo "$RUN/pids/$MOD.$1.pid"; }

pid_alive() { # proc -> true if our pidfile points at a live process of the right binary
  local f pid bin
  f=$(pidfile "$1")
  [ -s "$f" ] || return 1
  read -r pid bin <"$f" || true
  [ -n "${pid:-}" ] && running "$pid" || return 1
  [ -z "${bin:-}" ] || [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$bin" ]
}

launch() { # proc binary args... (own session, so stop can signal the whole group)
  local proc=$1 bin=$2; shift 2
  local log="$RUN/logs/$MOD.$proc.log"
  echo "=== $(date -u +%FT%TZ) start $bin $*" >>"$log"
  setsid "$bin" "$@" </dev/null >>"$log" 2>&1 &
  echo "$! $(readlink -f "$bin")" >"$(pidfile "$proc")"
}

stop_proc() {
  local f pid bin i
  f=$(pidfile "$1")
  [ -s "$f" ] || return 0
  read -r pid bin <"$f" || true
  if pid_alive "$1"; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 30); do running "$pid" || break; sleep 0.1; done
    if running "$pid"; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; fi
    say "stopped $1 (pid $pid)"
  fi
  rm -f "$f"
}

proc_endpoints() { # proc -> its endpoint entries
  local e
  for e in "${ENDPOINTS[@]}"; do [ "$(proc_of "$(ep_name "$e")")" = "$1" ] && echo "$e"; done
  return 0
}

proc_up() { # proc -> true if every endpoint of it accepts TCP
  local e
  while read -r e; do port_open "$(ep_host "$e")" "$(ep_port "$e")" || return 1; done < <(proc_endpoints "$1")
}

proc_any_up() {
  local e
  while read -r e; do port_open "$(ep_host "$e")" "$(ep_port "$e")" && return 0; done < <(proc_endpoints "$1")
  return 1
}

# ---------------------------------------------------------------- keys, users
ensure_keys() {
  local k="$D/keys"
  mkdir -p "$k"; chmod 700 "$k"
  # dropbear: its own key format
  [ -f "$k/dropbear_ed25519" ] || dropbearkey -t ed25519 -f "$k/dropbear_ed25519" >/dev/null 2>&1
  [ -f "$k/dropbear_ecdsa521" ] || dropbearkey -t ecdsa -s 521 -f "$k/dropbear_ecdsa521" >/dev/null 2>&1
  [ -f "$k/dropbear_rsa2048" ] || dropbearkey -t rsa -s 2048 -f "$k/dropbear_rsa2048" >/dev/null 2>&1
  # ProFTPD mod_sftp: ed25519 (OpenSSH format), RSA and ECDSA in PEM
  [ -f "$k/proftpd_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "$MOD proftpd" -f "$k/proftpd_ed25519"
  [ -f "$k/proftpd_rsa2048" ] || ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -C "$MOD proftpd" -f "$k/proftpd_rsa2048"
  [ -f "$k/proftpd_ecdsa384" ] || ssh-keygen -q -t ecdsa -b 384 -m PEM -N '' -C "$MOD proftpd" -f "$k/proftpd_ecdsa384"
  # paramiko (all paramiko-* endpoints): ed25519, RSA-3072, ECDSA P-256
  [ -f "$k/paramiko_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "$MOD paramiko" -f "$k/paramiko_ed25519"
  [ -f "$k/paramiko_rsa3072" ] || ssh-keygen -q -t rsa -b 3072 -N '' -C "$MOD paramiko" -f "$k/paramiko_rsa3072"
  [ -f "$k/paramiko_ecdsa256" ] || ssh-keygen -q -t ecdsa -b 256 -N '' -C "$MOD paramiko" -f "$k/paramiko_ecdsa256"
  # tinysshd: its own key directory (ed25519 only in this version)
  [ -f "$k/tinysshd/ed25519.pk" ] || tinysshd-makekey "$k/tinysshd" >/dev/null
  # OpenSSH on ::1: ed25519 and ECDSA P-384
  [ -f "$k/sshd6_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "$MOD sshd-ipv6" -f "$k/sshd6_ed25519"
  [ -f "$k/sshd6_ecdsa384" ] || ssh-keygen -q -t ecdsa -b 384 -N '' -C "$MOD sshd-ipv6" -f "$k/sshd6_ecdsa384"
  # client key of xfsuser for tinysshd (publickey only)
  [ -f "$k/xfsuser_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "xfsuser@$MOD" -f "$k/xfsuser_ed25519"
  chmod 600 "$k"/*_ed25519 "$k"/*_rsa* "$k"/*_ecdsa* 2>/dev/null || true
  chmod 644 "$k"/*.pub
}

ensure_users() {
  local u
  for u in xfsuser xfssftp; do
    getent passwd "$u" >/dev/null || die "user $u missing: start the core lab first (bash test/lab/lab.sh start)"
    [ -s "$RUN/secrets/$u.password" ] || die "$RUN/secrets/$u.password missing: start the core lab first"
  done
  # tinysshd reads ~/.ssh/authorized_keys; the key line is added once (other keys are kept)
  local home pub
  home=$(getent passwd xfsuser | cut -d: -f6)
  pub=$(cut -d' ' -f1,2 "$D/keys/xfsuser_ed25519.pub")
  install -d -m 700 -o xfsuser -g xfslab "$home/.ssh"
  touch "$home/.ssh/authorized_keys"
  grep -qF "$pub" "$home/.ssh/authorized_keys" || echo "$pub xfsuser@$MOD" >>"$home/.ssh/authorized_keys"
  chown xfsuser:xfslab "$home/.ssh/authorized_keys"; chmod 600 "$home/.ssh/authorized_keys"
}

# ---------------------------------------------------------------- configs
write_proftpd_conf() {
  local f="$D/conf/proftpd-sftp.conf" k="$D/keys"
  mkdir -p "$D/proftpd"
  cat >"$f" <<EOF
# generated by test/lab/servers/$MOD.sh (proftpd-sftp)
ServerName            "xferscan lab ProFTPD mod_sftp"
ServerType            standalone
DefaultServer         on
Port                  22102
DefaultAddress        $HOST
SocketBindTight       on
UseIPv6               off
User                  nobody
Group                 nogroup
Umask                 022
MaxInstances          50
PidFile               $D/proftpd/proftpd.pid
ScoreboardFile        $D/proftpd/scoreboard
DelayTable            $D/proftpd/delay
WtmpLog               off
UseReverseDNS         off
UseLastlog            off
SystemLog             $RUN/logs/$MOD.proftpd-sftp.system.log
DebugLevel            0
ControlsEngine        off
AuthPAM               off
AuthOrder             mod_auth_unix.c
RequireValidShell     off
UseFtpUsers           off
DefaultRoot           ~
AllowOverwrite        on

ModulePath            $PREFIX/usr/lib/proftpd
LoadModule            mod_sftp.c

<IfModule mod_sftp.c>
  SFTPEngine          on
  SFTPLog             $RUN/logs/$MOD.proftpd-sftp.sftp.log
  SFTPHostKey         $k/proftpd_ed25519
  SFTPHostKey         $k/proftpd_rsa2048
  SFTPHostKey         $k/proftpd_ecdsa384
  SFTPAuthMethods     password
  SFTPDHParamFile     $PREFIX/etc/proftpd/dhparams.pem
  SFTPCompression     delayed
</IfModule>
EOF
  "$PREFIX/usr/sbin/proftpd" -t -c "$f" >"$RUN/logs/$MOD.proftpd-sftp.configtest.log" 2>&1 \
    || { cat "$RUN/logs/$MOD.proftpd-sftp.configtest.log" >&2; die "proftpd -t rejected $f"; }
}

write_sshd6_conf() {
  local f="$D/conf/sshd-ipv6.sshd_config" k="$D/keys"
  cat >"$f" <<EOF
# generated by test/lab/servers/$MOD.sh (sshd-ipv6): OpenSSH on [::1] with hardened algorithm
# lists; xfssftp gets ForceCommand internal-sftp in a chroot but forwarding was left on (the
# common mistake: no DisableForwarding / AllowTcpForwarding no).
Port 22130
ListenAddress ::1
PidFile $D/sshd-ipv6.pid
HostKey $k/sshd6_ed25519
HostKey $k/sshd6_ecdsa384
KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512
Ciphers aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes128-ctr
MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com
HostKeyAlgorithms ssh-ed25519,ecdsa-sha2-nistp384
Compression no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
PermitEmptyPasswords no
UsePAM no
StrictModes no
AllowUsers xfsuser xfssftp
PrintMotd no
LogLevel VERBOSE
MaxStartups 50:30:200
Subsystem sftp internal-sftp
Match User xfssftp
    ForceCommand internal-sftp
    ChrootDirectory $CHROOT
    PermitTTY no
EOF
  /usr/sbin/sshd -t -f "$f" 2>"$RUN/logs/$MOD.sshd-ipv6.configtest.log" \
    || { cat "$RUN/logs/$MOD.sshd-ipv6.configtest.log" >&2; die "sshd -t rejected $f"; }
}

write_paramiko_conf() {
  local f="$D/conf/paramiko.json" k="$D/keys"
  local keys="[\"$k/paramiko_ed25519\",\"$k/paramiko_rsa3072\",\"$k/paramiko_ecdsa256\"]"
  # hardened: no SHA-1 kex, no CBC, no SHA-1/MD5 MACs, no ssh-rsa/ssh-dss signatures
  local hard='{"kex":["diffie-hellman-group1-sha1","diffie-hellman-group14-sha1","diffie-hellman-group-exchange-sha1"],"ciphers":["aes128-cbc","aes192-cbc","aes256-cbc","3des-cbc"],"macs":["hmac-sha1","hmac-md5","hmac-sha1-96","hmac-md5-96"],"keys":["ssh-rsa","ssh-dss"]}'
  # group-exchange primes of 2048 and 3072 bits only: paramiko computes in Python, and an 8192-bit
  # group (what OpenSSH's client asks for) costs seconds of CPU per connection
  awk '$5 ~ /^[0-9]+$/ && $5 < 4000' /etc/ssh/moduli >"$D/conf/paramiko.moduli"
  cat >"$f" <<EOF
{
  "moduli": "$D/conf/paramiko.moduli",
  "users": {"xfsuser": "$RUN/secrets/xfsuser.password", "xfssftp": "$RUN/secrets/xfssftp.password"},
  "listeners": [
    {"name": "paramiko-onechan", "host": "$HOST", "port": 22110, "hostkeys": $keys, "disabled_algorithms": $hard,
     "behaviour": {"sessions_per_connection": 1, "exec": "run", "shell": "run", "forward": "deny"}},
    {"name": "paramiko-fakeexec", "host": "$HOST", "port": 22111, "hostkeys": $keys, "disabled_algorithms": null,
     "behaviour": {"exec": "fake0", "shell": "deny", "forward": "deny"}},
    {"name": "paramiko-abort", "host": "$HOST", "port": 22112, "hostkeys": $keys, "disabled_algorithms": $hard,
     "behaviour": {"abort_after_close": 3, "exec": "run", "shell": "run", "forward": "allow"}},
    {"name": "paramiko-fwd-allow", "host": "$HOST", "port": 22113, "hostkeys": $keys, "disabled_algorithms": null,
     "behaviour": {"exec": "deny", "shell": "deny", "forward": "allow", "gex": "no-moduli"}},
    {"name": "paramiko-fwd-policy", "host": "$HOST", "port": 22114, "hostkeys": $keys, "disabled_algorithms": $hard,
     "behaviour": {"exec": "deny", "shell": "deny", "forward": "deny"}}
  ]
}
EOF
}

# ---------------------------------------------------------------- start one process
start_proc() {
  local k="$D/keys"
  case $1 in
    dropbear)
      launch dropbear /usr/sbin/dropbear -F -E -p "$HOST:22100" -P "$D/dropbear.pid" \
        -r "$k/dropbear_ed25519" -r "$k/dropbear_ecdsa521" -r "$k/dropbear_rsa2048" ;;
    dropbear-forcedcmd)
      # -c: every session runs sftp-server whatever the client asked (exec and shell too);
      # -j -k: no port forwarding. Only an ed25519 key (this dropbear still advertises RSA).
      launch dropbear-forcedcmd /usr/sbin/dropbear -F -E -p "$HOST:22101" -P "$D/dropbear-forcedcmd.pid" \
        -r "$k/dropbear_ed25519" -c "$SFTP_SERVER" -j -k ;;
    proftpd-sftp)
      write_proftpd_conf
      launch proftpd-sftp "$PREFIX/usr/sbin/proftpd" -n -c "$D/conf/proftpd-sftp.conf" ;;
    paramiko)
      write_paramiko_conf
      launch paramiko "$PY" "$HERE/ssh-extra-paramiko.py" "$D/conf/paramiko.json" ;;
    tinysshd)
      # tcpserver: -H -R no DNS/ident lookups, -D no Nagle, -l0 no local name, -c 40 connections
      launch tinysshd /usr/bin/tcpserver -HRD -l0 -c 40 "$HOST" 22120 \
        /usr/sbin/tinysshd -v -x "sftp=$SFTP_SERVER" "$k/tinysshd" ;;
    sshd-ipv6)
      write_sshd6_conf
      mkdir -p /run/sshd && chmod 755 /run/sshd
      launch sshd-ipv6 /usr/sbin/sshd -D -f "$D/conf/sshd-ipv6.sshd_config" -E "$RUN/logs/$MOD.sshd-ipv6.sshd.log" ;;
    *) die "unknown process $1" ;;
  esac
}

# ---------------------------------------------------------------- manifest
write_manifest() {
  local pu="$RUN/secrets/xfsuser.password" ps="$RUN/secrets/xfssftp.password" key="$D/keys/xfsuser_ed25519"
  local common='"expectedService":"sftp","expectedState":"open","tlsRequired":null,"anonymous":false,"passiveRange":null,"masqueradeAddress":null,"tlsCertificate":null,"module":"ssh-extra"'
  local dbv pv tv
  dbv=$(dpkg-query -W -f='${Version}' dropbear-bin 2>/dev/null || echo '?')
  pv=$(dpkg-query -W -f='${Version}' python3-paramiko 2>/dev/null || echo '?')
  tv=$(dpkg-query -W -f='${Version}' tinysshd 2>/dev/null || echo '?')
  cat >"$RUN/endpoints.$MOD.json.tmp" <<EOF
[
  {"name":"dropbear","host":"$HOST","port":22100,"software":"dropbear","implementation":"Dropbear $dbv","ipv6":false,$common,"user":"xfsuser","passwordFile":"$pu",
   "behaviours":["shell-account","exec-runs","shell-runs","forwarding-allowed","sftp-server-subsystem"],
   "notes":"Dropbear with OpenSSH's sftp-server as its SFTP subsystem; host keys ed25519, ecdsa-521, rsa-2048; xfsuser has a full shell, exec and port forwarding"},
  {"name":"dropbear-forcedcmd","host":"$HOST","port":22101,"software":"dropbear","implementation":"Dropbear $dbv","ipv6":false,$common,"user":"xfsuser","passwordFile":"$pu",
   "behaviours":["forced-command","exec-exit0-without-running","shell-refused","forwarding-refused-policy","advertises-rsa-without-key"],
   "notes":"dropbear -c $SFTP_SERVER -j -k: every session runs sftp-server (exec and shell exit without running the command; exec of a command exits 0), no port forwarding (reason 1); only an ed25519 host key although rsa-sha2-256/ssh-rsa are advertised (asking for them makes the child abort)"},
  {"name":"proftpd-sftp","host":"$HOST","port":22102,"software":"proftpd","implementation":"ProFTPD 1.3.8 mod_sftp","ipv6":false,$common,"user":"xfssftp","passwordFile":"$ps",
   "behaviours":["sftp-only","exec-refused","shell-refused","forwarding-unknown-channel-type","password-only","zlib-before-auth"],
   "notes":"ProFTPD mod_sftp (SFTP only; DefaultRoot ~): exec and shell requests refused, direct-tcpip answered 'unknown channel type' (reason 3: forwarding does not exist); password auth only; lax default algorithm lists (CBC, SHA-1, rsa1024-sha1) with strict kex; xfsuser (passwordFile $pu) works too"},
  {"name":"paramiko-onechan","host":"$HOST","port":22110,"software":"paramiko","implementation":"paramiko $pv (scripted)","ipv6":false,$common,"user":"xfsuser","passwordFile":"$pu",
   "behaviours":["one-session-per-connection","exec-runs","shell-runs","forwarding-refused-policy","hardened-lists"],
   "notes":"scripted: a second session channel on one connection is refused (reason 1) while a fresh connection gets a full exec/shell; forwarding refused by policy; SHA-1/CBC/MD5/ssh-rsa disabled"},
  {"name":"paramiko-fakeexec","host":"$HOST","port":22111,"software":"paramiko","implementation":"paramiko $pv (scripted)","ipv6":false,$common,"user":"xfssftp","passwordFile":"$ps",
   "behaviours":["exec-exit0-without-running","shell-refused","forwarding-refused-policy","default-lists"],
   "notes":"scripted: exec is accepted and exits 0 without running anything (like a forced command); shell request refused; forwarding refused by policy; paramiko's default (lax) algorithm lists"},
  {"name":"paramiko-abort","host":"$HOST","port":22112,"software":"paramiko","implementation":"paramiko $pv (scripted)","ipv6":false,$common,"user":"xfsuser","passwordFile":"$pu",
   "behaviours":["abort-on-channel-after-close","exec-runs","shell-runs","forwarding-allowed","hardened-lists"],
   "notes":"scripted: drops the TCP connection (no DISCONNECT) when a channel opens within 3 s after another channel of the same connection closed (as dropbear 2022.x can); on fresh connections exec, shell and forwarding all work"},
  {"name":"paramiko-fwd-allow","host":"$HOST","port":22113,"software":"paramiko","implementation":"paramiko $pv (scripted)","ipv6":false,$common,"user":"xfssftp","passwordFile":"$ps",
   "behaviours":["exec-refused","shell-refused","forwarding-allowed","default-lists","gex-offered-but-drops"],
   "notes":"scripted: exec and shell requests refused, direct-tcpip to a loopback target connects (reason 2 when nothing listens there); like paramiko without a moduli file it offers diffie-hellman-group-exchange-* but drops the connection when a client asks for a group"},
  {"name":"paramiko-fwd-policy","host":"$HOST","port":22114,"software":"paramiko","implementation":"paramiko $pv (scripted)","ipv6":false,$common,"user":"xfssftp","passwordFile":"$ps",
   "behaviours":["exec-refused","shell-refused","forwarding-refused-policy","hardened-lists"],
   "notes":"scripted: exec and shell requests refused, direct-tcpip refused by policy (reason 1)"},
  {"name":"tinysshd","host":"$HOST","port":22120,"software":"tinysshd","implementation":"tinysshd $tv (tcpserver)","ipv6":false,$common,"user":"xfsuser","passwordFile":null,"keyFile":"$key",
   "behaviours":["publickey-only","one-session-per-connection","exec-runs","shell-runs","no-strict-kex"],
   "notes":"tinysshd under tcpserver, sftp = OpenSSH sftp-server; publickey only (keyFile is xfsuser's key), one session channel per connection, chacha20-poly1305 without strict kex (Terrapin), ed25519 only"},
  {"name":"sshd-ipv6","host":"::1","port":22130,"software":"openssh","implementation":"OpenSSH 9.2 on [::1]","ipv6":true,$common,"user":"xfssftp","passwordFile":"$ps",
   "behaviours":["ipv6","hardened-lists","forced-internal-sftp","forwarding-allowed"],
   "notes":"OpenSSH on [::1] only, hardened lists (sntrup761/curve25519/dh16; AES-GCM/CTR; EtM SHA-2/UMAC-128; ed25519 + ecdsa-384); xfssftp has ForceCommand internal-sftp + chroot but forwarding left allowed; xfsuser (passwordFile $pu) has a shell"}
]
EOF
  mv "$RUN/endpoints.$MOD.json.tmp" "$RUN/endpoints.$MOD.json"
}

check_binaries() {
  local e
  for e in "${APT[@]}"; do [ -e "${e%%:*}" ] || die "${e%%:*} missing - run: bash test/lab/servers/$MOD.sh install (or test/lab/install.sh)"; done
  [ -f "$PREFIX/usr/lib/proftpd/mod_sftp.so" ] || die "$PREFIX/usr/lib/proftpd/mod_sftp.so missing - run: bash test/lab/install.sh"
}

# ---------------------------------------------------------------- verbs
cmd_start() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  local t0=$SECONDS p started=() waiting=() i
  check_binaries
  mkdir -p "$D/conf" "$RUN/pids" "$RUN/logs"
  ensure_keys
  ensure_users
  write_manifest
  for p in "${PROCS[@]}"; do
    if proc_up "$p"; then
      if pid_alive "$p"; then say "$p already running"
      else die "$p's ports are held by a process this module did not start: stop it first"; fi
      continue
    fi
    if proc_any_up "$p" && ! pid_alive "$p"; then
      die "some of $p's ports are held by a process this module did not start: stop it first"
    fi
    stop_proc "$p"
    start_proc "$p"
    started+=("$p"); waiting+=("$p")
  done
  for p in "${waiting[@]}"; do
    for i in $(seq 1 100); do
      proc_up "$p" && break
      pid_alive "$p" || break
      sleep 0.1
    done
    if proc_up "$p"; then
      say "started $p (pid $(cut -d' ' -f1 "$(pidfile "$p")"))"
    else
      tail -20 "$RUN/logs/$MOD.$p.log" >&2 || true
      die "$p did not come up (log: $RUN/logs/$MOD.$p.log)"
    fi
  done
  say "manifest: $RUN/endpoints.$MOD.json ($((SECONDS - t0))s)"
  if [ ${#started[@]} -gt 0 ]; then echo "LAB_MODULE_STARTED=$MOD"; fi
}

cmd_stop() {
  local p
  for p in "${PROCS[@]}"; do stop_proc "$p"; done
  # stopped endpoints leave the manifest too, so that no test expects them up
  rm -f "$RUN/endpoints.$MOD.json"
}

cmd_status() {
  local e name host port up=0 total=0 state proc
  for e in "${ENDPOINTS[@]}"; do
    name=$(ep_name "$e"); host=$(ep_host "$e"); port=$(ep_port "$e"); total=$((total + 1))
    if pid_alive "$(proc_of "$name")"; then proc="pid $(cut -d' ' -f1 "$(pidfile "$(proc_of "$name")")")"; else proc="not started by $MOD"; fi
    if port_open "$host" "$port"; then state=up; up=$((up + 1)); else state=down; fi
    printf '%-19s %s:%-5s %-4s (%s)\n' "$name" "$host" "$port" "$state" "$proc"
  done
  [ "$up" = "$total" ] || return 3
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
