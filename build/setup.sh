#!/usr/bin/env bash
# Installs everything building, the demo and the tests need, on Debian/Ubuntu as root. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: run as root (the demo and the integration tests create network namespaces)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive

# Another apt/dpkg run (unattended-upgrades, cloud-init on a fresh VM) may hold the dpkg or apt lists lock:
# wait for it, bounded (SETUP_LOCK_WAIT seconds, default 300), saying so, instead of failing at once.
# apt >= 1.9.11 (Debian 11, Ubuntu 20.04 and later) waits by itself with -o DPkg::Lock::Timeout=N, for
# `apt-get install` and `apt-get update` alike (checked on apt 2.6); older apt ignores the option and fails
# at once, so the loop below retries (every second there) until the bound.
LOCK_WAIT=${SETUP_LOCK_WAIT:-300}
apt_get() {
  local deadline=$((SECONDS + LOCK_WAIT)) lock_wait=0 err rc
  err=$(mktemp)
  while true; do
    rc=0
    # The first try does not wait (so the message below comes at once), later ones up to 15 s within the bound.
    apt-get -o DPkg::Lock::Timeout="$lock_wait" "$@" 2>"$err" || rc=$?
    lock_wait=$((deadline - SECONDS < 15 ? (deadline - SECONDS > 0 ? deadline - SECONDS : 0) : 15))
    if [ "$rc" -eq 0 ]; then
      rm -f "$err"
      return 0
    fi
    if grep -q -e 'Could not get lock' -e 'Unable to acquire the dpkg' -e 'Unable to lock' "$err" && [ "$SECONDS" -lt "$deadline" ]; then
      holder=$(grep -o 'held by process [0-9]* ([^)]*)' "$err" | head -n 1 || true)
      echo "setup: waiting for the apt/dpkg lock${holder:+ ($holder)}: another package run is going on; up to $((deadline - SECONDS)) s more" >&2
      [ "$lock_wait" -gt 0 ] || sleep 1
      continue
    fi
    cat "$err" >&2
    rm -f "$err"
    [ "$SECONDS" -ge "$deadline" ] && echo "setup: the apt/dpkg lock was not released within ${LOCK_WAIT} s; retry when the other package run is done (SETUP_LOCK_WAIT=N to wait longer)" >&2
    return "$rc"
  done
}

echo "setup: updating the package lists (apt-get update)"
apt_get update -qq
echo "setup: installing, with what each group is for:"
echo "  iproute2                          the only runtime dependency (ip)"
echo "  nftables iputils-ping procps      the simulated cloud's source/destination check, ping checks, test cleanup checks"
echo "  binutils ca-certificates          strip for the build; HTTPS for npm"
echo "  rpm systemd udev man-db groff-base  building and checking the .deb and .rpm packages"
echo "  time strace curl                  the benchmark (peak RSS, process counts, the seeds' way)"
echo "  qemu-system-x86 qemu-utils debootstrap dnsmasq-base genisoimage  the VM boot test (npm run test:vm)"
echo "  netplan.io libnm0                 the persistent backends' real-tool checks (netplan generate, nmcli --offline)"
# netplan.io only for `netplan generate` (no service, enables nothing); NetworkManager's nmcli for `nmcli --offline`
# keyfile round-trips: libnm0 installed, the network-manager package only downloaded and extracted below
# (installing it would enable NetworkManager on this machine).
apt_get install -y -qq --no-install-recommends iproute2 nftables iputils-ping binutils procps ca-certificates \
  rpm systemd udev man-db groff-base time strace curl qemu-system-x86 qemu-utils debootstrap dnsmasq-base genisoimage \
  netplan.io libnm0 >/dev/null
NM_TREE=/var/cache/eni-init-test/network-manager
if [ ! -x "$NM_TREE/usr/bin/nmcli" ]; then
  download=$(mktemp -d)
  echo "setup: extracting network-manager's nmcli into $NM_TREE (not installed: that would enable NetworkManager)"
  (cd "$download" && apt-get download -qq network-manager >/dev/null 2>&1 && mkdir -p "$NM_TREE" && dpkg-deb -x network-manager_*.deb "$NM_TREE")
  rm -rf "$download"
fi

if ! command -v node >/dev/null 2>&1; then
  echo "setup: Node.js 20 or newer is needed to build eni-init (the built executable needs no Node.js)" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "setup: Node.js $(node --version) is too old to build; 20 or newer is needed (SEA)" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
echo "setup: ready"
