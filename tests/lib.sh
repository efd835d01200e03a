# Shared by the check scripts (policy, man pages, package): TAP-like lines
# and the closing count.
# Sourced; the caller sets nothing.
passed=0
failed=0

ok() { echo "ok - $*"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }

# A missing tool is the only reason to skip; CI installs them all.
need() {
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "SKIP: $tool not installed (Debian: see policy-deps in tests/policy/policy.mk)"
            exit 0
        fi
    done
}

# Runs a command quietly; on failure shows its output indented.
check() {
    local what=$1
    shift
    local out
    if out=$("$@" 2>&1); then
        ok "$what"
    else
        not_ok "$what"
        printf '%s\n' "$out" | sed 's/^/#   /'
    fi
}

# exposure_at_most MAX UNIT-FILE [ROOT]: `systemd-analyze security` of a
# service file (in ROOT's systemd, with chroot) rates it at most MAX; the
# score is printed either way.
exposure_at_most() {
    local max=$1 unit=$2 root=${3:-} name line score
    name=$(basename "$unit")
    line=$(${root:+chroot "$root"} systemd-analyze security --offline=yes "$unit" 2>&1 |
        grep "Overall exposure level for $name")
    score=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9.]*\) .*/\1/p')
    if [ -n "$score" ] && awk -v s="$score" -v m="$max" 'BEGIN { exit !(s <= m) }'; then
        ok "$name: security exposure $score <= $max"
    else
        not_ok "$name: security exposure ${score:-unknown} <= $max"
        printf '#   %s\n' "${line:-no exposure line}"
    fi
}

# copy_clean_root SUITE TAG: a private copy of SUITE's clean root
# (tests/deb/clean-root.sh, cached) as R=$W/root, W a new directory
# /tmp/prhelper-TAG.XXXXXX the caller removes. Says not ok and returns 1
# when the root cannot be built.
copy_clean_root() {
    local base
    if ! base=$(bash tests/deb/clean-root.sh "$1"); then
        not_ok "a clean $1 root (debootstrap)"
        return 1
    fi
    W=$(mktemp -d "/tmp/prhelper-$2.XXXXXX")
    R=$W/root
    cp -a "$base" "$R"
}

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
