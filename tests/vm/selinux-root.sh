#!/bin/bash
# The root of the SELinux guest (tests/vm/selinux-tests.sh): Debian 12's
# clean root (tests/deb/clean-root.sh) plus the reference policy
# (selinux-policy-default), its tools and udev (which labels the device
# nodes), cached as a directory under $CACHE/selinux/KEY/root. run.sh
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
	cat >"$W/etc/systemd/system/prhelper-vmtest.service" <<-UNIT
	[Unit]
	Description=prhelper's SELinux tests (tests/vm/selinux-tests.sh)
	After=prhelper.socket systemd-udev-settle.service
	Wants=systemd-udev-settle.service
	[Service]
	Type=oneshot
	# run.sh's deadline bounds it, not systemd's 90 s
	TimeoutStartSec=infinity
	ExecStart=/bin/bash /opt/prh/guest-tests.sh inner
	StandardOutput=tty
	StandardError=tty
	TTYPath=/dev/ttyS0
	[Install]
	WantedBy=multi-user.target
	UNIT
	# Three more instances for the tests, started with systemctl: systemd
	# refuses initrc_t a transient unit (systemd-run) in user space.
	# prh-forbidden binds where the policy gives prhelper_t nothing (tmp_t);
	# prh-sysadmin keeps CAP_SYS_ADMIN, for the boolean; prh-kill leaves the workers alone when its monitor dies
	# (KillMode=process), so only their parent-death signal ends them.
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
SUITE=bookworm
PKGS="selinux-policy-default policycoreutils selinux-utils udev procps sg3-utils dmsetup kmod socat"
LAYOUT=1
KEY=$(echo "$SUITE $PKGS $LAYOUT" | sha256sum | cut -c1-16)
DIR=$CACHE/selinux/$KEY
if [ -e "$DIR/.done" ]; then
	echo "$DIR/root"
	exit 0
fi
PATH=$PATH:/usr/sbin:/sbin
rm -rf "$CACHE/selinux"
mkdir -p "$DIR"
R=$DIR/root
t0=$SECONDS
BASE=$(bash "$(dirname "$0")/../deb/clean-root.sh" "$SUITE") || exit 1
echo "# building the SELinux root in $DIR (from $BASE)" >&2
cp -a "$BASE" "$R"
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"
mount -t proc proc "$R/proc"
trap 'umount "$R/proc" 2>/dev/null || true' EXIT
chroot "$R" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $PKGS" \
	>"$DIR/apt.log" 2>&1 || {
	tail -20 "$DIR/apt.log" | sed 's/^/#   /' >&2
	echo "cannot install $PKGS in the SELinux root (log above)" >&2
	exit 1
}
chroot "$R" dpkg-query -W -f '${Package} ${Version}\n' selinux-policy-default policycoreutils systemd >"$DIR/versions"
chroot "$R" apt-get clean
umount "$R/proc"
trap - EXIT
rm -f "$R/usr/sbin/policy-rc.d"
touch "$DIR/.done"
echo "# SELinux root built in $((SECONDS - t0)) s: $(tr '\n' ' ' <"$DIR/versions")" >&2
echo "$R"
