#!/bin/bash
# make check-vm: the real-device suite once per guest kernel (VM_KERNELS,
# default: Debian 12's own and trixie-backports' newest), then the real
# clients of each suite (VM_SUITES, default bookworm trixie sid: section
# 13, libvirt managed mode, for all three; 16, the suite's QEMU, for
# trixie and sid; 17, reservation live migration, for QEMU 11), each in a
# root of that suite on Debian 12's kernel, but for sid's migration part,
# on trixie-backports' 7.3: there section 17 runs through the
# no-capability mode too (it needs 6.19); then section 19, SELinux
# enforcing, and section 20, prhelper's OCI image run by podman, both on
# Debian 12's kernel (VM_SELINUX=0, VM_CONTAINER=0: not). Each run prints its own
# "N passed, N failed" and its duration, then the sum. Fails if any run
# fails.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
T0=$SECONDS
runs=""
for k in ${VM_KERNELS:-bookworm trixie-backports}; do runs="$runs kernel:$k"; done
# sid in two guests: its migration section's map and section 16's must
# not follow each other in one (tests/vm/README.md, section 17)
for s in ${VM_SUITES-bookworm trixie sid}; do
	case $s in sid) runs="$runs suite:sid:clients suite:sid:migration:trixie-backports" ;; *) runs="$runs suite:$s:all" ;; esac
done
[ "${VM_SELINUX:-1}" = 1 ] && runs="$runs selinux:bookworm"
[ "${VM_CONTAINER:-1}" = 1 ] && runs="$runs container:bookworm"
summary=""
for r in $runs; do
	what=${r#*:}
	part=${what#*:}
	what=${what%%:*}
	kern=bookworm
	case $part in *:*) kern=${part#*:} part=${part%%:*} ;; esac
	t0=$SECONDS
	if [ "${r%%:*}" = kernel ]; then
		echo "# ==== guest kernel: $what"
		VM_KERNEL=$what bash "$HERE/run.sh" check 2>&1 | tee "$log"
	elif [ "${r%%:*}" = selinux ]; then
		echo "# ==== SELinux enforcing (kernel: $what)"
		VM_KERNEL=$what bash "$HERE/run.sh" selinux 2>&1 | tee "$log"
	elif [ "${r%%:*}" = container ]; then
		echo "# ==== the OCI image under podman (kernel: $what)"
		VM_KERNEL=$what bash "$HERE/run.sh" container 2>&1 | tee "$log"
	else
		echo "# ==== $what's QEMU, qemu-pr-helper and libvirt, $part (kernel: $kern)"
		VM_KERNEL=$kern VM_SUITE=$what VM_PART=$part bash "$HERE/run.sh" suite 2>&1 | tee "$log"
	fi
	out=$(tail -n 1 "$log")
	echo "# ==== $r: $out ($((SECONDS - t0)) s)"
	summary="$summary# $r: $out ($((SECONDS - t0)) s)\n"
	case $out in
	*" passed, "*" failed")
		set -- $out
		pass=$((pass + $1))
		fail=$((fail + $3))
		;;
	*) fail=$((fail + 1)) ;;
	esac
done
printf "%b" "$summary"
echo "# check-vm: $((SECONDS - T0)) s"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
