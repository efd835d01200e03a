#!/bin/bash
# SELinux module: builds with Debian's refpolicy headers, then links into a
# scratch copy of the installed policy store with neverallow checking on,
# and the linked policy grants the worker next to nothing.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
need make m4 checkmodule semodule_package
DEVEL=/usr/share/selinux/devel/Makefile
[ -f "$DEVEL" ] || { echo "SKIP: $DEVEL missing (package selinux-policy-dev)"; exit 0; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp policy/prhelper.te policy/prhelper.fc policy/prhelper.if "$tmp/"

out=$(make -C "$tmp" -f "$DEVEL" prhelper.pp 2>&1)
if [ $? -eq 0 ] && [ -s "$tmp/prhelper.pp" ]; then
    ok "prhelper.pp builds"
else
    not_ok "prhelper.pp builds"
    printf '%s\n' "$out" | sed 's/^/#   /'
fi
# m4 warns about deprecated or unknown interfaces but still succeeds.
if printf '%s\n' "$out" | grep -qi 'warning'; then
    not_ok "no warnings while building"
    printf '%s\n' "$out" | grep -i warning | sed 's/^/#   /'
else
    ok "no warnings while building"
fi

store=/var/lib/selinux/default
if ! command -v semodule >/dev/null || [ ! -d "$store" ] || [ ! -s "$tmp/prhelper.pp" ]; then
    echo "SKIP: link check needs semodule and selinux-policy-default"
    finish
    exit
fi

# semodule -p works on a copy: the machine's own store is never touched.
root=$tmp/root
mkdir -p "$root/var/lib/selinux" "$root/etc/selinux"
cp -a "$store" "$root/var/lib/selinux/"
cp -a /etc/selinux/default "$root/etc/selinux/"
printf 'module-store = direct\nexpand-check = 1\n' >"$root/etc/selinux/semanage.conf"
check "links into the default policy (neverallow rules checked)" \
    semodule -p "$root" -s default -n -i "$tmp/prhelper.pp"

policy=$(ls "$root"/etc/selinux/default/policy/policy.* 2>/dev/null | sort -V | tail -1)
if [ -z "$policy" ] || ! /usr/bin/python3 -c 'import setools' 2>/dev/null; then
    echo "SKIP: rule queries need the linked policy and python3-setools"
    finish
    exit
fi

# Counts allow rules from a domain, leaving out the ones every refpolicy
# domain gets on itself and its entrypoint (its /proc files, a self
# socketpair): seccomp forbids those calls anyway.
query() { # want(some|none) description source target classes perms
    local want=$1 what=$2
    shift 2
    local n
    n=$(/usr/bin/python3 - "$policy" "$@" <<'PY'
import sys, setools
pol, src, tgt, cls, perms = sys.argv[1:6]
q = setools.TERuleQuery(setools.SELinuxPolicy(pol), ruletype=["allow"],
                        source=src, target=tgt or None, tclass=cls.split(),
                        perms=perms.split() or None, source_indirect=False)
own = {src, src.replace("_t", "_exec_t")} if not tgt else set()
print(sum(1 for r in q.results() if str(r.target) not in own))
PY
)
    if { [ "$want" = some ] && [ "${n:-0}" -gt 0 ]; } || { [ "$want" = none ] && [ "$n" = 0 ]; }; then
        ok "$what"
    else
        not_ok "$what (matching rules: ${n:-error})"
    fi
}

query some "monitor may SG_IO a disk" prhelper_t fixed_disk_device_t blk_file ioctl
query some "monitor has CAP_SYS_RAWIO" prhelper_t prhelper_t capability sys_rawio
query some "monitor enters the worker domain" prhelper_t prhelper_worker_t process transition
query some "worker can receive a disk fd" prhelper_worker_t fixed_disk_device_t blk_file read
query none "worker cannot ioctl a device" prhelper_worker_t "" "blk_file chr_file" ioctl
query none "worker cannot open files or devices" prhelper_worker_t "" \
    "file blk_file chr_file dir sock_file fifo_file" open
query none "worker has no capabilities" prhelper_worker_t "" "capability capability2 cap_userns" ""
query none "worker cannot create network sockets" prhelper_worker_t "" \
    "tcp_socket udp_socket rawip_socket netlink_socket packet_socket" create
query none "worker cannot connect to other domains' sockets" prhelper_worker_t "" \
    "unix_stream_socket" connectto
query none "worker cannot execute anything else" prhelper_worker_t "" file "execute execute_no_trans"

finish
