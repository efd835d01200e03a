# The OCI image for node-wide deployments (KubeVirt's pr-helper
# container): make oci-image builds the package (make deb) and, from
# Debian's packages and that .deb only, $(B)/prhelper-oci.tar
# (container/build-image.sh; needs podman and debootstrap, as root).
# tests/vm/run.sh container runs it (section 20).
oci-image: deb
	bash container/build-image.sh $(B)/deb/prhelper_$(VERSION)_amd64.deb $(B)/prhelper-oci.tar

.PHONY: oci-image
