# make check-oci: the OCI image (make oci-image) under this machine's
# podman, as KubeVirt runs its pr-helper container but unprivileged, real
# QEMU here connecting through it (tests/oci/check.sh; root).
check-oci: oci-image $(RAWCLIENT)
	PRH_BUILD_DIR=$(abspath $(B)) bash tests/oci/check.sh $(B)/prhelper-oci.tar

.PHONY: check-oci
