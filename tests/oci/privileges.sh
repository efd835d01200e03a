# The privileges README.md and SECURITY.md give the image's processes,
# read from /proc once each and then compared: sourced by
# tests/oci/check.sh (this machine's podman) and tests/vm/container-tests.sh
# (the guest's), both of which define check NAME COMMAND...
# image_privileges NAME-PREFIX MONITOR-PID WORKER-PID
#   the users are the image's own (its /etc/passwd and /etc/group): the
#   monitor's real and saved ids prhelper's, effective and fs the
#   workers'; only CAP_SYS_RAWIO; a worker all prhelper-worker's, no
#   capabilities; both no_new_privs and a seccomp filter
image_privileges() {
	local pre=$1 mp=$2 w=$3 ms ws mu wu mg wg none=0000000000000000
	ms=$(privileges_of "$mp")
	ws=$([ -n "$w" ] && privileges_of "$w" 2>/dev/null)
	mu=$(image_id "$mp" passwd prhelper) wu=$(image_id "$mp" passwd prhelper-worker)
	mg=$(image_id "$mp" group prhelper) wg=$(image_id "$mp" group prhelper-worker)
	echo "# monitor $mp: $ms"
	echo "# worker ${w:-none}: $ws"
	check "${pre}monitor: user prhelper ($mu:$mg, effective the workers' $wu:$wg), only CAP_SYS_RAWIO, no_new_privs, seccomp, as the README says" \
		[ -n "$mu" -a -n "$wu" -a "$ms" = "Uid $mu $wu $mu $wu Gid $mg $wg $mg $wg CapEff 0000000000020000 CapPrm 0000000000020000 CapBnd $none CapAmb $none NoNewPrivs 1 Seccomp 2" ]
	check "${pre}worker: user prhelper-worker ($wu:$wg), no capabilities, no_new_privs, seccomp, as the README says" \
		[ -n "$w" -a -n "$wu" -a "$ws" = "Uid $wu $wu $wu $wu Gid $wg $wg $wg $wg CapEff $none CapPrm $none CapBnd $none CapAmb $none NoNewPrivs 1 Seccomp 2" ]
}
# one line of PID's ids, capability sets, no_new_privs and seccomp mode
privileges_of() {
	local f line=""
	for f in Uid Gid CapEff CapPrm CapBnd CapAmb NoNewPrivs Seccomp; do
		line="$line${line:+ }$f $(sed -n "s/^$f:[[:space:]]*//p" "/proc/$1/status" | tr '\t' ' ')"
	done
	echo "$line"
}
# image_id PID passwd|group NAME: NAME's id in PID's root
image_id() { awk -F: -v u="$3" '$1 == u { print $3 }' "/proc/$1/root/etc/$2"; }
