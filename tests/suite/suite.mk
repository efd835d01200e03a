# The other supported Debian suite's machine, as a root (tests/suite/check.sh):
# the README's set-up commands, both compilers, make check and check-asan
# built and run there with that suite's packages. The suites are the
# supported ones other than this system's own (/etc/os-release says which).
SUPPORTED_SUITES := bookworm trixie
OTHER_SUITES ?= $(filter-out $(shell . /etc/os-release && echo $$VERSION_CODENAME),$(SUPPORTED_SUITES))

check-suites:
	@rc=0; for s in $(OTHER_SUITES); do \
		echo "# ==== a $$s root (tests/suite/check.sh)"; bash tests/suite/check.sh $$s || rc=1; \
	done; exit $$rc

.PHONY: check-suites
