#!/bin/bash
# A Debian 12 root for one guest mode: the clean root
# (tests/deb/clean-root.sh) plus PKGS from Debian's archive, cached as a
# directory under CACHE/NAME/KEY/root (KEY: a hash of the suite, the
# packages and the layout), rebuilt only when they change; the versions of
# the packages named in VERSIONS in `versions` beside it. Used by
# selinux-root.sh (section 19) and container-root.sh (section 20).
#
# Usage: tests/vm/pkg-root.sh CACHE NAME "PKGS" "VERSIONS" -> prints the root
# A failure prints one line naming what could not be installed (stderr)
# and exits 1: never a silent skip.
set -eu
CACHE=$1 NAME=$2 PKGS=$3 VERSIONS=$4
SUITE=bookworm
LAYOUT=1
KEY=$(echo "$SUITE $PKGS $LAYOUT" | sha256sum | cut -c1-16)
DIR=$CACHE/$NAME/$KEY
if [ -e "$DIR/.done" ]; then
	echo "$DIR/root"
	exit 0
fi
PATH=$PATH:/usr/sbin:/sbin
rm -rf "${CACHE:?}/$NAME"
mkdir -p "$DIR"
R=$DIR/root
t0=$SECONDS
BASE=$(bash "$(dirname "$0")/../deb/clean-root.sh" "$SUITE") || exit 1
echo "# building the $NAME root in $DIR (from $BASE)" >&2
cp -a "$BASE" "$R"
# nothing started in the chroot
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"
mount -t proc proc "$R/proc"
trap 'umount "$R/proc" 2>/dev/null || true' EXIT
chroot "$R" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $PKGS" \
	>"$DIR/apt.log" 2>&1 || {
	tail -20 "$DIR/apt.log" | sed 's/^/#   /' >&2
	echo "cannot install $PKGS in the $NAME root (log above)" >&2
	exit 1
}
# shellcheck disable=SC2086
chroot "$R" dpkg-query -W -f '${Package} ${Version}\n' $VERSIONS >"$DIR/versions"
chroot "$R" apt-get clean
umount "$R/proc"
trap - EXIT
rm -f "$R/usr/sbin/policy-rc.d"
touch "$DIR/.done"
echo "# $NAME root built in $((SECONDS - t0)) s: $(tr '\n' ' ' <"$DIR/versions")" >&2
echo "$R"
