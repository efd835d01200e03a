# The man pages render cleanly and list what --help lists (tests/man/check.sh).
check-man: $(B)/prhelper $(B)/prhelper-client
	bash tests/man/check.sh $(B)

.PHONY: check-man
