#!/bin/bash
# Another Debian suite's machine, as a root: a copy of that suite's clean
# root (tests/deb/clean-root.sh, cached), into which the tracked tree is
# copied and where the README's set-up commands run as on a fresh machine
# of that suite: `make deps all`, the daemon started as the README starts
# it and asked by prhelper-client, both compilers warning-free, `make check`
# (unit, sandbox, fuzz replay, man pages, the package built and
# lintian-checked with that suite's tools and installed into its clean
# root, host integration with its QEMU and qemu-pr-helper) and
# `make check-asan`. `make check` there leaves out the VM suite, the OCI
# image and other suites: the host's own run covers them (tests/vm,
# tests/oci, this script).
#
# It runs in a private mount namespace: the root's /proc, /sys, /dev and
# cache mounts vanish with it, and only then is the copy removed. The root
# is a mount of its own, so that tests there can unshare theirs.
# Usage: tests/suite/check.sh SUITE   (root; apt downloads cached under
# $PRHELPER_DEB_CACHE/SUITE-apt)
set -u
SUITE=$1
cd "$(dirname "$0")/../.."
. tests/lib.sh
CACHE=${PRHELPER_DEB_CACHE:-/var/cache/prhelper-deb}
T0=$SECONDS

copy_clean_root "$SUITE" suite || { finish; exit; }
trap 'rm -rf "$W"' EXIT
mkdir -p "$R/src" "$CACHE/$SUITE-apt"
git ls-files -z | xargs -0 cp --parents -t "$R/src"
. "$R/etc/os-release"
echo "# $PRETTY_NAME root: copied in $((SECONDS - T0)) s; apt's downloads cached in $CACHE/$SUITE-apt"

# step NAME COMMAND...: one command in the root, in /src, its output in
# $W/NAME.log: the summary lines shown, the tail on failure.
step() {
	local name=$1 t0=$SECONDS rc
	shift
	unshare --mount --propagation private bash -c '
		R=$1 CACHE=$2 SUITE=$3
		shift 3
		mount --bind "$R" "$R" &&
		mount -t proc proc "$R/proc" && mount --rbind /sys "$R/sys" && mount --rbind /dev "$R/dev" &&
		mount -t tmpfs tmpfs "$R/run" && mount -t tmpfs -o size=4g tmpfs "$R/tmp" &&
		mkdir -p "$R$CACHE" && mount --bind "$CACHE" "$R$CACHE" &&
		mount --bind "$CACHE/$SUITE-apt" "$R/var/cache/apt/archives" &&
		cp /etc/resolv.conf "$R/etc/resolv.conf" || exit 99
		exec chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
			PRHELPER_DEB_CACHE="$CACHE" sh -c "cd /src || exit 98
$*"' \
		step "$R" "$CACHE" "$SUITE" "$@" >"$W/$name.log" 2>&1
	rc=$?
	grep -E '^(not ok|# ==|# systemd|ok .*security exposure|[0-9]+ passed, [0-9]+ failed$)|^[^o].*(warning|error):' \
		"$W/$name.log" | tail -15 | sed 's/^/#   /'
	if [ $rc = 0 ]; then
		ok "$PRETTY_NAME: $name ($((SECONDS - t0)) s)"
	else
		not_ok "$PRETTY_NAME: $name (exit $rc, $((SECONDS - t0)) s)"
		tail -30 "$W/$name.log" | sed 's/^/#   /'
	fi
	return $rc
}

# The README's build command in a checkout (git and make first, as it
# says; the copy becomes one, as make deb lists the tracked files), then
# its run command, asked once.
if step "make deps all" "apt-get update -qq && apt-get install -y -qq git make >/dev/null &&
	git init -q && git add -A && make deps all"; then
	step "the README's run command serves prhelper-client" '
		./build/prhelper -k /run/prhelper.sock --worker "$PWD/build/prhelper-worker" 2>/tmp/daemon.log &
		for i in $(seq 50); do [ -S /run/prhelper.sock ] && break; sleep 0.1; done
		out=$(./build/prhelper-client -k /run/prhelper.sock /dev/null read-keys 2>&1); rc=$?
		kill $!; wait $!
		echo "$out"; cat /tmp/daemon.log
		[ $rc = 1 ] && echo "$out" | grep -qi "aborted command"'
	echo "# $(chroot "$R" gcc --version | head -1); $(chroot "$R" clang --version | head -1)"
	echo "# $(chroot "$R" dpkg-query -W -f '${Package} ${Version}, ' libseccomp-dev systemd debhelper lintian qemu-system-x86)"
	step "clang: warning-free" "make clean && make CC=clang all && make clean"
	step "make check" "make check HAVE_QEMU= CHECK_OCI= OTHER_SUITES="
	step "make check-asan" "make check-asan"
fi
echo "# $PRETTY_NAME: $((SECONDS - T0)) s"
finish
