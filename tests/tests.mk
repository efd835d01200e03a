# Tests. `make check` = unit tests (cmocka) + host integration tests (root,
# no SCSI device needed). Each suite's rules live beside its sources.

TEST_CFLAGS = $(CFLAGS) -Isrc/common -Isrc/monitor -Isrc/worker -Isrc/client -Wno-missing-prototypes

include tests/unit/unit.mk
include tests/integration/integration.mk
include tests/sandbox/sandbox.mk
include tests/fuzz/fuzz.mk
include tests/policy/policy.mk

ALL_SRC_H := $(wildcard src/*/*.c src/*/*.h)

check: check-unit check-sandbox check-fuzz-replay check-integration

.PHONY: check check-unit check-integration
