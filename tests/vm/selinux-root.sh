#!/bin/bash
# The root of the SELinux guest (tests/vm/selinux-tests.sh): Debian 12's
# clean root plus the reference policy (selinux-policy-default), its tools
# and udev (which labels the device nodes), cached by pkg-root.sh under
# $CACHE/selinux/KEY/root. run.sh
# copies it for each run, installs prhelper and its module there, labels
# it with setfiles and makes the guest's disk from it: the guest boots
# labelled and enforcing, and never relabels under TCG.
#
# Usage: tests/vm/selinux-root.sh CACHE -> prints the root's directory
#        tests/vm/selinux-root.sh CACHE IMG STAGE -> IMG, the guest's disk:
#          that root, STAGE's tree copied over it (prhelper as `make
#          install` lays it out, /opt/prh's test files), prhelper's module
#          and the test module (prhtest.te) loaded, the units enabled,
#          enforcing, every file labelled
# A failure prints one line naming what could not be installed (stderr)
# and exits 1: never a silent skip.
set -eu
CACHE=$1
HERE=$(cd "$(dirname "$0")" && pwd)
if [ $# = 3 ]; then
	IMG=$2 STAGE=$3
	R=$(bash "$0" "$CACHE") || exit 1
	W=$(dirname "$IMG")/seroot
	rm -rf "$W"
	cp -a "$R" "$W"
	cp -a "$STAGE/." "$W/"
	# the modules, built with this machine's reference policy headers
	# (Debian 12's, as the root's policy)
	M=$(dirname "$IMG")/semod
	rm -rf "$M"
	mkdir -p "$M"
	cp "$HERE/../../policy/prhelper.te" "$HERE/../../policy/prhelper.fc" "$HERE/../../policy/prhelper.if" \
		"$HERE/prhtest.te" "$HERE/prhtest.fc" "$M/"
	make -s -C "$M" -f /usr/share/selinux/devel/Makefile prhelper.pp prhtest.pp >"$M/make.log" 2>&1 || {
		sed 's/^/#   /' "$M/make.log" >&2
		echo "cannot build the SELinux modules (log above)" >&2
		exit 1
	}
	cp "$M/prhelper.pp" "$M/prhtest.pp" "$W/tmp/"
	chroot "$W" semodule -n -i /tmp/prhelper.pp /tmp/prhtest.pp >"$M/semodule.log" 2>&1 || {
		sed 's/^/#   /' "$M/semodule.log" >&2
		echo "cannot load the SELinux modules into the root's policy (log above)" >&2
		exit 1
	}
	rm -f "$W"/tmp/*.pp
	sed -i 's/^SELINUX=.*/SELINUX=enforcing/' "$W/etc/selinux/config"
	# users as at the package's installation, before labelling /etc
	systemd-sysusers --root="$W" >/dev/null 2>&1
	cp "$HERE/prhelper-vmtest.service" "$W/etc/systemd/system/"
	# Three more instances for the tests, started with systemctl: systemd
	# refuses initrc_t a transient unit (systemd-run) in user space.
	# prh-forbidden binds where the policy gives prhelper_t nothing (tmp_t);
	# prh-sysadmin keeps CAP_SYS_ADMIN, for the boolean; prh-kill leaves
	# the workers alone when its monitor dies (KillMode=process), so only
	# their parent-death signal ends them.
	cat >"$W/etc/systemd/system/prh-forbidden.service" <<-UNIT
	[Service]
	Type=notify
	ExecStart=/usr/sbin/prhelper -k /tmp/se-forbidden.sock
	UNIT
	cat >"$W/etc/systemd/system/prh-sysadmin.service" <<-UNIT
	[Service]
	Type=notify
	RuntimeDirectory=prhelper
	ExecStart=/usr/sbin/prhelper --keep-sys-admin -k /run/prhelper/sysadmin.sock
	UNIT
	cat >"$W/etc/systemd/system/prh-kill.service" <<-UNIT
	[Service]
	Type=notify
	RuntimeDirectory=prhelper
	KillMode=process
	ExecStart=/usr/sbin/prhelper -k /run/prhelper/kill.sock
	UNIT
	systemctl --root="$W" -q enable prhelper.socket prhelper-vmtest.service
	systemctl --root="$W" -q mask serial-getty@ttyS0.service getty@tty1.service
	mkdir -p "$W/var/target/pr"
	: >"$W/opt/prh/devices.env"
	setfiles -r "$W" "$W/etc/selinux/default/contexts/files/file_contexts" "$W" ||
		{ echo "cannot label the SELinux root (setfiles)" >&2; exit 1; }
	mke2fs -q -t ext4 -d "$W" -L prhelper-selinux -F "$IMG" 1024M >&2
	rm -rf "$W" "$M"
	echo "$IMG"
	exit 0
fi
exec bash "$HERE/pkg-root.sh" "$CACHE" selinux bookworm \
	"selinux-policy-default policycoreutils selinux-utils udev procps sg3-utils dmsetup kmod socat" \
	"selinux-policy-default policycoreutils systemd"
