#!/bin/bash
# The guest's disk for section 20 (tests/vm/container-tests.sh): a
# Debian 12 root with podman, crun and QEMU (pkg-root.sh, cached), the
# OCI image made by container/build-image.sh, and the test files; systemd
# boots it and runs the tests (prhelper-vmtest.service). prhelper itself
# is only in the image: what the guest's host side runs is podman and
# QEMU.
#
# Usage: tests/vm/container-root.sh CACHE IMG OCI STAGE -> IMG
#   OCI: the image's archive; STAGE: a tree copied over the root (/opt/prh)
# A failure prints one line naming what could not be installed (stderr)
# and exits 1: never a silent skip.
set -eu
CACHE=$1 IMG=$2 OCI=$3 STAGE=$4
HERE=$(cd "$(dirname "$0")" && pwd)
R=$(bash "$HERE/pkg-root.sh" "$CACHE" container bookworm \
	"podman crun conmon qemu-system-x86 udev procps sg3-utils kmod" \
	"podman crun conmon qemu-system-x86 systemd") || exit 1
W=$(dirname "$IMG")/ctroot
rm -rf "$W"
cp -a "$R" "$W"
cp -a "$STAGE/." "$W/"
cp "$OCI" "$W/opt/prh/prhelper-oci.tar"
# podman without a network backend or systemd's cgroup manager: the
# container gets --network none, the guest's cgroups are systemd's
mkdir -p "$W/etc/containers"
printf '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' >"$W/etc/containers/containers.conf"
printf '[storage]\ndriver = "vfs"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n' >"$W/etc/containers/storage.conf"
cp "$HERE/prhelper-vmtest.service" "$W/etc/systemd/system/"
systemctl --root="$W" -q enable prhelper-vmtest.service
systemctl --root="$W" -q mask serial-getty@ttyS0.service getty@tty1.service
mkdir -p "$W/var/target/pr"
: >"$W/opt/prh/devices.env"
mke2fs -q -t ext4 -d "$W" -L prhelper-container -F "$IMG" 2048M >&2
rm -rf "$W"
echo "$IMG"
