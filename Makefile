# prhelper: make builds build/prhelper, build/prhelper-worker, build/prhelper-client.
# make check runs the unit and host integration tests (as root).

CC ?= cc
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec/prhelper
VERSION := 0.1.0
B := build

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -Wvla
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE \
	-Isrc/common -DPRH_LIBEXECDIR='"$(LIBEXECDIR)"' -DPRH_VERSION='"$(VERSION)"'
LDFLAGS += -pie -Wl,-z,relro,-z,now
SAN_FLAGS ?=

# The seccomp rule language and tables link only into the two daemons
# (and the sandbox test): the client and the test tools need no libseccomp.
SANDBOX_SRC := src/common/seccomp_rules.c src/common/worker_startup.c src/common/worker_device.c
COMMON_SRC := $(filter-out $(SANDBOX_SRC),$(wildcard src/common/*.c))
MONITOR_SRC := $(wildcard src/monitor/*.c) $(SANDBOX_SRC)
WORKER_SRC := $(wildcard src/worker/*.c) $(SANDBOX_SRC)
CLIENT_SRC := $(wildcard src/client/*.c)

obj = $(patsubst src/%.c,$(B)/obj/%.o,$(1))
COMMON_OBJ := $(call obj,$(COMMON_SRC))
MONITOR_OBJ := $(call obj,$(MONITOR_SRC))
CLIENT_OBJ := $(call obj,$(CLIENT_SRC))
# The worker is linked statically, where sanitizer runtimes cannot go: its
# objects are built apart, never with SAN_FLAGS (tests and fuzzers cover
# its code with sanitizers instead).
WORKER_OBJ := $(patsubst src/%.c,$(B)/static/%.o,$(WORKER_SRC) $(COMMON_SRC))

PROGRAMS := $(B)/prhelper $(B)/prhelper-worker $(B)/prhelper-client

all: $(PROGRAMS) $(B)/systemd/prhelper@.service $(B)/systemd/prhelper-no-capabilities.service \
	$(B)/systemd/prhelper-no-capabilities.socket

# The per-VM template is the shared unit with its socket's instance name:
# one set of hardening settings, in systemd/prhelper.service.
$(B)/systemd/prhelper@.service: systemd/prhelper.service
	@mkdir -p $(dir $@)
	sed -e 's/^Description=\(.*\)/Description=\1 for %i/' -e 's/prhelper\.socket/prhelper@%i.socket/' $< > $@

# The no-capability mode's units: the shared ones, edited by one sed script.
$(B)/systemd/prhelper-no-capabilities.%: systemd/prhelper.% systemd/no-capabilities.sed
	@mkdir -p $(dir $@)
	sed -f systemd/no-capabilities.sed $< > $@

$(B)/obj/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) -I$(dir $<) -c $< -o $@

$(B)/static/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -I$(dir $<) -c $< -o $@

$(B)/prhelper: $(MONITOR_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS) $(SAN_FLAGS) $^ -o $@ -lseccomp -lcap-ng -lsystemd -lpthread

# Static: the worker starts under the monitor's filter, which allows no
# open(), so the dynamic loader could not map a single library.
$(B)/prhelper-worker: $(WORKER_OBJ)
	$(CC) -static-pie -Wl,-z,relro,-z,now $^ -o $@ -lseccomp

$(B)/prhelper-client: $(CLIENT_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS) $(SAN_FLAGS) $^ -o $@

include tests/tests.mk
include container/container.mk

# Debian 12 packages needed to build and test (make deps, as root).
DEB_PACKAGES := build-essential clang pkg-config libseccomp-dev libcap-ng-dev \
	libsystemd-dev libcmocka-dev systemd qemu-system-x86 qemu-system-common qemu-utils \
	busybox-static kmod cpio dmsetup debootstrap groff-base podman runc
# systemd.pc (where the package's units go) is in systemd on Debian 12 and
# in systemd-dev on 13: apt says which this system has.
deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEB_PACKAGES) \
		$(DEB_BUILD_PACKAGES) $$(apt-cache show systemd-dev >/dev/null 2>&1 && echo systemd-dev)

# The system users prhelper (monitor) and prhelper-worker (workers) come
# from the sysusers file; on the running system (no DESTDIR) they are
# created right away, with useradd where systemd-sysusers is missing.
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
UNITS := systemd/prhelper.socket systemd/prhelper.service systemd/prhelper@.socket \
	$(B)/systemd/prhelper@.service $(B)/systemd/prhelper-no-capabilities.service \
	$(B)/systemd/prhelper-no-capabilities.socket
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR)
	install -m 0755 $(B)/prhelper $(DESTDIR)$(SBINDIR)/prhelper
	install -m 0755 $(B)/prhelper-worker $(DESTDIR)$(LIBEXECDIR)/prhelper-worker
	install -m 0755 $(B)/prhelper-client $(DESTDIR)$(BINDIR)/prhelper-client
	install -m 0644 systemd/prhelper.sysusers $(DESTDIR)$(SYSUSERSDIR)/prhelper.conf
	install -m 0644 man/prhelper.8 $(DESTDIR)$(MANDIR)/man8/prhelper.8
	install -m 0644 man/prhelper-client.1 $(DESTDIR)$(MANDIR)/man1/prhelper-client.1
	install -m 0644 $(UNITS) $(DESTDIR)$(UNITDIR)/
	@if [ -z "$(DESTDIR)" ]; then \
		if command -v systemd-sysusers >/dev/null; then \
			systemd-sysusers $(SYSUSERSDIR)/prhelper.conf; \
		else \
			for u in prhelper prhelper-worker; do id -u $$u >/dev/null 2>&1 || \
				useradd --system --user-group --no-create-home --shell /usr/sbin/nologin $$u; done; \
		fi; \
	fi

# Everything again with AddressSanitizer and UBSan, in its own build dir.
# LeakSanitizer stays off for the daemon run only: at exit it ptraces the
# process, which the monitor's seccomp filter (rightly) kills.
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
check-asan:
	$(MAKE) B=build-asan SAN_FLAGS="$(ASAN_FLAGS)" check-unit check-sandbox check-fuzz-replay
	ASAN_OPTIONS=detect_leaks=0 $(MAKE) B=build-asan SAN_FLAGS="$(ASAN_FLAGS)" check-integration

clean:
	rm -rf $(B) build-asan

.PHONY: all install clean deps check-asan
