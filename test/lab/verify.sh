#!/usr/bin/env bash
# xferscan test lab: end-to-end check of every endpoint with stock clients
# (curl, openssl s_client, ssh/sftp). Run after `lab.sh start`. Loopback only;
# proftpd's masqueraded PASV address is never contacted (--ftp-skip-pasv-ip).
set -uo pipefail
LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN="${XFS_LAB_RUN:-$LAB_DIR/.run}"
P="$(head -1 "$RUN/secrets/xfsuser.password")"
fail=0
check() { # description, expected-rc ("0" or "!0"), command...
  local d=$1 want=$2; shift 2
  local out rc; out=$("$@" 2>&1); rc=$?
  if { [ "$want" = 0 ] && [ $rc = 0 ]; } || { [ "$want" = '!0' ] && [ $rc != 0 ]; }; then
    printf 'PASS  %s\n' "$d"
  else
    printf 'FAIL  %s (rc=%s)\n%s\n' "$d" "$rc" "$(tail -3 <<<"$out" | sed 's/^/      /')"; fail=1
  fi
}
C=(curl -sS --max-time 15)
U=(-u "xfsuser:$P")
check "vsftpd-explicit: AUTH TLS login + passive LIST"        0  "${C[@]}" --ssl-reqd -k "${U[@]}" ftp://127.0.0.1:21021/
check "vsftpd-explicit: cleartext login refused"            '!0' "${C[@]}" "${U[@]}" ftp://127.0.0.1:21021/
check "vsftpd-explicit: TLS 1.0/1.1 refused, 1.2 accepted"   0  bash -c "for v in tls1 tls1_1; do openssl s_client -connect 127.0.0.1:21021 -starttls ftp -\$v -cipher 'ALL:@SECLEVEL=0' </dev/null 2>&1 | grep -q '^New, [TS]' && exit 1; done; openssl s_client -connect 127.0.0.1:21021 -starttls ftp -tls1_2 </dev/null 2>&1 | grep -q 'Protocol *: TLSv1.2'"
check "vsftpd-implicit: ftps:// login + passive LIST"         0  "${C[@]}" -k "${U[@]}" ftps://127.0.0.1:21990/
check "vsftpd-plain: anonymous passive LIST"                  0  "${C[@]}" ftp://127.0.0.1:21022/
check "vsftpd-plain: cleartext user login + LIST"             0  "${C[@]}" "${U[@]}" ftp://127.0.0.1:21022/
check "vsftpd-plain: AUTH TLS refused"                      '!0' "${C[@]}" --ssl-reqd -k "${U[@]}" ftp://127.0.0.1:21022/
check "proftpd-tls: AUTH TLS login + PASV LIST (skip pasv ip)" 0 "${C[@]}" --ssl-reqd -k --ftp-skip-pasv-ip --disable-epsv "${U[@]}" ftp://127.0.0.1:21023/
check "proftpd-tls: cleartext login allowed (TLSRequired off)" 0 "${C[@]}" --ftp-skip-pasv-ip --disable-epsv "${U[@]}" ftp://127.0.0.1:21023/
check "proftpd-tls: CCC after login"                          0  "${C[@]}" --ssl-reqd -k --ftp-skip-pasv-ip --ftp-ssl-ccc --ftp-ssl-ccc-mode active "${U[@]}" ftp://127.0.0.1:21023/
check "proftpd-tls: PASV advertises 10.10.10.10"              0  bash -c "curl -sv --max-time 15 --ssl-reqd -k --ftp-skip-pasv-ip --disable-epsv -u 'xfsuser:$P' ftp://127.0.0.1:21023/ 2>&1 | grep -q '227 .*(10,10,10,10,'"
check "proftpd-tls: TLS 1.0 handshake"                        0  bash -c "openssl s_client -connect 127.0.0.1:21023 -starttls ftp -tls1 -cipher 'ALL:@SECLEVEL=0' </dev/null 2>&1 | grep -q 'Protocol *: TLSv1\$'"
check "proftpd-tls: weak cert (1024-bit, sha1, expired)"      0  bash -c "openssl s_client -connect 127.0.0.1:21023 -starttls ftp -cipher 'ALL:@SECLEVEL=0' </dev/null 2>/dev/null | openssl x509 -noout -text -checkend 0 | grep -q '(1024 bit)' && ! openssl s_client -connect 127.0.0.1:21023 -starttls ftp -cipher 'ALL:@SECLEVEL=0' </dev/null 2>/dev/null | openssl x509 -noout -checkend 0 >/dev/null"
check "pureftpd-tls: AUTH TLS login + passive LIST"           0  "${C[@]}" --ssl-reqd -k "${U[@]}" ftp://127.0.0.1:21024/
check "pureftpd-tls: cleartext login refused"               '!0' "${C[@]}" "${U[@]}" ftp://127.0.0.1:21024/
check "vsftpd-explicit: good cert (2048-bit, not expired)"    0  bash -c "openssl s_client -connect 127.0.0.1:21021 -starttls ftp </dev/null 2>/dev/null | openssl x509 -noout -text -checkend 86400 | grep -q '(2048 bit)'"

ASK="$RUN/askpass.sh"
printf '#!/bin/sh\ncat "$XFS_PWFILE"\n' >"$ASK"; chmod 700 "$ASK"
export SSH_ASKPASS="$ASK" SSH_ASKPASS_REQUIRE=force DISPLAY=:0
SO=(-o BatchMode=no -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no
    -o PreferredAuthentications=password -o ConnectTimeout=5 -o LogLevel=ERROR)
U1="$RUN/secrets/xfsuser.password"; U2="$RUN/secrets/xfssftp.password"
sftp_ls() { # pwfile port user
  echo ls | XFS_PWFILE=$1 timeout 20 sftp "${SO[@]}" -P "$2" -b - "$3@127.0.0.1"
}
check "sshd-modern: sftp login + ls"                          0  sftp_ls "$U1" 22022 xfsuser
check "sshd-modern: legacy kex group1 refused"              '!0' env XFS_PWFILE="$U1" timeout 20 ssh "${SO[@]}" -o KexAlgorithms=diffie-hellman-group1-sha1 -p 22022 xfsuser@127.0.0.1 true
check "sshd-legacy: group1-sha1 + 3des-cbc + hmac-md5 + ssh-rsa(1024)" 0 env XFS_PWFILE="$U1" timeout 20 ssh "${SO[@]}" -o KexAlgorithms=diffie-hellman-group1-sha1 -o Ciphers=3des-cbc -o MACs=hmac-md5 -o HostKeyAlgorithms=ssh-rsa -p 22023 xfsuser@127.0.0.1 true
check "sshd-legacy: ssh-dss host key + aes128-cbc + hmac-sha1" 0 env XFS_PWFILE="$U1" timeout 20 ssh "${SO[@]}" -o HostKeyAlgorithms=ssh-dss -o Ciphers=aes128-cbc -o MACs=hmac-sha1 -p 22023 xfsuser@127.0.0.1 true
check "sshd-legacy: RSA host key is 1024-bit"                0  bash -c "ssh-keyscan -T 5 -t rsa -p 22023 127.0.0.1 2>/dev/null | ssh-keygen -lf - | grep -q '^1024 '"
check "sshd-legacy: sftp login + ls"                          0  sftp_ls "$U1" 22023 xfsuser
check "sshd-sftponly: xfssftp sftp (chroot) + ls"             0  sftp_ls "$U2" 22024 xfssftp
check "sshd-sftponly: xfssftp shell refused"                '!0' bash -c "XFS_PWFILE='$U2' timeout 20 ssh ${SO[*]} -p 22024 xfssftp@127.0.0.1 id | grep -q uid="
check "sshd-sftponly: xfsuser shell allowed"                  0  env XFS_PWFILE="$U1" timeout 20 ssh "${SO[@]}" -p 22024 xfsuser@127.0.0.1 true
[ $fail = 0 ] && echo "all lab checks passed" || { echo "SOME LAB CHECKS FAILED"; exit 1; }
