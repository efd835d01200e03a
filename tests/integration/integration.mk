# Host integration tests: the real daemon on a temporary socket, driven by
# tests/integration/rawclient (exact byte streams) and build/prhelper-client.
# Needs root (the monitor drops to uid 65534 and keeps CAP_SYS_RAWIO); no
# SCSI device. QEMU, qemu-pr-helper and systemd-socket-activate are used
# when installed, else those tests print SKIP.

RAWCLIENT := $(B)/tests/rawclient

$(RAWCLIENT): tests/integration/rawclient.c $(COMMON_OBJ) $(wildcard src/common/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(SAN_FLAGS) $(LDFLAGS) tests/integration/rawclient.c $(COMMON_OBJ) -o $@

# The VM harness's client, built for the host: its throughput mode is the
# integration suite's load test.
VMTEST_HOST := $(B)/tests/vmtest
$(VMTEST_HOST): tests/vm/vmtest.c $(COMMON_OBJ) $(wildcard src/common/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(SAN_FLAGS) $(LDFLAGS) tests/vm/vmtest.c $(COMMON_OBJ) -o $@

# Compromised workers (static, uninstrumented: they run under the
# monitor's filter) and a FUSE server whose files never finish closing.
# The park build runs the real worker's sandbox first (its code and filter).
EVILWORKERS := $(B)/tests/evilworker-goodbye $(B)/tests/evilworker-unread $(B)/tests/evilworker-park
$(B)/tests/evilworker-goodbye: EVIL_MODE := 1
$(B)/tests/evilworker-unread: EVIL_MODE := 2
$(B)/tests/evilworker-park: EVIL_MODE := 3
EVIL_SANDBOX_SRC := src/worker/sandbox.c $(SANDBOX_SRC)
$(EVILWORKERS): tests/integration/evilworker.c src/common/fdio.c $(wildcard src/common/*.h src/worker/*.h) \
		$(EVIL_SANDBOX_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DEVIL_MODE=$(EVIL_MODE) -Isrc/worker -Wno-missing-prototypes -static \
		tests/integration/evilworker.c src/common/fdio.c \
		$(if $(filter 3,$(EVIL_MODE)),$(EVIL_SANDBOX_SRC)) -o $@ $(if $(filter 3,$(EVIL_MODE)),-lseccomp)

FUSEHANG := $(B)/tests/fusehang
$(FUSEHANG): tests/integration/fusehang.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-prototypes tests/integration/fusehang.c -o $@

# Whoever may write the socket's directory, racing the monitor's start.
SOCKRACE := $(B)/tests/sockrace
$(SOCKRACE): tests/integration/sockrace.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-prototypes tests/integration/sockrace.c -o $@

check-integration: $(B)/prhelper $(B)/prhelper-worker $(B)/prhelper-client $(RAWCLIENT) $(VMTEST_HOST) \
		$(EVILWORKERS) $(FUSEHANG) $(SOCKRACE)
	PRH_BUILD_DIR=$(abspath $(B)) bash tests/integration/run.sh

.PHONY: check-integration

# `make bench`: set-up and throughput figures, prhelper next to
# qemu-pr-helper (tests/bench/run.sh). Not a test.
BENCH_BIN := $(B)/tests/bench
$(BENCH_BIN): tests/bench/bench.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-prototypes tests/bench/bench.c -o $@

bench: $(B)/prhelper $(B)/prhelper-worker $(RAWCLIENT) $(VMTEST_HOST) $(BENCH_BIN)
	PRH_BUILD_DIR=$(abspath $(B)) bash tests/bench/run.sh

.PHONY: bench
