#!/bin/bash
# A root of one Debian suite for one guest mode: the suite's clean root
# (tests/deb/clean-root.sh: debootstrap minbase plus systemd) plus PKGS
# from Debian's archive (apt-get inside it: it resolves the virtual
# packages, such as logind, that debootstrap --include cannot), cached
# under CACHE/NAME/KEY (KEY: a hash of the suite, the packages and
# LAYOUT, to be raised whenever the way a root is made changes), rebuilt
# only when they change; an older one under NAME is removed. The
# versions of the packages named in VERSIONS go to `versions` beside it.
# As a directory (root/: sections 19 and 20 add to a copy of it) or, with
# "image", as an ext4 image (root.img, 2 GB sparse, the directory
# removed: a suite's clients, which the guest runs from a snapshot).
#
# Usage: tests/vm/pkg-root.sh CACHE NAME SUITE "PKGS" "VERSIONS" [image]
#   -> prints the root's (or the image's) path
# A failure prints one line naming what could not be installed (stderr)
# and exits 1: never a silent skip.
set -eu
CACHE=$1 NAME=$2 SUITE=$3 PKGS=$(echo $4) VERSIONS=$5 FORM=${6:-dir}
LAYOUT=2
KEY=$(echo "$SUITE $PKGS $FORM $LAYOUT" | sha256sum | cut -c1-16)
DIR=$CACHE/$NAME/$KEY
OUT=$DIR/root
[ "$FORM" = image ] && OUT=$DIR/root.img
if [ -e "$DIR/.done" ]; then
	echo "$OUT"
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
# nothing started in the chroot (no init there; policy-rc.d makes sure)
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"
mount -t proc proc "$R/proc"
trap 'umount "$R/proc" 2>/dev/null || true' EXIT
chroot "$R" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $PKGS" \
	>"$DIR/apt.log" 2>&1 || {
	tail -20 "$DIR/apt.log" | sed 's/^/#   /' >&2
	echo "cannot install $PKGS in the $NAME root ($SUITE; log above)" >&2
	exit 1
}
# shellcheck disable=SC2086
chroot "$R" dpkg-query -W -f '${Package} ${Version}\n' $VERSIONS >"$DIR/versions"
chroot "$R" apt-get clean
umount "$R/proc"
trap - EXIT
rm -f "$R/usr/sbin/policy-rc.d"
if [ "$FORM" = image ]; then
	mke2fs -q -t ext4 -d "$R" -L "prh-${NAME##*/}" -F "$OUT" 2048M >&2
	rm -rf "$R"
fi
touch "$DIR/.done"
echo "# $NAME root built in $((SECONDS - t0)) s: $(tr '\n' ' ' <"$DIR/versions")" >&2
echo "$OUT"
