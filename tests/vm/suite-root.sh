#!/bin/bash
# A Debian root with QEMU, qemu-pr-helper and libvirt from one suite
# (bookworm, trixie or sid), as an ext4 image the test guest mounts and
# switches to (tests/vm/suite-tests.sh): the real clients of that suite.
# Built from the suite's clean root (tests/deb/clean-root.sh: debootstrap
# minbase plus systemd) with apt-get inside it, cached under
# $CACHE/roots/SUITE/KEY/, KEY a hash of the suite, the package list and
# LAYOUT: a new list builds a new image (so does a new LAYOUT, to be raised
# whenever the way the image is made changes). Older images of the same
# suite are removed; other suites' stay.
#
# Usage: tests/vm/suite-root.sh CACHE SUITE -> prints the image's path
# A failure prints one line naming what could not be fetched or installed
# (on stderr) and exits 1: never a silent skip.
set -eu
CACHE=$1 SUITE=$2
case $SUITE in bookworm|trixie|sid) ;; *) echo "suite-root.sh: unknown suite '$SUITE'" >&2; exit 2 ;; esac
PKGS="libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86
      qemu-system-common sg3-utils procps dmsetup"
LAYOUT=3
KEY=$(echo "$SUITE $PKGS $LAYOUT" | sha256sum | cut -c1-16)
DIR=$CACHE/roots/$SUITE/$KEY
IMG=$DIR/root.img
if [ -e "$DIR/.done" ]; then
	echo "$IMG"
	exit 0
fi
PATH=$PATH:/usr/sbin:/sbin
rm -rf "$CACHE/roots/$SUITE" "$CACHE/libvirt-root" # (the old layout's)
mkdir -p "$DIR"
R=$DIR/root
t0=$SECONDS
# one debootstrap per suite: the clean root the package check starts from
BASE=$(bash "$(dirname "$0")/../deb/clean-root.sh" "$SUITE") || exit 1
echo "# building the $SUITE root in $DIR (from $BASE)" >&2
cp -a "$BASE" "$R"
# apt-get rather than debootstrap --include: it resolves the virtual
# packages (logind, dbus-system-bus) libvirt-daemon-system needs. No
# service starts in a chroot (no init); policy-rc.d makes sure.
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"
mount -t proc proc "$R/proc"
trap 'umount "$R/proc" 2>/dev/null || true' EXIT
# shellcheck disable=SC2086
chroot "$R" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(echo $PKGS)" \
	>"$DIR/apt.log" 2>&1 || {
	tail -20 "$DIR/apt.log" | sed 's/^/#   /' >&2
	echo "cannot install $SUITE's packages ($(echo $PKGS)) in its root (log above)" >&2
	exit 1
}
chroot "$R" dpkg-query -W -f '${Package} ${Version}\n' qemu-system-x86 libvirt-daemon sg3-utils >"$DIR/versions"
chroot "$R" apt-get clean
umount "$R/proc"
trap - EXIT
rm -f "$R/usr/sbin/policy-rc.d"
# The guest writes to a snapshot of the image (QEMU snapshot=on): the cache
# never changes. 2 GB, sparse; a root is 500-700 MB.
mke2fs -q -t ext4 -d "$R" -L prhelper-$SUITE -F "$IMG" 2048M >&2
rm -rf "$R"
touch "$DIR/.done"
echo "# $SUITE root built in $((SECONDS - t0)) s: $(tr '\n' ' ' <"$DIR/versions")" >&2
echo "$IMG"
