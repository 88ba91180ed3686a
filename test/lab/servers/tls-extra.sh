#!/usr/bin/env bash
# Lab module tls-extra: real servers for client certificates, OCSP stapling and revocation, with a
# local PKI (root CA → issuing CA → server certificates; a separate client CA). All on 127.0.0.1.
#
#   ocsp-http        127.0.0.1:24080  HTTP: OCSP responder (`openssl ocsp -index` answers every
#                                     request; a small Python front binds it to loopback), plus
#                                     the issuing CA certificate (/ca/issuing.der) and its CRL
#                                     (/crl/issuing.crl) — the URLs the certificates' AIA/CRL DP name
#   vsftpd-mtls      127.0.0.1:24021  vsftpd explicit FTPS that REQUIRES a client certificate from the
#                                     lab client CA (require_cert, validate_cert, ca_certs_file),
#                                     on control and data connections; PASV 24100-24119
#   proftpd-staple   127.0.0.1:24023  ProFTPD mod_tls explicit FTPS, TLS 1.2/1.3, OCSP stapling on;
#                                     certificate "good" (not revoked) with Must-Staple, full chain
#                                     sent; PASV 24120-24139
#   proftpd-revoked  127.0.0.1:24024  the same with a REVOKED certificate (stapled "revoked");
#                                     PASV 24140-24159
#   tls-leafonly     127.0.0.1:24443  plain TLS (`openssl s_server -www`), the Must-Staple certificate
#                                     WITHOUT its issuing CA (a missing intermediate; AIA caIssuers names
#                                     it), stapling a good response fetched from the lab responder at
#                                     start (-status_file); not a file-transfer endpoint: in info.json only
#
# Verbs: install | start | stop | status (test/lab/servers/README.md). Files: $XFS_LAB_RUN/tls-extra/
# (PKI, configs, logs), manifest $XFS_LAB_RUN/endpoints.tls-extra.json (removed again by stop),
# paths for the tests in $XFS_LAB_RUN/tls-extra/info.json. Needs the core lab's users (lab.sh start).
set -euo pipefail

NAME=tls-extra
LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../lib.sh
. "$LAB_DIR/lib.sh"
RUN="${XFS_LAB_RUN:-$LAB_DIR/.run}"
# tests read its logs by server name (e.g. logs/ocsp-http.out.log)
LOG_PREFIX=
# shellcheck source=../module-lib.sh
. "$LAB_DIR/module-lib.sh"
PREFIX="${XFS_LAB_PREFIX:-/opt/xferscan-lab/root}"
HOST=127.0.0.1
D="$RUN/$NAME"
PKI="$D/pki"
WWW="$D/www"
PY=/usr/bin/python3
SERVERS=(ocsp-http:24080 vsftpd-mtls:24021 proftpd-staple:24023 proftpd-revoked:24024 tls-leafonly:24443)

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }

# ---------------------------------------------------------------- PKI (once per run dir)
ca_conf() { # dir name policy-extensions...
  cat <<EOF
[ ca ]
default_ca = lab_ca
[ lab_ca ]
dir = $1
database = \$dir/index.txt
new_certs_dir = \$dir/certs
serial = \$dir/serial
crlnumber = \$dir/crlnumber
default_md = sha256
default_days = 825
default_crl_days = 30
policy = pol
unique_subject = no
copy_extensions = none
[ pol ]
commonName = supplied
organizationName = optional
[ v3_issuing ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_server ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:http://$HOST:24080/ocsp, caIssuers;URI:http://$HOST:24080/ca/issuing.der
crlDistributionPoints = URI:http://$HOST:24080/crl/issuing.crl
[ v3_server_muststaple ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:http://$HOST:24080/ocsp, caIssuers;URI:http://$HOST:24080/ca/issuing.der
crlDistributionPoints = URI:http://$HOST:24080/crl/issuing.crl
tlsfeature = status_request
[ v3_ocsp ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
[ v3_client ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
EOF
}

new_ca_dir() { mkdir -p "$1/certs"; : >"$1/index.txt"; echo 1000 >"$1/serial"; echo 1000 >"$1/crlnumber"; ca_conf "$1" >"$1/ca.cnf"; }

issue() { # ca-dir name subject extension [days]
  local ca=$1 name=$2 subj=$3 ext=$4
  openssl req -new -newkey rsa:2048 -nodes -subj "$subj" -keyout "$PKI/$name.key" -out "$PKI/$name.csr" 2>>"$PKI/openssl.log"
  openssl ca -batch -config "$ca/ca.cnf" -cert "$ca/ca.crt" -keyfile "$ca/ca.key" -extensions "$ext" -notext \
    -in "$PKI/$name.csr" -out "$PKI/$name.crt" >>"$PKI/openssl.log" 2>&1 || { tail -20 "$PKI/openssl.log" >&2; die "issuing $name failed"; }
}

ensure_pki() {
  [ -s "$PKI/info.done" ] && return 0
  say "generating the lab PKI in $PKI"
  rm -rf "$PKI"; mkdir -p "$PKI" "$WWW/ca" "$WWW/crl"
  # root CA (self-signed) and the issuing CA it signs
  new_ca_dir "$PKI/root"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/O=xferscan lab/CN=xferscan lab root CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$PKI/root/ca.key" -out "$PKI/root/ca.crt" 2>>"$PKI/openssl.log"
  new_ca_dir "$PKI/issuing"
  openssl req -new -newkey rsa:2048 -nodes -subj "/O=xferscan lab/CN=xferscan lab issuing CA" \
    -keyout "$PKI/issuing/ca.key" -out "$PKI/issuing/ca.csr" 2>>"$PKI/openssl.log"
  openssl ca -batch -config "$PKI/root/ca.cnf" -cert "$PKI/root/ca.crt" -keyfile "$PKI/root/ca.key" -extensions v3_issuing \
    -notext -days 3000 -in "$PKI/issuing/ca.csr" -out "$PKI/issuing/ca.crt" >>"$PKI/openssl.log" 2>&1 || die "issuing CA failed"
  # server certificates from the issuing CA, the OCSP signer, and a revoked one
  issue "$PKI/issuing" server "/CN=localhost" v3_server
  issue "$PKI/issuing" staple-good "/CN=localhost" v3_server_muststaple
  issue "$PKI/issuing" staple-revoked "/CN=localhost" v3_server
  issue "$PKI/issuing" ocsp "/O=xferscan lab/CN=xferscan lab OCSP responder" v3_ocsp
  openssl ca -batch -config "$PKI/issuing/ca.cnf" -cert "$PKI/issuing/ca.crt" -keyfile "$PKI/issuing/ca.key" \
    -revoke "$PKI/staple-revoked.crt" -crl_reason keyCompromise >>"$PKI/openssl.log" 2>&1 || die "revocation failed"
  # client CA and the partner's client certificate (plain key, and the same key encrypted)
  new_ca_dir "$PKI/client-ca"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/O=xferscan lab/CN=xferscan lab client CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$PKI/client-ca/ca.key" -out "$PKI/client-ca/ca.crt" 2>>"$PKI/openssl.log"
  issue "$PKI/client-ca" client "/O=xferscan partner/CN=xferscan lab partner" v3_client
  openssl rand -hex 12 >"$PKI/client.pass"
  openssl pkey -in "$PKI/client.key" -aes256 -passout "file:$PKI/client.pass" -out "$PKI/client-enc.key" 2>>"$PKI/openssl.log"
  # an unrelated client certificate (self-signed): the server must refuse it
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj "/CN=stranger" -addext "extendedKeyUsage=clientAuth" \
    -keyout "$PKI/stranger.key" -out "$PKI/stranger.crt" 2>>"$PKI/openssl.log"
  # bundles and published files
  cat "$PKI/server.crt" "$PKI/issuing/ca.crt" >"$PKI/server-chain.pem"
  cat "$PKI/staple-good.crt" "$PKI/issuing/ca.crt" >"$PKI/staple-good-chain.pem"
  cat "$PKI/issuing/ca.crt" "$PKI/root/ca.crt" >"$PKI/ca-bundle.pem"
  openssl x509 -in "$PKI/issuing/ca.crt" -outform DER -out "$WWW/ca/issuing.der"
  chmod 600 "$PKI"/*.key "$PKI"/*/ca.key "$PKI/client.pass"
  date -u +%FT%TZ >"$PKI/info.done"
}

refresh_crl() { # a CRL valid for 30 days from now (DER, as CRL distribution points serve them)
  openssl ca -batch -config "$PKI/issuing/ca.cnf" -cert "$PKI/issuing/ca.crt" -keyfile "$PKI/issuing/ca.key" -gencrl \
    -out "$PKI/issuing.crl.pem" >>"$PKI/openssl.log" 2>&1 || die "CRL generation failed"
  openssl crl -in "$PKI/issuing.crl.pem" -outform DER -out "$WWW/crl/issuing.crl"
}

# ---------------------------------------------------------------- configs
write_ocsp_front() {
  cat >"$D/ocsp-http.py" <<'PY'
# Loopback HTTP front for `openssl ocsp` (which can only listen on every interface): each OCSP
# request (POST, or GET /ocsp/<base64>) is answered by `openssl ocsp -index … -reqin -respout`;
# /ca/ and /crl/ serve the published files. Args: port www-dir pki-dir.
import base64, os, subprocess, sys, tempfile, urllib.parse
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

PORT, WWW, PKI = int(sys.argv[1]), sys.argv[2], sys.argv[3]

def respond(req: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as t:
        rq, rs = os.path.join(t, 'req.der'), os.path.join(t, 'resp.der')
        open(rq, 'wb').write(req)
        subprocess.run(['openssl', 'ocsp', '-index', f'{PKI}/issuing/index.txt', '-CA', f'{PKI}/issuing/ca.crt',
                        '-rsigner', f'{PKI}/ocsp.crt', '-rkey', f'{PKI}/ocsp.key', '-nmin', '60',
                        '-reqin', rq, '-respout', rs], check=True, capture_output=True, timeout=10)
        return open(rs, 'rb').read()

class H(BaseHTTPRequestHandler):
    def send(self, code, body, ctype):
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        n = int(self.headers.get('Content-Length', '0'))
        if self.path.rstrip('/') != '/ocsp' or not 0 < n < 65536:
            return self.send(404, b'', 'text/plain')
        try:
            self.send(200, respond(self.rfile.read(n)), 'application/ocsp-response')
        except Exception as e:
            self.send(500, str(e).encode(), 'text/plain')
    def do_GET(self):
        p = urllib.parse.unquote(self.path)
        if p.startswith('/ocsp/'):
            try:
                return self.send(200, respond(base64.b64decode(p[6:])), 'application/ocsp-response')
            except Exception as e:
                return self.send(500, str(e).encode(), 'text/plain')
        f = os.path.normpath(os.path.join(WWW, p.lstrip('/')))
        if not f.startswith(WWW + os.sep) or not os.path.isfile(f):
            return self.send(404, b'', 'text/plain')
        ctype = 'application/pkix-crl' if f.endswith('.crl') else 'application/pkix-cert'
        self.send(200, open(f, 'rb').read(), ctype)
    def log_message(self, fmt, *args):
        sys.stderr.write('%s %s\n' % (self.address_string(), fmt % args))

ThreadingHTTPServer((('127.0.0.1'), PORT), H).serve_forever()
PY
}

write_vsftpd_mtls() {
  local f="$D/vsftpd-mtls.conf"
  {
    vsftpd_header "servers/$NAME.sh" vsftpd-mtls "$HOST" 24021
    cat <<EOF
connect_from_port_20=NO
pasv_enable=YES
pasv_min_port=24100
pasv_max_port=24119
local_enable=YES
write_enable=YES
local_umask=022
use_localtime=NO
syslog_enable=NO
xferlog_enable=YES
xferlog_std_format=NO
log_ftp_protocol=YES
vsftpd_log_file=$RUN/logs/vsftpd-mtls.vsftpd.log
max_clients=50
anonymous_enable=NO
ssl_enable=YES
rsa_cert_file=$PKI/server-chain.pem
rsa_private_key_file=$PKI/server.key
allow_anon_ssl=NO
force_local_logins_ssl=YES
force_local_data_ssl=YES
require_ssl_reuse=YES
ssl_sslv2=NO
ssl_sslv3=NO
ssl_tlsv1=NO
ssl_ciphers=HIGH:!aNULL:!MD5:!3DES
require_cert=YES
validate_cert=YES
ca_certs_file=$PKI/client-ca/ca.crt
EOF
  } >"$f"
}

write_proftpd() { # name port pasv-min pasv-max cert key chain(or empty)
  local name=$1 port=$2 f="$D/$1.conf"
  mkdir -p "$D/$name-ocsp-cache" "$D/proftpd"
  chown nobody:nogroup "$D/$name-ocsp-cache"
  cat >"$f" <<EOF
# generated by test/lab/servers/$NAME.sh ($name)
ServerName            "xferscan lab ProFTPD ($name)"
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
PidFile               $D/proftpd/$name.pid
ScoreboardFile        $D/proftpd/$name.scoreboard
DelayTable            $D/proftpd/$name.delay
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
PassivePorts          $3 $4
AllowOverwrite        on

ModulePath            $PREFIX/usr/lib/proftpd
LoadModule            mod_tls.c
LoadModule            mod_tls_fscache.c

<IfModule mod_tls.c>
  TLSEngine                 on
  TLSLog                    $RUN/logs/$name.tls.log
  TLSRequired               on
  TLSProtocol               TLSv1.2 TLSv1.3
  TLSRSACertificateFile     $5
  TLSRSACertificateKeyFile  $6
${7:+  TLSCertificateChainFile   $7}
  TLSCACertificateFile      $PKI/ca-bundle.pem
  TLSVerifyClient           off
  TLSRenegotiate            none
  TLSStapling               on
  TLSStaplingCache          fs:/path=$D/$name-ocsp-cache
</IfModule>
EOF
  "$PREFIX/usr/sbin/proftpd" -t -c "$f" >"$RUN/logs/$name.configtest.log" 2>&1 \
    || { cat "$RUN/logs/$name.configtest.log" >&2; die "$name: proftpd -t rejected $f"; }
}

write_manifest() {
  local pu="$RUN/secrets/xfsuser.password"
  cat >"$D/info.json" <<EOF
{"rootCa":"$PKI/root/ca.crt","issuingCa":"$PKI/issuing/ca.crt","caBundle":"$PKI/ca-bundle.pem",
 "issuingCaIndex":"$PKI/issuing/index.txt","ocspSigner":"$PKI/ocsp.crt","ocspUrl":"http://$HOST:24080/ocsp",
 "crlUrl":"http://$HOST:24080/crl/issuing.crl","caIssuersUrl":"http://$HOST:24080/ca/issuing.der",
 "serverCert":"$PKI/server.crt","goodCert":"$PKI/staple-good.crt","goodChain":"$PKI/staple-good-chain.pem","goodKey":"$PKI/staple-good.key",
 "revokedCert":"$PKI/staple-revoked.crt","revokedKey":"$PKI/staple-revoked.key",
 "clientCa":"$PKI/client-ca/ca.crt","clientCert":"$PKI/client.crt","clientKey":"$PKI/client.key",
 "clientKeyEncrypted":"$PKI/client-enc.key","clientKeyPassphraseFile":"$PKI/client.pass",
 "strangerCert":"$PKI/stranger.crt","strangerKey":"$PKI/stranger.key",
 "ports":{"ocspHttp":24080,"vsftpdMtls":24021,"proftpdStaple":24023,"proftpdRevoked":24024,"tlsLeafOnly":24443}}
EOF
  cat >"$RUN/endpoints.$NAME.json.tmp" <<EOF
[
  {"name":"vsftpd-mtls","host":"$HOST","port":24021,"software":"vsftpd","expectedService":"ftps-explicit","expectedState":"open","tlsRequired":true,"anonymous":false,"passiveRange":[24100,24119],"masqueradeAddress":null,"user":"xfsuser","passwordFile":"$pu","tlsCertificate":null,
   "module":"$NAME","clientCertificateRequired":true,"clientCert":"$PKI/client.crt","clientKey":"$PKI/client.key","caFile":"$PKI/ca-bundle.pem",
   "notes":"explicit FTPS that requires a client certificate from the lab client CA (require_cert=YES, validate_cert=YES) on control and data connections; TLS 1.2+; server certificate from the lab issuing CA (trusted with caFile)"},
  {"name":"proftpd-staple","host":"$HOST","port":24023,"software":"proftpd","expectedService":"ftps-explicit","expectedState":"open","tlsRequired":true,"anonymous":false,"passiveRange":[24120,24139],"masqueradeAddress":null,"user":"xfsuser","passwordFile":"$pu","tlsCertificate":null,
   "module":"$NAME","ocspStapling":"good","mustStaple":true,"caFile":"$PKI/ca-bundle.pem",
   "notes":"ProFTPD mod_tls explicit FTPS (TLS required, TLS 1.2/1.3) stapling a GOOD OCSP response from the lab responder (127.0.0.1:24080); Must-Staple certificate; full chain sent"},
  {"name":"proftpd-revoked","host":"$HOST","port":24024,"software":"proftpd","expectedService":"ftps-explicit","expectedState":"open","tlsRequired":true,"anonymous":false,"passiveRange":[24140,24159],"masqueradeAddress":null,"user":"xfsuser","passwordFile":"$pu","tlsCertificate":null,
   "module":"$NAME","ocspStapling":"revoked","mustStaple":false,"caFile":"$PKI/ca-bundle.pem",
   "notes":"ProFTPD mod_tls explicit FTPS (TLS required, TLS 1.2/1.3) stapling a REVOKED OCSP response (keyCompromise) from the lab responder; full chain sent"}
]
EOF
  mv "$RUN/endpoints.$NAME.json.tmp" "$RUN/endpoints.$NAME.json"
}

start_one() {
  case $1 in
    ocsp-http)       launch ocsp-http "$PY" "$D/ocsp-http.py" 24080 "$WWW" "$PKI" ;;
    vsftpd-mtls)     OPENSSL_CONF="$RUN/conf/openssl-tls12.cnf" launch vsftpd-mtls /usr/sbin/vsftpd "$D/vsftpd-mtls.conf" ;;
    proftpd-staple)  launch proftpd-staple "$PREFIX/usr/sbin/proftpd" -n -c "$D/proftpd-staple.conf" ;;
    proftpd-revoked) launch proftpd-revoked "$PREFIX/usr/sbin/proftpd" -n -c "$D/proftpd-revoked.conf" ;;
    tls-leafonly)    # a fresh response from the lab responder (started first), stapled from a file
                     openssl ocsp -issuer "$PKI/issuing/ca.crt" -cert "$PKI/staple-good.crt" -url "http://$HOST:24080/ocsp" \
                       -respout "$D/staple-good.ocsp" -noverify >>"$RUN/logs/tls-leafonly.out.log" 2>&1 || die "OCSP fetch for tls-leafonly failed"
                     launch tls-leafonly /usr/bin/openssl s_server -accept "$HOST:24443" -cert "$PKI/staple-good.crt" \
                       -key "$PKI/staple-good.key" -status_file "$D/staple-good.ocsp" -www -quiet ;;
  esac
}

cmd_install() {
  local b
  for b in /usr/sbin/vsftpd /usr/bin/openssl "$PY" "$PREFIX/usr/sbin/proftpd" "$PREFIX/usr/lib/proftpd/mod_tls.so" "$PREFIX/usr/lib/proftpd/mod_tls_fscache.so"; do
    [ -e "$b" ] || die "$b missing: the core lab install (test/lab/install.sh) provides it"
  done
  say "nothing to install beyond the core lab"
}

cmd_start() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  getent passwd xfsuser >/dev/null || die "the core lab users are missing: run test/lab/lab.sh start first"
  mkdir -p "$D" "$RUN/pids" "$RUN/logs" "$RUN/conf" /var/run/vsftpd/empty
  [ -s "$RUN/conf/openssl-tls12.cnf" ] || printf '%s\n' 'openssl_conf = lab_init' '[ lab_init ]' 'ssl_conf = lab_ssl' '[ lab_ssl ]' \
    'system_default = lab_sys' '[ lab_sys ]' 'MinProtocol = TLSv1.2' >"$RUN/conf/openssl-tls12.cnf"
  ensure_pki
  refresh_crl
  write_ocsp_front
  write_vsftpd_mtls
  write_proftpd proftpd-staple 24023 24120 24139 "$PKI/staple-good.crt" "$PKI/staple-good.key" "$PKI/issuing/ca.crt"
  write_proftpd proftpd-revoked 24024 24140 24159 "$PKI/staple-revoked.crt" "$PKI/staple-revoked.key" "$PKI/issuing/ca.crt"
  local started=() e name port i
  for e in "${SERVERS[@]}"; do
    name=${e%%:*}; port=${e#*:}
    if port_open "$port"; then
      pid_alive "$name" || die "$HOST:$port is held by a process this module did not start ($(port_holder "$HOST" "$port")): stop it first"
      say "$name already running on $HOST:$port"
      continue
    fi
    stop_one "$name"
    start_one "$name"
    started+=("$name")
    for i in $(seq 1 100); do port_open "$port" && break; pid_alive "$name" || break; sleep 0.1; done
    port_open "$port" || { tail -20 "$(module_log "$name")" >&2 || true; die "$name did not come up on $HOST:$port"; }
    say "started $name on $HOST:$port"
  done
  write_manifest
  [ ${#started[@]} -eq 0 ] || echo "LAB_MODULE_STARTED=$NAME"
}

cmd_stop() {
  local e
  for e in "${SERVERS[@]}"; do stop_one "${e%%:*}"; done
  # the manifest goes with the servers: a run dir shared with others must not list dead endpoints
  rm -f "$RUN/endpoints.$NAME.json"
}

cmd_status() {
  local e name port up=0
  for e in "${SERVERS[@]}"; do
    name=${e%%:*}; port=${e#*:}
    if port_open "$port"; then up=$((up + 1)); printf '%-16s %s:%-5s up\n' "$name" "$HOST" "$port"
    else printf '%-16s %s:%-5s down\n' "$name" "$HOST" "$port"; fi
  done
  [ "$up" = "${#SERVERS[@]}" ] || return 3
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
