# Shared pieces of the lab scripts (sourced by lab.sh, netns.sh and fwlab.sh).

# pick_iptables NAMESPACE: sets IPT to an iptables that works inside the namespace, including
# REJECT --reject-with tcp-reset. Bookworm's iptables is iptables-nft; legacy is the fallback.
pick_iptables() {
  local ns=$1 cand
  for cand in iptables iptables-nft iptables-legacy; do
    command -v "$cand" >/dev/null || continue
    if ip netns exec "$ns" "$cand" -w -N XFS_PROBE 2>/dev/null; then
      if ip netns exec "$ns" "$cand" -w -A XFS_PROBE -p tcp --dport 1 -j REJECT --reject-with tcp-reset 2>/dev/null; then
        ip netns exec "$ns" "$cand" -w -F XFS_PROBE; ip netns exec "$ns" "$cand" -w -X XFS_PROBE; IPT=$cand; return 0
      fi
      ip netns exec "$ns" "$cand" -w -F XFS_PROBE 2>/dev/null || true
      ip netns exec "$ns" "$cand" -w -X XFS_PROBE 2>/dev/null || true
    fi
  done
  die "no working iptables inside network namespace $ns (install.sh installs iptables)"
}

# vsftpd_strict_tls CERTDIR: the vsftpd lines for explicit/implicit FTPS with TLS required for
# logins and data, session reuse required, TLS 1.2+ only (with OpenSSL MinProtocol) — the good config.
vsftpd_strict_tls() {
  cat <<CONF
anonymous_enable=NO
ssl_enable=YES
rsa_cert_file=$1/good.crt
rsa_private_key_file=$1/good.key
allow_anon_ssl=NO
force_local_logins_ssl=YES
force_local_data_ssl=YES
require_ssl_reuse=YES
ssl_sslv2=NO
ssl_sslv3=NO
ssl_tlsv1=NO
ssl_ciphers=HIGH:!aNULL:!MD5:!3DES
CONF
}
