# The Debian package (debian/). make deb builds it from a copy of the
# tracked files in $(B)/deb (the .deb lands there) and runs lintian, which
# must report no error and no warning (debian/*.lintian-overrides says why
# for the one it may not); make check-deb installs, checks, removes and
# purges it in a clean root of this system's suite (tests/deb/check.sh).
DEB_BUILD_PACKAGES := debhelper dh-apparmor dpkg-dev lintian debootstrap

deb:
	rm -rf $(B)/deb
	mkdir -p $(B)/deb/src
	git ls-files -z | xargs -0 cp --parents -t $(B)/deb/src
	cd $(B)/deb/src && dpkg-buildpackage -us -uc -b
	lintian --fail-on error,warning $(B)/deb/prhelper_*.changes

check-deb: deb
	bash tests/deb/check.sh $(B)/deb/prhelper_$(VERSION)_amd64.deb

deb-deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEB_BUILD_PACKAGES)

.PHONY: deb check-deb deb-deps
