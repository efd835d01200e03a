#!/bin/bash
# The Debian package: built by `make deb` (lintian clean), installed with
# dpkg into a clean root of the system's own Debian suite (debootstrap
# minbase plus systemd: tests/deb/clean-root.sh, cached), checked
# there (files, users, units, a daemon that serves), removed and purged,
# and the root compared with what it was before.
# Usage: tests/deb/check.sh DEB   (run as root)
set -u
DEB=$(realpath "$1")
cd "$(dirname "$0")/../.."
. tests/lib.sh
PATH=$PATH:/usr/sbin:/sbin

# ---- the clean root of the system's own suite (tests/deb/clean-root.sh)
. /etc/os-release
SUITE=${VERSION_CODENAME:?/etc/os-release names no suite}
NAME="$PRETTY_NAME"
copy_clean_root "$SUITE" deb || { finish; exit; }
trap 'umount "$R/proc" 2>/dev/null; rm -rf "$W"' EXIT
# what the root holds, less what dpkg, adduser and logs rightly change
snapshot() {
	(cd "$R" && find . -path ./proc -prune -o -path ./tmp -prune -o -path ./run -prune -o -print) |
		grep -vE '^\./(var/lib/dpkg|var/log|var/cache/debconf|var/lib/systemd/deb-systemd-helper)' |
		grep -vE '^\./etc/(passwd|group|shadow|gshadow|subuid|subgid)-?$' | sort
}
snapshot >"$W/before"

# ---- install
cp "$DEB" "$R/tmp/prhelper.deb"
check "dpkg -i $(basename "$DEB") into a clean $NAME root" chroot "$R" dpkg -i /tmp/prhelper.deb
rm -f "$R/tmp/prhelper.deb"
missing=""
for f in $(chroot "$R" dpkg -L prhelper); do [ -e "$R$f" ] || missing="$missing $f"; done
check "every file dpkg lists is there${missing:+ (missing:$missing)}" [ -z "$missing" ]
# where this suite's systemd keeps its units (/lib on 12, /usr/lib on 13)
U=$(dirname "$(chroot "$R" dpkg -L systemd | grep -m1 '/system/systemd-journald.service$')")
for f in /usr/sbin/prhelper /usr/libexec/prhelper/prhelper-worker /usr/bin/prhelper-client \
	$U/prhelper.socket $U/prhelper.service $U/prhelper@.socket $U/prhelper@.service \
	$U/prhelper-no-capabilities.socket $U/prhelper-no-capabilities.service \
	/usr/lib/sysusers.d/prhelper.conf /etc/apparmor.d/usr.sbin.prhelper \
	/usr/share/man/man8/prhelper.8.gz /usr/share/man/man1/prhelper-client.1.gz \
	/usr/share/doc/prhelper/README.md.gz /usr/share/doc/prhelper/SECURITY.md.gz \
	/usr/share/doc/prhelper/examples/README.md /usr/share/doc/prhelper/copyright; do
	check "installed: $f" [ -e "$R$f" ]
done
# the project's README, not another of that name (dh_compress: over 4 kB)
check "its README is the project's" sh -c "zcat '$R/usr/share/doc/prhelper/README.md.gz' | head -1 | grep -qx '# prhelper'"
for u in prhelper prhelper-worker; do
	line=$(chroot "$R" getent passwd $u)
	uid=$(echo "$line" | cut -d: -f3)
	check "system user $u (${line:-none})" [ -n "$uid" -a "${uid:-1000}" -lt 1000 ]
done
check "prhelper.socket enabled (sockets.target wants it)" \
	[ -L "$R/etc/systemd/system/sockets.target.wants/prhelper.socket" ]
out=$(chroot "$R" systemd-analyze verify --man=no $U/prhelper.socket $U/prhelper.service \
	prhelper@vm1.socket prhelper@vm1.service prhelper-no-capabilities.socket \
	prhelper-no-capabilities.service 2>&1)
check "systemd-analyze verify of the installed units, prhelper@vm1 too${out:+: $out}" [ -z "$out" ]
echo "# $(chroot "$R" systemd-analyze --version | head -1)"
exposure_at_most 1.3 $U/prhelper.service "$R"
exposure_at_most 0.6 $U/prhelper-no-capabilities.service "$R"
check "prhelper -V, prhelper-client --version run" sh -c \
	"chroot '$R' prhelper -V | grep -qx 'prhelper [0-9.]*' && chroot '$R' prhelper-client --version | grep -qx 'prhelper-client [0-9.]*'"

# the installed daemon serves: as the packaged users, with the packaged worker
mount -t proc proc "$R/proc"
mount -t sysfs sysfs "$R/sys" # what a block device is: prhelper reads /sys/dev/block
chroot "$R" /usr/sbin/prhelper -k /tmp/prh.sock 2>"$W/daemon.log" &
dpid=$!
for _ in $(seq 100); do [ -S "$R/tmp/prh.sock" ] && break; sleep 0.1; done
out=$(chroot "$R" prhelper-client -k /tmp/prh.sock /dev/null read-keys 2>&1)
rc=$?
check "the installed daemon answers prhelper-client (/dev/null: exit 1, ABORTED COMMAND)" \
	sh -c "[ $rc = 1 ] && echo '$out' | grep -qi 'aborted command' || { head -5 '$W/daemon.log'; false; }"
check "it runs as prhelper, its workers as prhelper-worker" grep -q \
	"as uid $(chroot "$R" id -u prhelper) gid $(chroot "$R" id -g prhelper), workers uid $(chroot "$R" id -u prhelper-worker)" \
	"$W/daemon.log"
kill $dpid
wait $dpid
umount "$R/proc" "$R/sys"

# ---- remove, purge
check "dpkg -r prhelper" chroot "$R" dpkg -r prhelper
check "after remove: binaries gone, the AppArmor profile (a conffile) kept" \
	[ ! -e "$R/usr/sbin/prhelper" -a -e "$R/etc/apparmor.d/usr.sbin.prhelper" ]
check "dpkg -P prhelper" chroot "$R" dpkg -P prhelper
snapshot >"$W/after"
left=$(comm -13 "$W/before" "$W/after")
gone=$(comm -23 "$W/before" "$W/after")
if [ -z "$left$gone" ]; then
	ok "after purge nothing of prhelper is left, nothing else gone"
else
	not_ok "after purge nothing of prhelper is left, nothing else gone"
	printf '#   left: %s\n#   gone: %s\n' "$left" "$gone"
fi
echo "# left by design (Debian keeps system users): $(chroot "$R" getent passwd prhelper prhelper-worker | cut -d: -f1 | tr '\n' ' ')"
finish
