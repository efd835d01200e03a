# Fuzzing. Each harness under tests/fuzz parses untrusted input:
#   conn      the worker's client-protocol state machine (client bytes + fds)
#   validate  the monitor's check of worker records (a compromised worker)
#   client    prhelper-client's parsing of helper replies
#   block_pr  the monitor's translation to the block layer's PR ioctls
# check-fuzz-replay (part of make check) replays every corpus file without
# libFuzzer; `make fuzz FUZZ_SECONDS=N` fuzzes each harness for N seconds.

FUZZ_HARNESSES := conn validate client block_pr
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 -std=c11 -D_GNU_SOURCE -Isrc/common -Isrc/monitor -Isrc/worker -Isrc/client \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

fuzz_src_conn := src/worker/conn.c $(COMMON_SRC)
fuzz_src_validate := src/monitor/validate.c $(COMMON_SRC)
fuzz_src_client := src/client/decode.c src/client/print.c $(COMMON_SRC)
fuzz_src_block_pr := $(COMMON_SRC)

REPLAY_BINS := $(foreach h,$(FUZZ_HARNESSES),$(B)/tests/fuzz/replay_$(h))

$(B)/tests/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(COMMON_OBJ) \
		$(B)/obj/worker/conn.o $(B)/obj/monitor/validate.o $(B)/obj/client/decode.o $(B)/obj/client/print.o
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(SAN_FLAGS) $(filter %.c,$^) $(patsubst src/%.c,$(B)/obj/%.o,$(fuzz_src_$*)) -o $@

check-fuzz-replay: $(REPLAY_BINS)
	@set -e; for h in $(FUZZ_HARNESSES); do $(B)/tests/fuzz/replay_$$h tests/fuzz/corpus/$$h; done

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(ALL_SRC_H)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) tests/fuzz/fuzz_$*.c $(fuzz_src_$*) -o $@

# New inputs go to a scratch copy of the corpus; crashes land in build/fuzz.
fuzz: $(foreach h,$(FUZZ_HARNESSES),$(B)/fuzz/fuzz_$(h))
	@set -e; for h in $(FUZZ_HARNESSES); do \
		rm -rf $(B)/fuzz/corpus-$$h; cp -r tests/fuzz/corpus/$$h $(B)/fuzz/corpus-$$h; \
		echo "== fuzz $$h for $(FUZZ_SECONDS)s"; \
		$(B)/fuzz/fuzz_$$h -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(B)/fuzz/crash-$$h- $(B)/fuzz/corpus-$$h 2> $(B)/fuzz/$$h.log \
			|| { tail -50 $(B)/fuzz/$$h.log; exit 1; }; \
		grep -E '^#[0-9]+[[:space:]]+DONE' $(B)/fuzz/$$h.log | tail -1; \
		grep -E 'stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' $(B)/fuzz/$$h.log; \
	done

fuzz-seeds:
	rm -rf tests/fuzz/corpus/conn tests/fuzz/corpus/validate tests/fuzz/corpus/client tests/fuzz/corpus/block_pr
	bash tests/fuzz/make-seeds.sh tests/fuzz/corpus

.PHONY: check-fuzz-replay fuzz fuzz-seeds
