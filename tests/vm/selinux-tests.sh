#!/bin/sh
# Section 19: prhelper under SELinux enforcing, Debian 12's reference
# policy plus policy/prhelper.te (tests/vm/README.md). run.sh (mode
# selinux) made the guest's disk from tests/vm/selinux-root.sh's root with
# prhelper installed and everything labelled by setfiles on the host.
# Two halves:
#   outer (busybox, the initramfs): root-switch.sh, the switch to that
#     disk with systemd as PID 1, which loads the policy (enforcing=1 on
#     the kernel's command line);
#   inner (bash, prhelper-vmtest.service, so initrc_t as systemd runs a
#     shell script): prhelper started by systemd as its units say, PR
#     commands on sd, sg and a dm map, what the kernel logged, forbidden
#     accesses, a killed monitor.
# Prints the "ok - " / "not ok - " / "# " lines run.sh counts.
set -u
trap '' PIPE

[ "${1:-}" = inner ] || { sh /opt/prh/root-switch.sh 19; exit 0; }

# ---------------------------------------------------------------- inner
SECTION=19
. /opt/prh/root-inner.sh
PRH_SOCK=/run/prhelper.sock
avc() { dmesg 2>/dev/null | grep 'avc:  denied'; } # (no auditd: the kernel log has them)

note "$(sestatus | tr -s ' ' | tr '\n' ';')"
check "19 SELinux enforcing" [ "$(getenforce)" = Enforcing ]
check "19 the tests run as systemd runs a script: $(id -Z)" [ "$(id -Z | cut -d: -f3)" = initrc_t ]
check "19 prhelper's module loaded" sh -c 'semodule -l | grep -qx prhelper'
udevadm settle
for d in "$A_sd" "$A_sg"; do
	check "19 udev labelled $d: $(stat -c %C $d)" sh -c \
		"stat -c %C $d | grep -Eq ':(fixed_disk|scsi_generic)_device_t:'"
done
note "prhelper's files: $(ls -Z /usr/sbin/prhelper /usr/libexec/prhelper/prhelper-worker | tr -s ' ' | tr '\n' ' ')"
# No auditd: the kernel prints each denial through printk's rate limit
# (10 in 5 s), and a run's denials come in bursts. Without a limit none is
# lost (a lost one would be "audit: printk limit exceeded").
sysctl -q -w kernel.printk_ratelimit=0
dmesg -C

# ---- prhelper as its units start it: socket activation by systemd ----
check "19 prhelper.socket listening: $(stat -c %C $PRH_SOCK 2>&1)" [ -S $PRH_SOCK ]
vmtest hold $PRH_SOCK 5 >/dev/null &
hp=$!
sleep 2
mp=$(systemctl show -P MainPID prhelper.service)
ps -e -o label,pid,ppid,user,comm | grep -E 'prhelper|LABEL' | sed 's/^/# ps -Z: /'
ml=$(cut -d: -f3 /proc/$mp/attr/current 2>/dev/null)
check "19 the monitor (pid $mp) runs in prhelper_t: $(cat /proc/$mp/attr/current 2>/dev/null)" [ "$ml" = prhelper_t ]
w=$(serving_of $mp | head -1)
wl=$(cat /proc/$w/attr/current 2>/dev/null)
check "19 its worker (pid $w) runs in prhelper_worker_t: $wl" [ "$(echo "$wl" | cut -d: -f3)" = prhelper_worker_t ]
[ -n "$w" ] || journalctl -b -q -o cat -u prhelper.service | tail -8 | sed 's/^/#   /'
kill $hp 2>/dev/null
wait $hp 2>/dev/null

# ---- PR commands through it: sd, sg and a dm map answer as the device ----
reset_lu
prhelper-client -k $PRH_SOCK "$A_sd" register --sa-key 0xaa >$T/cli.out 2>&1
check "19 REGISTER through prhelper: the device has the key ($(keys_of "$A_sd"))" [ "$(keys_of "$A_sd")" = "0xaa " ]
sz=$(cat /sys/block/${C_sd#/dev/}/size)
dmsetup create prhse --table "0 $sz linear $(cat /sys/block/${C_sd#/dev/}/dev) 0" >/dev/null 2>&1
udevadm settle
dm=$(readlink -f /dev/mapper/prhse)
note "the map: $dm $(stat -c %C "$dm" 2>&1)"
read_keys_as_direct $PRH_SOCK "19 READ KEYS through prhelper" "$A_sd" "$A_sg" "$dm"
helper $PRH_SOCK "$A_sd" rw "$(prout 1 1)" "$(param 0xaa 0)"
check "19 RESERVE through prhelper: GOOD, sg_persist sees it" \
	[ "$ST" = 00 -a "$(resv_of "$A_sd")" = "Write Exclusive" ]
helper $PRH_SOCK "$dm" rw "$(prout 0 0)" "$(param 0 0xd1)"
if kernel_at_least 6 5; then
	check "19 REGISTER through prhelper on the map: GOOD, disk1 has the key" \
		[ "$ST" = 00 -a "$(keys_of "$C_sd")" = "0xd1 " ]
else
	check "19 $(uname -r): REGISTER on the map without --keep-sys-admin: 05/20/00 as in section 11, disk1 untouched" \
		[ "$ST" = 02 -a "$KCQ" = 05/20/00 -a -z "$(keys_of "$C_sd")" ]
fi
reset_lu
reset_lu "$C_sd" "$C_sd"
avc >$T/avc.all
grep -E 'prhelper(_worker)?_t' $T/avc.all >$T/avc.prh
check "19 no denial for prhelper's domains while serving ($(wc -l <$T/avc.prh) of $(wc -l <$T/avc.all) in the kernel log)" \
	[ ! -s $T/avc.prh ]
head -20 $T/avc.prh | sed 's/^.*avc: /#   avc: /'

# ---- the boolean prhelper_keep_sys_admin: PR ioctls on a map before 6.5 ----
SA=/run/prhelper/sysadmin.sock
sa_register() { # -> ST, KCQ; the monitor started afresh (nothing cached)
	systemctl restart prh-sysadmin.service
	wait_sock $SA || journalctl -b -q -o cat -u prh-sysadmin.service | tail -4 | sed 's/^/#   /'
	dmesg -C
	helper $SA "$dm" rw "$(prout 0 0)" "$(param 0 0xd1)"
}
if ! kernel_at_least 6 5; then
	sa_register
	avc | grep 'scontext=system_u:system_r:prhelper_t' | grep '{ sys_admin }' >$T/avc.sa
	check "19 --keep-sys-admin, the boolean off: REGISTER on the map 05/20/00, disk1 untouched, the capability denied and logged" \
		[ "$ST" = 02 -a "$KCQ" = 05/20/00 -a -z "$(keys_of "$C_sd")" -a -s $T/avc.sa ]
	head -1 $T/avc.sa | sed 's/^.*avc: /# avc: /'
	setsebool prhelper_keep_sys_admin on
	sa_register
	check "19 ... the boolean on: GOOD ($ST), disk1 has the key, no denial" \
		[ "$ST" = 00 -a "$(keys_of "$C_sd")" = "0xd1 " -a -z "$(avc | grep -E 'prhelper(_worker)?_t')" ]
	setsebool prhelper_keep_sys_admin off
	systemctl stop prh-sysadmin.service
	reset_lu "$C_sd" "$C_sd"
fi
dmsetup remove prhse >/dev/null 2>&1

# ---- forbidden: a socket outside the policy's paths ----
dmesg -C
systemctl start prh-forbidden.service >$T/fb.out 2>&1
rc=$?
check "19 a socket in /tmp (tmp_t): start refused (systemctl: $rc)" [ $rc != 0 -a ! -e /tmp/se-forbidden.sock ]
journalctl -b -q -o cat -u prh-forbidden.service | tail -4 | sed 's/^/#   /'
avc | grep 'scontext=system_u:system_r:prhelper_t' | grep 'tcontext=system_u:object_r:tmp_t' >$T/avc.fb
check "19 ... and the kernel logged the denial" [ -s $T/avc.fb ]
[ -s $T/avc.fb ] || avc | tail -5 | sed 's/^.*avc: /#   avc: /'
head -1 $T/avc.fb | sed 's/^.*avc: /# avc: /'

# ---- forbidden: what the worker's domain may not do on its own ----
# seprobe in prhelper_worker_t, without the worker's seccomp filter and
# Landlock: the policy alone (tests/vm/seprobe.c)
check "19 seprobe is the worker domain's entry point: $(stat -c %C /opt/prh/seprobe)" \
	sh -c 'stat -c %C /opt/prh/seprobe | grep -q :prhelper_worker_exec_t:'
probe() { # WHAT ARGS...: seprobe refused with EACCES, and a denial logged
	what=$1
	shift
	dmesg -C
	# stdin and stdout /dev/null, stderr a pipe: nothing it inherits is
	# itself denied (tests/vm/prhtest.te)
	runcon -t prhelper_worker_t /opt/prh/seprobe "$@" 2>&1 </dev/null >/dev/null | cat >$T/probe.out
	rc=${PIPESTATUS[0]}
	avc | grep 'scontext=system_u:system_r:prhelper_worker_t' | grep 'comm="seprobe"' >$T/avc.probe
	check "19 the worker's domain cannot $what: refused (exit $rc), $(wc -l <$T/avc.probe) denial(s) logged" \
		[ $rc = 1 -a -s $T/avc.probe ]
	sed 's/^/# /' $T/probe.out
	head -1 $T/avc.probe | sed 's/^.*avc: /# avc: /'
	[ $rc = 1 ] || dmesg 2>/dev/null | tail -4 | sed 's/^/#   /'
}
probe "open a file (/etc/passwd)" open /etc/passwd
probe "open a disk ($A_sd)" open "$A_sd"
probe "open an sg node ($A_sg)" open "$A_sg"
probe "create an inet socket" inet
probe "connect to the journal (/run/systemd/journal/stdout)" connect /run/systemd/journal/stdout
probe "execute a shell" exec /bin/sh

# ---- the workers die with a killed monitor ----
# KillMode=process: systemd leaves the workers alone when the monitor
# dies, so only their parent-death signal can end them
systemctl stop prhelper.socket prhelper.service
systemctl start prh-kill.service
wait_sock /run/prhelper/kill.sock || journalctl -b -q -o cat -u prh-kill.service | tail -4 | sed 's/^/#   /'
vmtest hold /run/prhelper/kill.sock 30 >/dev/null &
hp=$!
sleep 2
kp=$(systemctl show -P MainPID prh-kill.service)
ws=$(children_of "$kp")
kill -9 "$kp"
sleep 1
left=""
for w in $ws; do [ -e /proc/$w ] && [ "$(field $w State | cut -c1)" != Z ] && left="$left $w"; done
check "19 the monitor killed: its workers ($(echo $ws)) die with it (left:${left:- none})" [ -n "$ws" -a -z "$left" ]
kill $hp 2>/dev/null
wait $hp 2>/dev/null
avc | grep -E 'prhelper(_worker)?_t' | grep -v 'comm="seprobe"' >$T/avc.end
check "19 no denial for prhelper's domains around the killed monitor" [ ! -s $T/avc.end ]
head -20 $T/avc.end | sed 's/^.*avc: /#   avc: /'
