#!/bin/bash
# AppArmor profiles: they parse (compiled, not loaded: -Q -K), and the
# worker's profile stays as bare as the worker itself.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
need apparmor_parser

profile=policy/apparmor/usr.sbin.prhelper
check "apparmor_parser -Q -K $profile" apparmor_parser -Q -K "$profile"

names=$(apparmor_parser -N "$profile" 2>/dev/null | sort | xargs)
[ "$names" = "prhelper prhelper-worker" ] &&
    ok "profiles: $names" || not_ok "profiles prhelper and prhelper-worker (got: $names)"

# The parser's dump of what each profile grants, split per profile.
dump=$(apparmor_parser -Q -K -d "$profile" 2>/dev/null)
monitor=$(printf '%s\n' "$dump" | sed -n '/^Name:\t\tprhelper$/,/^Name:\t\tprhelper-worker$/p')
worker=$(printf '%s\n' "$dump" | sed -n '/^Name:\t\tprhelper-worker$/,$p')

caps=$(printf '%s\n' "$monitor" | sed -n 's/^Capabilities: //p')
[ "$caps" = "setgid setpcap setuid sys_rawio" ] &&
    ok "monitor capabilities: $caps" || not_ok "monitor capabilities: ${caps:-none}"
# The worker's profile stacked on the monitor's (&): the only transition
# no_new_privs allows (VM section 14); not scrubbing (the environment is
# empty, and AT_SECURE would change the worker's start-up); never ux.
printf '%s\n' "$monitor" | grep -Pq '^Mode:\t[^\t]*x[^\t]*\tName:\t\(/usr/libexec/prhelper/prhelper-worker\)' &&
    grep -q '^ */usr/libexec/prhelper/prhelper-worker mrpix -> &prhelper-worker,' "$profile" &&
    ok "monitor runs the worker under a profile" ||
    not_ok "monitor runs the worker under a profile"

[ -n "$worker" ] && ! printf '%s\n' "$worker" | grep -q '^Capabilities:' &&
    ok "worker has no capabilities" || not_ok "worker has no capabilities"
files=$(printf '%s\n' "$worker" | sed -n 's/^Mode:.*Name:\t(\(.*\))$/\1/p' | sort | tr '\n' ' ')
want='/dev/null /usr/libexec/prhelper/prhelper-worker /{,dev/}{sd[a-z]*,sg[0-9]*,dm-[0-9]*} '
[ "$files" = "$want" ] && ok "worker file rules: only /dev/null, its binary, device fds in transit" ||
    not_ok "worker file rules (got: $files)"
printf '%s\n' "$worker" | awk -F'\t' '/^Mode:/ { print $2 }' | grep -q x &&
    not_ok "worker executes nothing" || ok "worker executes nothing"

finish
