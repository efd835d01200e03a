#!/bin/sh
# Section 18: the no-capability mode (prhelper --no-capabilities, route.h),
# sourced by guest-tests.sh (its helpers: helper, direct, sgp, keys_of,
# resv_of, reset_lu, mp_create, nested...). On a kernel with the block
# layer's PR READ ioctls (6.19) a second prhelper serves $NC_SOCK with no
# capability in any process, and every answer is held against direct SG_IO
# on the same device (vmtest sgio, sg_persist); before 6.19 it must refuse
# to start.
NC_SOCK=/run/prhelper-nc.sock
NC_LOG=$T/nocap.log

start_nocap() {
	rm -f $NC_SOCK
	prhelper -k $NC_SOCK --worker $PRH_WORKER -u 65534 -g 65534 --no-capabilities -v "$@" >>$NC_LOG 2>&1 &
	NC_PID=$!
	wait_sock $NC_SOCK || { nok "18 prhelper --no-capabilities starts"; sed 's/^/#   /' $NC_LOG | tail -5; return 1; }
	i=0 # the socket appears before the drop: wait for the filter
	while [ "$(field $NC_PID Seccomp)" != 2 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
stop_nocap() { kill $NC_PID 2>/dev/null; wait $NC_PID 2>/dev/null; }
# nc DEV ro|rw CDB [PARAM]: one request through the no-capability helper
nc() { helper $NC_SOCK "$@"; NCLINE=$LINE; }
# same_as_direct NAME DEV ro|rw CDB [PARAM]: the helper's reply line, byte
# for byte, is direct SG_IO's (PR IN only: nothing changes in between)
same_as_direct() {
	n=$1
	shift
	nc "$@"
	a=$LINE
	direct "$@"
	b=$LINE
	if [ "$a" = "$b" ]; then ok "$n"; else nok "$n"; note "  no-capability: $a"; note "  direct SG_IO:  $b"; fi
}
caps_zero() { # PID: all four capability sets empty
	for f in CapEff CapPrm CapBnd CapAmb; do [ "$(field $1 $f)" = 0000000000000000 ] || return 1; done
}
# the four sets, the uid, no_new_privs, seccomp of PID in one line
privs_of() {
	echo "CapEff=$(field $1 CapEff) CapPrm=$(field $1 CapPrm) CapBnd=$(field $1 CapBnd) CapAmb=$(field $1 CapAmb) Uid=$(field $1 Uid | cut -d' ' -f1) NoNewPrivs=$(field $1 NoNewPrivs) Seccomp=$(field $1 Seccomp)"
}

t_nocap_refused() {
	rm -f $NC_SOCK
	timeout 10 prhelper -k $NC_SOCK --worker $PRH_WORKER -u 65534 -g 65534 --no-capabilities >$NC_LOG 2>&1
	rc=$?
	check "18 $(uname -r): --no-capabilities refuses to start, in one line (exit $rc: $(head -1 $NC_LOG))" \
		sh -c "[ $rc != 0 ] && [ ! -e $NC_SOCK ] && [ \$(wc -l <$NC_LOG) = 1 ] && grep -q 'PR READ ioctls (Linux 6.19)' $NC_LOG"
}

t_nocap_privs() {
	vmtest hold $NC_SOCK 20 >/dev/null &
	hp=$!
	i=0
	while [ -z "$(for s in $(children_of $NC_PID); do serving_of $s; done)" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	sp=$(children_of $NC_PID)
	w=$(serving_of $sp | head -1)
	note "monitor $NC_PID: $(privs_of $NC_PID)"
	note "spawner $sp: $(privs_of $sp)"
	note "worker $w: $(privs_of $w)"
	check "18 one child of the monitor, the spawner ($sp), and the workers are its children (serving: $w)" \
		[ "$(echo $sp | wc -w)" = 1 -a -n "$w" ]
	for p in "monitor $NC_PID" "spawner $sp" "worker $w"; do
		set -- $p
		check "18 $1: CapEff, CapPrm, CapBnd and CapAmb all 0, uid 65534, no_new_privs, seccomp filter" \
			[ "$(privs_of $2)" = "CapEff=0000000000000000 CapPrm=0000000000000000 CapBnd=0000000000000000 CapAmb=0000000000000000 Uid=65534 NoNewPrivs=1 Seccomp=2" ]
	done
	# what the worker may do needs no privilege: a process with its ids and
	# an fd open for writing reaches the PR ioctls, and SG_IO is refused
	exec 8<>"$A_sd"
	su -s /bin/sh nobody -c "vmtest sgio fd:8 rw $(prin 0 8192)" >$T/nc-sgio.out 2>&1
	check "18 uid 65534 without capabilities: SG_IO of READ KEYS on an O_RDWR fd fails EPERM ($(head -1 $T/nc-sgio.out))" \
		grep -q 'Operation not permitted' $T/nc-sgio.out
	su -s /bin/sh nobody -c "vmtest lat ioctl fd:8 3" >$T/nc-ioctl.out 2>&1
	check "18 ... while IOC_PR_READ_KEYS on that fd works ($(head -1 $T/nc-ioctl.out))" grep -q median_us $T/nc-ioctl.out
	exec 8>&-
	kill $hp 2>/dev/null
	wait $hp 2>/dev/null
}

t_nocap_disk() {
	reset_lu || { nok "18 disk0 reset"; return; }
	nc "$A_sd" rw "$(prout 0 0)" "$(param 0 0xa1)"
	check "18 REGISTER through the worker's ioctl: GOOD, sg_persist sees 0xa1 ($NCLINE)" \
		[ "$ST" = 00 -a "$(keys_of "$A_sd")" = "0xa1 " ]
	nc "$B_sd" rw "$(prout 6 0)" "$(param 0 0xb1)"
	check "18 REGISTER AND IGNORE EXISTING KEY from B: GOOD, keys 0xa1 0xb1" \
		[ "$ST" = 00 -a "$(keys_of "$A_sd")" = "0xa1 0xb1 " ]
	nc "$X_sd" rw "$(prout 0 0)" "$(param 0 0xc2)"
	drain_ua "$A_sd" "$B_sd" "$X_sd"
	direct "$A_sd" ro "$(prin 0 8)"
	DATA_K=$DATA
	for len in 8 13 16 24 8192; do
		same_as_direct "18 READ KEYS, allocation length $len, three keys: the same bytes as SG_IO" "$A_sd" ro "$(prin 0 $len)"
	done
	# Below 8 bytes LIO refuses the CDB (05/24/00); SPC-4 4.2.5.6 makes an
	# allocation length of 0 no error, and the ioctls carry no CDB: GOOD
	for len in 0 4; do
		nc "$A_sd" ro "$(prin 0 $len)"
		a="$ST $SZ" ad=$DATA
		direct "$A_sd" ro "$(prin 0 $len)"
		want=""; [ $len -gt 0 ] && want=$(echo "$DATA_K" | cut -c1-$((len * 2)))
		check "18 READ KEYS, allocation length $len: GOOD with $len bytes (LIO itself: $ST $KCQ, a difference kept; ours: $a '$ad')" \
			[ "$a" = "00 $len" -a "$ad" = "$want" ]
	done
	for ty in 1 3 5 6 7 8; do
		nc "$A_sd" rw "$(prout 1 $ty)" "$(param 0xa1 0)"
		st=$ST
		for len in 8 13 8192; do
			same_as_direct "18 type $ty reserved by A: READ RESERVATION, length $len, as SG_IO" "$A_sd" ro "$(prin 1 $len)"
		done
		check "18 type $ty: RESERVE GOOD, sg_persist agrees ($(resv_of "$A_sd"))" [ "$st" = 00 -a "$(resv_of "$A_sd")" != none ]
		nc "$A_sd" rw "$(prout 2 $ty)" "$(param 0xa1 0)"
		check "18 type $ty: RELEASE GOOD, nothing reserved" [ "$ST" = 00 -a "$(resv_of "$A_sd")" = none ]
		drain_ua "$A_sd" "$B_sd" "$X_sd"
	done
	same_as_direct "18 nothing reserved: READ RESERVATION as SG_IO" "$A_sd" ro "$(prin 1 8192)"
	# conflicts: A holds Write Exclusive, B asks for it
	nc "$A_sd" rw "$(prout 1 1)" "$(param 0xa1 0)"
	nc "$B_sd" rw "$(prout 1 1)" "$(param 0xb1 0)"
	a=$LINE
	direct "$B_sd" rw "$(prout 1 1)" "$(param 0xb1 0)"
	check "18 B's RESERVE while A holds: RESERVATION CONFLICT without sense, as SG_IO" \
		[ "$a" = "$LINE" -a "$ST" = 18 -a "$SENSE" = "$(printf '%0192d' 0)" ]
	nc "$X_sd" rw "$(prout 2 1)" "$(param 0xbad 0)"
	a=$LINE
	direct "$X_sd" rw "$(prout 2 1)" "$(param 0xbad 0)"
	check "18 RELEASE with a key not registered: $ST, as SG_IO" [ "$a" = "$LINE" ]
	nc "$B_sd" rw "$(prout 4 1)" "$(param 0xb1 0xa1)"
	check "18 B PREEMPTs A: GOOD, sg_persist: B holds, A's key gone" \
		[ "$ST" = 00 -a "$(keys_of "$A_sd")" = "0xb1 0xc2 " ] && sgp -i -r "$A_sd" | grep -q 'Key=0xb1'
	drain_ua "$A_sd" "$B_sd" "$X_sd"
	nc "$B_sd" rw "$(prout 3 0)" "$(param 0xb1 0)"
	check "18 CLEAR: GOOD, no key, nothing reserved" [ "$ST" = 00 -a -z "$(keys_of "$A_sd")" -a "$(resv_of "$A_sd")" = none ]
	drain_ua "$A_sd" "$B_sd" "$X_sd"

	# what the ioctls cannot express: qemu-pr-helper's multipath answers
	before=$(keys_of "$A_sd")/$(resv_of "$A_sd")
	nc "$A_sd" ro "$(prin 3 8192)"
	check "18 READ FULL STATUS: 05/24/00 ($KCQ)" [ "$ST" = 02 -a "$KCQ" = 05/24/00 ]
	nc "$A_sd" rw "$(prout 7 0)" "$(param 0 0xa1)"
	check "18 REGISTER AND MOVE: 05/24/00 ($KCQ)" [ "$ST" = 02 -a "$KCQ" = 05/24/00 ]
	nc "$A_sd" rw "$(prout 0 0)" "$(param 0 0xa1 8)"
	check "18 REGISTER with SPEC_I_PT: 05/26/00 ($KCQ)" [ "$ST" = 02 -a "$KCQ" = 05/26/00 ]
	nc "$A_sd" rw "$(prout 0 0)" "$(param 0 0xa1 4)"
	check "18 REGISTER with ALL_TG_PT: 05/26/00 ($KCQ)" [ "$ST" = 02 -a "$KCQ" = 05/26/00 ]
	check "18   the device untouched by all four" [ "$(keys_of "$A_sd")/$(resv_of "$A_sd")" = "$before" ]
	nc "$A_sd" ro "$(prin 2 8192)"
	ours=$DATA
	direct "$A_sd" ro "$(prin 2 8192)"
	note "REPORT CAPABILITIES: no-capability mode $ours, the device itself $DATA"
	check "18 REPORT CAPABILITIES from what the mode supports: PTPL_C, TMV, the six types (0008 01 80 ea01 0000)" \
		[ "$ours" = 00080180ea010000 ]
	sg_persist -n -i -c "$A_sd" | sed 's/^/#   sg_persist -c on the device: /' | head -14
	prhelper-client -k $NC_SOCK "$A_sd" report-capabilities 2>&1 | sed 's/^/#   prhelper-client report-capabilities through this mode: /' | head -14
	nc "$A_sd" ro "$(prin 2 4)"
	check "18 REPORT CAPABILITIES, allocation length 4: the first 4 bytes ($DATA)" [ "$DATA" = 00080180 ]
	nc "$A_sd" rw "$(prout 0 0)" "$(param 0 0xa1)"
	sgp -i -c "$A_sd" >$T/nc-caps.out
	note "after a REGISTER with APTPL=0 through the ioctls: $(grep -i 'PTPL_A\|Persist Through Power Loss Active' $T/nc-caps.out | head -1) (sd sets APTPL on every REGISTER)"

	# devices the mode refuses
	nc "$A_sg" rw "$(prout 0 0)" "$(param 0 0xa2)"
	check "18 an sg node: 05/20/00, the device untouched ($KCQ)" [ "$ST" = 02 -a "$KCQ" = 05/20/00 -a "$(keys_of "$A_sd")" = "0xa1 " ]
	check "18   the log says why (an sg node)" grep -q 'an sg node, which has no PR ioctls' $NC_LOG
	nc "$A_sg" ro "$(prin 0 8192)"
	check "18 an sg node, PR IN too: 05/20/00" [ "$ST" = 02 -a "$KCQ" = 05/20/00 ]
	nc "$A_sd" ro "$(prout 0 0)" "$(param 0xa1 0xa3)"
	check "18 PR OUT on a read-only fd: 05/20/00 (fdcheck.h)" [ "$ST" = 02 -a "$KCQ" = 05/20/00 ]
	nc /dev/null rw "$(prin 0 8192)"
	check "18 an fd that is no device: 0B/00/06" [ "$ST" = 02 -a "$KCQ" = 0b/00/06 ]
	if [ -b "${C_sd}1" ]; then
		nc "${C_sd}1" rw "$(prout 0 0)" "$(param 0 0xc1)"
		check "18 a partition: 05/20/00, disk1 untouched ($KCQ)" [ "$ST" = 02 -a "$KCQ" = 05/20/00 -a -z "$(keys_of "$C_sd")" ]
		check "18   the log says why (a partition)" grep -q 'a partition: its fd does not authorise' $NC_LOG
	else
		note "no partition on disk1 here: the partition case is section 15's (SG_IO mode)"
	fi
	n=$(grep -c 'PR OUT .* via worker-block' $NC_LOG)
	check "18 every PR OUT the workers ran has its audit line in the monitor's log ($n)" [ "$n" -ge 12 ]
	grep 'PR OUT REGISTER' $NC_LOG | head -1 | sed 's/^/#   /'
	reset_lu
}

t_nocap_map() {
	reset_m || { nok "18 disk3 reset"; return; }
	mp_create prhmpnc "$M1_sd" "$M2_sd" || { nok "18 map created"; return; }
	nc "$MP" rw "$(prout 0 0)" "$(param 0 0xa1)"
	check "18 map: REGISTER reaches both of A's nexuses (f1 f2: $(regs_of))" [ "$ST" = 00 -a "$(regs_of)" = "f1 f2 " ]
	nc "$MB_sd" rw "$(prout 0 0)" "$(param 0 0xb2)"
	drain_m
	for len in 8 13 8192; do
		same_as_direct "18 map: READ KEYS (the key once per path), length $len, as SG_IO on the map" "$MP" ro "$(prin 0 $len)"
	done
	nc "$MP" rw "$(prout 1 5)" "$(param 0xa1 0)"
	check "18 map: RESERVE WE-RO GOOD" [ "$ST" = 00 -a "$(resv_of "$M1_sd")" != none ]
	same_as_direct "18 map: READ RESERVATION as SG_IO on the map" "$MP" ro "$(prin 1 8192)"
	nc "$MB_sd" rw "$(prout 1 1)" "$(param 0xb2 0)"
	check "18 map: B's RESERVE of another type: RESERVATION CONFLICT" [ "$ST" = 18 ]
	# a failed path
	dmm() { DM_DISABLE_UDEV=1 dmsetup message prhmpnc 0 "$1" >>$T/dm.log 2>&1; }
	dmm "fail_path $(devnum "$M1_sd")"
	dmsetup status prhmpnc | sed 's/^/#   /'
	nc "$MP" ro "$(prin 1 8192)"
	check "18 map, path M1 failed: READ RESERVATION still answers, A holds ($ST)" [ "$ST" = 00 ]
	nc "$MP" rw "$(prout 2 5)" "$(param 0xa1 0)"
	check "18 map, path M1 failed: RELEASE GOOD" [ "$ST" = 00 -a "$(resv_of "$M2_sd")" = none ]
	dmm "reinstate_path $(devnum "$M1_sd")"
	drain_m
	# a suspended map: EAGAIN, retried for a second, then BUSY
	dms() { DM_DISABLE_UDEV=1 dmsetup "$@" prhmpnc >>$T/dm.log 2>&1; }
	dms suspend --noflush
	t0=$(date +%s)
	nc "$MP" ro "$(prin 0 8192)"
	st=$ST
	dms resume
	check "18 map suspended: READ KEYS answers BUSY after its retries ($st, $(( $(date +%s) - t0 )) s)" [ "$st" = 08 ]
	dms suspend --noflush
	( sleep 0.4; dms resume ) &
	rp=$!
	nc "$MP" ro "$(prin 0 8192)"
	wait $rp
	check "18 map resumed within the retries: GOOD ($ST)" [ "$ST" = 00 ]
	mp_remove prhmpnc
	reset_m
}

# Section 12's guest program through real QEMU: the same runs through this
# mode and through qemu-pr-helper, then two guests on one LU.
t_nocap_qemu() {
	for h in nocap qemu; do
		sock=$NC_SOCK; [ $h = qemu ] && sock=$QPR_SOCK
		reset_lu
		nested $sock "$A_sd" $TOK_INQ $TOK_TUR $TOK_TUR "$(tok_in 0 8192)" "$(tok_out 0 0 0 0xa1)" \
			"$(tok_in 0 8192)" "$(tok_out 1 1 0xa1 0)" "$(tok_in 1 8192)" "$(tok_in 0 13)" \
			"$(tok_in 2 8192)" "$(tok_in 3 8192)" "$TOK_WRITE"
		cp $T/nested.out $T/ncq1.$h
		set -- $TOK_TUR "$(tok_out 2 1 0xa1 0)"
		for ty in 3 5 6 7 8; do
			set -- "$@" "$(tok_out 1 $ty 0xa1 0)" "$(tok_in 1 8192)" "$(tok_out 2 $ty 0xa1 0)"
		done
		nested $sock "$A_sd" "$@" "$(tok_out 6 0 0 0xa2)" "$(tok_in 0 8192)" "$(tok_out 3 0 0xa2 0)" "$(tok_in 0 8192)"
		cp $T/nested.out $T/ncq2.$h
	done
	for run in 1 2; do
		n=$(grep -c '^prtest [0-9]' $T/ncq$run.nocap)
		diff=""
		for i in $(seq 1 $n); do
			a=$(nline $i $T/ncq$run.nocap) b=$(nline $i $T/ncq$run.qemu)
			[ "$a" = "$b" ] || { diff="$diff $i"; note "run $run command $i: no-capability '$a'"; note "run $run command $i: qemu-pr-helper '$b'"; }
		done
		# run 1's 11 is READ FULL STATUS (nline masks REPORT CAPABILITIES'
		# first four bytes, where the two differ: below)
		want=""; [ $run = 1 ] && want=" 11"
		check "18 QEMU run $run: the guest saw what qemu-pr-helper gives, but for READ FULL STATUS (differs:${diff:- none})" \
			[ "$diff" = "$want" -a "$n" -gt 5 ]
	done
	a=$(sed -n 's/^prtest 10 .*data=//p' $T/ncq1.nocap) b=$(sed -n 's/^prtest 10 .*data=//p' $T/ncq1.qemu)
	check "18 QEMU: REPORT CAPABILITIES as this mode supports it ($a; the device through qemu-pr-helper: $b)" \
		[ "$a" = 00080180ea010000 ]
	set -- $(nline 11 $T/ncq1.nocap)
	check "18 QEMU: READ FULL STATUS gets 05/24/00 in this mode ($4)" sh -c "echo '$4' | grep -q '^sense=700005000000000a00000000240'"
	# two guests, A and B on the same LU
	two_guests $NC_SOCK 18
	reset_lu
}

t_nocap_death() {
	vmtest hold $NC_SOCK 30 >/dev/null &
	hp=$!
	sleep 1
	sp=$(children_of $NC_PID)
	ws=$(for s in $sp; do children_of $s; done)
	kill -9 $NC_PID
	wait $NC_PID 2>/dev/null
	sleep 1
	left=""
	for p in $sp $ws; do [ -e /proc/$p ] && [ "$(field $p State | cut -c1)" != Z ] && left="$left $p"; done
	check "18 the monitor killed: the spawner ($sp) and its workers ($(echo $ws)) die with it (left:${left:- none})" [ -z "$left" ]
	kill $hp 2>/dev/null
	wait $hp 2>/dev/null
	rm -f $NC_SOCK
}

# As prhelper-no-capabilities.service starts it: as its user already, with
# no capability to drop (su: the guest has no systemd).
t_nocap_as_user() {
	mkdir -p /run/ncu
	chown 65534:65534 /run/ncu
	su -s /bin/sh nobody -c "prhelper -k /run/ncu/prh.sock --worker $PRH_WORKER --no-capabilities -v" >>$T/ncu.log 2>&1 &
	up=$!
	wait_sock /run/ncu/prh.sock || { nok "18 started as uid 65534: serves"; sed 's/^/#   /' $T/ncu.log | tail -3; return; }
	i=0
	m=
	while [ -z "$m" ] && [ $i -lt 50 ]; do
		for c in /proc/[0-9]*/comm; do
			p=${c#/proc/}; p=${p%/comm}
			[ "$(cat $c 2>/dev/null)" = prhelper ] && [ "$(field $p Uid | cut -d' ' -f1)" = 65534 ] &&
				[ "$(field $p Seccomp)" = 2 ] && [ -n "$(children_of $p)" ] && m=$p
		done
		sleep 0.1; i=$((i + 1))
	done
	reset_lu
	helper /run/ncu/prh.sock "$A_sd" rw "$(prout 0 0)" "$(param 0 0xa1)"
	check "18 started as uid 65534 with no capability (the unit's way): REGISTER GOOD, sg_persist sees it" \
		[ "$ST" = 00 -a "$(keys_of "$A_sd")" = "0xa1 " ]
	# CapBnd stays as su left it: the unit's CapabilityBoundingSet= empties it
	check "18   its monitor ($m): CapEff, CapPrm, CapAmb 0, uid 65534, no_new_privs, seccomp ($(privs_of $m))" \
		sh -c "[ -n '$m' ] && [ '$(field $m CapEff)/$(field $m CapPrm)/$(field $m CapAmb)/$(field $m NoNewPrivs)' = 0000000000000000/0000000000000000/0000000000000000/1 ]"
	[ -n "$m" ] && kill $m
	wait $up 2>/dev/null
	reset_lu
}

t_nocap() {
	if ! kernel_at_least 6 19; then
		t_nocap_refused
		return
	fi
	: >$NC_LOG
	start_nocap || return
	check "18 it says it serves with no capability in any process" grep -q 'with no capability in any process' $NC_LOG
	t_nocap_privs
	t_nocap_disk
	t_nocap_map
	t_nocap_qemu
	if grep -qiE 'violated|killed by|bad system call' $NC_LOG; then
		nok "18 the no-capability helper's log is clean"; grep -iE 'violated|killed by|bad system call' $NC_LOG | head -5 | sed 's/^/#   /'
	fi
	t_nocap_death
	t_nocap_as_user
}

# PREEMPT AND ABORT at the end of the run, as section 2's (LIO may hang it),
# on its own LU (disk4, nexuses P and Q): section 2's may have left disk2
# dead, every command to it unanswered
t_nocap_preempt_abort() {
	kernel_at_least 6 19 || return 0
	start_nocap || return
	nc "$P_sd" rw "$(prout 6 0)" "$(param 0 0xd2)"
	nc "$Q_sd" rw "$(prout 6 0)" "$(param 0 0xe2)"
	nc "$Q_sd" rw "$(prout 1 3)" "$(param 0xe2 0)"
	check "18 PREEMPT AND ABORT setup through the worker's ioctl: P and Q registered, Q holds EA" sh -c \
		"[ '$(keys_of "$P_sd")' = '0xd2 0xe2 ' ] && sg_persist -n -i -r $P_sd | grep -q 'Key=0xe2'"
	vmtest req $NC_SOCK "$P_sd" rw "$(prout 5 3)" "$(param 0xd2 0xe2)" >$T/ncpa.out 2>&1 &
	pa=$!
	sleep 3
	if kill -0 $pa 2>/dev/null; then
		note "PREEMPT AND ABORT through the worker's ioctl did not complete within 3 s (the LIO hang of section 2)"
		w=$(for s in $(children_of $NC_PID); do serving_of $s; done | head -1)
		check "18 PREEMPT AND ABORT reached the device: the worker ($w) sits in the ioctl (state $(field $w State | cut -c1))" \
			[ "$(field $w State | cut -c1)" = D ]
		vmtest lat $NC_SOCK "$A_sd" 20 >$T/nclat.out 2>&1
		check "18 other LUs still served meanwhile ($(cat $T/nclat.out))" [ $? = 0 ]
	else
		wait $pa
		parse "$(cat $T/ncpa.out)"
		check "18 PREEMPT AND ABORT through the worker's ioctl: GOOD, only 0xd2 left ($(cat $T/ncpa.out))" \
			[ "$ST" = 00 -a "$(keys_of "$P_sd")" = "0xd2 " ]
	fi
	stop_nocap
}

# make bench-vm on a 6.19 kernel: READ KEYS and REGISTER latency through
# this mode, the SG_IO mode and qemu-pr-helper, and the direct calls (the
# PR ioctls, SG_IO), three rounds interleaved; medians of the three.
bench_nocap() {
	N=${BENCH_N:-1000}
	: >$NC_LOG
	start_nocap || return
	reset_lu
	cli "$A_sd" register --sa-key 0xa1 >/dev/null
	cli "$B_sd" register --sa-key 0xb1 >/dev/null
	med() { echo "$1" | sed -n 's/.*median_us=\([0-9]*\).*/\1/p'; }
	mid3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
	ratio() { awk "BEGIN{printf \"%.2f\", ($1)/($2)}"; }
	for op in readkeys register; do
		arg=; [ $op = register ] && arg=register
		vmtest lat $NC_SOCK "$A_sd" 100 $arg >/dev/null # warm-up
		l_sg= l_io= l_p= l_n= l_q=
		for r in 1 2 3; do
			sg=$(vmtest lat - "$A_sd" $N $arg) io=$(vmtest lat ioctl "$A_sd" $N $arg)
			p=$(vmtest lat $PRH_SOCK "$A_sd" $N $arg) n=$(vmtest lat $NC_SOCK "$A_sd" $N $arg)
			q=$(vmtest lat $QPR_SOCK "$A_sd" $N $arg)
			for w in "direct_sg_io $sg" "direct_ioctl $io" "prhelper_sg_io_mode $p" "prhelper_no_caps $n" "qemu_pr_helper $q"; do
				echo "bench ${op}_nocap_round$r $w"
			done
			l_sg="$l_sg $(med "$sg")" l_io="$l_io $(med "$io")" l_p="$l_p $(med "$p")"
			l_n="$l_n $(med "$n")" l_q="$l_q $(med "$q")"
		done
		sg=$(mid3 $l_sg) io=$(mid3 $l_io) p=$(mid3 $l_p) n=$(mid3 $l_n) q=$(mid3 $l_q)
		echo "bench ${op}_median_of_3 direct_sg_io_us=$sg direct_ioctl_us=$io prhelper_sg_io_mode_us=$p prhelper_no_caps_us=$n qemu_pr_helper_us=$q"
		echo "bench ${op}_overhead_us no_caps_over_ioctl=$((n - io)) sg_io_mode_over_sg_io=$((p - sg)) qemu_pr_helper_over_sg_io=$((q - sg)) ratio_no_caps_to_qemu=$(ratio "$n - $io" "$q - $sg") ratio_sg_io_mode_to_qemu=$(ratio "$p - $sg" "$q - $sg")"
	done
	reset_lu
	stop_nocap
}
