#!/usr/bin/env bash
# Installs everything building, the demo and the tests need, on Debian/Ubuntu as root. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: run as root (the demo and the integration tests create network namespaces)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# iproute2: the only runtime dependency. nftables: the simulated cloud's source/destination check.
# iputils-ping: reachability checks. binutils: strip for the build. procps: ps/pgrep for test cleanup checks.
# rpm (rpmbuild), systemd (systemd-analyze), udev (udevadm), man-db/groff-base: building and checking the packages.
# time, strace, curl: the benchmark (peak RSS, process counts, the seeds' way).
# qemu-system-x86, qemu-utils, debootstrap, dnsmasq-base, genisoimage: the VM boot test (npm run test:vm).
apt-get install -y -qq --no-install-recommends iproute2 nftables iputils-ping binutils procps ca-certificates \
  rpm systemd udev man-db groff-base time strace curl qemu-system-x86 qemu-utils debootstrap dnsmasq-base genisoimage >/dev/null
# The persistent backends' real-tool checks: netplan.io for `netplan generate` (no service, enables nothing);
# NetworkManager's nmcli for `nmcli --offline` keyfile round-trips: libnm0 installed, the network-manager
# package only downloaded and extracted (installing it would enable NetworkManager on this machine).
apt-get install -y -qq --no-install-recommends netplan.io libnm0 >/dev/null
NM_TREE=/var/cache/eni-init-test/network-manager
if [ ! -x "$NM_TREE/usr/bin/nmcli" ]; then
  download=$(mktemp -d)
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
