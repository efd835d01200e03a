# Real-device conformance harness (tests/vm/README.md): boots Debian's kernel
# under qemu-system-x86_64 -accel tcg with LIO disks and runs prhelper,
# Debian's qemu-pr-helper and sg_persist against them. Root; downloads are
# cached in $(PRHELPER_VM_CACHE) (default /var/cache/prhelper-vm).
# The script builds its own copy of the binaries in a temporary directory.

# check-vm runs the suite on each guest kernel (tests/vm/check-all.sh).
check-vm:
	bash tests/vm/check-all.sh

bench-vm:
	bash tests/vm/run.sh bench

.PHONY: check-vm bench-vm
