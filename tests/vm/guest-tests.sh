#!/bin/sh
# Guest side of the real-device conformance harness (busybox sh), started by
# tests/vm/guest-init.sh after the LIO disks exist:
#   A_sd/A_sg  LU "disk0" through nexus naa.50014050000000a1 ("host A")
#   B_sd/B_sg  the same LU through nexus naa.50014050000000b1 ("host B")
#   C_sd/C_sg  a second LU "disk1" (nexus naa.50014050000000c1)
# Prints "ok - NAME" / "not ok - NAME" / "# note" / "bench KEY VALUE" lines
# that tests/vm/run.sh parses. Usage: guest-tests.sh check|bench
set -u
# a reader gone (a nested QEMU, grep -q) must not end the whole suite
trap '' PIPE
MODE=${1:-check}
[ -n "${PRHVM_LIB:-}" ] && MODE=lib # sourced for its functions only
PRH_SOCK=/run/prhelper.sock
QPR_SOCK=/run/qemu-pr-helper.sock
T=/tmp/prhtest
mkdir -p $T
PRH_WORKER=/opt/prh/prhelper-worker
SEC12=12 # section 12's label (suite-tests.sh runs it as 16, with another QEMU)

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }
note() { echo "# $*"; }
# check NAME COMMAND...: ok when COMMAND succeeds
check() {
	n=$1
	shift
	if "$@" >$T/check.out 2>&1; then ok "$n"; else nok "$n"; sed 's/^/#   /' $T/check.out | head -20; fi
}

# ---- CDB / parameter builders (hex) ----
prin() { printf '5e%02x0000000000%04x00' "$1" "$2"; }          # SA ALLOC
prout() { printf '5f%02x%02x00000000%04x00' "$1" "$2" "${3:-24}"; } # SA TYPE [LEN]
param() { printf '%016x%016x00000000%02x000000' "$1" "$2" "${3:-0}"; } # KEY SAKEY [FLAGS]

# parse a reply line: ST SZ SENSE DATA KCQ (sense key/asc/ascq of fixed sense)
parse() {
	case $1 in st=*) ;; *) note "unexpected reply: '$1'" ;; esac
	set -- $1 "" "" "" ""
	ST=${1#st=}
	SZ=${2#sz=}
	SENSE=${3#sense=}
	DATA=${4#data=}
	KCQ="0${SENSE:5:1}/${SENSE:24:2}/${SENSE:26:2}"
}
# helper SOCK DEV ro|rw CDB [PARAM]: one request through a helper, parsed
helper() { LINE=$(vmtest req "$@"); RC=$?; parse "$LINE"; }
helperf() { LINE=$(VMTEST_FEATURES=1 vmtest req "$@"); RC=$?; } # requests feature bit 0
direct() { LINE=$(vmtest sgio "$@"); RC=$?; parse "$LINE"; }
# past_ua helper|direct ARGS...: again while it meets a UNIT ATTENTION (up to 3 times)
past_ua() { for i in 1 2 3; do "$@"; [ "$ST" = 02 ] && [ "${KCQ:0:2}" = 06 ] || break; done; }

# sgp ARGS...: sg_persist run directly on the device (the independent view);
# repeats once when a unit attention got in the way
sgp() {
	sg_persist -n "$@" >$T/sgp.out 2>&1
	if grep -qi 'unit attention' $T/sgp.out; then sg_persist -n "$@" >$T/sgp.out 2>&1; fi
	cat $T/sgp.out
}
keys_of() { sgp -i -k "$1" | sed -n 's/^ *\(0x[0-9a-f]*\) *$/\1/p' | sort | tr '\n' ' '; }
# reservation type string of DEV per sg_persist, or "none"
resv_of() {
	sgp -i -r "$1" >$T/r.out
	if grep -q 'NO reservation' $T/r.out; then echo none; return; fi
	sed -n 's/.*type: //p' $T/r.out | head -1
}
# drain_ua [DEV...]: consume pending unit attentions (default: disk0 and disk1's nexuses)
drain_ua() {
	[ $# -gt 0 ] || set -- $A_sd $B_sd $C_sd
	for d; do sg_turs "$d" >/dev/null 2>&1; sg_turs "$d" >/dev/null 2>&1; done
}
# reset_lu [DEV NEXUS...]: no registrations, no reservation, APTPL off on
# DEV's LU (directly, not via a helper), then the nexuses' unit attentions
# drained (default: disk0 through A, drain_ua's default)
reset_lu() {
	r0=${1:-$A_sd}
	[ $# -gt 0 ] && shift
	sg_persist -n -o -I -S 0xfeed "$r0" >/dev/null 2>&1 || sg_persist -n -o -I -S 0xfeed "$r0" >/dev/null 2>&1
	sg_persist -n -o -C -K 0xfeed "$r0" >/dev/null 2>&1
	drain_ua "$@"
	[ -z "$(keys_of "$r0")" ]
}
cli() { prhelper-client -k $PRH_SOCK "$@"; }

children_of() { # PID -> pids of its children (one grep: cheap under load)
	grep -l "^PPid:[[:space:]]*$1\$" /proc/[0-9]*/status 2>/dev/null | sed 's|/proc/\([0-9]*\)/status|\1|'
}
field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr '\t' ' '; } # PID FIELD
nfds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
# children of PID serving a client: those holding fd 3 (the monitor keeps a
# few spare workers started, which have no client yet)
serving_of() { for w in $(children_of "$1"); do [ -e "/proc/$w/fd/3" ] && echo "$w"; done; }
# read_keys_as_direct SOCK NAME DEV...: READ KEYS through the helper at
# SOCK answers GOOD with a direct SG_IO's keys, on each DEV (NAME begins
# each check's name)
read_keys_as_direct() {
	local sock=$1 name=$2 d st1 d1
	shift 2
	for d in "$@"; do
		helper $sock "$d" ro "$(prin 0 8192)"
		st1=$ST d1=$DATA
		direct "$d" ro "$(prin 0 8192)"
		check "$name on $d: GOOD, the device's answer" [ "$st1" = 00 -a "$st1" = "$ST" -a "$d1" = "$DATA" ]
	done
}
wait_sock() { i=0; while [ ! -S "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done; [ -S "$1" ]; }

# ---- start the helpers ----
start_prhelper() {
	prhelper -k $PRH_SOCK --worker $PRH_WORKER $1 >>$T/prhelper.log 2>&1 &
	PRH_PID=$!
	wait_sock $PRH_SOCK || { nok "prhelper starts"; cat $T/prhelper.log; return 1; }
}
start_helpers() {
	rm -f $PRH_SOCK $QPR_SOCK
	start_prhelper "$1" || return 1
	qemu-pr-helper -k $QPR_SOCK >>$T/qemu-pr-helper.log 2>&1 &
	QPR_PID=$!
	wait_sock $QPR_SOCK || { nok "qemu-pr-helper starts"; cat $T/qemu-pr-helper.log; return 1; }
	return 0
}

# ======================================================================
# 1. PR IN service actions, allocation lengths, payload bound
# ======================================================================
t_prin() {
	reset_lu
	cli "$A_sd" register --sa-key 0xa1 >/dev/null
	cli "$B_sd" register --sa-key 0xb1 >/dev/null
	cli "$A_sd" reserve --key 0xa1 --type we >/dev/null
	for sa in 0 1 2 3; do
		for alloc in 0 8 13 8192; do
			for dev in "$A_sd" "$A_sg"; do
				n="1 PR IN sa=$sa alloc=$alloc $dev: helper reply = direct SG_IO reply, size <= alloc"
				[ $alloc = 0 ] && n="$n (LIO answers 05/24/00 to alloc 0)"
				direct "$dev" ro "$(prin $sa $alloc)"
				d=$LINE
				helper $PRH_SOCK "$dev" ro "$(prin $sa $alloc)"
				if [ "$RC" = 0 ] && [ "$LINE" = "$d" ] && [ "$SZ" -le "$alloc" ] &&
					{ [ "$ST" = 00 ] || [ $alloc -lt 8 ]; }; then
					ok "$n"
				else
					nok "$n"; note "helper: $LINE"; note "direct: $d"
				fi
			done
		done
	done
	# truncation is real: READ KEYS has 2 keys (16 bytes) but alloc 13 gives 13
	helper $PRH_SOCK "$A_sd" ro "$(prin 0 13)"
	check "1 READ KEYS alloc=13 truncates (13 of 24 bytes, additional length says 16)" \
		[ "$SZ" = 13 -a "${DATA:8:8}" = 00000010 ]
	check "1 prhelper-client read-keys lists both keys" sh -c \
		"prhelper-client -k $PRH_SOCK $A_sd read-keys | grep -q 0xa1 && prhelper-client -k $PRH_SOCK $A_sd read-keys | grep -q 0xb1"
	check "1 prhelper-client read-reservation shows Write Exclusive held by 0xa1" sh -c \
		"prhelper-client -k $PRH_SOCK $A_sg read-reservation | grep -q 'Key=0xa1.*type: Write Exclusive\$'"
	check "1 prhelper-client report-capabilities (--json) answers" sh -c \
		"prhelper-client -k $PRH_SOCK --json $A_sd report-capabilities | grep -q capabilities"
	check "1 prhelper-client read-full-status --alloc-length 8 (header only)" \
		prhelper-client -k $PRH_SOCK --alloc-length 8 "$B_sd" read-full-status
	# the decoded text is sg_persist's, line for line (sg_persist -n leaves
	# out its INQUIRY header)
	for c in "read-full-status -s" "report-capabilities -c"; do
		prhelper-client -k $PRH_SOCK "$A_sd" ${c% *} >$T/cli.out
		sgp -i ${c#* } "$A_sd" >$T/sgp.cmp
		check "1 prhelper-client ${c% *} prints what sg_persist -i ${c#* } prints" diff $T/sgp.cmp $T/cli.out
	done
}

# ======================================================================
# 2. PR OUT service actions, each confirmed by sg_persist on the device
# ======================================================================
typename() {
	case $1 in
	1) echo "Write Exclusive" ;; 3) echo "Exclusive Access" ;;
	5) echo "Write Exclusive, registrants only" ;; 6) echo "Exclusive Access, registrants only" ;;
	7) echo "Write Exclusive, all registrants" ;; 8) echo "Exclusive Access, all registrants" ;;
	esac
}
t_prout() {
	reset_lu
	for dev in "$A_sd" "$A_sg"; do
		reset_lu
		check "2 REGISTER via client on $dev" cli "$dev" register --sa-key 0xa1
		check "2   sg_persist sees key 0xa1" [ "$(keys_of "$A_sd")" = "0xa1 " ]
		check "2 REGISTER (change key) via client on $dev" cli "$dev" register --key 0xa1 --sa-key 0xa5
		check "2   sg_persist sees key 0xa5" [ "$(keys_of "$A_sd")" = "0xa5 " ]
		check "2 REGISTER AND IGNORE EXISTING KEY via client on $dev" cli "$dev" register-ignore --sa-key 0xa2
		check "2   sg_persist sees key 0xa2" [ "$(keys_of "$A_sd")" = "0xa2 " ]
		for ty in 1 3 5 6 7 8; do
			check "2 RESERVE type $ty via client on $dev" cli "$dev" reserve --key 0xa2 --type $ty
			r=$(resv_of "$A_sd")
			check "2   sg_persist sees type '$(typename $ty)'" [ "$r" = "$(typename $ty)" ]
			check "2 RELEASE type $ty via client on $dev" cli "$dev" release --key 0xa2 --type $ty
			check "2   sg_persist sees no reservation" [ "$(resv_of "$A_sd")" = none ]
		done
		check "2 CLEAR via client on $dev" cli "$dev" clear --key 0xa2
		check "2   sg_persist sees no keys" [ -z "$(keys_of "$A_sd")" ]
	done
	drain_ua

	# PREEMPT and PREEMPT AND ABORT (raw requests this time)
	reset_lu
	helper $PRH_SOCK "$A_sd" rw "$(prout 0 0)" "$(param 0 0xa1)"
	helper $PRH_SOCK "$B_sd" rw "$(prout 0 0)" "$(param 0 0xb1)"
	helper $PRH_SOCK "$A_sd" rw "$(prout 1 3)" "$(param 0xa1 0)"
	check "2 raw RESERVE EA by A answers GOOD" [ "$ST" = 00 -a "$SZ" = 0 ]
	helper $PRH_SOCK "$B_sg" rw "$(prout 4 3)" "$(param 0xb1 0xa1)"
	check "2 raw PREEMPT by B (sg) answers GOOD" [ "$ST" = 00 -a "$SZ" = 0 ]
	check "2   sg_persist: only 0xb1 left" [ "$(keys_of "$B_sd")" = "0xb1 " ]
	check "2   sg_persist: B holds Exclusive Access" sh -c \
		"sg_persist -n -i -r $B_sd | grep -q 'Key=0xb1'"
	drain_ua
	# PREEMPT AND ABORT: see t_preempt_abort (run last: it deadlocks LIO)

	# REGISTER AND MOVE: A holds WE, moves it to B's nexus (SAS transport ID)
	reset_lu
	# B's relative target port id as the device reports it (READ FULL
	# STATUS of a scratch registration): configfs's port index is 0 on
	# newer kernels
	sg_persist -n -o -G -S 0xbe "$B_sd" >/dev/null 2>&1
	rtpi_b=$(sg_persist -n -i -s "$B_sd" | awk '/Key=0xbe/ {k = 1} k && /Relative port address/ {print $NF; exit}')
	sg_persist -n -o -G -K 0xbe -S 0 "$B_sd" >/dev/null 2>&1
	drain_ua
	[ -n "$rtpi_b" ] || rtpi_b=$(cat $C/loopback/naa.5001405000000002/tpgt_1/lun/lun_0/statistics/scsi_port/indx 2>/dev/null)
	rtpi_b=$((${rtpi_b:-2}))
	note "B's relative target port id: $rtpi_b"
	helper $PRH_SOCK "$A_sd" rw "$(prout 0 0)" "$(param 0 0xa1)"
	helper $PRH_SOCK "$A_sd" rw "$(prout 1 1)" "$(param 0xa1 0)"
	tid=0600000050014050000000b1000000000000000000000000
	mv=$(printf '%016x%016x0000%04x%08x%s' 0xa1 0xb9 "$rtpi_b" 24 $tid)
	helper $PRH_SOCK "$A_sd" rw "$(prout 7 1 48)" "$mv"
	check "2 raw REGISTER AND MOVE to B (SAS TransportID) answers GOOD" [ "$ST" = 00 -a "$SZ" = 0 ]
	[ "$ST" = 00 ] || note "reply: $LINE"
	check "2   sg_persist: keys 0xa1 and 0xb9" [ "$(keys_of "$A_sd")" = "0xa1 0xb9 " ]
	check "2   sg_persist: reservation now held by 0xb9 (B)" sh -c \
		"sg_persist -n -i -r $B_sd | grep -q 'Key=0xb9'"
	helper $PRH_SOCK "$B_sd" rw "$(prout 2 1)" "$(param 0xb9 0)"
	check "2   B (new holder) can RELEASE through the helper" [ "$ST" = 00 ]

	# APTPL set and clear
	reset_lu
	check "2 REGISTER with APTPL via client" cli "$A_sd" register --sa-key 0xa1 --aptpl
	check "2   sg_persist: PTPL_A 1" sh -c "sg_persist -n -i -c $A_sd | grep -q 'Persist Through Power Loss Active.*: 1'"
	check "2   LIO wrote its APTPL file" sh -c "cat /var/target/pr/aptpl_* | grep -q 'PR_REG_START'"
	check "2 REGISTER AND IGNORE without APTPL via client (clears it)" cli "$A_sd" register-ignore --sa-key 0xa1
	check "2   sg_persist: PTPL_A 0" sh -c "sg_persist -n -i -c $A_sd | grep -q 'Persist Through Power Loss Active.*: 0'"
	reset_lu
}

# PREEMPT AND ABORT, on its own LU (disk2, nexuses D and E), run last.
# In Debian 12's kernel (6.1) LIO deadlocks on it when the fabric submits
# through the per-device submission work (tcm_loop does):
# core_tmr_drain_state_list() calls flush_work() on the very work item that
# is executing the PR OUT. sg_persist run directly hangs the same way, and
# the LU is dead afterwards. So this shows what can be shown: prhelper
# passes the command to the device exactly as a direct SG_IO does (it
# hangs in the kernel just the same), and the same helper keeps serving
# the other LUs while that command is stuck.
t_preempt_abort() {
	cli "$D_sd" register --sa-key 0xd1 >/dev/null
	cli "$E_sd" register --sa-key 0xe1 >/dev/null
	cli "$E_sd" reserve --key 0xe1 --type ea >/dev/null
	check "2 PREEMPT AND ABORT setup: D and E registered, E holds EA" sh -c \
		"[ '$(keys_of "$D_sd")' = '0xd1 0xe1 ' ] && sg_persist -n -i -r $D_sd | grep -q 'Key=0xe1'"
	cli "$D_sd" preempt-abort --key 0xd1 --sa-key 0xe1 --type ea >$T/pa.out 2>&1 &
	pa=$!
	sleep 3
	if kill -0 $pa 2>/dev/null; then
		note "PREEMPT AND ABORT through prhelper did not complete within 3 s (LIO 6.1 self-deadlock, see above)"
		st=""
		for t in /proc/$PRH_PID/task/*/status; do st="$st$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' $t)"; done
		check "2 PREEMPT AND ABORT reached the device: a monitor thread sits in SG_IO (state D; thread states $st)" \
			sh -c "echo $st | grep -q D"
		vmtest lat $PRH_SOCK "$A_sd" 50 >$T/lat2.out 2>&1
		check "2 other LUs still served while PREEMPT AND ABORT is stuck ($(cat $T/lat2.out))" [ $? = 0 ]
	else
		wait $pa
		check "2 PREEMPT AND ABORT via client answered GOOD" [ $? = 0 ]
		check "2   sg_persist: only 0xd1 left" [ "$(keys_of "$D_sd")" = "0xd1 " ]
	fi
}

# ======================================================================
# 3. two hosts sharing the LU
# ======================================================================
t_twohost() {
	reset_lu
	cli "$A_sd" register --sa-key 0xa1 >/dev/null
	cli "$B_sd" register --sa-key 0xb1 >/dev/null
	check "3 A reserves Write Exclusive" cli "$A_sd" reserve --key 0xa1 --type we
	helper $PRH_SOCK "$B_sd" rw "$(prout 1 1)" "$(param 0xb1 0)"
	check "3 B RESERVE while A holds: RESERVATION CONFLICT (18)" [ "$ST" = 18 -a "$SZ" = 0 ]
	cli "$B_sg" reserve --key 0xb1 --type ea >/dev/null 2>&1
	check "3 B RESERVE (sg, client) exits 1 on conflict" [ $? = 1 ]
	helper $PRH_SOCK "$B_sd" rw "$(prout 1 1)" "$(param 0xbad 0)"
	check "3 B RESERVE with an unregistered key: RESERVATION CONFLICT" [ "$ST" = 18 ]
	helper $PRH_SOCK "$A_sd" ro "$(prin 3 8192)"
	check "3 READ FULL STATUS lists both nexuses (a1, b1 SAS addresses)" sh -c \
		"echo $DATA | grep -q 50014050000000a1 && echo $DATA | grep -q 50014050000000b1"
	cli "$A_sd" read-full-status >$T/rfs.txt 2>&1
	check "3 client read-full-status shows two descriptors and the holder" sh -c \
		"[ \$(grep -c 'Key=' $T/rfs.txt) = 2 ] && grep -q 'Reservation holder' $T/rfs.txt"
	check "3 B preempts A" cli "$B_sd" preempt --key 0xb1 --sa-key 0xa1 --type we
	check "3   sg_persist: A's key gone" [ "$(keys_of "$B_sd")" = "0xb1 " ]
	helper $PRH_SOCK "$A_sd" ro "$(prin 0 8192)"
	check "3 A's next command: UNIT ATTENTION 06/2a/03 or 06/2a/05 (preempted), passed through" \
		sh -c "[ '$ST' = 02 ] && { [ '$KCQ' = 06/2a/03 ] || [ '$KCQ' = 06/2a/05 ]; }"
	note "A's unit attention: $KCQ"
	helper $PRH_SOCK "$A_sd" rw "$(prout 1 1)" "$(param 0xa1 0)"
	check "3 A (no longer registered) RESERVE: RESERVATION CONFLICT" [ "$ST" = 18 ]
	reset_lu
}

# ======================================================================
# 4. device errors pass through intact (helper reply == direct SG_IO reply)
# ======================================================================
t_errors() {
	reset_lu
	direct "$A_sd" rw "$(prout 0 0)" "$(param 0 0xa1)"
	for case in "bad-type:rw:$(prout 1 2):$(param 0xa1 0):05/24/00" \
		"wrong-key-reserve:rw:$(prout 1 1):$(param 0xdead 0):" \
		"wrong-key-register:rw:$(prout 0 0):$(param 0xdead 0xa7):" \
		"unknown-prin-sa:ro:$(prin 31 8192)::05/24/00" \
		"unknown-prout-sa:rw:$(prout 31 0):$(param 0xa1 0):05/24/00" \
		"bad-scope:rw:$(prout 1 17):$(param 0xa1 0):" \
		"param-len-20:rw:$(prout 0 0 20):$(param 0xa1 0xa1):05/1a/00"; do
		name=${case%%:*}
		rest=${case#*:}
		mode=${rest%%:*}; rest=${rest#*:}
		cdb=${rest%%:*}; rest=${rest#*:}
		p=${rest%%:*}; want=${rest#*:}
		for dev in "$A_sd" "$A_sg"; do
			direct "$dev" "$mode" "$cdb" $p
			d=$LINE
			dk=$KCQ
			helper $PRH_SOCK "$dev" "$mode" "$cdb" $p
			if [ "$LINE" = "$d" ] && [ "$ST" != 00 ] && { [ -z "$want" ] || [ "$KCQ" = "$want" ]; }; then
				ok "4 $name on $dev: status $ST sense $KCQ identical to direct SG_IO"
			else
				nok "4 $name on $dev"; note "helper: $LINE"; note "direct: $d ($dk)"
			fi
		done
	done
	check "4   sg_persist: still only 0xa1 registered" [ "$(keys_of "$A_sd")" = "0xa1 " ]
	reset_lu
}

# ======================================================================
# 5. safety
# ======================================================================
t_safety() {
	reset_lu
	for dev in "$A_sd" "$A_sg"; do
		helper $PRH_SOCK "$dev" ro "$(prout 0 0)" "$(param 0 0x5afe)"
		check "5 PR OUT on a read-only fd ($dev): 05/20/00" [ "$ST" = 02 -a "$KCQ" = 05/20/00 -a "$SZ" = 0 ]
		check "5   sg_persist: device untouched (no keys)" [ -z "$(keys_of "$A_sd")" ]
		helper $PRH_SOCK "$dev" ro "$(prout 6 0)" "$(param 0 0x5afe)"
		check "5 REGISTER AND IGNORE on a read-only fd ($dev): 05/20/00, untouched" \
			sh -c "[ '$ST' = 02 ] && [ '$KCQ' = 05/20/00 ] && [ -z \"\$(sg_persist -n -i -k $A_sd | grep 0x5afe)\" ]"
	done
	: >$T/regular
	for f in /dev/null $T/regular; do
		helper $PRH_SOCK "$f" ro "$(prin 0 8192)"
		check "5 non-SCSI fd ($f): CHECK CONDITION 0b/00/06" [ "$ST" = 02 -a "$KCQ" = 0b/00/06 -a "$SZ" = 0 ]
	done
	# The protocol as upstream's: no feature bit, no opcode 0xFF (an old
	# prhelper's "cleanup"); both close, as qemu-pr-helper does, and the
	# device is untouched.
	cli "$A_sd" register --sa-key 0xa1 >/dev/null
	for sock in $PRH_SOCK $QPR_SOCK; do
		helperf $sock "$A_sg" rw "$(prin 0 8192)"
		check "5 $(basename $sock): requesting feature bit 0 closes the connection ($LINE)" [ "$RC" = 3 ]
		helper $sock "$A_sg" rw ff000000000000000000000000000000
		check "5 $(basename $sock): opcode 0xFF closes the connection ($LINE)" [ "$RC" = 3 ]
	done
	check "5   sg_persist: A's key stays (0xa1)" [ "$(keys_of "$A_sd")" = "0xa1 " ]
	reset_lu
}

# ======================================================================
# 15. a fd authorises exactly its LU: an MBR on disk1 (one partition,
#     sectors 2048-3071) and device-mapper maps over part of disk1, over
#     its partition and over all of it. prhelper refuses the partition and
#     the partial maps (05/20/00, logged with the reason, device untouched);
#     qemu-pr-helper, the oracle, passes the partition's PR OUT to the LU.
# ======================================================================
t_whole_lu() {
	reset_lu $C_sd
	printf '\0\0\0\0\203\0\0\0\0\010\0\0\0\004\0\0' | dd of=$C_sd bs=1 seek=446 conv=notrunc 2>/dev/null
	printf '\125\252' | dd of=$C_sd bs=1 seek=510 conv=notrunc 2>/dev/null
	blockdev --rereadpt $C_sd
	P=${C_sd}1
	i=0
	while [ ! -b $P ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	check "15 disk1 has a partition ($P)" [ -b $P ]
	n0=$(wc -l <$T/prhelper.log)
	helper $PRH_SOCK $P rw "$(prout 0 0)" "$(param 0 0x15a)"
	check "15 REGISTER through the partition: 05/20/00" [ "$ST" = 02 -a "$KCQ" = 05/20/00 ]
	check "15   sg_persist: disk1 untouched (no keys)" [ -z "$(keys_of $C_sd)" ]
	helper $PRH_SOCK $P ro "$(prin 0 8192)"
	check "15 READ KEYS through the partition: 05/20/00, no data" [ "$ST" = 02 -a "$KCQ" = 05/20/00 -a "$SZ" = 0 ]
	tail -n +$((n0 + 1)) $T/prhelper.log | grep 'refused, the device is a partition' >$T/wl.log
	check "15 the refusals are logged with the reason" [ "$(wc -l <$T/wl.log)" -ge 2 ]
	head -1 $T/wl.log | sed 's/^/# /'
	helper $QPR_SOCK $P rw "$(prout 0 0)" "$(param 0 0x15b)"
	check "15 qemu-pr-helper: the same REGISTER reaches the whole LU (status $ST, keys $(keys_of $C_sd))" \
		[ "$ST" = 00 -a "$(keys_of $C_sd)" = "0x15b " ]
	reset_lu $C_sd
	# one map at a time: the kernel lets a disk and its partition be
	# claimed by one holder only
	sz=$(blockdev --getsz $C_sd)
	for m in "prhlv 0 1024 linear $C_sd 2048" "prhpm 0 1024 linear $P 0"; do
		set -- $m
		name=$1
		shift
		DM_DISABLE_UDEV=1 dmsetup create $name --table "$*" >$T/dm.log 2>&1
		check "15 map $name: $*" [ -b /dev/mapper/$name ]
		helper $PRH_SOCK /dev/mapper/$name rw "$(prout 0 0)" "$(param 0 0x15c)"
		check "15 REGISTER through $name (not the whole LU): 05/20/00" [ "$ST" = 02 -a "$KCQ" = 05/20/00 ]
		helper $PRH_SOCK /dev/mapper/$name ro "$(prin 0 8192)"
		check "15 READ KEYS through $name: 05/20/00" [ "$ST" = 02 -a "$KCQ" = 05/20/00 ]
		DM_DISABLE_UDEV=1 dmsetup remove $name >/dev/null 2>&1
	done
	check "15   sg_persist: disk1 untouched (no keys)" [ -z "$(keys_of $C_sd)" ]
	tail -n +$((n0 + 1)) $T/prhelper.log | grep -c 'refused, the device is a device-mapper map that is not a whole LU' >$T/wl.n
	check "15 the map refusals are logged with the reason ($(cat $T/wl.n))" [ "$(cat $T/wl.n)" -ge 4 ]
	DM_DISABLE_UDEV=1 dmsetup create prhall --table "0 $sz linear $C_sd 0" >$T/dm.log 2>&1
	check "15 map prhall: 0 $sz linear $C_sd 0 (all of disk1)" [ -b /dev/mapper/prhall ]
	sg_persist -n -o -G -S 0x15d $C_sd >/dev/null 2>&1
	direct $C_sd ro "$(prin 0 8192)"
	want=$LINE
	helper $PRH_SOCK /dev/mapper/prhall ro "$(prin 0 8192)"
	check "15 READ KEYS through the map of the whole disk: as SG_IO on the disk" [ "$LINE" = "$want" ]
	DM_DISABLE_UDEV=1 dmsetup remove prhall >/dev/null 2>&1
	dd if=/dev/zero of=$C_sd bs=512 count=1 conv=notrunc 2>/dev/null
	blockdev --rereadpt $C_sd
	reset_lu $C_sd
}

# ======================================================================
# 7. differential: prhelper vs Debian's qemu-pr-helper, same script
# ======================================================================
t_diff() {
	S=$T/diff.script
	{
		for d in $A_sd $A_sg; do
			echo "$d ro $(prin 0 8192)"
			echo "$d ro $(prin 2 8192)"
		done
		echo "$A_sd rw $(prout 0 0) $(param 0 0xa1)"
		echo "$B_sd rw $(prout 6 0) $(param 0 0xb1)"
		for a in 0 8 12 8192; do for sa in 0 1 2 3; do echo "$A_sd ro $(prin $sa $a)"; done; done
		echo "$A_sd rw $(prout 1 5) $(param 0xa1 0)"
		echo "$B_sd rw $(prout 1 1) $(param 0xb1 0)"
		echo "$B_sd ro $(prin 1 8192)"
		echo "$A_sd rw $(prout 2 5) $(param 0xa1 0)"
		for ty in 1 3 5 6 7 8; do
			echo "$A_sd rw $(prout 1 $ty) $(param 0xa1 0)"
			echo "$B_sd ro $(prin 1 8192)"
			echo "$B_sd rw $(prout 1 $ty) $(param 0xb1 0)"
			echo "$A_sd rw $(prout 2 $ty) $(param 0xa1 0)"
		done
		echo "$A_sd rw $(prout 1 2) $(param 0xa1 0)"
		echo "$A_sd rw $(prout 1 1) $(param 0xdead 0)"
		echo "$A_sd ro $(prin 31 8192)"
		echo "$A_sd rw $(prout 31 0) $(param 0xa1 0)"
		echo "$A_sd rw $(prout 0 0 20) $(param 0xa1 0xa1)"
		echo "$A_sd ro $(prout 6 0) $(param 0 0x5afe)"
		echo "/dev/null ro $(prin 0 8192)"
		echo "$A_sd rw $(prout 1 3) $(param 0xa1 0)"
		echo "$B_sd rw $(prout 4 3) $(param 0xb1 0xa1)"
		echo "$A_sd ro $(prin 0 8192)"
		echo "$A_sd ro $(prin 0 8192)"
		echo "$B_sd ro $(prin 3 8192)"
		echo "$A_sd rw $(prout 6 0) $(param 0 0xa1 1)"
		echo "$A_sd ro $(prin 2 8192)"
		echo "$A_sd rw $(prout 6 0) $(param 0 0xa1 0)"
		echo "$A_sd rw $(prout 4 8) $(param 0xa1 0xb1)"
		echo "$B_sd ro $(prin 0 8192)"
		echo "$A_sd ro $(prin 3 8192)"
		echo "$A_sd rw $(prout 3 0) $(param 0xa1 0)"
		echo "$A_sd ro $(prin 0 8192)"
	} >$S
	reset_lu
	vmtest script $PRH_SOCK $S >$T/diff.prh 2>&1
	r1=$?
	reset_lu
	vmtest script $QPR_SOCK $S >$T/diff.qemu 2>&1
	r2=$?
	reset_lu
	check "7 differential script ran through prhelper ($(wc -l <$S) requests)" [ $r1 = 0 ]
	check "7 differential script ran through qemu-pr-helper" [ $r2 = 0 ]
	note "features: prhelper $(head -1 $T/diff.prh), qemu-pr-helper $(head -1 $T/diff.qemu) (the same: no feature bit exists)"
	same=0; tail=0; other=0; i=1
	tail -n +2 $T/diff.prh >$T/d1; tail -n +2 $T/diff.qemu >$T/d2
	while IFS= read -r l1 <&3 && IFS= read -r l2 <&4; do
		if [ "$l1" = "$l2" ]; then
			same=$((same + 1))
		else
			parse "$l2"; s2=${SENSE:0:36}; st2=$ST; d2=$DATA
			parse "$l1"
			if [ "$ST" = "$st2" ] && [ "${SENSE:0:36}" = "$s2" ] && [ "$DATA" = "$d2" ] && [ "$ST" = 02 ]; then
				tail=$((tail + 1))
				note "step $i ($(sed -n ${i}p $S | cut -c1-40)...): only sense bytes 18-95 differ (prhelper zeroes them in its own answers)"
			else
				other=$((other + 1))
				note "step $i differs: $(sed -n ${i}p $S)"
				note "  prhelper: ${l1:0:90}"
				note "  qemu:     ${l2:0:90}"
			fi
		fi
		i=$((i + 1))
	done 3<$T/d1 4<$T/d2
	check "7 replies byte-identical: $same identical, $tail differ only in the zeroed sense tail, $other other" \
		[ "$other" = 0 -a "$((same + tail))" = "$(wc -l <$S)" ]

	# the intended differences, shown explicitly
	cdb56=$(printf '5f%02x%02x0000%02x%02x%04x00' 0 0 1 0 24)
	helper $PRH_SOCK "$A_sd" rw "$cdb56" "$(param 0 0x56)"
	p=$KCQ; pl=$LINE
	helper $QPR_SOCK "$A_sd" rw "$cdb56" "$(param 0 0x56)"
	note "PR OUT with CDB byte 5 = 1: prhelper $p; qemu-pr-helper st=$ST $KCQ (it passes it to the device)"
	check "7 intended: PR OUT with CDB bytes 5-6 non-zero -> 05/24/00 from prhelper" sh -c "echo '$pl' | grep -q '^st=02' && [ '$p' = 05/24/00 ]"
	reset_lu
}

# ======================================================================
# 8. privileges on a real device
# ======================================================================
t_privs() {
	check "8 monitor runs as uid 65534" [ "$(field $PRH_PID Uid)" = "65534 65534 65534 65534" ]
	check "8 monitor CapEff = CAP_SYS_RAWIO only (0000000000020000)" [ "$(field $PRH_PID CapEff)" = 0000000000020000 ]
	check "8 monitor CapPrm = CAP_SYS_RAWIO only" [ "$(field $PRH_PID CapPrm)" = 0000000000020000 ]
	note "monitor: Uid $(field $PRH_PID Uid) CapEff $(field $PRH_PID CapEff) Seccomp $(field $PRH_PID Seccomp) NoNewPrivs $(field $PRH_PID NoNewPrivs)"
	check "8 PR commands succeed through the unprivileged monitor" cli "$A_sd" register-ignore --sa-key 0x88
	vmtest hold $PRH_SOCK 4 >/dev/null &
	hp=$!
	sleep 1
	w=$(serving_of $PRH_PID | head -1)
	if [ -n "$w" ]; then
		note "worker $w: Uid $(field $w Uid) CapEff $(field $w CapEff) CapBnd $(field $w CapBnd) Seccomp $(field $w Seccomp) NoNewPrivs $(field $w NoNewPrivs)"
		check "8 worker CapEff 0 and CapPrm 0" [ "$(field $w CapEff)" = 0000000000000000 -a "$(field $w CapPrm)" = 0000000000000000 ]
		check "8 worker under a seccomp filter (Seccomp 2), NoNewPrivs 1" [ "$(field $w Seccomp)" = 2 -a "$(field $w NoNewPrivs)" = 1 ]
		check "8 worker not root" [ "$(field $w Uid | cut -d' ' -f1)" != 0 ]
	else
		nok "8 a worker process exists while a connection is open"
	fi
	kill $hp 2>/dev/null; wait $hp 2>/dev/null
	reset_lu
}

# ======================================================================
# 9. one blocked LU does not block another
# ======================================================================
t_block() {
	# LU disk1 (C) behind dm-multipath with queue_if_no_path: once its only
	# path fails, SG_IO on the dm device waits in the kernel (dm retries the
	# ioctl until a path returns) - the classic hung-multipath case. READ
	# FULL STATUS goes by SG_IO on a map with every kernel; READ KEYS takes
	# the block layer's ioctl from 6.19, which dm sends down the failed
	# path itself (section 11), so it would not hang.
	mm=$(cat /sys/block/${C_sd#/dev/}/dev)
	sz=$(cat /sys/block/${C_sd#/dev/}/size)
	export DM_DISABLE_UDEV=1
	if ! dmsetup create prhmp --table "0 $sz multipath 1 queue_if_no_path 0 1 1 round-robin 0 1 1 $mm 1" >$T/dm.log 2>&1; then
		nok "9 dm-multipath device created"; sed 's/^/#   /' $T/dm.log; return
	fi
	dm=/dev/$(ls /sys/block/ | grep '^dm-' | head -1)
	[ -b "$dm" ] || dm=/dev/mapper/prhmp
	helper $PRH_SOCK "$dm" ro "$(prin 3 8192)"
	check "9 READ FULL STATUS through prhelper on the multipath device ($dm) answers GOOD" [ "$ST" = 00 ]
	dmsetup message prhmp 0 "fail_path $mm" >>$T/dm.log 2>&1
	t0=$(date +%s)
	vmtest req $PRH_SOCK "$dm" ro "$(prin 3 8192)" >$T/held.out 2>&1 &
	held=$!
	sleep 2
	check "9 READ FULL STATUS on the failed multipath LU hangs (no answer after 2 s)" kill -0 $held
	vmtest lat $PRH_SOCK "$A_sd" 200 >$T/lat.out 2>&1
	lr=$?
	note "other LU while LU disk1 hangs, READ KEYS through prhelper: $(cat $T/lat.out)"
	mx=$(sed -n 's/.*max_us=\([0-9]*\).*/\1/p' $T/lat.out)
	check "9 the other LU answers promptly meanwhile (200 requests, max < 1 s)" [ $lr = 0 -a "${mx:-9999999}" -lt 1000000 ]
	cli "$B_sd" read-keys >/dev/null 2>&1
	check "9 a new connection (client) is served meanwhile" [ $? = 0 ]
	check "9 the held request is still waiting" kill -0 $held
	dmsetup message prhmp 0 "reinstate_path $mm" >>$T/dm.log 2>&1
	i=0
	while kill -0 $held 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	wait $held
	hr=$?
	el=$(( $(date +%s) - t0 ))
	note "held request answered after ${el} s, when the path came back: $(cut -c1-40 $T/held.out)"
	check "9 the held request completes GOOD once the path is reinstated" sh -c "[ $hr = 0 ] && grep -q '^st=00' $T/held.out"
	dmsetup remove prhmp >>$T/dm.log 2>&1
	echo "bench block_other_lu_latency $(cat $T/lat.out)"
}

# ======================================================================
# 10. concurrency: 32 connections, mixed PR IN/OUT
# ======================================================================
t_stress() {
	reset_lu
	f0=$(nfds $PRH_PID)
	# the sampler runs at top priority: 64 busy threads starve a normal shell
	vmtest stress $PRH_SOCK "$A_sd" 32 10 >$T/stress.out 2>&1 &
	sp=$!
	PRHVM_LIB=1 sh -c "renice -20 \$\$ >/dev/null; . /opt/prh/guest-tests.sh; sleep 4; for w in \$(serving_of $PRH_PID); do
		echo \$w \$(field \$w Name) \$(nfds \$w); done" >$T/sample.out 2>&1
	wf=$(awk '$2 == "prhelper-worker" {print $3}' $T/sample.out | tr '\n' ' ')
	other=$(awk '$2 != "prhelper-worker"' $T/sample.out | tr '\n' ' ')
	[ -n "$other" ] && note "other children of the monitor: $other"
	[ -s $T/sample.out ] || note "sampler: nothing"
	nw=$(echo $wf | wc -w)
	note "mid-run: $nw workers, fds per worker:$(echo $wf | tr ' ' '\n' | sort -u | tr '\n' ' ')monitor fds $(nfds $PRH_PID)"
	wait $sp
	r=$?
	note "stress: $(cat $T/stress.out)"
	grep -E '^<[0-4]>' $T/prhelper.log | tail -n 15 | sed 's/^/#   log: /'
	check "10 32 connections x 10 s mixed PR IN/OUT: every request answered, every reply well-formed" [ $r = 0 ]
	check "10 32 workers were serving" [ "$nw" = 32 ]
	# 0-4, plus the device fd of its last request until the next one has
	# been read (then both, for a moment)
	odd=$(echo $wf | tr ' ' '\n' | grep -vxE '5|6|7' | tr '\n' ' ')
	check "10 every worker had 5 to 7 fds" [ -n "$wf" -a -z "$odd" ]
	i=0
	while [ -n "$(serving_of $PRH_PID)" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	check "10 every worker that served is gone afterwards" [ -z "$(serving_of $PRH_PID)" ]
	check "10 at most the 4 spare workers remain" [ "$(children_of $PRH_PID | wc -l)" -le 4 ]
	f1=$(nfds $PRH_PID)
	check "10 monitor fd count unchanged ($f0 before, $f1 after)" [ "$f0" = "$f1" ]
	check "10 device state sane afterwards (sg_persist reads keys)" sgp -i -k "$A_sd"
	vmtest stress $PRH_SOCK "$A_sd" 64 5 >$T/stress64.out 2>&1
	r=$?
	note "64 connections: $(cat $T/stress64.out)"
	check "10 64 connections x 5 s: every request answered" [ $r = 0 ]
	sleep 1
	if kill -0 $PRH_PID 2>/dev/null; then ok "10 monitor alive after 64 connections"; else
		wait $PRH_PID; nok "10 monitor alive after 64 connections (exit status $?)"
		dmesg | grep 'type=1326' | tail -2 | sed 's/^/#   /'
		rm -f $PRH_SOCK
		start_prhelper -v || true
	fi
	grep -E '^<[0-4]>' $T/prhelper.log | sed 's/conn [0-9]* peer pid [0-9]*/conn N/' | sort | uniq -c |
		sort -rn | head -5 | sed 's/^/#   log: /'
	reset_lu
}

# ======================================================================
# 11. dm-multipath: host A on two paths (M1, M2) joined by a map, host B
#     on a third nexus (MB), all to LU disk3
# ======================================================================
kernel_at_least() { # MAJOR MINOR
	kv=$(uname -r); km=${kv%%.*}; kr=${kv#*.}; kn=${kr%%[!0-9]*}
	[ $((km * 100 + kn)) -ge $(($1 * 100 + $2)) ]
}
devnum() { cat "/sys/block/${1#/dev/}/dev"; }
# mp_create NAME DEV...: a failover map (one priority group per path)
mp_create() {
	name=$1; shift
	t="0 $(cat /sys/block/${1#/dev/}/size) multipath 0 0 $# 1"
	for d; do t="$t round-robin 0 1 1 $(devnum "$d") 1"; done
	DM_DISABLE_UDEV=1 dmsetup create "$name" --table "$t" >>$T/dm.log 2>&1 || return 1
	for s in /sys/block/dm-*; do
		[ "$(cat $s/dm/name 2>/dev/null)" = "$name" ] && MP=/dev/${s##*/}
	done
	[ -b "$MP" ]
}
mp_remove() { DM_DISABLE_UDEV=1 dmsetup remove "$1" >>$T/dm.log 2>&1; }
mp_msg() { dmsetup message prhmpa 0 "$1" >>$T/dm.log 2>&1; }
# nexuses of disk3 holding a registration, per READ FULL STATUS: "f1 f2 b2"
regs_of() {
	direct "$M1_sd" ro "$(prin 3 8192)"
	r=""
	for n in f1 f2 b2; do case $DATA in *50014050000000$n*) r="$r$n " ;; esac; done
	echo "$r"
}
drain_m() { drain_ua "$M1_sd" "$M2_sd" "$MB_sd"; }
reset_m() { reset_lu "$M1_sd" "$M1_sd" "$M2_sd" "$MB_sd"; }
write_to() { dd if=/dev/zero of="$1" bs=4096 count=1 oflag=direct >/dev/null 2>&1; } # DEV: one block
write_conflicts() { ! write_to "$1"; } # DEV: the write fails
write_map() { write_to "$MP"; }
# the state of disk3 on each path, for "device untouched" checks
mstate() { echo "$(keys_of "$M1_sd")/$(keys_of "$M2_sd")/$(resv_of "$M1_sd")/$(regs_of)"; }

t_mpath_refused_old_kernel() {
	# Linux before 6.5: the PR ioctls want CAP_SYS_ADMIN, which prhelper
	# does not keep by default
	before=$(mstate)
	helper $PRH_SOCK "$MP" rw "$(prout 0 0)" "$(param 0 0xa1)"
	check "11 $(uname -r): REGISTER on the map without --keep-sys-admin: 05/20/00" [ "$ST" = 02 -a "$KCQ" = 05/20/00 ]
	helper $PRH_SOCK "$MP" rw "$(prout 1 5)" "$(param 0xa1 0)"
	check "11   a second PR OUT on the map: 05/20/00 again" [ "$ST" = 02 -a "$KCQ" = 05/20/00 ]
	check "11   device untouched on every path" [ "$(mstate)" = "$before" ]
	n=$(grep -c 'refused its PR ioctls (EPERM)' $T/prhelper.log)
	check "11   the log says why, once per map ($n line)" [ "$n" = 1 ]
	helper $PRH_SOCK "$MP" ro "$(prin 0 8192)"
	check "11   READ KEYS on the map still answers GOOD (SG_IO: no READ ioctls before 6.19)" [ "$ST" = 00 ]
}

t_mpath() {
	reset_m || { nok "11 disk3 reset"; return; }
	mp_create prhmpa "$M1_sd" "$M2_sd" || { nok "11 map created"; sed 's/^/#   /' $T/dm.log; return; }
	m1=$(devnum "$M1_sd") m2=$(devnum "$M2_sd")
	note "map $MP ($(devnum "$MP")) over M1 $M1_sd ($m1) and M2 $M2_sd ($m2); B on $MB_sd"
	restarted=
	if ! kernel_at_least 6 5; then
		t_mpath_refused_old_kernel
		kill $PRH_PID; wait $PRH_PID 2>/dev/null
		start_prhelper "-v --keep-sys-admin" || return
		restarted=1
		i=0 # the socket appears before the drop: wait for the filter
		while [ "$(field $PRH_PID Seccomp)" != 2 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		check "11 --keep-sys-admin: the monitor holds CAP_SYS_RAWIO and CAP_SYS_ADMIN only" \
			[ "$(field $PRH_PID CapEff)" = 0000000000220000 ]
		note "on $(uname -r) the rest of section 11 runs with --keep-sys-admin"
	fi

	# 1. REGISTER reaches both paths
	cli "$MP" register --sa-key 0xa1 >/dev/null
	check "11 REGISTER through prhelper (client) on the map answers GOOD" [ $? = 0 ]
	check "11   sg_persist on M1: the key twice (both nexuses)" [ "$(keys_of "$M1_sd")" = "0xa1 0xa1 " ]
	check "11   sg_persist on M2: the same" [ "$(keys_of "$M2_sd")" = "0xa1 0xa1 " ]
	check "11   READ FULL STATUS: nexuses f1 and f2 registered" [ "$(regs_of)" = "f1 f2 " ]
	mm=$(devnum "$MP")
	check "11   the log names the block backend for the map" \
		grep -q "dev ${mm%:*}:${mm#*:} PR OUT REGISTER .*via block" $T/prhelper.log

	# 2. RESERVE type 5 (WE, registrants only), then a path fails
	helper $PRH_SOCK "$MP" rw "$(prout 1 5)" "$(param 0xa1 0)"
	check "11 RESERVE type 5 (raw request) on the map: GOOD" [ "$ST" = 00 ]
	check "11   sg_persist on M2: WE registrants only, held" sh -c "sg_persist -n -i -r $M2_sd | grep -q 'Key=0xa1'"
	check "11   a write through the map works" write_map
	check "11   a write from unregistered B conflicts (the reservation is real)" \
		write_conflicts "$MB_sd"
	mp_msg "fail_path $m1"
	check "11   M1 failed: a write through the map still works (M2 is registered)" write_map
	mp_msg "reinstate_path $m1"
	mp_msg "fail_path $m2"
	check "11   M1 back, M2 failed: a write through the map works" write_map
	mp_msg "reinstate_path $m2"

	# a map suspended (table reload): retried, then BUSY
	DM_DISABLE_UDEV=1 dmsetup suspend prhmpa
	helper $PRH_SOCK "$MP" rw "$(prout 1 5)" "$(param 0xa1 0)"
	check "11 RESERVE on a suspended map: BUSY (08) after the retries" [ "$ST" = 08 ]
	(sleep 0.3; DM_DISABLE_UDEV=1 dmsetup resume prhmpa) &
	rp=$!
	helper $PRH_SOCK "$MP" rw "$(prout 1 5)" "$(param 0xa1 0)"
	wait $rp
	check "11   resumed while retrying: GOOD" [ "$ST" = 00 ]
	DM_DISABLE_UDEV=1 dmsetup resume prhmpa 2>/dev/null

	# 6. PR IN on the map equals the device's answer on a path
	cli "$MB_sd" register --sa-key 0xb2 >/dev/null
	for r in held none; do
		for sa in 0 1; do
			for alloc in 0 8 13 8192; do
				direct "$M1_sd" ro "$(prin $sa $alloc)"
				d=$LINE
				helper $PRH_SOCK "$MP" ro "$(prin $sa $alloc)"
				n="11 PR IN sa=$sa alloc=$alloc on the map (reservation $r) = SG_IO on M1"
				if [ "$LINE" = "$d" ]; then ok "$n"; else nok "$n"; note "map: $LINE"; note "M1:  $d"; fi
			done
		done
		[ $r = held ] && cli "$MP" release --key 0xa1 --type we-ro >/dev/null
	done
	check "11   RELEASE through the map: no reservation on M1 or M2" \
		[ "$(resv_of "$M1_sd")" = none -a "$(resv_of "$M2_sd")" = none ]
	if kernel_at_least 6 19; then
		check "11   READ KEYS and READ RESERVATION used the block backend" sh -c \
			"grep -q 'dev ${mm%:*}:${mm#*:} PR IN READ KEYS .*len 8192 .*via block' $T/prhelper.log &&
			 grep -q 'dev ${mm%:*}:${mm#*:} PR IN READ RESERVATION .*len 8192 .*via block' $T/prhelper.log"
	else
		check "11   READ KEYS fell back to SG_IO on the map (no READ ioctls before 6.19)" \
			grep -q "dev ${mm%:*}:${mm#*:} PR IN READ KEYS .*len 8192 .*via sg" $T/prhelper.log
	fi
	direct "$M1_sd" ro "$(prin 2 8192)"
	d=$DATA
	helper $PRH_SOCK "$MP" ro "$(prin 2 8192)"
	dcap=$(printf '%02x' $((0x${d:4:2} & 0xf3)))
	check "11 REPORT CAPABILITIES on the map: the device's, SIP_C and ATP_C cleared" \
		[ "$ST" = 00 -a "$DATA" = "${d:0:4}$dcap${d:6}" ]
	direct "$M1_sd" ro "$(prin 3 8192)"
	d=$LINE
	helper $PRH_SOCK "$MP" ro "$(prin 3 8192)"
	check "11 READ FULL STATUS on the map = on M1 (every nexus listed)" [ "$LINE" = "$d" ]

	# the same seen from a guest through real QEMU (section 12's program)
	reset_m
	nested $PRH_SOCK "$MP" $TOK_TUR "$(tok_out 0 0 0 0xa1)" "$(tok_out 1 5 0xa1 0)" "$TOK_WRITE"
	set -- $(nline 4)
	check "11 guest through QEMU on the map: REGISTER, RESERVE type 5 and a WRITE work ($2)" \
		sh -c "[ '$2' = status=00 ] && [ '$(keys_of "$M1_sd")' = '0xa1 0xa1 ' ]"
	mp_msg "fail_path $m1"
	nested $PRH_SOCK "$MP" $TOK_TUR $TOK_TUR "$TOK_WRITE"
	set -- $(nline 3)
	check "11 guest through QEMU on the map, M1 failed: its WRITE still works ($2)" [ "$2" = status=00 ]
	mp_msg "reinstate_path $m1"
	reset_m
	cli "$MP" register --sa-key 0xa1 >/dev/null
	cli "$MB_sd" register --sa-key 0xb2 >/dev/null

	# 5. what the ioctls cannot say: refused, device untouched
	before=$(mstate)
	untouched() { grep -c "dev ${mm%:*}:${mm#*:} PR OUT .*device untouched" $T/prhelper.log; }
	u0=$(untouched)
	helper $PRH_SOCK "$MP" rw "$(prout 7 0)" "$(param 0xa1 0xb2)"
	check "11 REGISTER AND MOVE on the map: 05/24/00" [ "$ST" = 02 -a "$KCQ" = 05/24/00 ]
	helper $PRH_SOCK "$MP" rw "$(prout 0 0)" "$(param 0xa1 0xa3 4)"
	check "11 REGISTER with ALL_TG_PT on the map: 05/26/00" [ "$ST" = 02 -a "$KCQ" = 05/26/00 ]
	helper $PRH_SOCK "$MP" rw "$(prout 0 0)" "$(param 0xa1 0xa3 8)"
	check "11 REGISTER with SPEC_I_PT on the map: 05/26/00" [ "$ST" = 02 -a "$KCQ" = 05/26/00 ]
	helper $PRH_SOCK "$MP" rw "$(prout 0 0 16)" "$(param 0xa1 0xa3 | cut -c1-32)"
	check "11 REGISTER with a 16-byte parameter list on the map: 05/1a/00" [ "$ST" = 02 -a "$KCQ" = 05/1a/00 ]
	helper $PRH_SOCK "$MP" rw "$(prout 1 0x15)" "$(param 0xa1 0)"
	check "11 RESERVE with element scope on the map: 05/24/00" [ "$ST" = 02 -a "$KCQ" = 05/24/00 ]
	helper $PRH_SOCK "$MP" ro "$(prout 1 5)" "$(param 0xa1 0)"
	check "11 RESERVE on a read-only fd of the map: 05/20/00" [ "$ST" = 02 -a "$KCQ" = 05/20/00 ]
	check "11   device untouched by all six (keys, reservation, nexuses)" [ "$(mstate)" = "$before" ]
	u1=$(untouched)
	check "11   the monitor logged its five refusals 'device untouched' (the worker answers read-only)" \
		[ $((u1 - u0)) = 5 ]

	# a conflict reported by the kernel (PR_STS_RESERVATION_CONFLICT)
	drain_m # the RELEASE above told every registrant
	cli "$MB_sd" reserve --key 0xb2 --type ea >/dev/null
	check "11 B reserves EA (client, plain disk)" [ $? = 0 ]
	helper $PRH_SOCK "$MP" rw "$(prout 1 5)" "$(param 0xa1 0)"
	check "11 RESERVE on the map while B holds EA: RESERVATION CONFLICT (18; got $ST)" [ "$ST" = 18 -a "$SZ" = 0 ]
	cli "$MB_sd" release --key 0xb2 --type ea >/dev/null
	check "11 B releases (client)" [ $? = 0 ]
	drain_m

	# 4. REGISTER AND IGNORE, CLEAR; every path checked
	cli "$MP" register-ignore --sa-key 0xa3 >/dev/null
	check "11 REGISTER AND IGNORE 0xa3 on the map: both of A's nexuses now hold 0xa3" sh -c \
		"[ '$(keys_of "$M1_sd")' = '0xa3 0xa3 0xb2 ' ] && [ '$(keys_of "$M2_sd")' = '0xa3 0xa3 0xb2 ' ]"
	cli "$MP" register-ignore --sa-key 0 >/dev/null
	check "11 REGISTER AND IGNORE key 0 on the map: A's key gone from both nexuses, B's stays" sh -c \
		"[ '$(keys_of "$M1_sd")' = '0xb2 ' ] && [ '$(keys_of "$M2_sd")' = '0xb2 ' ] && [ '$(regs_of)' = 'b2 ' ]"
	cli "$MP" register --sa-key 0xa1 >/dev/null
	cli "$MP" clear --key 0xa1 >/dev/null
	check "11 CLEAR through the map: no keys on M1, M2 or MB" sh -c \
		"[ -z '$(keys_of "$M1_sd")' ] && [ -z '$(keys_of "$M2_sd")' ] && [ -z '$(keys_of "$MB_sd")' ]"
	reset_m

	# 3. fencing: B preempts A; both of A's nexuses lose their key
	cli "$MP" register --sa-key 0xa1 >/dev/null
	cli "$MB_sd" register --sa-key 0xb2 >/dev/null
	cli "$MP" reserve --key 0xa1 --type we-ro >/dev/null
	cli "$MB_sd" preempt --key 0xb2 --sa-key 0xa1 --type we-ro >/dev/null
	check "11 B PREEMPTs A's key: GOOD" [ $? = 0 ]
	check "11   sg_persist on M1 and M2: only B's key; nexuses f1, f2 unregistered" sh -c \
		"[ '$(keys_of "$M1_sd")' = '0xb2 ' ] && [ '$(keys_of "$M2_sd")' = '0xb2 ' ] && [ '$(regs_of)' = 'b2 ' ]"
	drain_m
	check "11   A is fenced: a write through the map conflicts" write_conflicts "$MP"
	reset_m

	# QEMU 11.0's migration destination when the guest held no
	# reservation: PREEMPT of its own key with TYPE 0. LIO on 6.1 refuses
	# it (05/24/00), on 7.3 does it (the type unused without a
	# reservation). Whatever the device answers must arrive: on a plain
	# disk byte for byte; on the map as the
	# kernel reports it: from 6.2 a refusal as EINVAL (05/24/00, the
	# device's own), before as a bare CHECK CONDITION whose sense the
	# ioctl loses (0B/08/00)
	pt0() { # disk3 with only B's key 0xb2 and A's 0xa1 (through the map)
		reset_m
		cli "$MP" register --sa-key 0xa1 >/dev/null
		cli "$MB_sd" register --sa-key 0xb2 >/dev/null
		drain_m
	}
	pt0
	past_ua direct "$MB_sd" rw "$(prout 4 0)" "$(param 0xb2 0xb2)"
	pt0_dev=$LINE # (not d: drain_ua's loop variable)
	pt0
	past_ua helper $PRH_SOCK "$MB_sd" rw "$(prout 4 0)" "$(param 0xb2 0xb2)"
	check "11 PREEMPT TYPE 0 of its own key (QEMU 11.0) on a plain disk: the device's answer ($ST $KCQ)" \
		[ "$LINE" = "$pt0_dev" ]
	[ "$LINE" = "$pt0_dev" ] || note "PREEMPT TYPE 0: prhelper '$LINE', the device '$pt0_dev'"
	pt0
	past_ua direct "$M1_sd" rw "$(prout 4 0)" "$(param 0xa1 0xa1)"
	dst=$ST dk=$KCQ
	pt0
	past_ua helper $PRH_SOCK "$MP" rw "$(prout 4 0)" "$(param 0xa1 0xa1)"
	if [ "$dst" = 00 ]; then
		check "11 PREEMPT TYPE 0 on the map: GOOD, as the device answers it ($ST)" [ "$ST" = 00 ]
	elif kernel_at_least 6 2; then
		check "11 PREEMPT TYPE 0 on the map: the device's refusal ($ST $KCQ; on M1 $dk)" [ "$ST" = 02 -a "$KCQ" = "$dk" ]
	else
		check "11 PREEMPT TYPE 0 on the map, Linux $(uname -r): the device's refusal, its sense lost in the kernel: 0B/08/00 ($KCQ; on M1 $dk)" \
			[ "$ST" = 02 -a "$KCQ" = 0b/08/00 ]
	fi
	note "PREEMPT TYPE 0 of its own key: LIO on $(uname -r) answers $dst $dk"
	reset_m

	# the known limit: a path added after REGISTER is not registered
	mp_remove prhmpa
	mp_create prhmpa "$M1_sd" || { nok "11 one-path map"; return; }
	cli "$MP" register --sa-key 0xa1 >/dev/null
	t2="0 $(cat /sys/block/${M1_sd#/dev/}/size) multipath 0 0 2 1 round-robin 0 1 1 $m1 1 round-robin 0 1 1 $m2 1"
	DM_DISABLE_UDEV=1 dmsetup reload prhmpa --table "$t2" >>$T/dm.log 2>&1
	DM_DISABLE_UDEV=1 dmsetup resume prhmpa >>$T/dm.log 2>&1
	check "11 known limit: M2 added after REGISTER is not registered (only f1)" [ "$(regs_of)" = "f1 " ]
	cli "$MP" register-ignore --sa-key 0xa1 >/dev/null
	check "11   the remedy: REGISTER AND IGNORE with the same key through the map registers M2 too" \
		[ "$(regs_of)" = "f1 f2 " ]
	reset_m
	mp_remove prhmpa
	mp_create prhmpa "$M1_sd" "$M2_sd" || { nok "11 map re-created"; return; }

	# the differential: Debian's qemu-pr-helper sends SG_IO down one path
	helper $QPR_SOCK "$MP" rw "$(prout 0 0)" "$(param 0 0xa1)"
	q=$(regs_of)
	check "11 qemu-pr-helper: REGISTER on the map registers one nexus only ($q)" \
		sh -c "[ '$ST' = 00 ] && { [ '$q' = 'f1 ' ] || [ '$q' = 'f2 ' ]; }"
	helper $QPR_SOCK "$MP" rw "$(prout 1 5)" "$(param 0xa1 0)"
	check "11   qemu-pr-helper: RESERVE type 5 on the same path: GOOD" [ "$ST" = 00 ]
	check "11   qemu-pr-helper: a write through the map works while that path lives" write_map
	[ "$q" = "f1 " ] && mp_msg "fail_path $m1" || mp_msg "fail_path $m2"
	check "11   qemu-pr-helper: that path fails, the write through the other conflicts (prhelper's works)" \
		write_conflicts "$MP"
	mp_msg "reinstate_path $m1"
	mp_msg "reinstate_path $m2"
	reset_m
	mp_remove prhmpa
	if [ -n "$restarted" ]; then
		kill $PRH_PID; wait $PRH_PID 2>/dev/null
		start_prhelper -v || return
	fi
}

# PREEMPT AND ABORT of A's map key by B, last: LIO may hang on it (see 2)
t_mpath_preempt_abort() {
	mp_create prhmpa "$M1_sd" "$M2_sd" || { nok "11 map for PREEMPT AND ABORT"; return; }
	kernel_at_least 6 5 || { note "PREEMPT AND ABORT on the map: needs --keep-sys-admin on $(uname -r), skipped"; return; }
	cli "$MP" register --sa-key 0xa1 >/dev/null
	cli "$MB_sd" register --sa-key 0xb2 >/dev/null
	cli "$MP" reserve --key 0xa1 --type we-ro >/dev/null
	check "11 PREEMPT AND ABORT setup: A on both nexuses, B registered" [ "$(regs_of)" = "f1 f2 b2 " ]
	cli "$MB_sd" preempt-abort --key 0xb2 --sa-key 0xa1 --type we-ro >$T/mpa.out 2>&1 &
	pa=$!
	sleep 3
	if kill -0 $pa 2>/dev/null; then
		note "B's PREEMPT AND ABORT did not complete within 3 s (the LIO hang of section 2)"
	else
		wait $pa
		check "11 B PREEMPT AND ABORT of A's key: GOOD" [ $? = 0 ]
		check "11   both of A's nexuses unregistered" [ "$(regs_of)" = "b2 " ]
	fi
}

# ======================================================================
# 12. a guest's commands through real QEMU (issue 10): Debian's QEMU runs
#     tests/vm/guestprog (no OS; virtio-scsi, one command at a time) with
#     scsi-block on a LIO disk and pr-manager-helper on a helper's socket
# ======================================================================
# run_qemu SOCK DEV TOKEN...: one nested QEMU running guestprog with the
# tokens, scsi-block on DEV behind the helper at SOCK (stdin, stdout: the
# guest's serial port)
run_qemu() {
	sock=$1 dev=$2
	shift 2
	timeout 180 /usr/bin/qemu-system-x86_64 -accel tcg -M pc -m 32 -nodefaults -no-user-config \
		-display none -serial stdio -monitor none -kernel /opt/prh/prtest.elf -append "$*" \
		-device isa-debug-exit -object pr-manager-helper,id=pr0,path="$sock" \
		-device virtio-scsi-pci,id=scsi \
		-drive if=none,id=d0,file="$dev",format=raw,file.pr-manager=pr0${NESTED_DRIVE:-} \
		-device scsi-block,drive=d0,bus=scsi.0 ${NESTED_QMP:+-qmp unix:$NESTED_QMP,server=on,wait=off}
}
# nested SOCK DEV TOKEN...: one run to its end; its "prtest" lines in $T/nested.out
nested() {
	run_qemu "$@" </dev/null >$T/nested.raw 2>&1
	NRC=$?
	tr -d '\r' <$T/nested.raw | grep '^prtest' >$T/nested.out
}
# nested_bg SOCK DEV TOKEN...: the same in the background, its serial input
# on fd 7: nbg_line N waits until line N is out, nbg_go lets a "w" token
# pass, nbg_end waits for the end and leaves the lines in $T/nested.out
nested_bg() {
	rm -f $T/nbg.in $T/nbg.raw
	mkfifo $T/nbg.in
	run_qemu "$@" <$T/nbg.in >$T/nbg.raw 2>&1 &
	NBG=$!
	exec 7>$T/nbg.in
}
nbg_line() {
	i=0
	while ! tr -d '\r' <$T/nbg.raw | grep -q "^prtest $1 "; do
		sleep 0.2
		i=$((i + 1))
		[ $i -lt 300 ] || return 1
	done
}
nbg_go() { echo x >&7; }
nbg_end() {
	exec 7>&-
	wait $NBG
	tr -d '\r' <$T/nbg.raw | grep '^prtest' >$T/nested.out
}
# line N of the last run, PR generation (first 4 data bytes of READ KEYS
# and READ RESERVATION) masked: it is a device counter
nline() { sed -n "s/^prtest $1 //p" "${2:-$T/nested.out}" | sed 's/data=\([0-9a-f]\{8\}\)/data=GGGGGGGG/'; } # N [FILE]
tok_in() { echo "c=$(prin "$1" "$2"),i=$2"; }                # SA ALLOC
tok_out() { echo "c=$(prout "$1" "$2"),o=$(param "$3" "$4" "${5:-0}")"; } # SA TYPE KEY SAKEY [FLAGS]
TOK_INQ="c=120000006000,i=96" TOK_TUR="c=000000000000"
TOK_WRITE="c=2a000000000000000100,o=$(printf '%01024d' 0)" # WRITE(10), LBA 0, one block
# two_guests SOCK LABEL: two guests through the helper at SOCK, host A on
# nexus a1 and host B on b1 of the same LU: A holds, B conflicts, preempts
two_guests() {
	reset_lu
	nested $1 "$A_sd" $TOK_TUR "$(tok_out 0 0 0 0xa1)" "$(tok_out 1 1 0xa1 0)" "$TOK_WRITE"
	set -- $1 "$2" $(nline 4)
	check "$2 guest A registers, reserves Write Exclusive and writes ($4)" [ "$4" = status=00 ]
	nested $1 "$B_sd" $TOK_TUR "$(tok_out 0 0 0 0xb1)" "$(tok_out 1 1 0xb1 0)" "$TOK_WRITE" \
		"$(tok_out 4 1 0xb1 0xa1)" "$TOK_WRITE"
	lbl=$2
	set -- $(nline 3)
	check "$lbl guest B's RESERVE while A holds: RESERVATION CONFLICT ($2)" [ "$2" = status=18 ]
	set -- $(nline 4)
	check "$lbl guest B's WRITE under A's Write Exclusive: RESERVATION CONFLICT, no sense ($2 $4)" \
		[ "$2" = status=18 -a "$4" = sense= ]
	set -- $(nline 5)
	check "$lbl guest B PREEMPTs A ($2)" [ "$2" = status=00 ]
	set -- $(nline 6)
	check "$lbl guest B writes as the new holder ($2)" [ "$2" = status=00 ]
}
t_qemu() {
	c0=$(grep -c 'requested unsupported features' $T/prhelper.log)
	for h in prhelper qemu; do
		sock=$PRH_SOCK; [ $h = qemu ] && sock=$QPR_SOCK
		reset_lu
		t0=$(date +%s)
		nested $sock "$A_sd" $TOK_INQ $TOK_TUR $TOK_TUR "$(tok_in 0 8192)" "$(tok_out 0 0 0 0xa1)" \
			"$(tok_in 0 8192)" "$(tok_out 1 1 0xa1 0)" "$(tok_in 1 8192)" "$(tok_in 0 13)" \
			"$(tok_in 2 8192)" "$(tok_in 3 8192)" "$TOK_WRITE"
		note "$h: QEMU run 1 took $(( $(date +%s) - t0 )) s, exit $NRC, $(wc -l <$T/nested.out) lines"
		grep -q '^prtest: done' $T/nested.out || sed 's/^/#   /' $T/nested.raw | tail -5
		cp $T/nested.out $T/nested1.$h
		k1=$(keys_of "$A_sd") r1=$(resv_of "$A_sd")
		nested $sock "$A_sd" $TOK_TUR "$(tok_out 1 1 0xbad 0)" "$(tok_out 2 1 0xa1 0)" "$(tok_in 1 8192)" \
			"$(tok_out 0 0 0xa1 0)" "$(tok_in 0 8192)"
		cp $T/nested.out $T/nested2.$h
		k2=$(keys_of "$A_sd") r2=$(resv_of "$A_sd")
		# every reservation type, REGISTER AND IGNORE, APTPL, CLEAR
		set -- $TOK_TUR "$(tok_out 0 0 0 0xa1)"
		for ty in 3 5 6 7 8; do
			set -- "$@" "$(tok_out 1 $ty 0xa1 0)" "$(tok_in 1 8192)" "$(tok_out 2 $ty 0xa1 0)"
		done
		nested $sock "$A_sd" "$@" "$(tok_out 6 0 0 0xa2)" "$(tok_in 0 8192)" \
			"$(tok_out 6 0 0 0xa3 1)" "$(tok_in 2 8192)" "$(tok_out 3 0 0xa3 0)" "$(tok_in 0 8192)"
		cp $T/nested.out $T/nested3.$h
		k3=$(keys_of "$A_sd") r3=$(resv_of "$A_sd")
		check "$SEC12 $h: run 3 (five types, REGISTER AND IGNORE, APTPL, CLEAR) left the LU empty (sg_persist: '$k3'/$r3)" \
			[ -z "$k3" -a "$r3" = none ]
		check "$SEC12 $h: the guest's REGISTER and RESERVE reached the LU (sg_persist: $k1/$r1)" \
			[ "$k1" = "0xa1 " -a "$r1" = "Write Exclusive" ]
		check "$SEC12 $h: the guest's RELEASE and unregister reached the LU (sg_persist: '$k2'/$r2)" \
			[ -z "$k2" -a "$r2" = none ]
	done
	set -- 12 6 23 # commands per run
	for run in 1 2 3; do
		want=$1
		shift
		n=$(grep -c '^prtest [0-9]' $T/nested$run.prhelper)
		same=1
		for i in $(seq 1 $n); do
			a=$(nline $i $T/nested$run.prhelper) b=$(nline $i $T/nested$run.qemu)
			[ "$a" = "$b" ] || { same=0; note "run $run command $i: prhelper '$a'"; note "run $run command $i: qemu     '$b'"; }
		done
		check "$SEC12 run $run: the guest saw the same through both helpers ($n of $want commands)" \
			[ $same = 1 -a "$n" = "$want" ]
	done
	set -- $(nline 1 $T/nested1.prhelper)
	check "$SEC12 INQUIRY answers GOOD ($2)" [ "$2" = status=00 ]
	set -- $(nline 2 $T/nested1.prhelper)
	check "$SEC12 the first TEST UNIT READY gets QEMU's UNIT ATTENTION 06/29/00 ($2 $4)" \
		sh -c "echo '$4' | grep -q '^sense=700006000000000a00000000290'"
	set -- $(nline 5 $T/nested1.prhelper)
	check "$SEC12 REGISTER through QEMU: GOOD ($2)" [ "$2" = status=00 ]
	set -- $(nline 6 $T/nested1.prhelper)
	check "$SEC12 READ KEYS through QEMU lists 0xa1 ($5)" [ "$5" = data=GGGGGGGG0000000800000000000000a1 ]
	set -- $(nline 12 $T/nested1.prhelper)
	check "$SEC12 WRITE(10) while holding Write Exclusive: GOOD ($2)" [ "$2" = status=00 ]
	set -- $(nline 2 $T/nested2.prhelper)
	check "$SEC12 RESERVE with an unregistered key: RESERVATION CONFLICT, no sense ($2 $4)" \
		[ "$2" = status=18 -a "$4" = sense= ]

	two_guests $PRH_SOCK "$SEC12"
	nested $PRH_SOCK "$A_sd" $TOK_TUR $TOK_TUR "$TOK_WRITE" "$(tok_in 0 8192)"
	set -- $(nline 2)
	note "a QEMU started after the PREEMPT: its guest's second TEST UNIT READY got '$2 $4' (QEMU's own start-up commands meet the device's UNIT ATTENTION)"
	set -- $(nline 3)
	check "$SEC12 guest A, preempted, cannot write: RESERVATION CONFLICT ($2)" [ "$2" = status=18 ]
	set -- $(nline 4)
	check "$SEC12 guest A reads B's key only ($5)" [ "$5" = data=GGGGGGGG0000000800000000000000b1 ]

	# UNIT ATTENTION as a running guest sees it: A holds, B preempts meanwhile
	reset_lu
	nested $PRH_SOCK "$A_sd" $TOK_TUR "$(tok_out 0 0 0 0xa1)" "$(tok_out 1 1 0xa1 0)"
	nested $PRH_SOCK "$B_sd" $TOK_TUR "$(tok_out 0 0 0 0xb1)"
	nested_bg $PRH_SOCK "$A_sd" $TOK_TUR $TOK_TUR w $TOK_TUR "$TOK_WRITE" "$(tok_in 0 8192)"
	if nbg_line 3; then
		nested $PRH_SOCK "$B_sd" $TOK_TUR "$(tok_out 4 1 0xb1 0xa1)"
		set -- $(nline 2)
		check "$SEC12 guest B PREEMPTs A while guest A runs ($2)" [ "$2" = status=00 ]
	else
		nok "$SEC12 guest A reached its wait"
	fi
	nbg_go
	nbg_end
	set -- $(nline 4)
	check "$SEC12 running guest A's next command: the device's UNIT ATTENTION 06/2a/03 or 06/2a/05 ($4)" \
		sh -c "echo '$4' | grep -qE '^sense=700006000000000a000000002a0[35]'"
	set -- $(nline 5)
	check "$SEC12 running guest A, preempted, cannot write: RESERVATION CONFLICT ($2)" [ "$2" = status=18 ]

	# the helper restarts while QEMU runs; QMP shows what QEMU reports
	reset_lu
	Q=$T/qmp.sock QPR='{"execute": "query-pr-managers"}'
	rm -f $Q
	NESTED_QMP=$Q nested_bg $PRH_SOCK "$A_sd" $TOK_TUR "$(tok_in 0 8192)" w "$(tok_in 0 8192)" w \
		"$(tok_in 0 8192)" w
	nbg_line 3 || nok "$SEC12 restart: guest reached its first wait"
	# one QMP session throughout (QEMU's QMP socket serves one client, and
	# QEMU 7.2 was seen to drop it after the reconnection: no query then)
	rm -f $T/qmp.in
	mkfifo $T/qmp.in
	vmtest qmp $Q 60 <$T/qmp.in >$T/qmp.out 2>&1 &
	qp=$!
	exec 8>$T/qmp.in
	echo "$QPR" >&8
	i=0
	while ! grep -q '"return": \[' $T/qmp.out && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	check "$SEC12 restart: query-pr-managers before the stop: connected" \
		grep -q '"connected": true' $T/qmp.out
	kill $PRH_PID
	wait $PRH_PID
	t0=$(date +%s)
	nbg_go
	nbg_line 5 || nok "$SEC12 restart: guest reached its second wait"
	el=$(( $(date +%s) - t0 ))
	grep -v '"return"' $T/qmp.out >$T/qmp-down.out
	rm -f $PRH_SOCK
	start_prhelper -v
	nbg_go
	nbg_line 7 || nok "$SEC12 restart: guest reached its last wait"
	exec 8>&-
	nbg_go
	nbg_end
	kill $qp 2>/dev/null
	wait $qp
	set -- $(nline 2)
	check "$SEC12 restart: READ KEYS before the stop: GOOD ($2)" [ "$2" = status=00 ]
	set -- $(nline 4)
	check "$SEC12 restart: with prhelper stopped the guest's READ KEYS gets 0B/00/06 after ${el} s ($2 $4)" \
		sh -c "[ '$2' = status=02 ] && echo '$4' | grep -q '^sense=70000b000000000a00000000000600'"
	check "$SEC12 restart: QEMU emitted PR_MANAGER_STATUS_CHANGED connected false" \
		sh -c "grep PR_MANAGER_STATUS_CHANGED $T/qmp-down.out | grep -q '\"connected\": false'"
	set -- $(nline 6)
	check "$SEC12 restart: prhelper started again, QEMU reconnects by itself: GOOD ($2)" [ "$2" = status=00 ]
	check "$SEC12 restart: ... and emitted PR_MANAGER_STATUS_CHANGED connected true" \
		sh -c "grep PR_MANAGER_STATUS_CHANGED $T/qmp.out | grep -q '\"connected\": true'"
	grep -o '{"timestamp[^}]*}[^}]*}[^}]*}' $T/qmp.out | sed 's/^/# qmp event: /'

	# a read-only drive: PR OUT refused, device untouched
	before=$(keys_of "$A_sd")
	NESTED_DRIVE=",readonly=on" nested $PRH_SOCK "$A_sd" $TOK_TUR $TOK_TUR "$(tok_out 6 0 0 0xa9)" "$(tok_in 0 8192)"
	set -- $(nline 3)
	check "$SEC12 readonly=on drive: the guest's REGISTER AND IGNORE gets 05/20/00 ($2 $4)" \
		sh -c "[ '$2' = status=02 ] && echo '$4' | grep -q '^sense=700005000000000a00000000200'"
	set -- $(nline 4)
	check "$SEC12 readonly=on drive: READ KEYS works ($2)" [ "$2" = status=00 ]
	check "$SEC12 readonly=on drive: device untouched (sg_persist: $before)" [ "$(keys_of "$A_sd")" = "$before" ]
	# QEMU asks for feature word 0 (qemu-pr-helper closes on anything
	# else): no connection of its was closed for its feature word
	c1=$(grep -c 'requested unsupported features' $T/prhelper.log)
	check "$SEC12 QEMU requested no feature bit in any of its runs" [ "$c0" = "$c1" ]
	reset_lu
}

# ======================================================================
# benchmark
# ======================================================================
smaps() { # PID -> "rss_kb pss_kb"
	echo "$(sed -n 's/^Rss:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$1/smaps_rollup) $(sed -n 's/^Pss:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$1/smaps_rollup)"
}
bench() {
	N=${BENCH_N:-1000}
	reset_lu
	cli "$A_sd" register --sa-key 0xa1 >/dev/null
	cli "$B_sd" register --sa-key 0xb1 >/dev/null
	vmtest lat - "$A_sd" 200 >/dev/null # warm-up
	med() { echo "$1" | sed -n 's/.*median_us=\([0-9]*\).*/\1/p'; }
	mid3() { printf '%s\n' "$@" | sort -n | sed -n 2p; } # median of three
	# Three rounds, the three ways interleaved (TCG drifts within a run);
	# then the same with client, helpers and workers all on CPU 0, which
	# takes the emulated cross-CPU wake-ups out of the figures.
	for pin in no yes; do
		run= tag=
		if [ $pin = yes ]; then
			run="taskset 1" tag=_pinned_cpu0
			taskset -a -p 1 $PRH_PID >/dev/null
			taskset -a -p 1 $QPR_PID >/dev/null
			for w in $(children_of $PRH_PID); do taskset -p 1 $w >/dev/null; done
		fi
		dl= pl= ql=
		for r in 1 2 3; do
			d=$($run vmtest lat - "$A_sd" $N)
			p=$($run vmtest lat $PRH_SOCK "$A_sd" $N)
			q=$($run vmtest lat $QPR_SOCK "$A_sd" $N)
			echo "bench readkeys${tag}_round$r direct $d"
			echo "bench readkeys${tag}_round$r prhelper $p"
			echo "bench readkeys${tag}_round$r qemu_pr_helper $q"
			dl="$dl $(med "$d")" pl="$pl $(med "$p")" ql="$ql $(med "$q")"
		done
		dm=$(mid3 $dl) pm=$(mid3 $pl) qm=$(mid3 $ql)
		echo "bench readkeys${tag}_median_of_3 direct_us=$dm prhelper_us=$pm qemu_pr_helper_us=$qm overhead_prhelper_us=$((pm - dm)) overhead_qemu_us=$((qm - dm)) overhead_ratio=$(awk "BEGIN{printf \"%.2f\", ($pm-$dm)/($qm-$dm)}")"
	done
	taskset -a -p 3 $PRH_PID >/dev/null
	taskset -a -p 3 $QPR_PID >/dev/null
	vmtest hold $PRH_SOCK 3 >/dev/null &
	hp=$!
	sleep 1
	w=$(serving_of $PRH_PID | head -1)
	echo "bench memory_kb (rss/pss) prhelper_monitor=$(smaps $PRH_PID | tr ' ' /) prhelper_worker=$(smaps $w | tr ' ' /) qemu_pr_helper=$(smaps $QPR_PID | tr ' ' /)"
	wait $hp
	for c in 1 8 64; do
		echo "bench throughput_prhelper_conns=$c $(vmtest tput $PRH_SOCK "$A_sd" $c 5)"
		if ! kill -0 $PRH_PID 2>/dev/null; then
			wait $PRH_PID
			echo "bench prhelper_died_during conns=$c (exit status $?; $(dmesg | grep -o 'comm="prhelper".*syscall=[0-9]*' | tail -1))"
		fi
		echo "bench throughput_qemu_pr_helper_conns=$c $(vmtest tput $QPR_SOCK "$A_sd" $c 5)"
	done
	reset_lu
	if kernel_at_least 6 19; then bench_nocap; else note "no bench of the no-capability mode on $(uname -r) (Linux 6.19)"; fi
	ok "bench ran"
}

# ======================================================================
# 14. AppArmor enforced: policy/apparmor/usr.sbin.prhelper loaded, prhelper
#     run from the paths it names, PR commands through it
# ======================================================================
aa_log() { dmesg | grep 'apparmor="DENIED"'; }
t_apparmor() {
	mkdir -p /sys/kernel/security
	mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
	if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ]; then
		nok "14 AppArmor enabled in this kernel"
		return
	fi
	if ! apparmor_parser -r /etc/apparmor.d/usr.sbin.prhelper >$T/aa.load 2>&1; then
		nok "14 apparmor_parser loads policy/apparmor/usr.sbin.prhelper"
		sed 's/^/#   /' $T/aa.load
		return
	fi
	ok "14 apparmor_parser loads policy/apparmor/usr.sbin.prhelper"
	check "14 both profiles loaded in enforce mode" sh -c \
		"grep -qx 'prhelper (enforce)' /sys/kernel/security/apparmor/profiles &&
		 grep -qx 'prhelper-worker (enforce)' /sys/kernel/security/apparmor/profiles"
	rm -f $PRH_SOCK
	dmesg -c >/dev/null # (the suite's last section: nothing reads older lines)
	/usr/sbin/prhelper -k $PRH_SOCK -v >$T/aa.log 2>&1 &
	ap=$!
	wait_sock $PRH_SOCK || { nok "14 confined prhelper starts"; sed 's/^/#   /' $T/aa.log; return; }
	check "14 the monitor runs confined: $(cat /proc/$ap/attr/current)" \
		[ "$(cat /proc/$ap/attr/current)" = "prhelper (enforce)" ]
	vmtest hold $PRH_SOCK 3 >/dev/null &
	hp=$!
	sleep 1
	w=$(serving_of $ap | head -1)
	# under no_new_privs the worker's profile is stacked on the monitor's
	wl=$(cat /proc/$w/attr/current 2>/dev/null)
	check "14 its worker runs confined: $wl" [ "$wl" = "prhelper//&prhelper-worker (enforce)" ]
	[ "$wl" = "prhelper//&prhelper-worker (enforce)" ] ||
		{ tail -5 $T/aa.log; dmesg | tail -5; } | sed 's/^/#   /'
	kill $hp 2>/dev/null
	wait $hp 2>/dev/null
	# the device fds reach the worker and the monitor (AppArmor checks a
	# received fd against the receiver's profile): sd, sg and a dm map
	reset_lu
	cli "$A_sd" register --sa-key 0xaa >/dev/null
	mm=$(cat /sys/block/${C_sd#/dev/}/dev)
	sz=$(cat /sys/block/${C_sd#/dev/}/size)
	DM_DISABLE_UDEV=1 dmsetup create prhaa --table "0 $sz linear $mm 0" >/dev/null 2>&1
	dm=/dev/$(basename "$(readlink -f /dev/mapper/prhaa 2>/dev/null)")
	[ -b "$dm" ] || dm=/dev/$(ls /sys/block/ | grep '^dm-' | tail -1)
	read_keys_as_direct $PRH_SOCK "14 READ KEYS through confined prhelper" "$A_sd" "$A_sg" "$dm"
	helper $PRH_SOCK "$A_sd" rw "$(prout 1 1)" "$(param 0xaa 0)"
	check "14 RESERVE through confined prhelper: GOOD, sg_persist sees it" \
		[ "$ST" = 00 -a "$(resv_of "$A_sd")" = "Write Exclusive" ]
	DM_DISABLE_UDEV=1 dmsetup remove prhaa >/dev/null 2>&1
	reset_lu
	aa_log >$T/aa.denied
	check "14 confined: no denial while serving" [ ! -s $T/aa.denied ]
	head -3 $T/aa.denied | sed 's/^.*audit: /#   audit: /'
	# the workers' parent-death signal crosses the profiles too
	vmtest hold $PRH_SOCK 30 >/dev/null &
	hp=$!
	sleep 1
	ws=$(children_of $ap)
	kill -9 $ap
	wait $ap 2>/dev/null
	sleep 1
	left=""
	for w in $ws; do [ -e /proc/$w ] && [ "$(field $w State | cut -c1)" != Z ] && left="$left $w"; done
	check "14 the confined monitor killed: its workers ($(echo $ws)) die with it (left:${left:- none})" [ -z "$left" ]
	kill $hp 2>/dev/null
	wait $hp 2>/dev/null
	rm -f $PRH_SOCK
	# one forbidden action: a socket where the profile allows none
	timeout 10 /usr/sbin/prhelper -k /tmp/aa-forbidden.sock >$T/aa2.log 2>&1
	rc=$?
	check "14 a socket outside the profile's paths: start refused (exit $rc: $(head -1 $T/aa2.log))" \
		[ $rc != 0 -a ! -e /tmp/aa-forbidden.sock ]
	# (bound first under its temporary name, DIR/.prhelper-PID)
	aa_log | grep 'profile="prhelper"' | grep 'name="/tmp/\.prhelper-' >$T/aa.denied
	check "14 ... and the kernel logged the denial" [ -s $T/aa.denied ]
	head -1 $T/aa.denied | sed 's/^.*audit: /# audit: /'
	apparmor_parser -R /etc/apparmor.d/usr.sbin.prhelper >/dev/null 2>&1
}

. /opt/prh/nocap-tests.sh # section 18: t_nocap, t_nocap_preempt_abort

# ======================================================================
[ "$MODE" = lib ] && return 0
if [ "$MODE" = bench ]; then
	start_helpers "" || exit 0
	bench
else
	start_helpers -v || exit 0
	ok "prhelper and qemu-pr-helper started"
	for t in t_prin t_prout t_twohost t_errors t_safety t_whole_lu t_diff t_privs t_block t_mpath t_qemu t_stress t_nocap; do
		ts=$(date +%s)
		$t
		note "$t took $(( $(date +%s) - ts )) s"
	done
fi
kill $PRH_PID $QPR_PID 2>/dev/null
i=0
while kill -0 $PRH_PID 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "prhelper exits on SIGTERM" sh -c "! kill -0 $PRH_PID 2>/dev/null"
if grep -qiE 'assert|segfault|sanitizer|bad system call|killed by signal' $T/prhelper.log; then
	nok "prhelper log clean"; grep -iE 'assert|segfault|sanitizer|bad system call|killed by signal' $T/prhelper.log | head -5 | sed 's/^/#   /'
fi
if [ "$MODE" = check ]; then
	t_apparmor
	start_helpers -v && { t_mpath_preempt_abort; t_preempt_abort; t_nocap_preempt_abort; }
fi
echo complete >/tmp/guest-tests.done # guest-init.sh fails a run without it
