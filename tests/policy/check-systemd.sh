#!/bin/bash
# systemd units, the shared one and the per-VM template (instance "vm1"):
# verify is clean and `systemd-analyze security` rates each service at most
# MAX_EXPOSURE. Needs no installed prhelper: verify runs on copies whose
# ExecStart points at the freshly built binary. The template service is
# made by make from the shared one (BUILD/systemd/prhelper@.service).
# Usage: check-systemd.sh [path/to/built/prhelper]   (default build/prhelper)
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
need systemd-analyze

# 0.9 without CAP_SETUID/CAP_SETGID; the unit keeps them until the
# privilege drop, before the first client, to run the workers under their
# own user (0.3 in systemd's table, which cannot see the drop). 0.1 more
# for pidfd_getfd, which systemd counts under @debug: the monitor takes
# each request's fd from its own worker with it (SECURITY.md).
MAX_EXPOSURE=1.3
BIN=$(realpath -m "${1:-build/prhelper}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

TEMPLATE=$(dirname "$BIN")/systemd/prhelper@.service
# verify_units NAME SERVICE-SOURCE SOCKET-SOURCE
verify_units() {
    sed "s#^ExecStart=/usr/sbin/prhelper#ExecStart=$BIN#" "$2" >"$tmp/$1.service"
    cp "$3" "$tmp/$1.socket"
    # verify prints warnings but may still exit 0: any output is a failure.
    out=$(systemd-analyze verify --man=no "$tmp/$1.service" "$tmp/$1.socket" 2>&1)
    if [ $? -eq 0 ] && [ -z "$out" ]; then
        ok "systemd-analyze verify $1.service $1.socket"
    else
        not_ok "systemd-analyze verify $1.service $1.socket"
        printf '%s\n' "$out" | sed 's/^/#   /'
    fi
}
if [ -x "$BIN" ] && [ -e "$TEMPLATE" ]; then
    verify_units prhelper systemd/prhelper.service systemd/prhelper.socket
    verify_units prhelper@vm1 "$TEMPLATE" systemd/prhelper@.socket
    NOCAPS=$(dirname "$BIN")/systemd/prhelper-no-capabilities
    if [ -e "$NOCAPS.service" ] && [ -e "$NOCAPS.socket" ]; then
        verify_units prhelper-no-capabilities "$NOCAPS.service" "$NOCAPS.socket"
        check "no-capabilities: no capability granted, --no-capabilities given, PrivateDevices" sh -c \
            "! grep -q '^AmbientCapabilities=' '$NOCAPS.service' && grep -qx 'CapabilityBoundingSet=' '$NOCAPS.service' &&
             grep -q '^ExecStart=.* --no-capabilities\$' '$NOCAPS.service' && grep -qx 'PrivateDevices=yes' '$NOCAPS.service'"
    else
        not_ok "systemd-analyze verify: $NOCAPS.service/.socket not built"
    fi
    check "template: its service differs from the shared one only in names" sh -c \
        "diff systemd/prhelper.service '$TEMPLATE' | grep '^>' | grep -qv -e 'for %i\$' -e 'prhelper@%i.socket' && exit 1 || true"
else
    not_ok "systemd-analyze verify: $BIN or $TEMPLATE not built"
fi

grep -q '^ExecStart=/usr/sbin/prhelper ' systemd/prhelper.service &&
    ok "ExecStart is the installed path /usr/sbin/prhelper" ||
    not_ok "ExecStart is the installed path /usr/sbin/prhelper"

# PrivateDevices= would strip CAP_SYS_RAWIO and break every SG_IO.
if grep -Eq '^(PrivateDevices|PrivateUsers)=(yes|true|1|on)' systemd/prhelper.service; then
    not_ok "no PrivateDevices=/PrivateUsers= (they remove CAP_SYS_RAWIO)"
else
    ok "no PrivateDevices=/PrivateUsers= (they remove CAP_SYS_RAWIO)"
fi

exposure_at_most $MAX_EXPOSURE systemd/prhelper.service
# No capability, no pidfd_getfd, PrivateDevices: systemd's table sees 0.5.
[ -e "$tmp/prhelper-no-capabilities.service" ] &&
    exposure_at_most 0.6 "$tmp/prhelper-no-capabilities.service"
[ -e "$tmp/prhelper@vm1.service" ] && exposure_at_most $MAX_EXPOSURE "$tmp/prhelper@vm1.service"

if command -v systemd-sysusers >/dev/null; then
    # Installed where the unit's User= expects it, in a scratch root.
    mkdir -p "$tmp/root/etc" "$tmp/root/usr/lib/sysusers.d"
    cp systemd/prhelper.sysusers "$tmp/root/usr/lib/sysusers.d/prhelper.conf"
    check "sysusers.d creates the unit's User=prhelper and the workers' prhelper-worker" sh -c \
        "systemd-sysusers --root='$tmp/root' >/dev/null &&
         grep -q '^prhelper:' '$tmp/root/etc/passwd' &&
         grep -q '^prhelper-worker:' '$tmp/root/etc/passwd'"
fi

finish
