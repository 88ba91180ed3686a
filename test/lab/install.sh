#!/usr/bin/env bash
# xferscan test lab: install the real servers used by the integration tests.
#
# Idempotent and non-interactive. Fast path: if every binary is present and its
# shared libraries resolve, nothing is touched.
#
#   - apt-get: openssh-server (only /usr/sbin/sshd is used, no service is started),
#     vsftpd, openssl, iptables, iproute2, curl, lftp, plus the shared libraries
#     that ProFTPD and Pure-FTPd need.
#   - proftpd-core (+ proftpd-mod-crypto, which ships mod_tls.so) and pure-ftpd conflict with vsftpd as Debian packages, so they
#     are fetched with `apt-get download` and unpacked with `dpkg -x` into
#     $XFS_LAB_PREFIX (default /opt/xferscan-lab/root), outside the repo.
#   - optional: testssl.sh, ssh-audit (benchmarks), chromium (HTML report screenshot test);
#     missing is not fatal: those tests and benchmarks skip with a message.
#
# Env: XFS_LAB_PREFIX (unpack prefix), XFS_LAB_FORCE=1 (redo everything).
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
PREFIX="${XFS_LAB_PREFIX:-/opt/xferscan-lab/root}"
LAB_HOME="$(dirname "$PREFIX")"

say()  { printf '[lab-install] %s\n' "$*"; }
die()  { printf '[lab-install] ERROR: %s\n' "$*" >&2; exit 1; }

# Packages installed normally with apt-get (binary to check -> package).
APT_BINS=(
  "/usr/sbin/sshd:openssh-server"
  "/usr/bin/ssh:openssh-client"
  "/usr/sbin/vsftpd:vsftpd"
  "/usr/bin/openssl:openssl"
  "/usr/sbin/iptables:iptables"
  "/usr/sbin/ip:iproute2"
  "/usr/bin/curl:curl"
  "/usr/bin/lftp:lftp"
  "/usr/bin/pkill:procps"
  # test tools: JUnit schema validation, the terminal-width test, PDF pages to PNG
  "/usr/bin/xmllint:libxml2-utils"
  "/usr/bin/tmux:tmux"
  "/usr/bin/pdftoppm:poppler-utils"
)
# Packages unpacked into $PREFIX (binary relative to $PREFIX -> package).
PRIVATE_PKGS=(
  "usr/sbin/proftpd:proftpd-core"
  "usr/lib/proftpd/mod_tls.so:proftpd-mod-crypto"   # mod_tls is a DSO in bookworm, shipped here
  "usr/sbin/pure-ftpd:pure-ftpd"
)
# Fallback library list (bookworm), used if apt-cache depends yields nothing.
FALLBACK_LIBS=(libacl1 libcap2 libcrypt1 libhiredis0.14 libidn2-0 libmemcached11
  libmemcachedutil2 libncursesw6 libpam0g libpcre2-8-0 libpcre2-posix3 libssl3
  libtinfo6 zlib1g libsodium23)
OPTIONAL_PKGS=(testssl.sh ssh-audit chromium)

has_candidate() { # $1 = package; true if apt knows an installable version
  local out
  out="$(apt-cache policy "$1" 2>/dev/null)" || return 1
  grep -q 'Candidate: [0-9]' <<<"$out"
}
is_installed() { # $1 = package
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

libs_ok() { # $1 = binary; true if ldd finds every library
  local out
  out="$(ldd "$1" 2>&1)" || return 1
  ! grep -q 'not found' <<<"$out"
}

all_done() {
  local e bin
  for e in "${APT_BINS[@]}"; do [ -x "${e%%:*}" ] || return 1; done
  for e in "${PRIVATE_PKGS[@]}"; do
    bin="$PREFIX/${e%%:*}"
    [ -f "$bin" ] && libs_ok "$bin" || return 1
  done
  [ -f "$LAB_HOME/.optional-checked" ] || return 1
  return 0
}

# lab modules (test/lab/servers/*.sh install): idempotent, each a fast no-op once installed
install_modules() {
  local m
  for m in "$(dirname "${BASH_SOURCE[0]}")"/servers/*.sh; do
    [ -e "$m" ] || continue
    XFS_LAB_PREFIX="$PREFIX" bash "$m" install || die "lab module $(basename "$m") failed to install"
  done
}

if [ "${XFS_LAB_FORCE:-0}" != 1 ] && all_done; then
  say "already installed (prefix $PREFIX) - nothing to do"
  install_modules   # a module added after the core was installed still gets installed
  exit 0
fi

[ "$(id -u)" = 0 ] || die "must run as root (apt-get, dpkg -x into $PREFIX)"
command -v apt-get >/dev/null || die "apt-get not found: the lab needs a Debian-based system"

# --- never let package maintainer scripts start system services ------------
POLICY=/usr/sbin/policy-rc.d
POLICY_CREATED=0
cleanup() { if [ "$POLICY_CREATED" = 1 ]; then rm -f "$POLICY"; fi; }
trap cleanup EXIT
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\n# temporary, created by xferscan test/lab/install.sh\nexit 101\n' >"$POLICY"
  chmod 755 "$POLICY"
  POLICY_CREATED=1
  say "policy-rc.d: services will not be started during install"
else
  say "policy-rc.d already present: $(grep -E '^exit' "$POLICY" | head -1 || true)"
fi

apt_install() { # packages...
  apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" \
    >"$LAB_HOME/apt-install.log" 2>&1 \
    || { tail -20 "$LAB_HOME/apt-install.log" >&2; die "apt-get install $* failed (log: $LAB_HOME/apt-install.log)"; }
}

mkdir -p "$PREFIX" "$LAB_HOME/debs"

# apt lists present? (a fresh container may have none)
if ! has_candidate vsftpd; then
  say "apt-get update (no package lists found)"
  apt-get update -q >"$LAB_HOME/apt-update.log" 2>&1 || die "apt-get update failed (log: $LAB_HOME/apt-update.log)"
fi

# --- 1. system packages ------------------------------------------------------
missing=()
for e in "${APT_BINS[@]}"; do
  [ -x "${e%%:*}" ] || missing+=("${e#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  apt_install "${missing[@]}"
else
  say "system packages present (sshd, vsftpd, openssl, iptables, ip, curl, lftp)"
fi
for e in "${APT_BINS[@]}"; do
  [ -x "${e%%:*}" ] || die "${e%%:*} still missing after installing ${e#*:}"
done

# If *this run* installed openssh-server/vsftpd and a service got started anyway
# (policy-rc.d is ignored by systemd units started otherwise), stop it again.
# Services of packages that were already installed are never touched.
for pkg in ${missing[@]+"${missing[@]}"}; do
  case $pkg in openssh-server) svc=ssh ;; vsftpd) svc=vsftpd ;; *) continue ;; esac
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl disable --now "$svc" >/dev/null 2>&1 && say "disabled system service $svc (lab runs its own instances)" || true
  elif [ "$svc" = ssh ] && [ -s /run/sshd.pid ] && kill -0 "$(cat /run/sshd.pid)" 2>/dev/null; then
    say "stopping system sshd started by the package (pid $(cat /run/sshd.pid))"
    kill "$(cat /run/sshd.pid)" || true
  fi
done

# --- 2. private unpack of proftpd-core / pure-ftpd --------------------------
for e in "${PRIVATE_PKGS[@]}"; do
  rel="${e%%:*}"; pkg="${e#*:}"
  ver="$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')"
  [ -n "$ver" ] && [ "$ver" != "(none)" ] || die "package $pkg not available from apt"
  stamp="$PREFIX/.unpacked-$pkg"
  if [ -f "$PREFIX/$rel" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$ver" ] && [ "${XFS_LAB_FORCE:-0}" != 1 ]; then
    say "$pkg $ver already unpacked in $PREFIX"
  else
    say "apt-get download $pkg ($ver) + dpkg -x -> $PREFIX"
    rm -f "$LAB_HOME/debs/${pkg}_"*.deb
    (cd "$LAB_HOME/debs" && apt-get download -q "$pkg" >"$LAB_HOME/apt-download.log" 2>&1) \
      || die "apt-get download $pkg failed (log: $LAB_HOME/apt-download.log)"
    dpkg -x "$LAB_HOME/debs/${pkg}_"*.deb "$PREFIX" || die "dpkg -x $pkg failed"
    echo "$ver" >"$stamp"
  fi

  # shared-library dependencies: every lib* Depends of the package
  libs=()
  while read -r dep; do libs+=("$dep"); done < <(
    apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks \
      --no-replaces --no-enhances "$pkg" 2>/dev/null \
      | awk '$1 ~ /^(Pre)?Depends:$/ {print $2}' | grep -E '^(lib|zlib)' | grep -v '^libpam-' | grep -v '<' || true)
  [ ${#libs[@]} -gt 0 ] || libs=("${FALLBACK_LIBS[@]}")
  need=()
  for l in "${libs[@]}"; do
    is_installed "$l" || need+=("$l")
  done
  if [ ${#need[@]} -gt 0 ]; then
    say "apt-get install libraries for $pkg: ${need[*]}"
    apt_install "${need[@]}"
  fi
  libs_ok "$PREFIX/$rel" || { ldd "$PREFIX/$rel" | grep 'not found' >&2; die "$PREFIX/$rel has unresolved libraries"; }
  say "$pkg $ver ok ($PREFIX/$rel)"
done

# --- 3. optional tools (benchmarks) ----------------------------------------
for pkg in "${OPTIONAL_PKGS[@]}"; do
  if is_installed "$pkg"; then
    say "optional $pkg present"
  elif has_candidate "$pkg"; then
    say "apt-get install optional $pkg"
    if ! apt-get install -y -q --no-install-recommends "$pkg" >"$LAB_HOME/apt-optional.log" 2>&1; then
      say "WARNING: optional $pkg failed to install (see $LAB_HOME/apt-optional.log) - continuing"
    fi
  else
    say "optional $pkg not available as a Debian package - skipped"
  fi
done
touch "$LAB_HOME/.optional-checked"

all_done || die "post-install check failed"

# --- 4. lab modules (test/lab/servers/*.sh install) ------------------------
install_modules
say "done"
