# cmocka unit tests: tests/unit/test_NAME.c -> $(B)/tests/unit/test_NAME,
# linked with the src objects listed below (never a main.c).
# `make check-unit UNIT_RUNNER="valgrind --error-exitcode=1 --leak-check=full"`
# runs them under a wrapper.

UNIT_DIR := $(B)/tests/unit
UNIT_NAMES := conn validate scsi options privdrop_ids reply fdcheck block_pr devfacts ratelimit route
UNIT_BINS := $(addprefix $(UNIT_DIR)/test_,$(UNIT_NAMES))
UNIT_RUNNER ?=

$(UNIT_DIR)/test_conn: $(call obj,src/worker/conn.c src/common/fdio.c src/common/scsi.c src/common/proto.c)
$(UNIT_DIR)/test_validate: $(call obj,src/monitor/validate.c src/common/fdio.c src/common/proto.c src/common/reply.c src/common/route.c src/common/scsi.c)
$(UNIT_DIR)/test_scsi: $(call obj,src/common/scsi.c)
$(UNIT_DIR)/test_options: $(call obj,src/monitor/options.c)
$(UNIT_DIR)/test_privdrop_ids: $(call obj,src/monitor/privdrop.c)
$(UNIT_DIR)/test_privdrop_ids: UNIT_LIBS := -lcap-ng
$(UNIT_DIR)/test_reply: $(call obj,src/common/reply.c src/common/proto.c)
$(UNIT_DIR)/test_fdcheck: $(call obj,src/common/fdcheck.c src/common/scsi.c src/common/ipc.c)
$(UNIT_DIR)/test_block_pr: $(call obj,src/common/block_pr.c src/common/scsi.c)
$(UNIT_DIR)/test_devfacts: $(call obj,src/monitor/devfacts.c)
$(UNIT_DIR)/test_ratelimit: $(call obj,src/monitor/ratelimit.c)
$(UNIT_DIR)/test_route: $(call obj,src/common/route.c src/common/scsi.c src/common/reply.c src/common/proto.c src/common/fdio.c src/monitor/validate.c src/monitor/kernel_probe.c)

$(UNIT_DIR)/test_conn $(UNIT_DIR)/test_validate $(UNIT_DIR)/test_route: UNIT_EXTRA := tests/unit/fd_helpers.c

$(UNIT_DIR)/test_%: tests/unit/test_%.c tests/unit/fd_helpers.c $(wildcard src/*/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(SAN_FLAGS) $< $(UNIT_EXTRA) $(filter %.o,$^) -o $@ -lcmocka $(UNIT_LIBS) $(SAN_FLAGS)

check-unit: $(UNIT_BINS)
	@failed=; for t in $(UNIT_BINS); do \
		echo "== $${t##*/}"; $(UNIT_RUNNER) $$t || failed="$$failed $${t##*/}"; \
	done; \
	if [ -n "$$failed" ]; then echo "unit tests failed:$$failed"; exit 1; fi
