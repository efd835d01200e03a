#!/bin/bash
# Real-device conformance harness: boots Debian 12's kernel in QEMU (TCG)
# with a busybox initramfs, creates LIO disks inside the guest and runs
# tests/vm/guest-tests.sh there against prhelper, qemu-pr-helper and the
# disks directly. See tests/vm/README.md.
#
# Usage: tests/vm/run.sh [check|bench|suite|selinux|container]
#   suite: the real clients of one Debian suite instead (VM_SUITE;
#   tests/vm/suite-tests.sh): its libvirt in managed mode (section 13),
#   its QEMU running section 12's guest program (16) and, for QEMU 11,
#   reservation live migration (17), in a root of that suite
#   (tests/vm/suite-root.sh)
#   selinux: section 19, prhelper under SELinux enforcing, in Debian 12's
#   root labelled on this machine (tests/vm/selinux-root.sh,
#   tests/vm/selinux-tests.sh)
#   container: section 20, prhelper's OCI image (container/build-image.sh)
#   run by podman in the guest, QEMU connecting through its socket
#   (tests/vm/container-root.sh, tests/vm/container-tests.sh)
# Environment:
#   PRHELPER_VM_CACHE  download/unpack cache (default /var/cache/prhelper-vm)
#   VM_TIMEOUT         seconds the guest may run (default 900, suite 1800)
#   VM_KEEP=1          keep the work directory (printed) for debugging
#   VM_VERBOSE=1       show the whole guest console
#   VM_TESTS=FILE      run FILE in the guest instead of guest-tests.sh
#   VM_SHELL=1         drop into a guest shell instead of running tests
#   VM_KERNEL=SUITE    the guest's kernel: bookworm (default, this
#                      machine's suite) or a newer suite's, e.g.
#                      trixie-backports, fetched through a private apt
#                      configuration in the cache
#   VM_SUITE=SUITE     suite mode: bookworm (default), trixie or sid
#   VM_PART=PART       suite mode: all (default), clients (13 and 16) or
#                      migration (17): make check-vm boots sid twice, as
#                      a map used after another QEMU's map in one guest
#                      met tcm_loop's 02/08/00 (tests/vm/README.md)
#   VM_ONLY=N,N        suite mode: only these sections (13,16,17), for
#                      debugging; a run with it is not a full check
# Exit status: 0 all passed, 1 a test failed or the guest did not
# finish. The last line of the output is "N passed, N failed".
set -eu
# a command that fails under set -e says which, and the run still ends
# with its count line
trap 'echo "not ok - tests/vm/run.sh line $LINENO failed: $BASH_COMMAND"; echo "0 passed, 1 failed"' ERR

MODE=${1:-check}
case $MODE in check|bench|suite|selinux|container) ;; *) echo "usage: $0 [check|bench|suite|selinux|container]" >&2; exit 2 ;; esac

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CACHE=${PRHELPER_VM_CACHE:-/var/cache/prhelper-vm}
TIMEOUT=${VM_TIMEOUT:-900}
[ "$MODE" = suite ] && TIMEOUT=${VM_TIMEOUT:-1800}
T0=$(date +%s)
PATH=$PATH:/usr/sbin:/sbin


# ---- host tools (Debian 12 packages), installed only when missing ----
need=""
bb=$(command -v busybox 2>/dev/null || true)
# the initramfs needs a static busybox (Debian's busybox-static)
if [ -z "$bb" ] || ldd "$bb" >/dev/null 2>&1; then need="$need busybox-static"; fi
command -v depmod >/dev/null 2>&1 || [ -x /usr/sbin/depmod ] || [ -x /sbin/depmod ] || need="$need kmod"
command -v cpio >/dev/null 2>&1 || need="$need cpio"
command -v xz >/dev/null 2>&1 || need="$need xz-utils"
command -v gzip >/dev/null 2>&1 || need="$need gzip"
command -v dpkg-deb >/dev/null 2>&1 || need="$need dpkg"
command -v qemu-system-x86_64 >/dev/null 2>&1 || need="$need qemu-system-x86"
[ -x /usr/bin/qemu-pr-helper ] || need="$need qemu-system-common"
command -v dmsetup >/dev/null 2>&1 || need="$need dmsetup"
[ -x /sbin/apparmor_parser ] || [ -x /usr/sbin/apparmor_parser ] || need="$need apparmor"
if [ "$MODE" = selinux ]; then
	[ -f /usr/share/selinux/devel/Makefile ] || need="$need selinux-policy-dev"
	command -v setfiles >/dev/null 2>&1 || need="$need policycoreutils"
fi
if [ "$MODE" = container ]; then
	command -v podman >/dev/null 2>&1 || need="$need podman"
	command -v dh >/dev/null 2>&1 && command -v lintian >/dev/null 2>&1 || make -s -C "$TOP" deb-deps
fi
need=$(echo "$need" | tr ' ' '\n' | sort -u | tr '\n' ' ')
if [ -n "${need// /}" ]; then
	echo "# installing host packages:$need"
	apt-get update -qq >/dev/null
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

# ---- downloads: kernel, sg3-utils, libsgutils2 (cached) ----
mkdir -p "$CACHE"
SUITE=${VM_KERNEL:-bookworm}
KAPT="" # apt options for the kernel's suite; empty: the system's own
if [ "$SUITE" != bookworm ]; then
	# A private sources list and state directory: the system's apt
	# configuration is never touched. Lists refreshed once a day.
	S=$CACHE/suites/$SUITE
	mkdir -p "$S/lists/partial" "$S/apt/archives/partial"
	base=${SUITE%-backports}
	printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian %s main\n' \
		"$base" "$SUITE" | sort -u >"$S/sources.list"
	KAPT="-o Dir::Etc::sourcelist=$S/sources.list -o Dir::Etc::sourceparts=/dev/null
	      -o Dir::State::Lists=$S/lists -o Dir::Cache=$S/apt -o APT::Default-Release=$SUITE"
	if [ -z "$(find "$S/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
		# shellcheck disable=SC2086
		apt-get $KAPT update -qq >/dev/null || { echo "cannot fetch the $SUITE lists"; echo "0 passed, 1 failed"; exit 1; }
	fi
fi
# shellcheck disable=SC2086
kpkg=$(apt-cache $KAPT depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [ -z "$kpkg" ] && [ -z "$KAPT" ]; then
	apt-get update -qq >/dev/null
	kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
fi
[ -n "$kpkg" ] || { echo "cannot resolve linux-image-amd64 ($SUITE)"; echo "0 passed, 1 failed"; exit 1; }
sgpkg=$(apt-cache depends sg3-utils | awk '/Depends: libsgutils2/ {print $2; exit}')
fetch() { # package [apt options] -> path of the .deb in the cache
	local f
	f=$(ls "$CACHE"/"$1"_*.deb 2>/dev/null | head -1 || true)
	if [ -z "$f" ]; then
		echo "# downloading $1 into $CACHE" >&2
		# shellcheck disable=SC2086
		(cd "$CACHE" && apt-get ${2:-} download -q "$1" >/dev/null 2>&1) || {
			[ -z "${2:-}" ] && apt-get update -qq >/dev/null
			# shellcheck disable=SC2086
			(cd "$CACHE" && apt-get ${2:-} download -q "$1" >/dev/null) || {
				echo "not ok - cannot download $1 (apt-get download${2:+ through the private $SUITE configuration})" >&2
				echo "0 passed, 1 failed" >&2
				exit 1
			}
		}
		f=$(ls "$CACHE"/"$1"_*.deb | head -1)
	fi
	echo "$f"
}
unpack() { # package [apt options] -> directory with its unpacked contents
	local deb dir
	deb=$(fetch "$1" "${2:-}")
	dir=$CACHE/x/$(basename "$deb" .deb)
	if [ ! -e "$dir/.done" ]; then
		rm -rf "$dir"; mkdir -p "$dir"
		dpkg-deb -x "$deb" "$dir"
		touch "$dir/.done"
	fi
	echo "$dir"
}
KDIR=$(unpack "$kpkg" "$KAPT")
if [ ! -d "$KDIR/lib/modules" ]; then
	# Newer suites split the kernel: linux-image-V is an empty package
	# depending on linux-binary-V (the image, in /usr/lib/modules/V) and
	# linux-base-V, with the modules in linux-modules-V. One tree of all.
	kver=${kpkg#linux-image-}
	KDIR=$CACHE/x/kernel-$kver
	if [ ! -e "$KDIR/.done" ]; then
		rm -rf "$KDIR"
		mkdir -p "$KDIR"
		for p in linux-binary-$kver linux-base-$kver linux-modules-$kver; do
			dpkg-deb -x "$(fetch "$p" "$KAPT")" "$KDIR"
		done
		touch "$KDIR/.done"
	fi
	[ -d "$KDIR/lib/modules" ] || ln -s usr/lib "$KDIR/lib"
fi
SGDIR=$(unpack sg3-utils)
LSGDIR=$(unpack "$sgpkg")
KVER=$(ls "$KDIR/lib/modules" | head -1)
LVIMG=""
VM_SUITE=${VM_SUITE:-bookworm}
if [ "$MODE" = suite ]; then
	t1=$(date +%s)
	LVIMG=$(bash "$HERE/suite-root.sh" "$CACHE" "$VM_SUITE") ||
		{ echo "not ok - the $VM_SUITE root (QEMU, qemu-pr-helper, libvirt) could not be built"; echo "0 passed, 1 failed"; exit 1; }
	echo "# $VM_SUITE root: $LVIMG ($(tr '\n' ' ' <"$(dirname "$LVIMG")/versions"); $(( $(date +%s) - t1 )) s)"
fi
VMLINUZ=$KDIR/boot/vmlinuz-$KVER
[ -e "$VMLINUZ" ] || VMLINUZ=$KDIR/lib/modules/$KVER/vmlinuz

# ---- work directory, binaries ----
WORK=$(mktemp -d /tmp/prhelper-vm.XXXXXX)
QPID=""
cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null || true
	if [ "${VM_KEEP:-0}" = 1 ]; then echo "# kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "# building prhelper into $WORK/build"
make -s -C "$TOP" B="$WORK/build" "$WORK/build/prhelper" "$WORK/build/prhelper-worker" \
	"$WORK/build/prhelper-client" >"$WORK/make.log" 2>&1 || { cat "$WORK/make.log"; echo "0 passed, 1 failed"; exit 1; }
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-Wstrict-prototypes -Wmissing-prototypes -Wvla -static -pthread \
	-I"$TOP/src/common" "$HERE/vmtest.c" "$TOP/src/common/fdio.c" "$TOP/src/common/reply.c" \
	"$TOP/src/common/pr_ioctl.c" "$TOP/src/common/block_pr.c" "$TOP/src/common/scsi.c" -o "$WORK/vmtest"

# The nested test program (guestprog/): freestanding, 32-bit, multiboot.
GPFLAGS="-m32 -ffreestanding -fno-pic -fno-pie -fno-stack-protector -nostdlib -O2 -std=c11 \
	-Wall -Wextra -Werror -mgeneral-regs-only -I$TOP/src/common"
for f in entry.S hw.c virtio_scsi.c main.c; do
	# shellcheck disable=SC2086
	${CC:-cc} $GPFLAGS -c "$HERE/guestprog/$f" -o "$WORK/gp-${f%.*}.o" ||
		{ echo "0 passed, 1 failed"; exit 1; }
done
ld -m elf_i386 -T "$HERE/guestprog/link.ld" -o "$WORK/prtest.elf" "$WORK"/gp-*.o ||
	{ echo "0 passed, 1 failed"; exit 1; }
# Sections 13 and 19 install prhelper into their Debian root as `make
# install` lays it out (13 creates the users from the sysusers file in the
# guest, 19 before it labels the root).
if [ "$MODE" = suite ] || [ "$MODE" = selinux ]; then
	make -s -C "$TOP" B="$WORK/build" DESTDIR="$WORK/install" install >>"$WORK/make.log" 2>&1 ||
		{ cat "$WORK/make.log"; echo "0 passed, 1 failed"; exit 1; }
fi
if [ "$MODE" = selinux ]; then
	t1=$(date +%s)
	mkdir -p "$WORK/install/opt/prh"
	cp "$HERE/selinux-tests.sh" "$WORK/install/opt/prh/guest-tests.sh"
	cp "$HERE/guest-tests.sh" "$WORK/install/opt/prh/guest-lib.sh"
	cp "$HERE/nocap-tests.sh" "$HERE/root-inner.sh" "$WORK/vmtest" "$WORK/install/opt/prh/"
	${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static "$HERE/seprobe.c" -o "$WORK/install/opt/prh/seprobe"
	LVIMG=$(bash "$HERE/selinux-root.sh" "$CACHE" "$WORK/selinux.img" "$WORK/install") ||
		{ echo "not ok - the SELinux root could not be built"; echo "0 passed, 1 failed"; exit 1; }
	echo "# SELinux root: $LVIMG ($(cat "$CACHE"/selinux/*/versions | tr '\n' ' '); labelled in $(( $(date +%s) - t1 )) s)"
fi
if [ "$MODE" = container ]; then
	# the image from prhelper's own package, as a user makes it (make oci-image)
	t1=$(date +%s)
	make -s -C "$TOP" oci-image >>"$WORK/make.log" 2>&1 ||
		{ sed 's/^/#   /' "$WORK/make.log" | tail -30; echo "not ok - make oci-image: the OCI image could not be built"; echo "0 passed, 1 failed"; exit 1; }
	tail -1 "$WORK/make.log"
	cp "$TOP/build/prhelper-oci.tar" "$WORK/prhelper-oci.tar"
	mkdir -p "$WORK/stage/opt/prh"
	cp "$HERE/container-tests.sh" "$WORK/stage/opt/prh/guest-tests.sh"
	cp "$HERE/guest-tests.sh" "$WORK/stage/opt/prh/guest-lib.sh"
	cp "$HERE/root-inner.sh" "$WORK/vmtest" "$WORK/stage/opt/prh/"
	cp "$TOP/tests/oci/lib.sh" "$WORK/stage/opt/prh/oci-lib.sh"
	LVIMG=$(bash "$HERE/container-root.sh" "$CACHE" "$WORK/container.img" "$WORK/prhelper-oci.tar" "$WORK/stage") ||
		{ echo "not ok - the container guest's root could not be built"; echo "0 passed, 1 failed"; exit 1; }
	echo "# container guest: $LVIMG ($(cat "$CACHE"/container/*/versions | tr '\n' ' '); made in $(( $(date +%s) - t1 )) s)"
fi

# ---- initramfs ----
R=$WORK/root
mkdir -p "$R"/{bin,sbin,etc,proc,sys,dev,tmp,run,opt/prh,var/target/pr,lib64,usr/lib/x86_64-linux-gnu}
cp "$(command -v busybox)" "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
ln -s ../bin/busybox "$R/sbin/modprobe"
copy_libs() { # binary [LD_LIBRARY_PATH] -> copy the libraries ldd names
	LD_LIBRARY_PATH=${2:-} ldd "$1" 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib/{print $1}' |
	while read -r lib; do
		[ -e "$R$lib" ] && continue
		mkdir -p "$R$(dirname "$lib")"
		cp -L "$lib" "$R$lib"
	done
}
for b in prhelper prhelper-worker prhelper-client; do
	cp "$WORK/build/$b" "$R/opt/prh/$b"
	copy_libs "$R/opt/prh/$b"
done
# Section 14 runs prhelper confined: the binaries where the AppArmor
# profile names them, the profile, and what apparmor_parser needs.
mkdir -p "$R/usr/sbin" "$R/usr/libexec/prhelper" "$R/etc/apparmor.d" "$R/etc/apparmor"
cp "$WORK/build/prhelper" "$R/usr/sbin/prhelper"
cp "$WORK/build/prhelper-worker" "$R/usr/libexec/prhelper/prhelper-worker"
AAP=$(command -v apparmor_parser || echo /sbin/apparmor_parser)
cp "$AAP" "$R/opt/prh/apparmor_parser"
copy_libs "$R/opt/prh/apparmor_parser"
cp /etc/apparmor/parser.conf "$R/etc/apparmor/"
mkdir -p "$R/usr/share"
cp -r /usr/share/apparmor-features "$R/usr/share/" # parser.conf's policy-features
cp -r /etc/apparmor.d/abi /etc/apparmor.d/tunables /etc/apparmor.d/abstractions "$R/etc/apparmor.d/"
cp "$TOP/policy/apparmor/usr.sbin.prhelper" "$R/etc/apparmor.d/"
cp "$WORK/vmtest" "$R/opt/prh/vmtest"
cp "$(command -v dmsetup)" "$R/opt/prh/dmsetup"
copy_libs "$R/opt/prh/dmsetup"
cp /usr/bin/qemu-pr-helper "$R/opt/prh/qemu-pr-helper"
copy_libs /usr/bin/qemu-pr-helper
# Debian's QEMU for the nested guests: it finds its TCG module and
# firmware relative to its binary, so they keep their paths.
QLIB=/usr/lib/x86_64-linux-gnu/qemu
mkdir -p "$R/usr/bin" "$R$QLIB" "$R/usr/share/qemu" "$R/usr/share/seabios"
cp /usr/bin/qemu-system-x86_64 "$R/usr/bin/"
copy_libs /usr/bin/qemu-system-x86_64
cp "$QLIB/accel-tcg-x86_64.so" "$R$QLIB/"
copy_libs "$QLIB/accel-tcg-x86_64.so"
cp /usr/share/qemu/kvmvapic.bin /usr/share/qemu/multiboot_dma.bin "$R/usr/share/qemu/"
cp -L /usr/share/seabios/bios-256k.bin "$R/usr/share/seabios/"
cp "$WORK/prtest.elf" "$R/opt/prh/prtest.elf"
for b in sg_persist sg_turs sg_vpd sg_inq; do
	cp "$SGDIR/usr/bin/$b" "$R/opt/prh/$b"
	copy_libs "$R/opt/prh/$b" "$LSGDIR/usr/lib/x86_64-linux-gnu"
done
cp -a "$LSGDIR"/usr/lib/x86_64-linux-gnu/libsgutils2* "$R/usr/lib/x86_64-linux-gnu/"
# the loader and libc must be there even if a binary above is static
[ -e "$R/lib64/ld-linux-x86-64.so.2" ] || cp -L /lib64/ld-linux-x86-64.so.2 "$R/lib64/"
if [ ! -e "$R/lib" ]; then ln -s usr/lib "$R/lib"; fi
echo 'root:x:0:0:root:/:/bin/sh' >"$R/etc/passwd"
echo 'nobody:x:65534:65534:nobody:/:/bin/false' >>"$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"

# kernel modules: only the ones the guest loads, plus their dependencies
MODS="sd_mod sg configfs target_core_mod target_core_iblock tcm_loop dm-mod dm-multipath
      dm-round-robin"
[ "$MODE" = check ] || [ "$MODE" = bench ] || MODS="$MODS virtio_pci virtio_blk crc32c_generic ext4"
MSRC=$KDIR/lib/modules/$KVER
MDST=$R/lib/modules/$KVER
mkdir -p "$MDST"
cp "$MSRC"/modules.order "$MSRC"/modules.builtin* "$MDST/" 2>/dev/null || true
# Newer suites ship compressed modules (.ko.xz): decompressed here, since
# busybox's modprobe loads plain .ko files.
add_mod() {
	local f dep u name
	name=$(echo "$1" | tr - _)
	f=$(find "$MSRC/kernel" \( -name "$1.ko" -o -name "$name.ko" -o -name "$1.ko.xz" -o -name "$name.ko.xz" \) | head -1)
	[ -n "$f" ] || { echo "module $1 missing in $KVER" >&2; return 0; }
	u=$MDST/${f#"$MSRC"/}
	u=${u%.xz}
	[ -e "$u" ] && return 0
	mkdir -p "$(dirname "$u")"
	case $f in *.xz) xz -dc "$f" >"$u" ;; *) cp "$f" "$u" ;; esac
	for dep in $(modinfo -F depends "$u" | tr , ' '); do add_mod "$dep"; done
}
for m in $MODS; do add_mod "$m"; done
depmod -b "$R" "$KVER"

cp "$HERE/guest-init.sh" "$R/init"
TESTS=$HERE/guest-tests.sh
[ "$MODE" = suite ] && TESTS=$HERE/suite-tests.sh
[ "$MODE" = selinux ] && TESTS=$HERE/selinux-tests.sh
[ "$MODE" = container ] && TESTS=$HERE/container-tests.sh
cp "${VM_TESTS:-$TESTS}" "$R/opt/prh/guest-tests.sh"
cp "$HERE/guest-tests.sh" "$R/opt/prh/guest-lib.sh" # its functions, for suite-tests.sh
cp "$HERE/migration-tests.sh" "$HERE/nocap-tests.sh" "$HERE/root-switch.sh" "$R/opt/prh/"
[ -d "$WORK/install" ] && cp -a "$WORK/install" "$R/opt/prh/install"
chmod 755 "$R/init"
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) >"$WORK/initrd.cpio.gz"
echo "# initramfs $(du -h "$WORK/initrd.cpio.gz" | cut -f1), kernel $KVER ($SUITE), built in $(( $(date +%s) - T0 )) s"

# ---- boot ----
APPEND="console=ttyS0 panic=-1 quiet loglevel=3 prhvm=$MODE prhvm_suite=$VM_SUITE prhvm_part=${VM_PART:-all}${VM_ONLY:+ prhvm_only=$VM_ONLY}"
[ "${VM_SHELL:-0}" = 1 ] && APPEND="$APPEND prhvm_shell=1"
# SELinux, not AppArmor, as the major LSM; systemd loads the policy
[ "$MODE" = selinux ] && APPEND="$APPEND security=selinux selinux=1 enforcing=1"
LOG=$WORK/console.log
MEM=1024
DISK=""
if [ -n "$LVIMG" ]; then
	MEM=1536
	DISK="-drive file=$LVIMG,if=virtio,format=raw"
	# a suite's root as a snapshot: the guest's writes never reach the
	# cache (sections 19 and 20 boot an image made for this run)
	if [ "$MODE" = suite ]; then DISK="$DISK,snapshot=on"; fi
fi
if [ "${VM_SHELL:-0}" = 1 ]; then
	# shellcheck disable=SC2086
	exec qemu-system-x86_64 -accel tcg -kernel "$VMLINUZ" -initrd "$WORK/initrd.cpio.gz" \
		-append "$APPEND" -nographic -no-reboot -m $MEM -smp 2 $DISK
fi
SHOW='^(ok|not ok|#|bench) '
[ "${VM_VERBOSE:-0}" = 1 ] && SHOW='.'
finished=0
# Under TCG with two vCPUs, trixie-backports' 7.3 kernel now and then
# oopses on an int3 while it unpacks the initramfs (text patching racing
# the other vCPU; 2 of 13 boots here), before any test
# has run. Such a boot is retried, at most twice, with a line saying so; a
# panic after a test has printed is a failure like any other.
boots=0
while :; do
boots=$((boots + 1))
rm -f "$LOG"
# shellcheck disable=SC2086
qemu-system-x86_64 -accel tcg -kernel "$VMLINUZ" -initrd "$WORK/initrd.cpio.gz" \
	-append "$APPEND" -display none -serial "file:$LOG" -monitor none -no-reboot \
	-m $MEM -smp 2 $DISK </dev/null >"$WORK/qemu.log" 2>&1 &
QPID=$!
deadline=$(( $(date +%s) + TIMEOUT ))
shown=0
while kill -0 "$QPID" 2>/dev/null; do
	if [ "$(date +%s)" -ge "$deadline" ]; then
		echo "# guest timed out after $TIMEOUT s"
		kill "$QPID" 2>/dev/null || true
		break
	fi
	sleep 1
	if [ -e "$LOG" ]; then
		n=$(wc -l <"$LOG")
		if [ "$n" -gt "$shown" ]; then
			sed -n "$((shown + 1)),${n}p" "$LOG" | tr -d '\r' | grep -E "$SHOW" || true
			shown=$n
		fi
	fi
done
wait "$QPID" 2>/dev/null || true
QPID=""
n=$(wc -l <"$LOG" 2>/dev/null || echo 0)
[ "$n" -gt "$shown" ] && { sed -n "$((shown + 1)),${n}p" "$LOG" | tr -d '\r' | grep -E "$SHOW" || true; }
tr -d '\r' <"$LOG" | grep -qx 'prhvm: done' && finished=1
[ "$finished" = 0 ] && [ "$boots" -lt 3 ] && grep -q 'Kernel panic' "$LOG" &&
	! tr -d '\r' <"$LOG" | grep -Eq '^(not )?ok - ' || break
echo "# boot $boots: the guest kernel panicked before any test ($(tr -d '\r' <"$LOG" |
	grep -m1 -E 'Oops|BUG:|Kernel panic' | sed 's/^\[ *[0-9.]*\] //')); booting again"
done

pass=$(tr -d '\r' <"$LOG" | grep -c '^ok - ' || true)
fail=$(tr -d '\r' <"$LOG" | grep -c '^not ok - ' || true)
if [ "$finished" != 1 ]; then
	echo "# guest did not finish; last console lines:"
	tr -d '\r' <"$LOG" | tail -40 | sed 's/^/#   /'
	echo "# QEMU's own output:"
	tail -20 "$WORK/qemu.log" | sed 's/^/#   /'
	fail=$((fail + 1))
fi
if [ "$MODE" = bench ]; then
	echo "# bench figures (from one guest run):"
	tr -d '\r' <"$LOG" | grep '^bench ' | sed 's/^bench /  /' || true
fi
echo "# total $(( $(date +%s) - T0 )) s"
trap - ERR
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
