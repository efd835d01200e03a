#!/bin/bash
# KubeVirt's node-wide helper, started the way its pr-helper container
# starts qemu-pr-helper (issue 17, point 5): run inside a private mount
# namespace by tests/integration/run.sh, which passes the paths below.
#   kubevirt.sh MONITOR WORKER RAW LOOP OUTDIR
# - the worker at the default path (/usr/libexec/prhelper/prhelper-worker),
#   the socket at /var/run/kubevirt/daemons/pr/pr-helper.sock, and exactly
#   KubeVirt's arguments: -k SOCKET;
# - once the socket appears, another process chowns it to 107:107 (KubeVirt's
#   device plugin does), and 100 connections from uid 107 (every VM's QEMU)
#   are held open at once, each with a request on a block device;
# - SIGTERM stops it; the socket stays (its directory is root's, the
#   monitor's ids may not remove it: SECURITY.md), and a restart, as
#   KubeVirt restarts the container, replaces it and serves uid 107 again.
# Prints "key value" lines for run.sh to judge.
set -u
MONITOR=$1 WORKER=$2 RAW=$3 LOOP=$4 OUT=$5
SOCKDIR=/var/run/kubevirt/daemons/pr
SOCK=$SOCKDIR/pr-helper.sock
IN=5e000000000000200000000000000000

mount -t tmpfs none /run || exit 1
mkdir -p "$SOCKDIR"
mount -t tmpfs none /usr/libexec 2> /dev/null || { mkdir -p /usr/libexec && mount -t tmpfs none /usr/libexec; }
mkdir -p /usr/libexec/prhelper
: > /usr/libexec/prhelper/prhelper-worker
mount --bind "$WORKER" /usr/libexec/prhelper/prhelper-worker

"$MONITOR" -k "$SOCK" 2> "$OUT/kubevirt.log" &
mpid=$!
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
echo "socket $( [ -S "$SOCK" ] && echo yes || echo no)"
chown 107:107 "$SOCK"
echo "owner $(stat -c '%u:%g %a' "$SOCK")"

chown 107 "$LOOP" # QEMU opens the disk: here the clients do, as uid 107
pids=()
for i in $(seq 100); do
    setpriv --reuid 107 --regid 107 --clear-groups "$RAW" "$SOCK" hello 0 req $IN "$LOOP" sleep 3000 \
        > "$OUT/kv.$i" 2>&1 &
    pids+=($!)
done
answered=0
for _ in $(seq 200); do
    answered=$(cat "$OUT"/kv.* | grep -c '^reply status=2 .*sense=700005000000000a00000000240000')
    [ "$answered" -ge 100 ] && break
    sleep 0.05
done
echo "answered $answered"
echo "held $(grep -c "from pid .* uid 107 " "$OUT/kubevirt.log")"
wait "${pids[@]}" 2> /dev/null
kill -TERM "$mpid"
for _ in $(seq 100); do kill -0 "$mpid" 2> /dev/null || break; sleep 0.05; done
kill -0 "$mpid" 2> /dev/null && echo "stopped no" || echo "stopped yes"
echo "socket_after $( [ -e "$SOCK" ] && echo left || echo removed)"

"$MONITOR" -k "$SOCK" 2> "$OUT/kubevirt2.log" &
mpid=$!
for _ in $(seq 100); do
    grep -q "serving" "$OUT/kubevirt2.log" 2> /dev/null && break
    sleep 0.05
done
chown 107:107 "$SOCK"
echo "restart $(setpriv --reuid 107 --regid 107 --clear-groups "$RAW" "$SOCK" hello 0 req $IN "$LOOP" 2>&1 |
    grep -c '^reply status=2 .*sense=700005000000000a00000000240000')"
kill -TERM "$mpid"
wait "$mpid"
chown 0 "$LOOP"
