#!/bin/sh
# Section 20: prhelper's OCI image (container/build-image.sh) run by
# Debian's podman as KubeVirt runs its pr-helper container, but with only
# the capabilities prhelper needs, and real QEMU on the host connecting
# through the bind-mounted socket (tests/vm/README.md). run.sh (mode
# container) made the guest's disk (tests/vm/container-root.sh): podman,
# crun, QEMU and the image's archive. Here for real SCSI disks and crun
# (tests/oci/check.sh runs the image on the host, with runc where crun
# cannot start a container). Two halves:
#   outer (busybox, the initramfs): root-switch.sh, the switch to that
#     disk with systemd as PID 1;
#   inner (bash, prhelper-vmtest.service): the image loaded, run, used by
#     QEMU and by raw requests, its processes read back, stopped.
# Prints the "ok - " / "not ok - " / "# " lines run.sh counts.
set -u
trap '' PIPE

[ "${1:-}" = inner ] || { sh /opt/prh/root-switch.sh 20; exit 0; }

# ---------------------------------------------------------------- inner
SECTION=20
. /opt/prh/root-inner.sh
. /opt/prh/oci-lib.sh # tests/oci/lib.sh
inner_cleanup() { podman rm -f -t 0 prh >/dev/null 2>&1; }

D=/run/prh # the bind-mounted directory (KubeVirt: /var/run/kubevirt/daemons/pr)
SOCK=$D/pr-helper.sock
CAPS=CAP_SYS_RAWIO,CAP_SETUID,CAP_SETGID,CAP_SETPCAP
# podman hides /sys/dev/block under an empty tmpfs, where prhelper tells a
# whole disk from a partition (checked below without this)
UNMASK=unmask=/sys/dev/block
note "$(podman --version), $(crun --version | head -1), $(qemu-system-x86_64 --version | head -1)"
image_load "20 " /opt/prh/prhelper-oci.tar

# ---- run as KubeVirt runs pr-helper, but not privileged ----
mkdir -p $D
t0=$(date +%s)
podman run -d --name prh --network none --cap-drop all --cap-add $CAPS --security-opt $UNMASK \
	-v $D:$D "$IMAGE" -k $SOCK >$T/run.out 2>&1
rc=$?
wait_sock $SOCK
check "20 podman run --cap-drop all --cap-add $CAPS --security-opt $UNMASK: the socket appears in the bind mount ($(($(date +%s) - t0)) s)" \
	[ $rc = 0 -a -S $SOCK ]
[ -S $SOCK ] || { sed 's/^/#   /' $T/run.out; podman logs prh 2>&1 | tail -8 | sed 's/^/#   /'; }
mp=$(podman inspect --format '{{.State.Pid}}' prh 2>/dev/null)
note "container: $(podman inspect --format '{{.State.Status}} pid {{.State.Pid}} caps {{.EffectiveCaps}}' prh 2>&1)"

# ---- real QEMU on the host connects through it ----
qemu_connects "20 " "$SOCK"

# ---- PR commands from the host, answered by the container ----
reset_lu
helper $SOCK "$A_sd" rw "$(prout 0 0)" "$(param 0 0xc7)"
check "20 REGISTER through the container: GOOD ($ST), the device has the key ($(keys_of "$A_sd"))" \
	[ "$ST" = 00 -a "$(keys_of "$A_sd")" = "0xc7 " ]
[ "$ST" = 00 ] || { echo "# reply: $LINE"; podman logs prh 2>&1 | tail -5 | sed 's/^/#   log: /'; }
read_keys_as_direct $SOCK "20 READ KEYS through the container" "$A_sd" "$A_sg"
reset_lu

# ---- the privileges, read back from /proc ----
vmtest hold $SOCK 60 >/dev/null & # a serving worker meanwhile
hp=$!
sleep 2
w=$(serving_of "$mp" | head -1)
image_privileges "20 " "$mp" "$w"
kill $hp 2>/dev/null
wait $hp 2>/dev/null

# ---- SIGTERM stops it cleanly ----
t0=$(date +%s)
podman stop -t 20 prh >/dev/null 2>&1
took=$(($(date +%s) - t0))
code=$(podman inspect --format '{{.State.ExitCode}}' prh 2>&1)
check "20 podman stop (SIGTERM): exit code $code after $took s, before podman's SIGKILL" [ "$code" = 0 -a $took -lt 20 ]
podman logs prh 2>&1 | tail -3 | sed 's/^/# log: /'
left=$(ps -e -o comm= | grep -c '^prhelper' || true)
check "20 no prhelper process left ($left)" [ "$left" = 0 ]
podman rm prh >/dev/null 2>&1

# ---- podman's default mask: fails closed, and says why at start ----
podman run -d --name prh --network none --cap-drop all --cap-add $CAPS \
	-v $D:$D "$IMAGE" -k $SOCK >$T/run.out 2>&1
i=0
while ! podman logs prh 2>&1 | grep -q '^<5>prhelper .* serving' && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
helper $SOCK "$A_sd" rw "$(prout 0 0)" "$(param 0 0xc8)"
check "20 without $UNMASK: REGISTER on $A_sd refused 05/20/00, the device untouched ($(keys_of "$A_sd"))" \
	[ "$ST" = 02 -a "$KCQ" = 05/20/00 -a -z "$(keys_of "$A_sd")" ]
podman logs prh 2>&1 | grep -q '/sys/dev/block is not sysfs'
check "20   ... and prhelper said at start why" [ $? = 0 ]
podman logs prh 2>&1 | grep 'not sysfs' | head -1 | sed 's/^/# log: /'
podman stop -t 20 prh >/dev/null 2>&1
