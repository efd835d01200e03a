#!/bin/bash
# The OCI image (make oci-image) on this machine, under Debian's podman, as
# KubeVirt runs its pr-helper container but with four capabilities and no
# --privileged: the image's default command (KubeVirt's -k socket), its
# socket directory bind-mounted from here, real QEMU here connecting
# through it, a request on a block device (a loop device) answered from
# inside, the ids, capabilities, no_new_privs and seccomp of monitor and
# worker read from /proc, SIGTERM, and podman's default mask of
# /sys/dev/block refused. Section 20 of tests/vm/README.md runs the same
# image on real SCSI disks in the test guest.
# Usage: tests/oci/check.sh IMAGE.tar   (root; make check-oci)
set -u
IMAGE_TAR=$(realpath "$1")
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/oci/lib.sh
PATH=$PATH:/usr/sbin:/sbin
for tool in podman runc qemu-system-x86_64 losetup; do
	command -v $tool >/dev/null || { not_ok "$tool is installed (make deps)"; finish; exit; }
done

CAPS=CAP_SYS_RAWIO,CAP_SETUID,CAP_SETGID,CAP_SETPCAP
UNMASK=unmask=/sys/dev/block
KV=/var/run/kubevirt/daemons/pr # the image's default socket directory
W=$(mktemp -d /tmp/prhelper-oci.XXXXXX)
SOCK=$W/pr/pr-helper.sock
NAME=prhelper-check-$$
LOOP=""
cleanup() {
	podman rm -f -t 0 $NAME >/dev/null 2>&1
	[ -n "${IMAGE:-}" ] && podman rmi -f "$IMAGE" >/dev/null 2>&1
	[ -n "$LOOP" ] && losetup -d "$LOOP"
	rm -rf "$W"
}
trap cleanup EXIT
mkdir -p "$W/pr"
truncate -s 16M "$W/loop.img"
LOOP=$(losetup -f --show "$W/loop.img") || { not_ok "a loop device"; finish; exit; }
IN=5e000000000000200000000000000000 # READ KEYS, 32 bytes
# rawclient REQ-LINE: one READ KEYS on the loop device through the socket,
# held 3 s after its answer (a serving worker meanwhile)
raw() { "$PRH_BUILD_DIR/tests/rawclient" "$SOCK" hello 0 req $IN "$LOOP" sleep "${1:-0}"; }

image_load "" "$IMAGE_TAR" || { finish; exit; }

# run_helper [PODMAN-RUN-OPTION...]: the container with the image's default
# command, its socket directory from here; waits for prhelper's "serving"
run_helper() {
	podman rm -f -t 0 $NAME >/dev/null 2>&1
	rm -f "$SOCK"
	podman "${RUNTIME[@]}" run -d --name $NAME --network none --cap-drop all --cap-add $CAPS \
		"${LIMITS[@]}" "$@" -v "$W/pr:$KV" "$IMAGE" >"$W/run.out" 2>&1 || return 1
	for _ in $(seq 100); do
		podman logs $NAME 2>&1 | grep -q '^<5>prhelper .* serving' && return 0
		sleep 0.1
	done
	return 1
}
# Debian's default runtime, crun, first; where it cannot start a container
# (this CI machine: root's bounding set lacks CAP_SYS_RESOURCE, so podman's
# default rlimits, above the hard limits here, cannot be set, and crun
# refuses hybrid cgroups), runc with rlimits within the hard limits
RUNTIME=() LIMITS=()
if ! run_helper --security-opt $UNMASK; then
	echo "# crun: $(grep -m1 -i error "$W/run.out"); runc with rlimits within this machine's hard limits instead"
	RUNTIME=(--runtime runc)
	LIMITS=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=16384:16384)
	run_helper --security-opt $UNMASK
fi
check "podman ${RUNTIME[*]} run --cap-drop all --cap-add $CAPS --security-opt $UNMASK: serving, the socket in the bind-mounted directory" \
	[ -S "$SOCK" ]
[ -S "$SOCK" ] || { sed 's/^/#   /' "$W/run.out"; podman logs $NAME 2>&1 | tail -5 | sed 's/^/#   log: /'; finish; exit; }
mp=$(podman inspect --format '{{.State.Pid}}' $NAME)
echo "# $(podman --version), $(${RUNTIME[1]:-crun} --version | head -1), container pid $mp"

# ---- real QEMU here connects through it
qemu_connects "" "$SOCK"

# ---- a block device's request, and the processes meanwhile
raw 3000 >"$W/raw.out" 2>&1 &
rp=$!
w=""
for _ in $(seq 50); do
	for c in $(grep -l "^PPid:[[:space:]]*$mp\$" /proc/[0-9]*/status 2>/dev/null | cut -d/ -f3); do
		[ -e /proc/$c/fd/3 ] && w=$c
	done
	[ -n "$w" ] && grep -q '^reply' "$W/raw.out" && break
	sleep 0.1
done
# a loop device is a whole disk (sysfs, through the unmask) that refuses
# SG_IO: INVALID FIELD IN CDB, as outside a container
check "READ KEYS on $LOOP through the container: 02 05/24/00, as outside ($(grep '^reply' "$W/raw.out" | cut -c1-60))" \
	grep -q '^reply status=2 .*sense=70000500000000..000000002400' "$W/raw.out"
image_privileges "" "$mp" "$w"
wait $rp
# QEMU and these clients are outside the container's pid namespace
check "prhelper said once that clients outside its pid namespace are limited per uid only" \
	sh -c "[ \$(podman logs $NAME 2>&1 | grep -c 'a client outside this pid namespace') = 1 ]"

# ---- SIGTERM
t0=$SECONDS
podman stop -t 20 $NAME >/dev/null 2>&1
took=$((SECONDS - t0))
code=$(podman inspect --format '{{.State.ExitCode}}' $NAME 2>&1)
check "podman stop (SIGTERM): exit status $code after $took s, before podman's SIGKILL" [ "$code" = 0 -a $took -lt 20 ]
check "the monitor and its children are gone" sh -c "! kill -0 $mp 2>/dev/null && ! grep -l '^PPid:[[:space:]]*$mp\$' /proc/[0-9]*/status"

# ---- podman's default mask of /sys/dev/block: refused, and said at start
run_helper
raw >"$W/raw.out" 2>&1
check "without $UNMASK: READ KEYS on $LOOP refused 02 05/20/00 ($(grep '^reply' "$W/raw.out" | cut -c1-60))" \
	grep -q '^reply status=2 .*sense=70000500000000..000000002000' "$W/raw.out"
check "  ... and prhelper said at start why" sh -c "podman logs $NAME 2>&1 | grep -q '/sys/dev/block is not sysfs'"
finish
