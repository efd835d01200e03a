#!/bin/bash
# prhelper's OCI image for node-wide deployments (KubeVirt's pr-helper
# container): Debian's packages and prhelper's own, nothing from any
# registry. The root is a debootstrap minbase of the system's Debian suite
# (tests/deb/clean-root.sh, cached) with DEB installed by dpkg; Debian's
# podman imports it as the image's only layer and saves it as an OCI
# archive. The entrypoint takes qemu-pr-helper's arguments: /usr/sbin/prhelper
# itself, and /entrypoint.sh, which KubeVirt's DaemonSet calls, exec'ing
# prhelper with the same arguments. Default command: KubeVirt's socket.
#
# Usage: container/build-image.sh DEB OUT   (root; `make oci-image`)
#   OUT: the OCI archive (podman load -i OUT; skopeo copy oci-archive:OUT ...)
set -eu
DEB=$(realpath "$1")
OUT=$2
cd "$(dirname "$0")/.."
PATH=$PATH:/usr/sbin:/sbin
command -v podman >/dev/null || { echo "build-image.sh: needs Debian's podman (apt-get install podman)" >&2; exit 1; }
. /etc/os-release
BASE=$(bash tests/deb/clean-root.sh "${VERSION_CODENAME:?}") || exit 1
W=$(mktemp -d /tmp/prhelper-image.XXXXXX)
trap 'umount "$W/root/proc" 2>/dev/null || true; rm -rf "$W"' EXIT
R=$W/root
cp -a "$BASE" "$R"
cp "$DEB" "$R/tmp/prhelper.deb"
mount -t proc proc "$R/proc"
# (no init in a container: the package's postinst starts nothing there)
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"
chroot "$R" dpkg -i /tmp/prhelper.deb >"$W/dpkg.log" 2>&1 ||
	{ sed 's/^/#   /' "$W/dpkg.log" >&2; echo "build-image.sh: cannot install $DEB (log above)" >&2; exit 1; }
umount "$R/proc"
rm -f "$R/tmp/prhelper.deb" "$R/usr/sbin/policy-rc.d"
# what a running helper never reads (each package's copyright file stays:
# the image is a distribution of them)
rm -rf "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/* "$R"/usr/share/man/* "$R"/usr/share/locale/*
find "$R/usr/share/doc" ! -type d ! -name copyright -delete
find "$R/usr/share/doc" -mindepth 1 -type d -empty -delete
printf '#!/bin/sh\n# as KubeVirt calls its pr-helper image: /entrypoint.sh -k SOCKET\nexec /usr/sbin/prhelper "$@"\n' >"$R/entrypoint.sh"
chmod 755 "$R/entrypoint.sh"
VERSION=$(chroot "$R" dpkg-query -W -f '${Version}' prhelper)
tar -C "$R" --numeric-owner -cf "$W/root.tar" .
NAME=localhost/prhelper:$VERSION
podman import -q \
	--change 'ENTRYPOINT ["/usr/sbin/prhelper"]' \
	--change 'CMD ["-k", "/var/run/kubevirt/daemons/pr/pr-helper.sock"]' \
	--change "LABEL org.opencontainers.image.title=prhelper org.opencontainers.image.version=$VERSION" \
	"$W/root.tar" "$NAME" >/dev/null
rm -f "$OUT"
podman save -q --format oci-archive -o "$OUT" "$NAME"
podman rmi "$NAME" >/dev/null
echo "# $OUT: $NAME, $(du -h "$OUT" | cut -f1), $PRETTY_NAME with prhelper $VERSION"
