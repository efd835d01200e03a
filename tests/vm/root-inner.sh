# The start of the second half of sections 19 and 20, sourced (bash) by
# selinux-tests.sh and container-tests.sh once prhelper-vmtest.service
# runs them in the guest's Debian root (root-switch.sh, the first half):
# the disks' names, guest-tests.sh's functions, and at the end the
# test's own inner_cleanup, if it has one, then "prhvm: done" and the
# power-off. SECTION: the section's number, for the lines it prints.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/opt/prh
set -a
. /opt/prh/devices.env
set +a
PRHVM_LIB=1 . /opt/prh/guest-lib.sh # ok, check, note, helper, direct, reset_lu, ...
inner_finish() {
	declare -F inner_cleanup >/dev/null && inner_cleanup
	echo "prhvm: done"
	sync
	systemctl poweroff --force --force
}
trap inner_finish EXIT
trap 'echo "not ok - $SECTION the tests were stopped (SIGTERM)"; exit 1' TERM
