# Tests. `make check` = unit tests (cmocka) + host integration tests (root,
# no SCSI device needed). Each suite's rules live beside its sources.

TEST_CFLAGS = $(CFLAGS) -Isrc/common -Isrc/monitor -Isrc/worker -Isrc/client -Wno-missing-prototypes

include tests/unit/unit.mk
include tests/integration/integration.mk
include tests/sandbox/sandbox.mk
include tests/fuzz/fuzz.mk
include tests/policy/policy.mk
include tests/vm/vm.mk
include tests/man/man.mk
include tests/deb/deb.mk
include tests/suite/suite.mk
include tests/oci/oci.mk

ALL_SRC_H := $(wildcard src/*/*.c src/*/*.h)

# The real-device tests join in wherever QEMU can boot the test guest.
HAVE_QEMU := $(shell command -v qemu-system-x86_64 2>/dev/null)

# (another suite's root, tests/suite/check.sh, leaves out the image: CHECK_OCI=)
CHECK_OCI ?= check-oci
check: check-unit check-sandbox check-fuzz-replay check-man check-deb $(CHECK_OCI) check-integration check-suites \
	$(if $(HAVE_QEMU),check-vm)

.PHONY: check check-unit check-integration
