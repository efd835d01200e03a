#!/bin/bash
# Host benchmark (make bench): connection set-up and throughput of prhelper
# and Debian's qemu-pr-helper, in one run on this machine, with /dev/null
# (and a loop device, so that prhelper's requests cross the monitor) as the
# request's fd. Figures, not a test: it prints them and exits 0 unless a
# helper could not be started. Needs root.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${PRH_BUILD_DIR:-$PWD/build}
BENCH=$B/tests/bench
VMTEST=$B/tests/vmtest
QEMU_HELPER=${QEMU_PR_HELPER:-/usr/bin/qemu-pr-helper}
HELD=${BENCH_HELD:-1000}
STORM=${BENCH_STORM:-1000}
SECS=${BENCH_SECONDS:-3}

TMP=$(mktemp -d /tmp/prhelper-bench.XXXXXX) || exit 1
PIDS=()
LOOP=""
cleanup() {
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    sleep 0.5
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
    [ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

wait_sock() { for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.05; done; return 1; }
# rss/pss in kB of a process
mem() { awk '/^Rss:/ {r=$2} /^Pss:/ {p=$2} END {printf "%s/%s", r, p}' "/proc/$1/smaps_rollup" 2>/dev/null; }

head -c 1048576 /dev/zero > "$TMP/loop.img"
LOOP=$(losetup -f --show "$TMP/loop.img" 2>/dev/null) || LOOP=""

"$B/prhelper" -k "$TMP/prh.sock" --worker "$B/prhelper-worker" -q \
    --max-clients 4096 --max-clients-per-uid 4096 2> "$TMP/prh.log" &
PRH=$!
PIDS+=("$PRH")
"$QEMU_HELPER" -k "$TMP/qemu.sock" 2> "$TMP/qemu.log" &
QPR=$!
PIDS+=("$QPR")
wait_sock "$TMP/prh.sock" || { echo "prhelper did not start: $(cat "$TMP/prh.log")"; exit 1; }
wait_sock "$TMP/qemu.sock" || { echo "qemu-pr-helper did not start: $(cat "$TMP/qemu.log")"; exit 1; }
sleep 0.5

# memory WHEN: RSS/PSS of the monitor, of a worker serving a connection
# and of qemu-pr-helper with one connection open.
mkfifo "$TMP/hold.fifo"
memory() {
    exec 9<>"$TMP/hold.fifo"
    "$B/tests/rawclient" "$TMP/prh.sock" hello 0 pause < "$TMP/hold.fifo" > /dev/null 2>&1 &
    local h1=$!
    "$B/tests/rawclient" "$TMP/qemu.sock" hello 0 pause < "$TMP/hold.fifo" > /dev/null 2>&1 &
    local h2=$!
    sleep 0.5
    local w="" n=0 c
    for c in $(grep -l "^PPid:[[:space:]]*$PRH\$" /proc/[0-9]*/status 2>/dev/null); do
        c=${c#/proc/}
        c=${c%/status}
        n=$((n + 1))
        [ -e "/proc/$c/fd/3" ] && w=$c
    done
    echo "bench memory_kb_rss/pss_$1 prhelper_monitor=$(mem "$PRH") prhelper_worker=$(mem "$w") workers_running=$n qemu_pr_helper=$(mem "$QPR")"
    echo go >&9
    echo go >&9
    wait $h1 $h2 2>/dev/null
    exec 9>&-
}

echo "# $(nproc) cores; held=$HELD storm=$STORM throughput ${SECS}s per point"
memory fresh
for name in prhelper qemu-pr-helper; do
    sock=$TMP/prh.sock
    [ $name = qemu-pr-helper ] && sock=$TMP/qemu.sock
    echo "bench $name setup_idle $("$BENCH" setup "$sock" 0 500)"
    echo "bench $name setup_held $("$BENCH" setup "$sock" "$HELD" 500)"
    sleep 1
    echo "bench $name storm $("$BENCH" storm "$sock" "$STORM")"
    sleep 1
    for c in 1 8 64; do
        echo "bench $name tput_devnull_conns=$c $("$VMTEST" tput "$sock" /dev/null $c "$SECS" 2>&1 | tail -1)"
        [ -n "$LOOP" ] &&
            echo "bench $name tput_loopdev_conns=$c $("$VMTEST" tput "$sock" "$LOOP" $c "$SECS" 2>&1 | tail -1)"
    done
done
memory after_load
