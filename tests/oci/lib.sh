# What both runs of the OCI image check the same way: this machine's
# podman (tests/oci/check.sh) and the guest's (tests/vm/container-tests.sh,
# section 20). Sourced (bash); both define check NAME COMMAND...
# Each NAME-PREFIX begins the names of a function's checks.

# image_load NAME-PREFIX TAR: podman load (IMAGE: the name it loaded), the
# entrypoint and default command qemu-pr-helper's arguments, KubeVirt's
# socket. Returns 1 when nothing loaded.
image_load() {
	local pre=$1 tar=$2 out rc cfg t0=$SECONDS
	out=$(podman load -q -i "$tar" 2>&1)
	rc=$?
	IMAGE=$(printf '%s\n' "$out" | sed -n 's/^Loaded image[^:]*: *//p' | tail -1)
	check "${pre}podman load $(basename "$tar"): ${IMAGE:-nothing} ($((SECONDS - t0)) s)" [ $rc = 0 -a -n "$IMAGE" ]
	[ -n "$IMAGE" ] || { printf '%s\n' "$out" | sed 's/^/#   /'; return 1; }
	cfg=$(podman image inspect --format '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' "$IMAGE" 2>&1)
	check "${pre}entrypoint prhelper, default command KubeVirt's socket: $cfg" \
		[ "$cfg" = '["/usr/sbin/prhelper"] ["-k","/var/run/kubevirt/daemons/pr/pr-helper.sock"]' ]
}

# qemu_connects NAME-PREFIX SOCKET: real QEMU (-machine none, a
# pr-manager-helper object) says it is connected (query-pr-managers, asked
# six times over 3 s: it may connect lazily)
qemu_connects() {
	local qmp
	qmp=$( (printf '%s\n' '{"execute":"qmp_capabilities"}'
		for _ in 1 2 3 4 5 6; do sleep 0.5; printf '%s\n' '{"execute":"query-pr-managers"}'; done
		printf '%s\n' '{"execute":"quit"}') | timeout 60 qemu-system-x86_64 -machine none -nodefaults -display none -S \
		-object pr-manager-helper,id=pr0,path="$2" -qmp stdio 2>&1)
	check "${1}QEMU's pr-manager-helper connects through the bind-mounted socket (query-pr-managers)" \
		grep -q '"connected": true, "id": "pr0"' <<<"$qmp"
	grep -q '"connected": true' <<<"$qmp" || tail -4 <<<"$qmp" | sed 's/^/#   /'
}

# image_privileges NAME-PREFIX MONITOR-PID WORKER-PID: the privileges
# README.md and SECURITY.md give the image's processes, read from /proc
# once each and then compared. The users are the image's own (its
# /etc/passwd and /etc/group): the monitor's real and saved ids
# prhelper's, effective and fs the workers'; only CAP_SYS_RAWIO; a worker
# all prhelper-worker's, no capabilities; both no_new_privs and a seccomp
# filter
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
