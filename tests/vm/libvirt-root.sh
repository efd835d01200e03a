#!/bin/bash
# A Debian 12 root with libvirt and QEMU for section 13 of the VM suite
# (libvirt managed mode, tests/vm/libvirt-tests.sh), as an ext4 image the
# test guest mounts. Built with debootstrap (minbase) and apt-get inside it,
# cached under $CACHE/libvirt-root/KEY/, KEY a hash of the suite, the
# package list and LAYOUT: a new list builds a new image (so does a new
# LAYOUT, to be raised whenever the way the image is made changes).
#
# Usage: tests/vm/libvirt-root.sh CACHE -> prints the image's path
set -eu
CACHE=$1
PKGS="libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86
      sg3-utils procps"
MIRROR=http://deb.debian.org/debian
LAYOUT=1
KEY=$(echo "bookworm $PKGS $LAYOUT" | sha256sum | cut -c1-16)
DIR=$CACHE/libvirt-root/$KEY
IMG=$DIR/root.img
if [ -e "$DIR/.done" ]; then
	echo "$IMG"
	exit 0
fi
PATH=$PATH:/usr/sbin:/sbin
command -v debootstrap >/dev/null || {
	apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
}
rm -rf "$CACHE/libvirt-root"
mkdir -p "$DIR"
R=$DIR/root
t0=$SECONDS
debootstrap --variant=minbase bookworm "$R" "$MIRROR" >"$DIR/debootstrap.log" 2>&1 ||
	{ tail -20 "$DIR/debootstrap.log" >&2; exit 1; }
# apt-get rather than debootstrap --include: it resolves the virtual
# packages (logind, dbus-system-bus) libvirt-daemon-system needs. No
# service starts in a chroot (no init); policy-rc.d makes sure.
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"
mount -t proc proc "$R/proc"
trap 'umount "$R/proc" 2>/dev/null || true' EXIT
# shellcheck disable=SC2086
chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $PKGS \
	>"$DIR/apt.log" 2>&1 || { tail -20 "$DIR/apt.log" >&2; exit 1; }
chroot "$R" apt-get clean
umount "$R/proc"
trap - EXIT
rm -f "$R/usr/sbin/policy-rc.d"
# The guest writes to a snapshot of the image (QEMU snapshot=on): the cache
# never changes. 1.5 GB, sparse; the root is about 500 MB.
mke2fs -q -t ext4 -d "$R" -L prhelper-lv -F "$IMG" 1536M >&2
rm -rf "$R"
touch "$DIR/.done"
echo "# libvirt root built in $((SECONDS - t0)) s" >&2
echo "$IMG"
