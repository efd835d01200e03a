# The real seccomp filters and the worker's sandbox, tried syscall by syscall.
SANDBOX_TEST := $(B)/tests/sandbox/test_sandbox

$(SANDBOX_TEST): tests/sandbox/test_sandbox.c $(B)/obj/worker/sandbox.o $(B)/obj/monitor/filter.o \
		$(B)/obj/monitor/landlock.o \
		$(call obj,$(SANDBOX_SRC)) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(SAN_FLAGS) $^ -o $@ -lcmocka -lseccomp

check-sandbox: $(SANDBOX_TEST)
	$(SANDBOX_TEST)

.PHONY: check-sandbox
