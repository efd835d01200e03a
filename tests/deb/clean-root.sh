#!/bin/bash
# A clean root of one Debian suite: debootstrap minbase plus the few
# packages prhelper's own package needs to install and start (systemd,
# adduser, its libraries). Built once per suite and package list, cached
# under $PRHELPER_DEB_CACHE (default /var/cache/prhelper-deb)/SUITE/KEY;
# never changed after: callers copy it. One root serves every test that
# starts from a clean system of that suite: the package check
# (tests/deb/check.sh), the build root of another suite
# (tests/suite/check.sh) and the VM suite's client roots
# (tests/vm/suite-root.sh).
#
# Usage: tests/deb/clean-root.sh SUITE -> prints the root's directory
# A failure prints one line naming what could not be fetched (stderr) and
# exits 1: never a silent skip.
set -eu
SUITE=$1
case $SUITE in bookworm|trixie|sid) ;; *) echo "clean-root.sh: unknown suite '$SUITE'" >&2; exit 2 ;; esac
CACHE=${PRHELPER_DEB_CACHE:-/var/cache/prhelper-deb}
PKGS="systemd adduser libcap-ng0 libseccomp2"
MIRROR=http://deb.debian.org/debian
# The root fetches from the host's mirror, so its apt takes the host's
# policy on Release files past their Valid-Until or dated ahead (a host
# behind a frozen mirror turns those checks off in its own configuration:
# sid's Release is valid for a week only). Signatures are checked as ever.
APTCONF=""
for opt in Acquire::Check-Valid-Until Acquire::Check-Date; do
	v=$(apt-config dump "$opt" | sed -n "s/^$opt \"\(.*\)\";$/\1/p")
	[ -n "$v" ] && APTCONF="$APTCONF$opt \"$v\";\n"
done
KEY=$(printf "%s %b" "$SUITE minbase $PKGS" "$APTCONF" | sha256sum | cut -c1-16)
DIR=$CACHE/$SUITE/$KEY
if [ -e "$DIR/.done" ]; then
	echo "$DIR/root"
	exit 0
fi
PATH=$PATH:/usr/sbin:/sbin
command -v debootstrap >/dev/null || {
	apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
}
# (older package lists of this suite; other suites' roots stay)
rm -rf "$CACHE/$SUITE"
mkdir -p "$DIR"
t0=$SECONDS
echo "# building a clean $SUITE root in $DIR (debootstrap from $MIRROR)" >&2
debootstrap --variant=minbase --include="${PKGS// /,}" "$SUITE" "$DIR/root" "$MIRROR" \
	>"$DIR/debootstrap.log" 2>&1 || {
	tail -5 "$DIR/debootstrap.log" | sed 's/^/#   /' >&2
	echo "cannot debootstrap $SUITE from $MIRROR (log above)" >&2
	exit 1
}
[ -z "$APTCONF" ] || printf "%b" "$APTCONF" >"$DIR/root/etc/apt/apt.conf.d/99host-mirror"
chroot "$DIR/root" apt-get clean
touch "$DIR/.done"
echo "# clean $SUITE root built in $((SECONDS - t0)) s, $(du -sm "$DIR/root" | cut -f1) MB" >&2
echo "$DIR/root"
