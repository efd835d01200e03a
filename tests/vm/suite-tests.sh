#!/bin/sh
# The real clients of one Debian suite (tests/vm/README.md): sections 13
# (libvirt managed mode), 16 (the suite's QEMU running section 12's guest
# program) and 17 (reservation live migration, QEMU 11 and newer:
# migration-tests.sh). Started by guest-init.sh as the guest's test script
# when run.sh runs in suite mode, in two halves:
#   outer (busybox, the initramfs): mounts the suite's root that
#     suite-root.sh built (/dev/vda, a snapshot), copies in prhelper as
#     `make install DESTDIR=...` laid it out; guest-init.sh switches the
#     root to it (stage2, busybox sh as PID 1, runs inner);
#   inner (bash, in that root): creates the users as a package would
#     (systemd-sysusers), then the sections. Section 13 runs libvirtd and
#     has it start domains whose disk is a LIO LU with <reservations
#     managed='yes'/>, running tests/vm/guestprog, once with prhelper as
#     qemu.conf's pr_helper and once with the suite's qemu-pr-helper.
# Prints the "ok - " / "not ok - " / "# " lines run.sh counts.
set -u
trap '' PIPE
LV=/lv

case ${1:-check} in
stage2)
	# PID 1 of the switched root (busybox sh, which reaps orphans such
	# as a killed helper); libvirt's mount namespaces see this root
	/bin/bash /opt/prh/guest-tests.sh inner 2>&1 &
	wait $!
	[ -e /tmp/suite-tests.done ] || echo "not ok - suite-tests.sh ended early (a shell error or a signal)"
	echo "prhvm: done"
	sync
	poweroff -f
	;;
inner) ;;
*)
	die() { echo "not ok - 13 setup: $*"; exit 0; }
	# crc32c_generic is gone in 7.x (crc32c is in lib/, built in): a module
	# this kernel does not have at all is skipped; one it has must load
	km=/lib/modules/$(uname -r)
	for m in virtio_pci virtio_blk crc32c_generic ext4; do
		modprobe $m && continue
		grep -q "/$m\.ko" $km/modules.dep $km/modules.builtin 2>/dev/null && die "modprobe $m"
		echo "# this kernel has no module $m: skipped"
	done
	i=0
	while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	mkdir -p $LV
	mount -t ext4 /dev/vda $LV || die "mount the $SUITE root"
	cp -a /opt/prh/install/. $LV/ || die "copy the installed tree"
	mkdir -p $LV/opt/prh
	cp /opt/prh/guest-tests.sh /opt/prh/guest-lib.sh /opt/prh/migration-tests.sh /opt/prh/nocap-tests.sh /opt/prh/prtest.elf \
		/opt/prh/vmtest $LV/opt/prh/
	cp /bin/busybox $LV/opt/prh/busybox
	# PID 1 shares its root with the kernel's threads, from which LIO
	# writes its PR metadata (without the directory, PR OUT fails 02/08/00)
	mkdir -p $LV/var/target/pr
	mount -t proc proc $LV/proc
	mount -t sysfs sys $LV/sys
	mount -t cgroup2 cgroup2 $LV/sys/fs/cgroup || die "cgroup2"
	mount -t devtmpfs dev $LV/dev
	mkdir -p $LV/dev/pts $LV/dev/shm
	ln -sf /proc/self/fd $LV/dev/fd # (bash's process substitution)
	mount -t devpts devpts $LV/dev/pts
	mount -t tmpfs shm $LV/dev/shm
	mount -t tmpfs tmp $LV/tmp
	mount -t tmpfs run $LV/run
	# Not a chroot: a process that enters a mount namespace (libvirt's
	# helper joins QEMU's) gets that namespace's root, so this root must
	# be the real one. guest-init.sh switches to it and runs stage2.
	echo "$LV /opt/prh/busybox sh /opt/prh/guest-tests.sh stage2" >/tmp/prhvm.switch_root
	exit 0
	;;
esac

# ---------------------------------------------------------------- inner
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/opt/prh
PRHVM_LIB=1 . /opt/prh/guest-lib.sh # ok, check, note, sgp, keys_of, reset_lu, tok_*, nline
QCONF=/etc/libvirt/qemu.conf
cp $QCONF $T/qemu.conf.orig
LVLOG=/var/log/libvirt/libvirtd.log
mkdir -p /var/log/libvirt
echo "log_outputs = \"3:file:$LVLOG\"" >>/etc/libvirt/libvirtd.conf

systemd-sysusers >$T/sysusers.out 2>&1
check "13 systemd-sysusers creates prhelper's users from the installed sysusers file" \
	sh -c 'id -u prhelper && id -u prhelper-worker'
note "users: $(id prhelper) / $(id prhelper-worker) / $(id libvirt-qemu)"

# start_libvirtd HELPER: qemu.conf names HELPER as pr_helper, libvirtd (re)started
start_libvirtd() {
	if [ -n "${LVD:-}" ]; then
		kill $LVD 2>/dev/null
		i=0
		while kill -0 $LVD 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	fi
	# DAC labelling as shipped; only QEMU's output goes to a file instead
	# of virtlogd, which nothing starts here
	{ cat $T/qemu.conf.orig; echo "pr_helper = \"$1\""; echo 'stdio_handler = "file"'; } >$QCONF
	libvirtd --daemon --pid-file=/run/libvirtd.pid 2>>$T/libvirtd.err
	i=0
	while ! virsh -q -c qemu:///system version >/dev/null 2>&1 && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
	LVD=$(cat /run/libvirtd.pid 2>/dev/null)
	virsh -q -c qemu:///system version >/dev/null 2>&1
}
vsh() { virsh -q -c qemu:///system "$@"; }

# dom_xml NAME DEV TOKEN...: a transient domain running guestprog with the
# tokens, DEV as a SCSI LUN (scsi-block) with managed reservations, its
# serial port on the FIFOs /tmp/NAME.in and /tmp/NAME.out
dom_xml() {
	name=$1 dev=$2
	shift 2
	cat <<EOF
<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>$name</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>/opt/prh/prtest.elf</kernel>
    <cmdline>$*</cmdline>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='usb' model='none'/>
    <controller type='scsi' index='0' model='virtio-scsi'/>
    <disk type='block' device='lun'>
      <driver name='qemu' type='raw'/>
      <source dev='$dev'>
        <reservations managed='yes'${RES_ATTRS:-}/>
      </source>
      <target dev='sda' bus='scsi'/>
      <address type='drive' controller='0' bus='0' target='0' unit='0'/>
    </disk>
    <serial type='pipe'>
      <source path='/tmp/$name'/>
    </serial>
    <memballoon model='none'/>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-device'/>
    <qemu:arg value='isa-debug-exit'/>
  </qemu:commandline>
</domain>
EOF
}
# dom_start NAME DEV TOKEN...: the domain defined and started (virsh
# define, virsh start), its serial output collected in $T/NAME.raw
dom_start() {
	name=$1
	rm -f /tmp/$name.in /tmp/$name.out $T/$name.raw
	mkfifo /tmp/$name.in /tmp/$name.out
	# read-write: libvirt opens and closes the FIFO before QEMU does, and a
	# reader that took that EOF would leave the guest's serial port stalled
	cat 0<>/tmp/$name.out >$T/$name.raw &
	CATP=$!
	dom_xml "$@" >$T/$name.xml
	vsh define $T/$name.xml >$T/create.out 2>&1 && vsh start $name >>$T/create.out 2>&1 ||
		{ sed 's/^/#   /' $T/create.out; return 1; }
}
dom_line() { # NAME N: wait until guestprog printed line N
	i=0
	while ! tr -d '\r' <$T/$1.raw | grep -q "^prtest $2 "; do
		sleep 0.2
		i=$((i + 1))
		[ $i -lt 600 ] || return 1
	done
}
dom_go() { timeout 10 sh -c "echo x >/tmp/$1.in"; } # NAME: let a "w" token pass
dom_out() { tr -d '\r' <$T/$1.raw | grep '^prtest' >$T/nested.out; } # NAME -> nline's file
helper_pid() { cat /run/libvirt/qemu/*-$1-pr-helper0.pid 2>/dev/null; } # NAME
qemu_pid() { cat /run/libvirt/qemu/$1.pid 2>/dev/null; }                 # NAME
exe_of() { readlink /proc/$1/exe 2>/dev/null; }
cg_of() { cut -d: -f3 /proc/$1/cgroup 2>/dev/null; }
procs_running() { # PATH: pids whose executable is PATH
	for p in /proc/[0-9]*; do [ "$(readlink $p/exe 2>/dev/null)" = "$1" ] && echo ${p#/proc/}; done
}
# wait_new_helper NAME OLDPID: until libvirt recorded another live helper
wait_new_helper() {
	i=0
	while [ $i -lt 300 ]; do
		p=$(helper_pid $1)
		[ -n "$p" ] && [ "$p" != "$2" ] && kill -0 "$p" 2>/dev/null && { echo $p; return 0; }
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

# One helper's run: start, work, kill the helper, work, destroy.
t_libvirt() {
	h=$1 bin=$2 worker=$3
	dom=lv$h
	reset_lu
	start_libvirtd $bin || { nok "13 $h: libvirtd starts"; tail -5 $T/libvirtd.err | sed 's/^/#   /'; return; }
	t0=$(date +%s)
	# 1 TUR, 2 TUR, 3 REGISTER a1, 4 READ KEYS, 5 wait | 6 READ KEYS, 7 READ
	# KEYS, 8 wait | 9 RESERVE WE, 10 READ RESERVATION, 11 wait | destroyed
	if ! dom_start $dom "$A_sd" $TOK_TUR $TOK_TUR "$(tok_out 0 0 0 0xa1)" "$(tok_in 0 8192)" w \
		"$(tok_in 0 8192)" "$(tok_in 0 8192)" w "$(tok_out 1 1 0xa1 0)" "$(tok_in 1 8192)" w; then
		nok "13 $h: virsh start of a domain with <reservations managed='yes'/>"
		grep -E 'error' $LVLOG 2>/dev/null | tail -5 | sed 's/^/#   /'
		return
	fi
	ok "13 $h: virsh start of a domain with <reservations managed='yes'/>"
	vsh qemu-monitor-event $dom --event PR_MANAGER_STATUS_CHANGED --loop --timestamp >$T/ev.$h 2>&1 &
	evp=$!
	if ! dom_line $dom 5; then
		nok "13 $h: guest reached its first wait"
		qp=$(qemu_pid $dom)
		{ tail -5 $T/$dom.raw; vsh domstate $dom --reason; ls -l /tmp/$dom.in /tmp/$dom.out /proc/$qp/fd/;
		  grep -E 'State|Cpus_allowed_list' /proc/$qp/status; grep . /proc/$qp/task/*/stat | cut -d' ' -f1-3,14-15
		  cat /proc/loadavg; cat /var/log/libvirt/qemu/$dom.log; } 2>&1 | sed 's/^/#   /'
	fi
	note "$h: domain start to the guest's first wait: $(( $(date +%s) - t0 )) s"
	hp=$(helper_pid $dom) qp=$(qemu_pid $dom)
	check "13 $h: the pid libvirt recorded is $bin (pid $hp)" [ "$(exe_of "$hp")" = "$bin" ]
	args=$(tr '\0' ' ' </proc/$hp/cmdline 2>/dev/null)
	note "$h: libvirt ran: $args"
	case $args in "$bin -k /var/lib/libvirt/qemu/domain-"[0-9]*"-$dom/pr-helper0.sock ") a=1 ;; *) a=0 ;; esac
	check "13 $h: libvirt's arguments: -k DOMAINDIR/pr-helper0.sock" [ $a = 1 ]
	sock=${args##* -k }
	sock=${sock% }
	check "13 $h: socket labelled for QEMU's user (DAC: libvirt-qemu owns it)" \
		[ "$(stat -c %U "$sock" 2>/dev/null)" = libvirt-qemu ]
	note "$h: socket $(stat -c '%A %U:%G' "$sock" 2>/dev/null)"
	check "13 $h: helper in QEMU's mount namespace" [ "$(readlink /proc/$hp/ns/mnt)" = "$(readlink /proc/$qp/ns/mnt)" ]
	# QEMU itself sits in the machine's emulator/ child; libvirt adds the
	# helper to the machine's own cgroup
	mcg=$(cg_of $qp)
	mcg=${mcg%/emulator}
	check "13 $h: helper moved into the VM's cgroup ($(cg_of $hp))" [ "$(cg_of $hp)" = "$mcg" ]
	note "$h: helper Uid $(field $hp Uid) CapEff $(field $hp CapEff) Seccomp $(field $hp Seccomp)"
	if [ $h = prhelper ]; then
		check "13 prhelper: monitor runs as user prhelper" [ "$(field $hp Uid | cut -d' ' -f1)" = "$(id -u prhelper)" ]
		check "13 prhelper: monitor CapEff = CAP_SYS_RAWIO only" [ "$(field $hp CapEff)" = 0000000000020000 ]
		check "13 prhelper: monitor under its seccomp filter" [ "$(field $hp Seccomp)" = 2 ]
		ws=$(children_of $hp)
		bad=""
		for w in $ws; do
			[ "$(exe_of $w)" = $worker ] && [ "$(field $w Uid | cut -d' ' -f1)" = "$(id -u prhelper-worker)" ] ||
				bad="$bad $w"
		done
		check "13 prhelper: its workers ($(echo $ws)) are its children, run $worker as prhelper-worker" \
			[ -n "$ws" -a -z "$bad" ]
		wcg=""
		for w in $ws; do [ -e /proc/$w/fd/3 ] && wcg=$(cg_of $w); done
		check "13 prhelper: the worker serving QEMU is in the VM's cgroup too ($wcg)" [ "$wcg" = "$mcg" ]
	fi
	vsh qemu-monitor-command $dom '{"execute":"query-pr-managers"}' >$T/qpm.out 2>&1
	check "13 $h: QMP query-pr-managers: connected ($(cat $T/qpm.out))" grep -q '"connected":true' $T/qpm.out
	dom_out $dom
	set -- $(nline 3)
	check "13 $h: guest's REGISTER through the helper: GOOD (${2:-})" [ "${2:-}" = status=00 ]
	set -- $(nline 4)
	check "13 $h: guest's READ KEYS shows the key (${5:-})" [ "${5:-}" = data=GGGGGGGG0000000800000000000000a1 ]
	check "13 $h:   sg_persist on the device: 0xa1 registered" [ "$(keys_of "$A_sd")" = "0xa1 " ]

	# the helper dies (SIGKILL: it cannot tidy up); libvirt hears of it
	# from QEMU's PR_MANAGER_STATUS_CHANGED and starts it again
	kill -9 $hp
	t1=$(date +%s)
	dom_go $dom
	dom_line $dom 8 || nok "13 $h: guest reached its second wait"
	el=$(( $(date +%s) - t1 ))
	hp2=$(wait_new_helper $dom $hp) || hp2=""
	check "13 $h: libvirt started the helper again (pid $hp -> ${hp2:-none}, $bin)" \
		[ -n "$hp2" -a "$(exe_of "$hp2")" = "$bin" ]
	[ -n "$hp2" ] && check "13 $h:   the new helper in the VM's cgroup" [ "$(cg_of $hp2)" = "$mcg" ]
	vsh qemu-monitor-command $dom '{"execute":"query-pr-managers"}' >$T/qpm.out 2>&1
	check "13 $h:   QMP query-pr-managers: connected again" grep -q '"connected":true' $T/qpm.out
	dom_out $dom
	set -- $(nline 6)
	note "$h: the guest's first READ KEYS after the kill: ${2:-} ${4:-} (after $el s, both commands)"
	set -- $(nline 7)
	check "13 $h: the guest's next READ KEYS: GOOD, key still there (${2:-} ${5:-})" \
		[ "${2:-}" = status=00 -a "${5:-}" = data=GGGGGGGG0000000800000000000000a1 ]
	if [ $h = prhelper ]; then
		left=""
		for w in $(procs_running $worker); do [ "$(field $w PPid)" = "$hp2" ] || left="$left $w"; done
		check "13 prhelper: no worker of the killed monitor left (${left:-none})" [ -z "$left" ]
	fi
	dom_go $dom
	dom_line $dom 11 || nok "13 $h: guest reached its last wait"
	dom_out $dom
	set -- $(nline 9)
	check "13 $h: guest's RESERVE through the new helper: GOOD (${2:-})" [ "${2:-}" = status=00 ]
	rv=$(resv_of "$A_sd")
	check "13 $h:   sg_persist: Write Exclusive held ($rv)" [ "$rv" = "Write Exclusive" ]
	cp $T/nested.out $T/lv.$h
	sed "s/^/# $h guest: /" $T/nested.out

	# virsh destroy: the helper, its workers, socket and pidfile go
	pidf=$(ls /run/libvirt/qemu/*-$dom-pr-helper0.pid 2>/dev/null)
	vsh destroy $dom >/dev/null 2>&1
	i=0
	while kill -0 $hp2 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	check "13 $h: virsh destroy: the helper is gone" sh -c "! kill -0 $hp2 2>/dev/null"
	[ $h = prhelper ] && check "13 prhelper: virsh destroy: no worker left" [ -z "$(procs_running $worker)" ]
	check "13 $h: virsh destroy: no socket file left" [ ! -e "$sock" ]
	check "13 $h: virsh destroy: no pidfile left" [ ! -e "$pidf" ]
	vsh undefine $dom >/dev/null 2>&1
	kill $evp $CATP 2>/dev/null
	wait $evp $CATP 2>/dev/null
	sed 's/^/# qemu event: /' $T/ev.$h | grep -v '^# qemu event: *$'
	check "13 $h: QEMU reported the helper gone (PR_MANAGER_STATUS_CHANGED connected false)" \
		grep -q '"connected":false' $T/ev.$h
	reset_lu
}

# <reservations migration='yes'> (newer libvirt) reaches QEMU as
# scsi-block's migrate-pr, read back with QMP qom-get; and what libvirt
# gives the disk's storage node for auto-read-only (section 17's pitfall)
t_libvirt_migration() {
	start_libvirtd /usr/sbin/prhelper || { nok "13 libvirtd starts"; return; }
	for m in yes no ""; do
		RES_ATTRS=""
		[ -n "$m" ] && RES_ATTRS=" migration='$m'"
		if ! dom_start lvmig "$A_sd" $TOK_TUR w; then
			nok "13 a domain with <reservations managed='yes'$RES_ATTRS/> starts"
			continue
		fi
		vsh dumpxml lvmig | grep '<reservations' >$T/res.xml
		vsh qemu-monitor-command lvmig \
			'{"execute":"qom-get","arguments":{"path":"/machine/peripheral/scsi0-0-0-0","property":"migrate-pr"}}' \
			>$T/qom.out 2>&1
		got=$(sed -n 's/.*"return":\([a-z]*\).*/\1/p' $T/qom.out)
		note "libvirt $LV_V, <reservations managed='yes'$RES_ATTRS/>: dumpxml $(sed 's/^ *//' $T/res.xml), migrate-pr ${got:-$(cat $T/qom.out)}"
		if [ "${QV%%.*}" -ge 11 ] && [ -n "$m" ]; then
			want_mp=true; [ $m = no ] && want_mp=false
			check "13 migration='$m' reaches QEMU: scsi-block's migrate-pr is $want_mp ($got)" [ "$got" = $want_mp ]
		fi
		qp=$(qemu_pid lvmig)
		[ -z "$m" ] && tr '\0' '\n' </proc/$qp/cmdline | grep -A1 -x -e '-blockdev' | grep -v -x -e '-blockdev' -e '--' |
			sed "s/^/# libvirt $LV_V's -blockdev: /"
		vsh destroy lvmig >/dev/null 2>&1
		vsh undefine lvmig >/dev/null 2>&1
		kill $CATP 2>/dev/null
		wait $CATP 2>/dev/null
	done
	RES_ATTRS=""
}

t_section13() {
	t_libvirt prhelper /usr/sbin/prhelper /usr/libexec/prhelper/prhelper-worker
	t_libvirt qemu /usr/bin/qemu-pr-helper ""
	if [ -e $T/lv.prhelper ] && [ -e $T/lv.qemu ]; then
		for i in 1 2 3 4 7 9 10; do
			a=$(nline $i $T/lv.prhelper) b=$(nline $i $T/lv.qemu)
			check "13 guest's command $i: the same answer through both helpers (${a%% data=*})" [ "$a" = "$b" ]
		done
	fi
	t_libvirt_migration
	grep -iE 'error' $LVLOG 2>/dev/null | tail -5 | sed 's/^/# libvirtd: /'
	kill $LVD 2>/dev/null
	LVD=""
}

# ---------------------------------------------------------------- 16
# Section 12's guest program through this suite's QEMU, prhelper and the
# suite's own qemu-pr-helper side by side (t_qemu, guest-tests.sh), then on
# a multipath map with a failed path
t_section16() {
	PRH_WORKER=/usr/libexec/prhelper/prhelper-worker SEC12="16 QEMU $QV"
	start_helpers -v || return
	t_qemu
	reset_m
	if ! mp_create prhmpa "$M1_sd" "$M2_sd"; then
		nok "16 map created"
	else
		m1=$(devnum "$M1_sd")
		if ! kernel_at_least 6 5; then # (section 11: PR ioctls want CAP_SYS_ADMIN)
			kill $PRH_PID; wait $PRH_PID 2>/dev/null
			start_prhelper "-v --keep-sys-admin" || return
		fi
		nested $PRH_SOCK "$MP" $TOK_TUR "$(tok_out 0 0 0 0xa1)" "$(tok_out 1 5 0xa1 0)" "$TOK_WRITE"
		set -- $(nline 4)
		check "$SEC12 guest on a multipath map: REGISTER, RESERVE type 5 and a WRITE work (${2:-}; both paths: $(keys_of "$M1_sd"))" \
			sh -c "[ '${2:-}' = status=00 ] && [ '$(keys_of "$M1_sd")' = '0xa1 0xa1 ' ]"
		mp_msg "fail_path $m1"
		nested $PRH_SOCK "$MP" $TOK_TUR $TOK_TUR "$TOK_WRITE" "$(tok_in 1 8192)"
		set -- $(nline 3)
		check "$SEC12 guest on the map, path M1 failed: its WRITE still works (${2:-})" [ "${2:-}" = status=00 ]
		set -- $(nline 4)
		check "$SEC12 guest on the map, path M1 failed: READ RESERVATION shows its type 5 (${5:-})" \
			[ "${5:-}" = data=GGGGGGGG0000001000000000000000a10000000000050000 ]
		mp_msg "reinstate_path $m1"
		reset_m
		mp_remove prhmpa
	fi
	kill $PRH_PID $QPR_PID 2>/dev/null
	wait $PRH_PID $QPR_PID 2>/dev/null
}

# SECTION: to be run (PART: run.sh's VM_PART; ONLY: VM_ONLY)
want() {
	case $PART in clients) all=13,16 ;; migration) all=17 ;; *) all=13,16,17 ;; esac
	case ,${ONLY:-$all}, in *,$1,*) return 0 ;; esac
	return 1
}
# The versions this root is to carry (README: "Verified with"): a suite
# that moved on fails here, so that the README is updated with it.
case $SUITE in
bookworm) WANT_QEMU=7.2 WANT_LV=9.0 ;;
trixie) WANT_QEMU=10.0 WANT_LV=11.3 ;;
sid) WANT_QEMU=11.1 WANT_LV=12.8 ;;
esac
QV=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([0-9]*\.[0-9]*\).*/\1/p')
LV_V=$(libvirtd --version | sed -n 's/.* \([0-9]*\.[0-9]*\)\.[0-9]*$/\1/p')
note "$SUITE: $(qemu-system-x86_64 --version | head -1); $(libvirtd --version); $(qemu-pr-helper -V | head -1)"
check "$SUITE carries QEMU $WANT_QEMU ($QV) and libvirt $WANT_LV ($LV_V)" [ "$QV" = "$WANT_QEMU" -a "$LV_V" = "$WANT_LV" ]
timed() { ts=$(date +%s); "$@"; note "section $1 took $(( $(date +%s) - ts )) s"; }
want 13 && timed t_section13
if [ "$SUITE" != bookworm ]; then # (bookworm's QEMU runs section 12 itself)
	want 16 && timed t_section16
	want 17 && [ "${QV%%.*}" -ge 11 ] && { . /opt/prh/migration-tests.sh; timed t_migration; }
fi
[ -n "$ONLY" ] && nok "only sections $ONLY were run (VM_ONLY): not a full check"
echo complete >/tmp/suite-tests.done
