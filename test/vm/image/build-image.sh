#!/usr/bin/env bash
# Builds the VM boot test's Debian 12 guest images (nm.raw, networkd.raw, netplan.raw, vmlinuz, initrd.img) into OUTDIR.
# usage: build-image.sh OUTDIR MIRROR SECURITY_MIRROR   (env http_proxy: used for debootstrap and apt, if set)
# debootstrap cannot resolve default-logind and the cffi virtual package, so: a minbase bootstrap, then
# apt-get install of the rest inside the chroot (proc/sys/dev mounted, always unmounted). No loop devices:
# the ext4 file systems are made from the chroot directories with mkfs.ext4 -d.
set -euo pipefail

out=$1 mirror=$2 security=$3
SUITE=bookworm
COMMON_PACKAGES="systemd systemd-sysv udev dbus kmod cloud-init iproute2 iputils-ping qemu-guest-agent linux-image-amd64 initramfs-tools procps less ca-certificates curl"
# rpm: the RPM scenario installs the .rpm on this image (rpm -i --nodeps: its database knows no Debian package).
NM_PACKAGES="network-manager rpm"
# netplan.io: cloud-init renders netplan YAML, netplan generates systemd-networkd files (an Ubuntu-style stack).
NETPLAN_PACKAGES="netplan.io"
IMAGE_SIZE=3G

work=$(mktemp -d "$(dirname "$out")/build.XXXXXX")
mounted=()
unmount_all() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
  mounted=()
}
cleanup() {
  unmount_all
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "build-image: $*" >&2; }

in_chroot() {
  local root=$1
  shift
  mount -t proc proc "$root/proc" && mounted+=("$root/proc")
  mount -t sysfs sys "$root/sys" && mounted+=("$root/sys")
  mount --bind /dev "$root/dev" && mounted+=("$root/dev")
  mount -t devpts devpts "$root/dev/pts" && mounted+=("$root/dev/pts")
  local rc=0
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 \
    ${http_proxy:+http_proxy=$http_proxy} "$@" || rc=$?
  unmount_all
  return $rc
}

root=$work/common
say "debootstrap $SUITE from $mirror"
debootstrap --variant=minbase --include=apt-utils,ca-certificates "$SUITE" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror $SUITE main
deb $mirror $SUITE-updates main
deb $security $SUITE-security main
EOF
if [ -n "${http_proxy:-}" ]; then echo "Acquire::http::Proxy \"$http_proxy\";" >"$root/etc/apt/apt.conf.d/01build-proxy"; fi
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" && chmod 0755 "$root/usr/sbin/policy-rc.d"
# Kernel install hooks must find a usable initramfs config: MODULES=most (Debian's default) has virtio.
say "apt-get install (common): $COMMON_PACKAGES"
in_chroot "$root" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $COMMON_PACKAGES" >"$work/apt.log" 2>&1 ||
  { tail -n 40 "$work/apt.log" >&2; exit 1; }

# systemd-networkd enabled in an image, wait-online satisfied by any one link (the secondaries may stay down).
enable_networkd() {
  : "${1:?enable_networkd needs an image directory}" # never the host's own /etc
  cat >"$1/etc/systemd/system/systemd-networkd-wait-online.service.d/timeout.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=/lib/systemd/systemd-networkd-wait-online --any --timeout=60
EOF
  ln -sf /lib/systemd/system/systemd-networkd.service "$1/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
  ln -sf /lib/systemd/system/systemd-networkd.service "$1/etc/systemd/system/dbus-org.freedesktop.network1.service"
  ln -sf /lib/systemd/system/systemd-networkd.socket "$1/etc/systemd/system/sockets.target.wants/systemd-networkd.socket"
  ln -sf /lib/systemd/system/systemd-networkd-wait-online.service \
    "$1/etc/systemd/system/network-online.target.wants/systemd-networkd-wait-online.service"
}

# --- common guest configuration ------------------------------------------------------------------------------
echo eni-vm >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\teni-vm\n' >"$root/etc/hosts"
printf '/dev/vda\t/\text4\trw,errors=remount-ro\t0\t0\n' >"$root/etc/fstab"
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
mkdir -p "$root/etc/cloud/cloud.cfg.d"
cat >"$root/etc/cloud/cloud.cfg.d/05-eni-vm.cfg" <<'EOF'
# VM boot test image: user data only from a NoCloud seed (the cidata disk of the test).
datasource_list: [ NoCloud ]
# No locale generation and no SSH host keys (no sshd): slow under emulation and not under test.
locale: C.UTF-8
ssh_genkeytypes: []
EOF
# Nothing periodic or slow that is not under test.
for unit in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer man-db.timer \
  getty@tty1.service systemd-timesyncd.service; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
mkdir -p "$root/var/log/journal"
rm -f "$root/etc/network/interfaces" "$root/usr/sbin/policy-rc.d" "$root/etc/apt/apt.conf.d/01build-proxy"
if in_chroot "$root" dpkg -s ifupdown >/dev/null 2>&1; then say "ifupdown got installed; it must not be"; exit 1; fi
kernel=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -n 1)
initrd=$root/boot/initrd.img-${kernel##*/vmlinuz-}
for module in virtio_blk virtio_net virtio_pci ext4; do
  in_chroot "$root" sh -c "lsinitramfs /boot/${initrd##*/} | grep -q '/$module\.ko'" ||
    { say "initramfs lacks $module"; exit 1; }
done
apt_clean() { rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/apt/archives/*.deb; }

# --- networkd image: systemd-networkd DHCP on every ethN/enN, no NetworkManager --------------------------------
nd=$work/networkd
cp -a "$root" "$nd"
mkdir -p "$nd/etc/systemd/network" "$nd/etc/systemd/system/multi-user.target.wants" "$nd/etc/systemd/system/sockets.target.wants" \
  "$nd/etc/systemd/system/network-online.target.wants" "$nd/etc/systemd/system/systemd-networkd-wait-online.service.d"
cat >"$nd/etc/systemd/network/50-eni-vm-dhcp.network" <<'EOF'
[Match]
Name=eth* en*

[Network]
DHCP=ipv4
EOF
enable_networkd "$nd"
apt_clean "$nd"

# --- netplan image: cloud-init renders netplan (a config for every NIC), netplan generates networkd files ----------
np=$work/netplan
cp -a "$root" "$np"
mkdir -p "$np/etc/systemd/system/multi-user.target.wants" "$np/etc/systemd/system/sockets.target.wants" \
  "$np/etc/systemd/system/network-online.target.wants" "$np/etc/systemd/system/systemd-networkd-wait-online.service.d"
printf '#!/bin/sh\nexit 101\n' >"$np/usr/sbin/policy-rc.d" && chmod 0755 "$np/usr/sbin/policy-rc.d"
if [ -n "${http_proxy:-}" ]; then echo "Acquire::http::Proxy \"$http_proxy\";" >"$np/etc/apt/apt.conf.d/01build-proxy"; fi
say "apt-get install (netplan): $NETPLAN_PACKAGES"
in_chroot "$np" sh -c "apt-get install -y -qq --no-install-recommends $NETPLAN_PACKAGES" >"$work/apt-netplan.log" 2>&1 ||
  { tail -n 40 "$work/apt-netplan.log" >&2; exit 1; }
rm -f "$np/usr/sbin/policy-rc.d" "$np/etc/apt/apt.conf.d/01build-proxy"
# cloud-init's system config (it wins over the datasource's): netplan renders it, one definition per NIC by name
# (eth3 is hot-plugged later), DHCP on each, as cloud-init writes it on Ubuntu.
cat >"$np/etc/cloud/cloud.cfg.d/06-eni-vm-netplan.cfg" <<'EOF'
system_info:
  network:
    renderers: [netplan]
    activators: [netplan]
network:
  version: 2
  ethernets:
    eth0: {dhcp4: true}
    eth1: {dhcp4: true}
    eth2: {dhcp4: true}
    eth3: {dhcp4: true}
EOF
enable_networkd "$np"
[ -x "$np/usr/sbin/netplan" ] || { say "netplan missing in the netplan image"; exit 1; }
apt_clean "$np"

# --- nm image: NetworkManager (its default: DHCP on every wired NIC) ------------------------------------------
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" && chmod 0755 "$root/usr/sbin/policy-rc.d"
if [ -n "${http_proxy:-}" ]; then echo "Acquire::http::Proxy \"$http_proxy\";" >"$root/etc/apt/apt.conf.d/01build-proxy"; fi
say "apt-get install (nm): $NM_PACKAGES"
in_chroot "$root" sh -c "apt-get install -y -qq --no-install-recommends $NM_PACKAGES" >"$work/apt-nm.log" 2>&1 ||
  { tail -n 40 "$work/apt-nm.log" >&2; exit 1; }
rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/apt/apt.conf.d/01build-proxy"
if [ -e "$root/etc/systemd/system/multi-user.target.wants/systemd-networkd.service" ]; then say "networkd enabled in nm image"; exit 1; fi
apt_clean "$root"

# --- disks ---------------------------------------------------------------------------------------------------
say "making ext4 images"
mkfs.ext4 -q -F -L root -d "$nd" "$work/networkd.raw" "$IMAGE_SIZE" >/dev/null
mkfs.ext4 -q -F -L root -d "$root" "$work/nm.raw" "$IMAGE_SIZE" >/dev/null
mkfs.ext4 -q -F -L root -d "$np" "$work/netplan.raw" "$IMAGE_SIZE" >/dev/null
cp "$kernel" "$work/vmlinuz"
cp "$root/boot/${initrd##*/}" "$work/initrd.img"
mkdir -p "$out"
mv "$work/networkd.raw" "$work/nm.raw" "$work/netplan.raw" "$work/vmlinuz" "$work/initrd.img" "$out/"
say "done: $out"
