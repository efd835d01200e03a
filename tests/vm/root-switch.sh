#!/bin/sh
# The first half of sections 19 and 20 (selinux-tests.sh,
# container-tests.sh), in the initramfs (busybox) once guest-init.sh made
# the LIO disks: mounts the guest's disk (/dev/vda: a root run.sh made),
# leaves the disks' names there in /opt/prh/devices.env and has
# guest-init.sh switch to it with systemd as PID 1, whose
# prhelper-vmtest.service runs the second half.
# Usage: sh root-switch.sh SECTION   (prints "not ok - SECTION setup: ..."
# when it cannot)
die() { echo "not ok - $1 setup: $2"; exit 0; }
km=/lib/modules/$(uname -r)
for m in virtio_pci virtio_blk crc32c_generic ext4; do
	modprobe $m && continue
	grep -q "/$m\.ko" $km/modules.dep $km/modules.builtin 2>/dev/null && die "$1" "modprobe $m"
done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mkdir -p /lv
mount -t ext4 /dev/vda /lv || die "$1" "mount the guest's root (/dev/vda)"
# (the file exists, labelled: what is written here keeps its label)
env | grep -E '^[A-Z0-9]+_s[dg]=' >/lv/opt/prh/devices.env
echo "/lv /lib/systemd/systemd" >/tmp/prhvm.switch_root
