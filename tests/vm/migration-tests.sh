#!/bin/bash
# Section 17 of the VM suite: reservation live migration (QEMU 11's
# scsi-block migrate-pr) through prhelper, with qemu-pr-helper of the same
# QEMU as the oracle. Sourced by suite-tests.sh (bash, in the suite's root)
# when that root's QEMU is 11.0 or newer.
#
# Two QEMUs stand for two hosts: the source on host A's nexus of LU disk0
# (A_sd), the destination on host B's (B_sd), each with a helper of its
# own (as libvirt runs one per VM); a third nexus of the LU (X_sd) is a
# third host. They migrate over a Unix socket, driven through QMP. The
# guest is section 12's program: it runs its commands, waits ("w") while
# the migration happens, then goes on on the destination. sg_persist on
# the device judges; READ FULL STATUS tells the nexuses apart (tcm_loop
# shows them all with one SAS address, README "QEMU 11").

MIG_A=/run/mig-a.sock MIG_B=/run/mig-b.sock
# the helper kinds each case runs with: prhelper, qemu-pr-helper, and on a
# kernel with the PR READ ioctls (6.19) prhelper --no-capabilities (nocap,
# section 18's mode)
MIG_KINDS="prhelper qemu"
kernel_at_least 6 19 && MIG_KINDS="prhelper nocap qemu"
# the two helpers of one kind: mig_helpers prhelper|nocap|qemu [PRHELPER OPTIONS]
mig_helpers() {
	mig_stop_helpers
	rm -f $MIG_A $MIG_B
	case $1 in
	prhelper)
		prhelper -k $MIG_A -v ${2:-} >>$T/mig-a.log 2>&1 &
		HA=$!
		prhelper -k $MIG_B -v ${2:-} >>$T/mig-b.log 2>&1 &
		HB=$!
		;;
	nocap)
		prhelper -k $MIG_A -v -u 65534 -g 65534 --no-capabilities >>$T/mig-a.log 2>&1 &
		HA=$!
		prhelper -k $MIG_B -v -u 65534 -g 65534 --no-capabilities >>$T/mig-b.log 2>&1 &
		HB=$!
		;;
	qemu)
		qemu-pr-helper -k $MIG_A >>$T/mig-qa.log 2>&1 &
		HA=$!
		qemu-pr-helper -k $MIG_B >>$T/mig-qb.log 2>&1 &
		HB=$!
		;;
	esac
	wait_sock $MIG_A && wait_sock $MIG_B
}
mig_stop_helpers() {
	[ -n "${HA:-}" ] && { kill $HA $HB 2>/dev/null; wait $HA $HB 2>/dev/null; }
	HA="" HB=""
}

# mig_qemu NAME SOCK DEV MACHINE DRIVEOPTS INCOMING TOKEN...: one QEMU in
# the background running the guest program, its serial input on the FIFO
# $T/NAME.in (held open on fd 8 or 9), output in $T/NAME.raw, QMP on
# $T/NAME.qmp; its pid in $T/NAME.pid (QEMU's own: mig_kill must reach it,
# or a QEMU left running keeps its image's lock and its helper busy)
mig_qemu() {
	name=$1 sock=$2 dev=$3 machine=$4 dopts=$5 incoming=$6
	shift 6
	rm -f $T/$name.in $T/$name.raw $T/$name.qmp
	mkfifo $T/$name.in
	qemu-system-x86_64 -accel tcg -M $machine -m 32 -nodefaults -no-user-config \
		-display none -serial stdio -monitor none -kernel /opt/prh/prtest.elf -append "$*" \
		-device isa-debug-exit -object pr-manager-helper,id=pr0,path="$sock" \
		-device virtio-scsi-pci,id=scsi \
		-drive if=none,id=d0,file="$dev",format=raw,file.pr-manager=pr0$dopts \
		-device scsi-block,drive=d0,bus=scsi.0 -qmp unix:$T/$name.qmp,server=on,wait=off \
		${incoming:+-incoming $incoming} <$T/$name.in >$T/$name.raw 2>&1 &
	echo $! >$T/$name.pid
}
qmp() { n=$1; shift; vmtest qmp $T/$n.qmp 0 "$@" </dev/null 2>&1; } # NAME JSON...: the answers
qout() { tr -d '\r' <$T/$1.raw | grep '^prtest' >$T/$1.out; } # NAME -> $T/NAME.out
# mig_status NAME: the migration status QEMU reports (query-migrate)
mig_status() {
	qmp $1 '{"execute": "query-migrate"}' | sed -n 's/.*"status": "\([a-z-]*\)".*/\1/p' | tail -1
}
# mig_wait NAME: until the migration ends (completed, failed, cancelled)
mig_wait() {
	i=0
	while [ $i -lt 120 ]; do
		MS=$(mig_status $1)
		case $MS in completed|failed|cancelled) return 0 ;; esac
		sleep 0.5
		i=$((i + 1))
	done
	return 1
}
vm_status() { qmp $1 '{"execute": "query-status"}' | sed -n 's/.*"status": "\([a-z-]*\)".*/\1/p' | tail -1; }
mig_kill() { # NAME...
	for n; do
		[ -e $T/$n.pid ] || continue
		kill -9 $(cat $T/$n.pid) 2>/dev/null
		wait $(cat $T/$n.pid) 2>/dev/null
		rm -f $T/$n.pid
	done
}

# The device's state, one line: keys, reservation, and for each
# registered nexus (A, B, X, told apart by relative target port: Linux 6.1
# numbers a LU's ports in the order they were made, 1, 2, 3; newer kernels
# take guest-init.sh's, the target's last digit: 1, 2, 9)
# its key, R for registered and H when it holds the reservation, from READ
# FULL STATUS (each descriptor: key 8, reserved 4, flags 1 (R_HOLDER: bit
# 0), scope/type 1, reserved 4, relative target port 2, additional length
# 4, TransportID)
# of the LU behind DSTATE_DEV (default A_sd), read past pending UNIT
# ATTENTIONs
dstate() {
	dv=${DSTATE_DEV:-$A_sd}
	past_ua direct "$dv" ro "$(prin 3 8192)"
	d=${DATA:16}
	out="keys=$(keys_of "$dv" | sed 's/ $//' | tr ' ' ,) resv=$(resv_of "$dv" | tr ' ' _)"
	while [ ${#d} -ge 48 ]; do
		key=${d:0:16} fl=$((0x${d:24:2})) rtp=$((0x${d:36:4})) al=$((0x${d:40:8}))
		n=port$rtp
		for p in ${DSTATE_PORTS:-1:A 2:B 3:X 9:X}; do [ "${p%:*}" = $rtp ] && n=${p#*:}; done
		h=""
		[ $((fl & 1)) = 1 ] && h=H
		out="$out $n=R$h:$(printf '%x' $((0x$key)))"
		d=${d:$((48 + al * 2))}
	done
	echo "$out"
}

# mig_case LABEL KIND MACHINE DOPTS SRCDEV DSTDEV TOKEN...: the guest runs
# TOKEN... on the source, waits, is migrated, then on the destination
# writes a block, reads keys and the reservation. Leaves: MS (migration
# status), SRC_ST/DST_ST (QEMUs' run states), $T/src.out, $T/dst.out, and
# the device's state before (S0) and after (S1). NTOK: tokens before "w".
# MIG_CAPS: capabilities set on both sides (JSON list); MIG_HOLD=1: the
# destination's guest is not let go on; MIG_CANCEL=1: the migration waits
# before the switch-over (pause-before-switchover) and is cancelled there.
mig_case() {
	label=$1 kind=$2 machine=$3 dopts=$4 sdev=$5 ddev=$6
	shift 6
	NTOK=$#
	post="$TOK_WRITE $(tok_in 0 8192) $(tok_in 1 8192)"
	rm -f $T/mig.sock
	: >$T/mig-a.log
	: >$T/mig-b.log
	mig_qemu src $MIG_A "$sdev" $machine "$dopts" "" "$@" w $post
	exec 8>$T/src.in
	mig_qemu dst $MIG_B "$ddev" $machine "$dopts" defer "$@" w $post
	exec 9>$T/dst.in
	MS=none SRC_ST="" DST_ST=""
	if ! dom_line src $((NTOK + 1)); then
		nok "17 $label ($kind): the guest reached its wait on the source"
		tail -5 $T/src.raw | sed 's/^/#   /'
		return 1
	fi
	S0=$(dstate)
	cp $T/mig-a.log $T/mig-a.before # (the guest's own commands)
	: >$T/mig-a.log
	caps=${MIG_CAPS:-[]}
	[ "${MIG_CANCEL:-0}" = 1 ] && caps='[{"capability": "pause-before-switchover", "state": true}]'
	setcaps='{"execute": "migrate-set-capabilities", "arguments": {"capabilities": '$caps'}}'
	qmp dst "$setcaps" '{"execute": "migrate-incoming", "arguments": {"uri": "unix:'$T'/mig.sock"}}' >$T/mig-in.out
	t0=$(date +%s)
	qmp src "$setcaps" '{"execute": "migrate", "arguments": {"uri": "unix:'$T'/mig.sock"}}' >$T/mig.out
	if [ "${MIG_CANCEL:-0}" = 1 ]; then
		i=0
		while [ "$(mig_status src)" != pre-switchover ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i + 1)); done
		MS0=$(mig_status src)
		qmp src '{"execute": "migrate_cancel"}' >>$T/mig.out
	fi
	mig_wait src || MS=timeout
	# the destination's post-load commands run before its guest does
	i=0
	while DST_ST=$(vm_status dst) && [ -n "$DST_ST" ] && [ "$DST_ST" != running ] && [ $i -lt 20 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	SRC_ST=$(vm_status src)
	note "$label ($kind): migration $MS in $(( $(date +%s) - t0 )) s; source $SRC_ST, destination ${DST_ST:-gone}"
	cp $T/mig-b.log $T/mig-b.pre # before the guest goes on there
	if [ "$DST_ST" = running ] && [ "${MIG_HOLD:-0}" != 1 ]; then
		echo x >&9
		dom_line dst $((NTOK + 4)) || nok "17 $label ($kind): the guest finished on the destination"
	fi
	S1=$(dstate)
	qout src
	qout dst
	# what each QEMU sent through its helper of its own during the
	# migration (prhelper logs every command)
	if [ $kind != qemu ]; then
		for side in a b; do
			f=$T/mig-a.log
			[ $side = b ] && f=$T/mig-b.pre
			c=$(sent_by $f)
			note "$label ($kind): $( [ $side = a ] && echo source || echo destination )'s QEMU sent: ${c:-nothing}"
		done
	fi
}
# sent_by LOG: the PR commands a prhelper log shows, "OP SA type T len
# ALLOC|PARAMLEN -> STATUS SENSE;" each
sent_by() {
	sed -n 's/.*: dev [0-9:]* \(PR [A-Z]*\) \([A-Z ]*\) (sa 0x.. type \(0x.\)) len \([0-9]*\) -> status \(0x..\) sense \([0-9a-f/]*\).*/\1 \2 type \3 len \4 -> \5 \6;/p' "$1" |
		tr '\n' ' '
}
mig_end() { exec 8>&- 9>&-; mig_kill src dst; }
# nline for the source and destination outputs
sline() { nline "$1" $T/src.out; }
dline() { nline "$1" $T/dst.out; }

# One case with both helper kinds; the device states after it and the
# guest's answers on both sides must be the same. CASE_FN KIND runs it
# (calls mig_case and its checks); RESET prepares the LU.
both_helpers() {
	fn=$1
	for kind in $MIG_KINDS; do
		reset_lu "$A_sd" "$A_sd" "$B_sd" "$X_sd"
		mig_helpers $kind || { nok "17 $fn: $kind helpers start"; return; }
		$fn $kind
		mig_end
		echo "$S0 -> $S1" >$T/$fn.$kind.state
		cp $T/src.out $T/$fn.$kind.src 2>/dev/null
		cp $T/dst.out $T/$fn.$kind.dst 2>/dev/null
		note "$fn ($kind): device $S0 -> $S1"
	done
	mig_stop_helpers
	for kind in $MIG_KINDS; do
		[ $kind = qemu ] && continue
		name=prhelper; [ $kind = nocap ] && name="prhelper --no-capabilities"
		check "17 $fn: the same device states through $name and qemu-pr-helper ($(cat $T/$fn.$kind.state))" \
			cmp $T/$fn.$kind.state $T/$fn.qemu.state
		same=1
		for side in src dst; do
			for i in $(seq 1 20); do
				a=$(nline $i $T/$fn.$kind.$side) b=$(nline $i $T/$fn.qemu.$side)
				[ "$a" = "$b" ] || { same=0; note "$fn $side command $i: $name '$a' qemu '$b'"; }
			done
		done
		check "17 $fn: the guest saw the same through $name and qemu-pr-helper, on both sides" [ $same = 1 ]
	done
}

ARO=,file.auto-read-only=off # the destination's drive read-write while incoming

# the guest registered 0xa1 and holds a reservation of type TY
TYPES="1 6 8"
mig_reserved() {
	k=$1
	mig_case "type $TY" $k pc $ARO "$A_sd" "$B_sd" \
		$TOK_TUR "$(tok_out 0 0 0 0xa1)" "$(tok_out 1 $TY 0xa1 0)"
	[ "$MS" = completed ] && [ "$DST_ST" = running ] ||
		{ nok "17 type $TY ($k): migration completed, guest running on the destination ($MS/$DST_ST)"; return; }
	case $S1 in *" B=RH:a1"*) h=1 ;; *) h=0 ;; esac
	check "17 type $TY ($k): key 0xa1 and the reservation now held through B's nexus only ($S1)" \
		sh -c "[ $h = 1 ] && ! echo '$S1' | grep -q ' A=R'"
	r0=${S0#*resv=} r1=${S1#*resv=}
	if [ $TY != 8 ]; then
		check "17 type $TY ($k): the reservation's type kept (${r1%% *})" [ "${r0%% *}" = "${r1%% *}" ]
	else
		note "type $TY ($k): QEMU moved ${r0%% *} as ${r1%% *}"
	fi
	set -- $(dline $((NTOK + 2)))
	check "17 type $TY ($k): the guest's WRITE on the destination: GOOD (${2:-})" [ "${2:-}" = status=00 ]
	set -- $(dline $((NTOK + 3)))
	check "17 type $TY ($k): the guest reads its key on the destination (${5:-})" \
		[ "${5:-}" = data=GGGGGGGG0000000800000000000000a1 ]
	check "17 type $TY ($k): a third host's WRITE conflicts" write_conflicts "$X_sd"
	check "17 type $TY ($k): host A's WRITE (the source's nexus) conflicts" write_conflicts "$A_sd"
}

# registered, no reservation: 11.1's PREEMPT TYPE 1 and second REGISTER
mig_registered() {
	k=$1
	mig_case "registered only" $k pc $ARO "$A_sd" "$B_sd" $TOK_TUR "$(tok_out 0 0 0 0xa1)"
	check "17 registered only ($k): migration completed ($MS), guest running on the destination ($DST_ST)" \
		[ "$MS" = completed -a "$DST_ST" = running ]
	check "17 registered only ($k): key 0xa1 through B's nexus only, no reservation ($S1)" \
		[ "$S1" = "keys=0xa1 resv=none B=R:a1" ]
	set -- $(dline $((NTOK + 3)))
	check "17 registered only ($k): the guest reads its key on the destination (${5:-})" \
		[ "${5:-}" = data=GGGGGGGG0000000800000000000000a1 ]
}

# the guest PREEMPTs a third host's reservation, then migrates
mig_preempted() {
	k=$1
	sgp -o -G -S 0xc2 "$X_sd" >/dev/null
	sgp -o -R -K 0xc2 -T 1 "$X_sd" >/dev/null
	check "17 after a PREEMPT ($k): the third host holds Write Exclusive ($(DSTATE_DEV=$X_sd dstate))" \
		[ "$(DSTATE_DEV=$X_sd dstate)" = "keys=0xc2 resv=Write_Exclusive X=RH:c2" ]
	mig_case "after a PREEMPT" $k pc $ARO "$A_sd" "$B_sd" $TOK_TUR "$(tok_out 0 0 0 0xa1)" \
		"$(tok_out 4 1 0xa1 0xc2)"
	check "17 after a PREEMPT ($k): before the migration A held it, X's key gone ($S0)" \
		[ "$S0" = "keys=0xa1 resv=Write_Exclusive A=RH:a1" ]
	check "17 after a PREEMPT ($k): after it B holds it ($S1)" [ "$S1" = "keys=0xa1 resv=Write_Exclusive B=RH:a1" ]
	set -- $(sline 3)
	check "17 after a PREEMPT ($k): the guest's PREEMPT was GOOD (${2:-})" [ "${2:-}" = status=00 ]
	if [ $k != qemu ]; then
		# QEMU reads the reservation after every successful PREEMPT
		check "17 after a PREEMPT ($k): the source's QEMU read the reservation after the guest's PREEMPT" \
			sh -c "grep -A1 'PR OUT PREEMPT ' $T/mig-a.before | tail -1 | grep -q 'PR IN READ RESERVATION'"
	fi
}

# a 10.2 machine type: migrate-pr off, nothing sent, the reservation stays
mig_machine_10_2() {
	k=$1
	mig_case "pc-i440fx-10.2" $k pc-i440fx-10.2 $ARO "$A_sd" "$B_sd" $TOK_TUR "$(tok_out 0 0 0 0xa1)" \
		"$(tok_out 1 1 0xa1 0)"
	check "17 pc-i440fx-10.2 ($k): migration completed ($MS)" [ "$MS" = completed ]
	check "17 pc-i440fx-10.2 ($k): the reservation stayed with A's nexus ($S1)" [ "$S1" = "$S0" ]
	set -- $(dline $((NTOK + 2)))
	check "17 pc-i440fx-10.2 ($k): the guest's WRITE on the destination conflicts (${2:-})" [ "${2:-}" = status=18 ]
	[ $k != qemu ] && check "17 pc-i440fx-10.2 ($k): the destination's QEMU sent nothing" \
		sh -c "! grep -q ': dev .* PR ' $T/mig-b.pre"
}

# source_goes_on LABEL: after a migration that moved nothing, the source's
# guest goes on: the reservation is still A's (S1), its WRITE works
source_goes_on() {
	lbl=$1
	echo x >&8
	dom_line src $((NTOK + 4)) || nok "17 $lbl: the guest finished on the source"
	qout src
	S1=$(dstate)
	check "17 $lbl: the reservation is still A's ($S1)" [ "$S1" = "$S0" ]
	set -- $(sline $((NTOK + 2)))
	check "17 $lbl: the guest's WRITE on the source: GOOD (${2:-})" [ "${2:-}" = status=00 ]
}

# the migration cancelled before the switch-over: the source goes on
mig_cancelled() {
	k=$1
	MIG_CANCEL=1 mig_case "cancelled" $k pc $ARO "$A_sd" "$B_sd" $TOK_TUR "$(tok_out 0 0 0 0xa1)" \
		"$(tok_out 1 1 0xa1 0)"
	check "17 cancelled ($k): cancelled at $MS0: $MS, the source $SRC_ST" [ "$MS" = cancelled -a "$SRC_ST" = running ]
	source_goes_on "cancelled ($k)"
}

# the destination killed after it took the reservation; the source resumed
mig_dest_killed() {
	k=$1
	MIG_HOLD=1 mig_case "destination killed" $k pc $ARO "$A_sd" "$B_sd" $TOK_TUR "$(tok_out 0 0 0 0xa1)" \
		"$(tok_out 1 1 0xa1 0)"
	S1=$(dstate)
	check "17 destination killed ($k): it had taken the reservation ($S1)" [ "$S1" = "keys=0xa1 resv=Write_Exclusive B=RH:a1" ]
	mig_kill dst
	: >$T/mig-a.log
	qmp src '{"execute": "cont"}' >$T/cont.out
	sleep 2
	st=$(vm_status src)
	note "destination killed ($k): source after cont: $st ($(tr -d '\n' <$T/cont.out | grep -o '"return"\|"error".*' | head -1))"
	echo x >&8
	dom_line src $((NTOK + 4)) || note "destination killed ($k): the guest did not finish on the source"
	qout src
	set -- $(sline $((NTOK + 2)))
	note "destination killed ($k): the guest's WRITE on the resumed source: ${2:-none}"
	S2=$(dstate)
	note "destination killed ($k): device after the source resumed: $S2"
	[ $k != qemu ] && note "destination killed: the source's QEMU sent after cont: $(sent_by $T/mig-a.log)"
	echo "$S2" >>$T/killed.$k
}

# QEMU's default drive options: the destination's fd is read-only while the
# migration is incoming, its REGISTER refused; prhelper says why
mig_read_only() {
	k=$1
	mig_case "read-only destination fd" $k pc "" "$A_sd" "$B_sd" $TOK_TUR "$(tok_out 0 0 0 0xa1)" \
		"$(tok_out 1 1 0xa1 0)"
	check "17 read-only destination fd ($k): the device untouched ($S1)" [ "$S1" = "$S0" ]
	check "17 read-only destination fd ($k): the destination did not run its guest (${DST_ST:-gone})" \
		[ "$DST_ST" != running ]
	note "read-only destination fd ($k): migration $MS, source $SRC_ST, destination ${DST_ST:-gone}"
	if [ $k != qemu ]; then
		check "17 read-only destination fd ($k): the helper's log names the cause and the fix" \
			grep -q 'auto-read-only=off' $T/mig-b.log
		grep 'read-only' $T/mig-b.log | head -2 | sed 's/^/#   /'
	fi
}

# the same with the return path on: the destination's failure reaches the
# source (the migration fails there), which rolls back (its REGISTER
# conflicts: nothing had moved) and runs on with the reservation
mig_read_only_rp() {
	k=$1
	MIG_CAPS='[{"capability": "return-path", "state": true}]' \
		mig_case "read-only, return path" $k pc "" "$A_sd" "$B_sd" $TOK_TUR "$(tok_out 0 0 0 0xa1)" \
		"$(tok_out 1 1 0xa1 0)"
	i=0
	while [ "$(vm_status src)" != running ] && [ $i -lt 10 ]; do sleep 1; i=$((i + 1)); done
	SRC_ST=$(vm_status src)
	check "17 read-only, return path ($k): the migration failed ($MS), the source runs on ($SRC_ST)" \
		[ "$MS" = failed -a "$SRC_ST" = running ]
	[ $k != qemu ] && note "read-only, return path: the source's QEMU sent after the failure: $(sent_by $T/mig-a.log)"
	tr -d '\r' <$T/src.raw | grep -v '^prtest' | sed "s/^/# $k source QEMU: /"
	source_goes_on "read-only, return path ($k)"
}

# source on host A's multipath map (two paths), destination on host B's
# nexus: prhelper only (qemu-pr-helper needs multipathd for a map)
mig_mpath() {
	reset_m
	mp_create prhmpa "$M1_sd" "$M2_sd" || { nok "17 multipath: map created"; return; }
	drain_m
	dmesg -c >/dev/null 2>&1
	opt=""
	kernel_at_least 6 5 || opt=--keep-sys-admin # (section 11)
	mig_helpers prhelper $opt || { nok "17 multipath: helpers start"; return; }
	DSTATE_DEV=$M1_sd DSTATE_PORTS="1:M1 6:M1 2:M2 7:M2 3:MB 8:MB" mig_case "multipath" prhelper pc $ARO "$MP" "$MB_sd" $TOK_TUR "$(tok_out 0 0 0 0xa1)" \
		"$(tok_out 1 1 0xa1 0)"
	S0=$(echo "$S0" | sed 's/ M[12]=RH:/ M=RH:/g; s/ M[12]=R:/ M=R:/g')
	case $S0 in keys=0xa1,0xa1*) ;; *)
		for i in 1 2 3; do note "multipath: the guest's command $i on the source: $(sline $i)"; done
		grep ': dev \|refus\|EPERM' $T/mig-a.before | tail -4 | sed 's/^/# multipath source helper: /'
		dmsetup status prhmpa 2>&1 | sed 's/^/# multipath map: /'
		dmesg | tail -6 | sed 's/^/# multipath dmesg: /'
		;;
	esac
	check "17 multipath: before, A's key on both paths, the reservation through the map ($S0)" \
		sh -c "echo '$S0' | grep -q '^keys=0xa1,0xa1 resv=Write_Exclusive .*M=RH:a1'"
	check "17 multipath: migration completed ($MS), guest running on the destination ($DST_ST)" \
		[ "$MS" = completed -a "$DST_ST" = running ]
	check "17 multipath: after, key and reservation through B's nexus only ($S1)" \
		[ "$S1" = "keys=0xa1 resv=Write_Exclusive MB=RH:a1" ]
	set -- $(dline $((NTOK + 2)))
	check "17 multipath: the guest's WRITE on the destination: GOOD (${2:-})" [ "${2:-}" = status=00 ]
	check "17 multipath: a WRITE through A's map conflicts" write_conflicts "$MP"
	mig_end
	mig_stop_helpers
	reset_m
	mp_remove prhmpa
}

t_migration() {
	note "17: $(qemu-system-x86_64 --version | head -1)"
	qemu-system-x86_64 -device scsi-block,help 2>&1 | grep -q ' migrate-pr=' &&
		ok "17 scsi-block has migrate-pr" || { nok "17 scsi-block has migrate-pr"; return; }
	# VM_ONLY=17,CASE,...: only those cases (debugging)
	case_wanted() { case ,$ONLY, in *,mig_*) case ,$ONLY, in *,$1,*) return 0 ;; esac; return 1 ;; esac; }
	if case_wanted mig_reserved; then
		for TY in $TYPES; do
			both_helpers mig_reserved
		done
	fi
	for c in mig_registered mig_preempted mig_machine_10_2 mig_cancelled mig_dest_killed mig_read_only \
		mig_read_only_rp; do
		case_wanted $c && both_helpers $c
	done
	case_wanted mig_mpath && mig_mpath
	reset_lu "$A_sd" "$A_sd" "$B_sd" "$X_sd"
}
