#!/bin/bash
# systemd units: verify is clean and `systemd-analyze security` rates the
# service at most MAX_EXPOSURE. Needs no installed prhelper: verify runs on
# copies whose ExecStart points at the freshly built binary.
# Usage: check-systemd.sh [path/to/built/prhelper]   (default build/prhelper)
set -u
cd "$(dirname "$0")/../.."
. tests/policy/lib.sh
need systemd-analyze

# 0.9 without CAP_SETUID/CAP_SETGID; the unit keeps them until the
# privilege drop, before the first client, to run the workers under their
# own user (0.3 in systemd's table, which cannot see the drop).
MAX_EXPOSURE=1.2
BIN=$(realpath -m "${1:-build/prhelper}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -x "$BIN" ]; then
    sed "s#^ExecStart=/usr/sbin/prhelper#ExecStart=$BIN#" systemd/prhelper.service >"$tmp/prhelper.service"
    cp systemd/prhelper.socket "$tmp/"
    # verify prints warnings but may still exit 0: any output is a failure.
    out=$(systemd-analyze verify --man=no "$tmp/prhelper.service" "$tmp/prhelper.socket" 2>&1)
    if [ $? -eq 0 ] && [ -z "$out" ]; then
        ok "systemd-analyze verify prhelper.service prhelper.socket"
    else
        not_ok "systemd-analyze verify prhelper.service prhelper.socket"
        printf '%s\n' "$out" | sed 's/^/#   /'
    fi
else
    not_ok "systemd-analyze verify: $BIN not built"
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

line=$(systemd-analyze security --offline=yes systemd/prhelper.service 2>&1 |
       grep 'Overall exposure level for prhelper.service')
score=$(printf '%s\n' "$line" | sed -n 's/.*prhelper\.service: \([0-9.]*\) .*/\1/p')
if [ -n "$score" ] && awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }'; then
    ok "security exposure $score <= $MAX_EXPOSURE"
else
    not_ok "security exposure ${score:-unknown} <= $MAX_EXPOSURE"
    printf '#   %s\n' "${line:-no exposure line}"
fi

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
