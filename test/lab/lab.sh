#!/usr/bin/env bash
# xferscan test lab: real SFTP/FTPS/FTP servers on 127.0.0.1 high ports.
#
#   lab.sh start [name...]   start (idempotent: endpoints that already answer are left alone)
#   lab.sh stop  [name...]   stop what the lab started (pidfiles in the run dir)
#   lab.sh status            one line per endpoint; exit 0 if all are up, 3 otherwise
#   lab.sh names             list endpoint names
#
# Lab modules: every test/lab/servers/NAME.sh is a module with the same verbs (install, start,
# stop, status); it writes its own manifest $RUN/endpoints.NAME.json. `start`/`stop`/`status`
# without names run them after the core endpoints below; install.sh runs their `install`.
#
# Run dir (pids, configs, keys, certs, logs, endpoints.json): test/lab/.run
# (override with XFS_LAB_RUN). Binaries: install.sh (proftpd/pure-ftpd unpacked in
# /opt/xferscan-lab/root, override with XFS_LAB_PREFIX).
# `start` ends with a machine-readable line: LAB_STARTED=<comma-separated names>
set -euo pipefail

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$LAB_DIR/lib.sh"
RUN="${XFS_LAB_RUN:-$LAB_DIR/.run}"
PREFIX="${XFS_LAB_PREFIX:-/opt/xferscan-lab/root}"
LAB_HOME="$(dirname "$PREFIX")"
CHROOT_BASE="$LAB_HOME/chroot"          # every path component must be root-owned, not group/world-writable
CHROOT="$CHROOT_BASE/xfssftp"
HOST=127.0.0.1
CLOSED_PORT=21099

say() { printf '[lab] %s\n' "$*"; }
die() { printf '[lab] ERROR: %s\n' "$*" >&2; exit 1; }

# name:port
ENDPOINTS=(
  sshd-modern:22022
  sshd-legacy:22023
  sshd-sftponly:22024
  vsftpd-explicit:21021
  vsftpd-implicit:21990
  vsftpd-plain:21022
  vsftpd-lax:21025
  proftpd-tls:21023
  pureftpd-tls:21024
)

port_of() { local e; for e in "${ENDPOINTS[@]}"; do [ "${e%%:*}" = "$1" ] && { echo "${e#*:}"; return 0; }; done; return 1; }
all_names() { local e; for e in "${ENDPOINTS[@]}"; do echo "${e%%:*}"; done; }

port_open() { # port -> true if something accepts TCP on 127.0.0.1:port
  timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

running() { # pid -> true if the process exists and is not a zombie (pid 1 may reap late)
  local st
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

pid_alive() { # name -> true if our pidfile points at a live process of the right binary
  local f="$RUN/pids/$1.pid" pid bin
  [ -s "$f" ] || return 1
  read -r pid bin <"$f" || true
  [ -n "${pid:-}" ] && running "$pid" || return 1
  [ -z "${bin:-}" ] || [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$bin" ]
}

# ---------------------------------------------------------------- one-time setup
ensure_dirs() {
  mkdir -p "$RUN"/{pids,logs,conf,keys,certs,secrets,proftpd,ftp-anon,ftp-anon-rw}
  chmod 700 "$RUN/secrets"
  mkdir -p /run/sshd && chmod 755 /run/sshd     # sshd privilege-separation dir
  mkdir -p /var/run/vsftpd/empty                # vsftpd secure_chroot_dir
}

check_binaries() {
  local b
  for b in /usr/sbin/sshd /usr/sbin/vsftpd /usr/bin/openssl /usr/bin/ssh-keygen "$PREFIX/usr/sbin/proftpd" \
           "$PREFIX/usr/lib/proftpd/mod_tls.so" "$PREFIX/usr/sbin/pure-ftpd"; do
    [ -e "$b" ] || die "$b missing - run: bash test/lab/install.sh"
  done
}

ensure_password() { # user -> password file path in the run dir
  # The lab users are system accounts, shared by every run dir on the machine: their passwords
  # live beside them ($LAB_HOME/secrets), created once, and each run dir gets a copy. (A password
  # per run dir made two checkouts reset each other's logins mid-test.)
  local f="$RUN/secrets/$1.password" m="$LAB_HOME/secrets/$1.password"
  mkdir -p "$LAB_HOME/secrets" && chmod 700 "$LAB_HOME/secrets"
  if [ ! -s "$m" ]; then
    if [ -s "$f" ]; then cp "$f" "$m"; else ( umask 077; printf 'Xfs-%s-%s\n' "$1" "$(openssl rand -hex 8)" >"$m" ); fi
  fi
  cmp -s "$m" "$f" 2>/dev/null || ( umask 077; cp "$m" "$f" )
  echo "$f"
}

ensure_users() {
  getent group xfslab >/dev/null || groupadd --system xfslab
  if ! getent passwd xfsuser >/dev/null; then
    useradd -m -d /home/xfsuser -s /bin/bash -g xfslab -c "xferscan lab user" xfsuser
  fi
  if ! getent passwd xfssftp >/dev/null; then
    useradd -M -d / -s /usr/sbin/nologin -g xfslab -c "xferscan lab sftp-only user" xfssftp
  fi
  # home "/" = the chroot root once chrooted (sftp starts there and sees upload/)
  [ "$(getent passwd xfssftp | cut -d: -f6)" = / ] || usermod -d / xfssftp
  # (re)set passwords from the run dir's files: cheap, keeps files and /etc/shadow in sync
  local u
  for u in xfsuser xfssftp; do
    printf '%s:%s\n' "$u" "$(head -1 "$(ensure_password "$u")")" | chpasswd
    usermod -U "$u" 2>/dev/null || true
  done
  # content for listings
  mkdir -p /home/xfsuser/pub
  [ -f /home/xfsuser/readme.txt ] || echo "xferscan lab: home of xfsuser" >/home/xfsuser/readme.txt
  chown -R xfsuser:xfslab /home/xfsuser
  # SFTP chroot: root-owned all the way up, writable upload/ inside
  local d
  for d in "$LAB_HOME" "$CHROOT_BASE" "$CHROOT"; do
    mkdir -p "$d"; chown root:root "$d"; chmod 755 "$d"
  done
  mkdir -p "$CHROOT/upload"
  chown xfssftp:xfslab "$CHROOT/upload"; chmod 755 "$CHROOT/upload"
  [ -f "$CHROOT/README.txt" ] || echo "xferscan lab: sftp-only chroot (write to upload/)" >"$CHROOT/README.txt"
  # anonymous FTP root (read-only, root-owned)
  chown root:root "$RUN/ftp-anon"; chmod 755 "$RUN/ftp-anon"
  [ -f "$RUN/ftp-anon/welcome.txt" ] || echo "xferscan lab: anonymous read-only area" >"$RUN/ftp-anon/welcome.txt"
  # anonymous FTP root with an upload directory anonymous users may write to (vsftpd-lax:
  # deliberately bad). vsftpd refuses a writable chroot root, so the root stays root-owned.
  mkdir -p "$RUN/ftp-anon-rw/incoming"; chown root:root "$RUN/ftp-anon-rw"; chmod 755 "$RUN/ftp-anon-rw"
  chown ftp:ftp "$RUN/ftp-anon-rw/incoming"; chmod 755 "$RUN/ftp-anon-rw/incoming"
  [ -f "$RUN/ftp-anon-rw/welcome.txt" ] || echo "xferscan lab: anonymous area, uploads go to incoming/" >"$RUN/ftp-anon-rw/welcome.txt"
}

ensure_keys() {
  local k="$RUN/keys"
  [ -f "$k/ssh_host_ed25519_key" ]  || ssh-keygen -q -t ed25519 -N '' -C lab-modern -f "$k/ssh_host_ed25519_key"
  [ -f "$k/ssh_host_rsa3072_key" ]  || ssh-keygen -q -t rsa -b 3072 -N '' -C lab-modern -f "$k/ssh_host_rsa3072_key"
  [ -f "$k/ssh_host_ecdsa_key" ]    || ssh-keygen -q -t ecdsa -b 256 -N '' -C lab-modern -f "$k/ssh_host_ecdsa_key"
  [ -f "$k/ssh_host_rsa1024_key" ]  || ssh-keygen -q -t rsa -b 1024 -N '' -C lab-legacy -f "$k/ssh_host_rsa1024_key"
  [ -f "$k/ssh_host_dsa_key" ]      || ssh-keygen -q -t dsa -N '' -C lab-legacy -f "$k/ssh_host_dsa_key"
  chmod 600 "$k"/*_key
}

ensure_certs() {
  local c="$RUN/certs"
  if [ ! -s "$c/good.crt" ]; then
    say "generating certificate good.crt (RSA-2048, SHA-256, CN=localhost, SAN localhost/127.0.0.1)"
    openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 825 \
      -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -addext "extendedKeyUsage=serverAuth" \
      -keyout "$c/good.key" -out "$c/good.crt" 2>"$c/openssl-good.log" || die "good cert generation failed"
    cat "$c/good.crt" "$c/good.key" >"$c/good.pem"
  fi
  if [ ! -s "$c/weak.crt" ]; then
    # OpenSSL 3.0 has no -not_before/-not_after for req/x509: use `openssl ca -selfsign`
    say "generating certificate weak.crt (RSA-1024, SHA-1, expired 2021-01-01)"
    local w="$c/weak-ca"
    rm -rf "$w"; mkdir -p "$w"; : >"$w/index.txt"; echo 1000 >"$w/serial"
    cat >"$w/ca.cnf" <<EOF
[ ca ]
default_ca = weak
[ weak ]
dir = $w
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
default_md = sha1
policy = pol
unique_subject = no
email_in_dn = no
[ pol ]
commonName = supplied
[ ext ]
basicConstraints = CA:FALSE
subjectAltName = DNS:localhost,IP:127.0.0.1
extendedKeyUsage = serverAuth
EOF
    openssl req -new -newkey rsa:1024 -nodes -subj "/CN=localhost" \
      -keyout "$c/weak.key" -out "$w/weak.csr" 2>"$c/openssl-weak.log" || die "weak key generation failed"
    openssl ca -batch -config "$w/ca.cnf" -selfsign -keyfile "$c/weak.key" -in "$w/weak.csr" \
      -startdate 20200101000000Z -enddate 20210101000000Z -md sha1 -notext -extensions ext \
      -out "$c/weak.crt" >>"$c/openssl-weak.log" 2>&1 || { cat "$c/openssl-weak.log" >&2; die "weak cert signing failed"; }
    cat "$c/weak.crt" "$c/weak.key" >"$c/weak.pem"
  fi
  chmod 600 "$c"/*.key "$c"/*.pem
  # OpenSSL configs given to servers via OPENSSL_CONF
  openssl_conf 'MinProtocol = TLSv1.2' >"$RUN/conf/openssl-tls12.cnf"
  openssl_conf 'MinProtocol = TLSv1' 'CipherString = DEFAULT:@SECLEVEL=0' >"$RUN/conf/openssl-legacy.cnf"
}

# ---------------------------------------------------------------- configs
write_sshd_conf() { # name port kind
  local name=$1 port=$2 kind=$3 f="$RUN/conf/$1.sshd_config" k="$RUN/keys"
  {
    echo "# generated by test/lab/lab.sh ($name)"
    echo "Port $port"
    echo "ListenAddress $HOST"
    echo "PidFile $RUN/pids/$name.sshd.pid"
    if [ "$kind" = legacy ]; then
      echo "HostKey $k/ssh_host_rsa1024_key"
      echo "HostKey $k/ssh_host_dsa_key"
    else
      echo "HostKey $k/ssh_host_ed25519_key"
      echo "HostKey $k/ssh_host_rsa3072_key"
      echo "HostKey $k/ssh_host_ecdsa_key"
    fi
    cat <<EOF
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
EOF
    if [ "$kind" = legacy ]; then
      cat <<'EOF'
# legacy algorithms (everything this OpenSSH 9.2 can still be talked into)
KexAlgorithms +diffie-hellman-group1-sha1,diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1
Ciphers +aes128-cbc,aes192-cbc,aes256-cbc,3des-cbc
MACs +hmac-sha1,hmac-sha1-96,hmac-md5,hmac-md5-96
HostKeyAlgorithms +ssh-rsa,ssh-dss
PubkeyAcceptedAlgorithms +ssh-rsa,ssh-dss
RequiredRSASize 1024
EOF
    fi
    if [ "$kind" = sftponly ]; then
      cat <<EOF
Match User xfssftp
    ForceCommand internal-sftp
    ChrootDirectory $CHROOT
    DisableForwarding yes
    PermitTTY no
EOF
    fi
  } >"$f"
  /usr/sbin/sshd -t -f "$f" 2>"$RUN/logs/$name.configtest.log" || { cat "$RUN/logs/$name.configtest.log" >&2; die "$name: sshd -t rejected $f"; }
}

openssl_conf() { # LINE...: an OpenSSL config whose system defaults are these lines
  printf '%s\n' 'openssl_conf = lab_init' '[ lab_init ]' 'ssl_conf = lab_ssl' '[ lab_ssl ]' 'system_default = lab_sys' '[ lab_sys ]' "$@"
}

write_vsftpd_conf() { # name port kind pasv_min pasv_max
  local name=$1 port=$2 kind=$3 f="$RUN/conf/$1.conf" c="$RUN/certs"
  {
    vsftpd_header lab.sh "$name" "$HOST" "$port"
    cat <<EOF
connect_from_port_20=NO
pasv_enable=YES
pasv_min_port=$4
pasv_max_port=$5
local_enable=YES
write_enable=YES
local_umask=022
use_localtime=NO
syslog_enable=NO
xferlog_enable=YES
xferlog_std_format=NO
log_ftp_protocol=YES
vsftpd_log_file=$RUN/logs/$name.vsftpd.log
max_clients=50
EOF
    case $kind in
      explicit|implicit)
        vsftpd_strict_tls "$c"
        if [ "$kind" = implicit ]; then echo "implicit_ssl=YES"; fi
        ;;
      lax)
        # Deliberately lax explicit FTPS: TLS optional for logins and data, no session reuse
        # required, anonymous allowed (in clear and over TLS) with uploads.
        cat <<EOF
ssl_enable=YES
rsa_cert_file=$c/good.crt
rsa_private_key_file=$c/good.key
allow_anon_ssl=YES
force_local_logins_ssl=NO
force_local_data_ssl=NO
force_anon_logins_ssl=NO
force_anon_data_ssl=NO
require_ssl_reuse=NO
ssl_sslv2=NO
ssl_sslv3=NO
anonymous_enable=YES
anon_root=$RUN/ftp-anon-rw
no_anon_password=YES
anon_upload_enable=YES
anon_other_write_enable=YES
anon_umask=022
ftp_username=ftp
EOF
        ;;
      plain)
        cat <<EOF
ssl_enable=NO
anonymous_enable=YES
anon_root=$RUN/ftp-anon
no_anon_password=YES
anon_upload_enable=NO
anon_mkdir_write_enable=NO
anon_other_write_enable=NO
ftp_username=ftp
EOF
        ;;
    esac
  } >"$f"
}

write_proftpd_conf() { # name port
  local name=$1 port=$2 f="$RUN/conf/$1.conf" c="$RUN/certs"
  cat >"$f" <<EOF
# generated by test/lab/lab.sh ($name)
ServerName            "xferscan lab ProFTPD"
ServerType            standalone
DefaultServer         on
Port                  $port
DefaultAddress        $HOST
SocketBindTight       on
UseIPv6               off
User                  nobody
Group                 nogroup
Umask                 022
MaxInstances          50
PidFile               $RUN/pids/$name.proftpd.pid
ScoreboardFile        $RUN/proftpd/$name.scoreboard
DelayTable            $RUN/proftpd/$name.delay
WtmpLog               off
UseReverseDNS         off
UseLastlog            off
SystemLog             $RUN/logs/$name.system.log
TransferLog           $RUN/logs/$name.xfer.log
DebugLevel            0
ControlsEngine        off
AuthPAM               off
AuthOrder             mod_auth_unix.c
RequireValidShell     off
UseFtpUsers           off
PassivePorts          40060 40079
MasqueradeAddress     10.10.10.10
AllowOverwrite        on

ModulePath            $PREFIX/usr/lib/proftpd
LoadModule            mod_tls.c

<IfModule mod_tls.c>
  TLSEngine                 on
  TLSLog                    $RUN/logs/$name.tls.log
  TLSRequired               off
  TLSProtocol               TLSv1 TLSv1.1 TLSv1.2
  TLSCipherSuite            ALL:@SECLEVEL=0
  TLSRSACertificateFile     $c/weak.crt
  TLSRSACertificateKeyFile  $c/weak.key
  TLSVerifyClient           off
  TLSRenegotiate            none
  # TLSOptions left at default: TLS session reuse on data connections is required.
  # CCC is accepted by mod_tls by default (no <Limit CCC> here).
</IfModule>
EOF
}

# ---------------------------------------------------------------- start/stop one
launch() { # name binary args...  (stdin/out/err detached; own session so it survives the caller)
  local name=$1 bin=$2; shift 2
  local log="$RUN/logs/$name.out.log"
  echo "=== $(date -u +%FT%TZ) start $bin $*" >>"$log"
  setsid "$bin" "$@" </dev/null >>"$log" 2>&1 &
  echo "$! $bin" >"$RUN/pids/$name.pid"
}

start_one() { # name port
  local name=$1 port=$2 c="$RUN/certs"
  case $name in
    sshd-modern)    write_sshd_conf "$name" "$port" modern
                    launch "$name" /usr/sbin/sshd -D -f "$RUN/conf/$name.sshd_config" -E "$RUN/logs/$name.log" ;;
    sshd-legacy)    write_sshd_conf "$name" "$port" legacy
                    launch "$name" /usr/sbin/sshd -D -f "$RUN/conf/$name.sshd_config" -E "$RUN/logs/$name.log" ;;
    sshd-sftponly)  write_sshd_conf "$name" "$port" sftponly
                    launch "$name" /usr/sbin/sshd -D -f "$RUN/conf/$name.sshd_config" -E "$RUN/logs/$name.log" ;;
    vsftpd-explicit) write_vsftpd_conf "$name" "$port" explicit 40000 40019
                    OPENSSL_CONF="$RUN/conf/openssl-tls12.cnf" launch "$name" /usr/sbin/vsftpd "$RUN/conf/$name.conf" ;;
    vsftpd-implicit) write_vsftpd_conf "$name" "$port" implicit 40020 40039
                    OPENSSL_CONF="$RUN/conf/openssl-tls12.cnf" launch "$name" /usr/sbin/vsftpd "$RUN/conf/$name.conf" ;;
    vsftpd-plain)   write_vsftpd_conf "$name" "$port" plain 40040 40059
                    launch "$name" /usr/sbin/vsftpd "$RUN/conf/$name.conf" ;;
    vsftpd-lax)     write_vsftpd_conf "$name" "$port" lax 40100 40119
                    launch "$name" /usr/sbin/vsftpd "$RUN/conf/$name.conf" ;;
    proftpd-tls)    write_proftpd_conf "$name" "$port"
                    "$PREFIX/usr/sbin/proftpd" -t -c "$RUN/conf/$name.conf" >"$RUN/logs/$name.configtest.log" 2>&1 \
                      || { cat "$RUN/logs/$name.configtest.log" >&2; die "$name: proftpd -t rejected the config"; }
                    OPENSSL_CONF="$RUN/conf/openssl-legacy.cnf" launch "$name" "$PREFIX/usr/sbin/proftpd" -n -c "$RUN/conf/$name.conf" ;;
    pureftpd-tls)   # -Y 2: TLS required on the control channel; -2 cert,key; -E: no anonymous
                    launch "$name" "$PREFIX/usr/sbin/pure-ftpd" -S "$HOST,$port" -p 40080:40099 -l unix -E -Y 2 \
                      -2 "$c/good.crt,$c/good.key" -H -c 50 -C 20 -O "clf:$RUN/logs/$name.xfer.log" ;;
    *) die "unknown endpoint $name" ;;
  esac
}

stop_one() { # name
  local name=$1 f="$RUN/pids/$1.pid" pid bin i
  [ -s "$f" ] || return 0
  read -r pid bin <"$f" || true
  if pid_alive "$name"; then
    # each server runs in its own session (setsid): signal the whole process group
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 30); do running "$pid" || break; sleep 0.1; done
    if running "$pid"; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; fi
    say "stopped $name (pid $pid)"
  fi
  rm -f "$f"
}

# ---------------------------------------------------------------- manifest
write_manifest() {
  local pu="$RUN/secrets/xfsuser.password" ps="$RUN/secrets/xfssftp.password"
  cat >"$RUN/endpoints.json.tmp" <<EOF
[
  {"name":"sshd-modern","host":"$HOST","port":22022,"software":"openssh","expectedService":"sftp","expectedState":"open","tlsRequired":null,"anonymous":false,"passiveRange":null,"masqueradeAddress":null,"user":"xfsuser","passwordFile":"$pu","tlsCertificate":null,
   "notes":"OpenSSH 9.2 defaults; host keys ed25519, rsa-3072, ecdsa-p256; password auth; Subsystem sftp internal-sftp"},
  {"name":"sshd-legacy","host":"$HOST","port":22023,"software":"openssh","expectedService":"sftp","expectedState":"open","tlsRequired":null,"anonymous":false,"passiveRange":null,"masqueradeAddress":null,"user":"xfsuser","passwordFile":"$pu","tlsCertificate":null,
   "notes":"legacy algorithms on top of defaults: kex +dh-group1-sha1,dh-group14-sha1,dh-gex-sha1; ciphers +aes{128,192,256}-cbc,3des-cbc; MACs +hmac-sha1(-96),hmac-md5(-96); host keys ONLY rsa-1024 (ssh-rsa/rsa-sha2) and ssh-dss-1024; RequiredRSASize 1024"},
  {"name":"sshd-sftponly","host":"$HOST","port":22024,"software":"openssh","expectedService":"sftp","expectedState":"open","tlsRequired":null,"anonymous":false,"passiveRange":null,"masqueradeAddress":null,"user":"xfssftp","passwordFile":"$ps","tlsCertificate":null,
   "notes":"Match User xfssftp: ForceCommand internal-sftp, ChrootDirectory $CHROOT (writable upload/), DisableForwarding, PermitTTY no; xfsuser (passwordFile $pu) also allowed with a normal shell; host keys as sshd-modern"},
  {"name":"vsftpd-explicit","host":"$HOST","port":21021,"software":"vsftpd","expectedService":"ftps-explicit","expectedState":"open","tlsRequired":true,"anonymous":false,"passiveRange":[40000,40019],"masqueradeAddress":null,"user":"xfsuser","passwordFile":"$pu","tlsCertificate":"good",
   "notes":"AUTH TLS; force_local_logins_ssl, force_local_data_ssl, require_ssl_reuse; TLS1.2+ only (ssl_tlsv1=NO + OpenSSL MinProtocol TLSv1.2); good cert (RSA-2048/SHA-256, self-signed, CN/SAN localhost+127.0.0.1)"},
  {"name":"vsftpd-implicit","host":"$HOST","port":21990,"software":"vsftpd","expectedService":"ftps-implicit","expectedState":"open","tlsRequired":true,"anonymous":false,"passiveRange":[40020,40039],"masqueradeAddress":null,"user":"xfsuser","passwordFile":"$pu","tlsCertificate":"good",
   "notes":"implicit_ssl=YES (TLS from the first byte, then 220); TLS1.2+ only; good cert; require_ssl_reuse"},
  {"name":"vsftpd-plain","host":"$HOST","port":21022,"software":"vsftpd","expectedService":"ftp","expectedState":"open","tlsRequired":false,"anonymous":true,"passiveRange":[40040,40059],"masqueradeAddress":null,"user":"xfsuser","passwordFile":"$pu","tlsCertificate":null,
   "notes":"plain FTP, no TLS at all (AUTH TLS refused); anonymous login enabled, read-only anon root; local users may log in over cleartext"},
  {"name":"vsftpd-lax","host":"$HOST","port":21025,"software":"vsftpd","expectedService":"ftps-explicit","expectedState":"open","tlsRequired":false,"anonymous":true,"passiveRange":[40100,40119],"masqueradeAddress":null,"user":"xfsuser","passwordFile":"$pu","tlsCertificate":"good",
   "notes":"deliberately lax explicit FTPS: TLS optional for logins and data (PROT C works), require_ssl_reuse=NO, anonymous allowed in clear and over TLS with uploads into incoming/; default OpenSSL versions (TLS 1.2/1.3)"},
  {"name":"proftpd-tls","host":"$HOST","port":21023,"software":"proftpd","expectedService":"ftps-explicit","expectedState":"open","tlsRequired":false,"anonymous":false,"passiveRange":[40060,40079],"masqueradeAddress":"10.10.10.10","user":"xfsuser","passwordFile":"$pu","tlsCertificate":"weak",
   "notes":"ProFTPD 1.3.8 mod_tls: TLSRequired off (TLS optional, cleartext login allowed); TLSv1, TLSv1.1, TLSv1.2 (SECLEVEL=0); weak cert (RSA-1024, SHA-1, expired 2021-01-01); MasqueradeAddress 10.10.10.10 is only ADVERTISED in PASV replies - never connect to it; CCC accepted; TLS session reuse on data required (default)"},
  {"name":"pureftpd-tls","host":"$HOST","port":21024,"software":"pure-ftpd","expectedService":"ftps-explicit","expectedState":"open","tlsRequired":true,"anonymous":false,"passiveRange":[40080,40099],"masqueradeAddress":null,"user":"xfsuser","passwordFile":"$pu","tlsCertificate":"good",
   "notes":"Pure-FTPd 1.0.50 -Y 2 (TLS required on control channel, data channel protection up to client), -l unix, -E (no anonymous); good cert"},
  {"name":"closed","host":"$HOST","port":$CLOSED_PORT,"software":null,"expectedService":null,"expectedState":"closed","tlsRequired":null,"anonymous":false,"passiveRange":null,"masqueradeAddress":null,"user":null,"passwordFile":null,"tlsCertificate":null,
   "notes":"nothing listens here: connection refused (RST)"}
]
EOF
  mv "$RUN/endpoints.json.tmp" "$RUN/endpoints.json"
}

# ---------------------------------------------------------------- commands
select_names() { if [ $# -gt 0 ]; then printf '%s\n' "$@"; else all_names; fi; }

cmd_start() {
  [ "$(id -u)" = 0 ] || die "must run as root (users, privileged servers)"
  local t0=$SECONDS names started=() waiting=() name port i
  mapfile -t names < <(select_names "$@")
  for name in "${names[@]}"; do port_of "$name" >/dev/null || die "unknown endpoint: $name"; done
  check_binaries
  ensure_dirs
  ensure_users
  ensure_keys
  ensure_certs
  write_manifest
  for name in "${names[@]}"; do
    port=$(port_of "$name")
    if port_open "$port"; then
      if pid_alive "$name"; then say "$name already running on $HOST:$port"
      else die "$HOST:$port is held by a process this lab did not start ($(port_holder "$HOST" "$port")): stop it first (a leftover of another checkout's lab would be tested in its place)"; fi
      continue
    fi
    stop_one "$name"   # stale pidfile / half-dead instance
    start_one "$name" "$port"
    started+=("$name"); waiting+=("$name")
  done
  # wait for every started endpoint to accept TCP
  for name in "${waiting[@]}"; do
    port=$(port_of "$name")
    for i in $(seq 1 100); do
      port_open "$port" && break
      pid_alive "$name" || break
      sleep 0.1
    done
    if port_open "$port"; then
      say "started $name on $HOST:$port (pid $(cut -d' ' -f1 "$RUN/pids/$name.pid"))"
    else
      echo "---- $RUN/logs/$name.out.log" >&2; tail -20 "$RUN/logs/$name.out.log" >&2 || true
      die "$name did not come up on $HOST:$port (logs in $RUN/logs)"
    fi
  done
  if port_open "$CLOSED_PORT"; then say "WARNING: closed-port $HOST:$CLOSED_PORT unexpectedly answers"; fi
  say "manifest: $RUN/endpoints.json  ($((SECONDS - t0))s)"
  local IFS=,
  echo "LAB_STARTED=${started[*]}"
}

cmd_stop() {
  local name names
  mapfile -t names < <(select_names "$@")
  [ -d "$RUN/pids" ] || { say "nothing to stop"; return 0; }
  for name in "${names[@]}"; do stop_one "$name"; done
  say "stopped"
}

cmd_status() {
  local e name port up=0 total=0 proc state
  for e in "${ENDPOINTS[@]}"; do
    name=${e%%:*}; port=${e#*:}; total=$((total + 1))
    if pid_alive "$name"; then proc="pid $(cut -d' ' -f1 "$RUN/pids/$name.pid")"; else proc="not started by lab"; fi
    if port_open "$port"; then state=up; up=$((up + 1)); else state=down; fi
    printf '%-16s %s:%-5s %-4s (%s)\n' "$name" "$HOST" "$port" "$state" "$proc"
  done
  if port_open "$CLOSED_PORT"; then state="OPEN (unexpected)"; else state=closed; fi
  printf '%-16s %s:%-5s %s\n' closed "$HOST" "$CLOSED_PORT" "$state"
  printf 'run dir: %s\n' "$RUN"
  [ "$up" = "$total" ] || return 3
}

modules() { local m; for m in "$LAB_DIR"/servers/*.sh; do [ -e "$m" ] && echo "$m"; done; return 0; }

# run_modules VERB: every module's VERB (start prints LAB_STARTED_MODULE=... lines of its own)
run_modules() {
  local m rc=0
  while read -r m; do
    [ -n "$m" ] || continue
    XFS_LAB_RUN="$RUN" XFS_LAB_PREFIX="$PREFIX" bash "$m" "$1" || rc=$?
  done < <(modules)
  return $rc
}

case "${1:-}" in
  start)  shift; cmd_start "$@"; [ $# -gt 0 ] || run_modules start ;;
  stop)   shift; cmd_stop "$@"; [ $# -gt 0 ] || run_modules stop ;;
  status) shift; rc=0; cmd_status || rc=$?; run_modules status || rc=3; exit $rc ;;
  names)  all_names ;;
  *) echo "usage: $0 start|stop|status|names [name...]" >&2; exit 2 ;;
esac
