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

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
