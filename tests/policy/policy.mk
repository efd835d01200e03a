# Confinement checks: systemd units (verify, exposure <= 1.0), the SELinux
# module (builds, links with neverallows checked) and the AppArmor profiles.
# Each script prints ok/not ok lines and "N passed, N failed"; a script
# whose tool is missing prints SKIP and passes.

# Debian 12 packages the checks need (`make policy-deps`, as root).
POLICY_DEB_PACKAGES := systemd apparmor selinux-policy-dev selinux-policy-default

POLICY_CHECKS := tests/policy/check-systemd.sh tests/policy/check-selinux.sh \
	tests/policy/check-apparmor.sh

# verify needs an existing ExecStart: it gets the freshly built monitor.
# All three run even when one fails.
check-policy: $(B)/prhelper $(B)/systemd/prhelper@.service $(B)/systemd/prhelper-no-capabilities.service \
		$(B)/systemd/prhelper-no-capabilities.socket
	@rc=0; for c in $(POLICY_CHECKS); do \
		echo "# $$c"; bash $$c $(B)/prhelper || rc=1; \
	done; exit $$rc

policy-deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(POLICY_DEB_PACKAGES)

.PHONY: check-policy policy-deps
