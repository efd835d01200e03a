# Real-device conformance harness (tests/vm/README.md): boots Debian's kernel
# under qemu-system-x86_64 -accel tcg with LIO disks and runs prhelper,
# Debian's qemu-pr-helper and sg_persist against them. Root; downloads are
# cached in $(PRHELPER_VM_CACHE) (default /var/cache/prhelper-vm).
# The script builds its own copy of the binaries in a temporary directory.

# check-vm runs the suite on each guest kernel (tests/vm/check-all.sh).
check-vm:
	bash tests/vm/check-all.sh

# On trixie-backports' 7.3 kernel: the no-capability mode needs 6.19.
bench-vm:
	VM_KERNEL=$${VM_KERNEL:-trixie-backports} bash tests/vm/run.sh bench

.PHONY: check-vm bench-vm
