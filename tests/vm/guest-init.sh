#!/bin/sh
# /init of the prhelper conformance guest (busybox sh; see tests/vm/run.sh).
# Mounts the pseudo file systems, loads the modules, creates the LIO disks
# and runs /opt/prh/guest-tests.sh. Ends with "prhvm: done" and power-off.
/bin/busybox --install -s /bin
export PATH=/opt/prh:/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
mkdir -p /var/target/pr

MODE=check SUITE=bookworm ONLY= PART=all
for a in $(cat /proc/cmdline); do
	case $a in prhvm=*) MODE=${a#prhvm=} ;; prhvm_suite=*) SUITE=${a#prhvm_suite=} ;; prhvm_only=*) ONLY=${a#prhvm_only=} ;; prhvm_part=*) PART=${a#prhvm_part=} ;; prhvm_shell=1) SHELLMODE=1 ;; esac
done

die() {
	echo "not ok - guest setup: $*"
	echo "prhvm: done"
	sync
	poweroff -f
}

for m in sd_mod sg configfs target_core_mod target_core_iblock tcm_loop dm_mod dm_multipath \
	dm_round_robin; do
	modprobe "$m" || die "modprobe $m"
done
mount -t configfs none /sys/kernel/config 2>/dev/null || grep -q configfs /proc/mounts || die "configfs"

C=/sys/kernel/config/target
# backstore NAME: a 16 MiB ramdisk LU
backstore() {
	mkdir -p "$C/core/rd_mcp_0/$1" || die "backstore $1"
	echo rd_pages=4096 >"$C/core/rd_mcp_0/$1/control"
	echo 1 >"$C/core/rd_mcp_0/$1/enable" || die "enable $1"
}
# export TARGET_WWN NEXUS_WWN BACKSTORE VAR: a tcm_loop target (one SCSI
# host in the guest) whose initiator is NEXUS_WWN, LUN 0 = BACKSTORE. Sets
# VAR_sd=/dev/sdX and VAR_sg=/dev/sgN.
export_lu() {
	t=$C/loopback/$1/tpgt_1
	mkdir -p "$t" || die "target $1"
	# Newer kernels give a port its relative target port id through
	# configfs (0 until set; REGISTER AND MOVE needs a real one): the
	# target's last digit, as older kernels number them by creation.
	[ -e "$t/rtpi" ] && { echo "${1##*0}" >"$t/rtpi" || die "rtpi of $1"; }
	echo "$2" >"$t/nexus" || die "nexus $2"
	mkdir -p "$t/lun/lun_0"
	ln -s "$C/core/rd_mcp_0/$3" "$t/lun/lun_0/$3" || die "link $3"
	addr=$(cat "$t/address" 2>/dev/null)
	h=${addr%%:*}
	i=0
	sd=""
	sg=""
	while [ $i -lt 100 ]; do
		for d in /sys/class/scsi_host/host$h/device/target$h:*/$h:*/block/*; do
			[ -e "$d" ] && sd=${d##*/}
		done
		for d in /sys/class/scsi_host/host$h/device/target$h:*/$h:*/scsi_generic/*; do
			[ -e "$d" ] && sg=${d##*/}
		done
		[ -n "$sd" ] && [ -n "$sg" ] && [ -b "/dev/$sd" ] && [ -c "/dev/$sg" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$sd" ] && [ -n "$sg" ] || die "no disk for $1 (address '$addr')"
	eval "${4}_sd=/dev/$sd ${4}_sg=/dev/$sg"
}
backstore disk0
backstore disk1
backstore disk2
backstore disk3
backstore disk4
export_lu naa.5001405000000001 naa.50014050000000a1 disk0 A
export_lu naa.5001405000000002 naa.50014050000000b1 disk0 B
export_lu naa.5001405000000003 naa.50014050000000c1 disk1 C
export_lu naa.5001405000000004 naa.50014050000000d1 disk2 D
export_lu naa.5001405000000005 naa.50014050000000e1 disk2 E
# disk3: "host A" on two paths (M1, M2, joined by a dm-multipath map in
# the tests), "host B" on a third nexus (MB)
export_lu naa.5001405000000006 naa.50014050000000f1 disk3 M1
export_lu naa.5001405000000007 naa.50014050000000f2 disk3 M2
export_lu naa.5001405000000008 naa.50014050000000b2 disk3 MB
# disk0 once more: a third host (X), for reservation migration (section 17)
export_lu naa.5001405000000009 naa.50014050000000c2 disk0 X
# disk4: section 18's PREEMPT AND ABORT, apart from section 2's (LIO may
# leave disk2 dead), nexuses P and Q
export_lu naa.5001405000000011 naa.50014050000000d2 disk4 P
export_lu naa.5001405000000012 naa.50014050000000e2 disk4 Q
echo "# guest: kernel $(uname -r), A=$A_sd,$A_sg B=$B_sd,$B_sg (same LU, two nexuses) C=$C_sd,$C_sg (second LU) D=$D_sd E=$E_sd (third LU, two nexuses) M1=$M1_sd M2=$M2_sd MB=$MB_sd (fourth LU: A on two paths, B) X=$X_sd (disk0's third nexus) P=$P_sd Q=$Q_sd (fifth LU)"
export A_sd A_sg B_sd B_sg C_sd C_sg D_sd D_sg E_sd E_sg M1_sd M2_sd MB_sd X_sd P_sd Q_sd C MODE SUITE ONLY PART

if [ "${SHELLMODE:-0}" = 1 ]; then
	setsid cttyhack sh
else
	sh /opt/prh/guest-tests.sh "$MODE" 2>&1
	# a test script that goes on as PID 1 of another root (suite-tests.sh)
	[ -e /tmp/prhvm.switch_root ] && exec switch_root $(cat /tmp/prhvm.switch_root)
	# (not a pipe: processes a test leaves behind would hold it open)
	[ -e /tmp/guest-tests.done ] || echo "not ok - guest-tests.sh ended early (a shell error or a signal)"
fi
echo "prhvm: done"
sync
poweroff -f
