check: all
.PHONY: check
