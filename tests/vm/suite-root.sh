#!/bin/bash
# A Debian root with QEMU, qemu-pr-helper and libvirt from one suite
# (bookworm, trixie or sid), as an ext4 image the test guest mounts and
# switches to (tests/vm/suite-tests.sh): the real clients of that suite.
# pkg-root.sh builds and caches it (under $CACHE/roots/SUITE/KEY/: a new
# package list builds a new image; older images of the same suite are
# removed, other suites' stay).
#
# Usage: tests/vm/suite-root.sh CACHE SUITE -> prints the image's path
# A failure prints one line naming what could not be fetched or installed
# (on stderr) and exits 1: never a silent skip.
set -eu
CACHE=$1 SUITE=$2
case $SUITE in bookworm|trixie|sid) ;; *) echo "suite-root.sh: unknown suite '$SUITE'" >&2; exit 2 ;; esac
rm -rf "$CACHE/libvirt-root" # (an old layout's)
exec bash "$(dirname "$0")/pkg-root.sh" "$CACHE" "roots/$SUITE" "$SUITE" \
	"libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86
	 qemu-system-common sg3-utils procps dmsetup" \
	"qemu-system-x86 libvirt-daemon sg3-utils" image
