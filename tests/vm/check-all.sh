#!/bin/bash
# make check-vm: the real-device suite once per guest kernel (VM_KERNELS,
# default: Debian 12's own and trixie-backports' newest), then section 13
# (libvirt managed mode, in a Debian 12 root on Debian 12's kernel; off
# with VM_LIBVIRT=0), each printing its own "N passed, N failed", then the
# sum. Fails if any run fails.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
runs="${VM_KERNELS:-bookworm trixie-backports}"
[ "${VM_LIBVIRT:-1}" = 1 ] && runs="$runs libvirt"
for k in $runs; do
	[ "$k" = libvirt ] && echo "# ==== libvirt managed mode (Debian 12 root, Debian 12 kernel)" ||
		echo "# ==== guest kernel: $k"
	t0=$SECONDS
	if [ "$k" = libvirt ]; then
		VM_KERNEL=bookworm bash "$HERE/run.sh" libvirt 2>&1 | tee "$log"
	else
		VM_KERNEL=$k bash "$HERE/run.sh" check 2>&1 | tee "$log"
	fi
	out=$(tail -n 1 "$log")
	echo "# ==== $k: $out ($((SECONDS - t0)) s)"
	case $out in
	*" passed, "*" failed")
		set -- $out
		pass=$((pass + $1))
		fail=$((fail + $3))
		;;
	*) fail=$((fail + 1)) ;;
	esac
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
