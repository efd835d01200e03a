#!/bin/bash
# make check-vm: the real-device suite once per guest kernel (VM_KERNELS,
# default: Debian 12's own and trixie-backports' newest), each printing its
# own "N passed, N failed", then the sum. Fails if any run fails.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for k in ${VM_KERNELS:-bookworm trixie-backports}; do
	echo "# ==== guest kernel: $k"
	t0=$SECONDS
	VM_KERNEL=$k bash "$HERE/run.sh" check 2>&1 | tee "$log"
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
