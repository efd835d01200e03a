# prhelper-no-capabilities.service and .socket from the shared units (make):
# the same hardening, with --no-capabilities, no capability at all, and
# PrivateDevices= (nothing here needs CAP_SYS_RAWIO, and no device is
# opened by path). Linux 6.19 or later: prhelper refuses to start before.
s/^\(Description=.*\)/\1, no capabilities (Linux 6.19)/
s/prhelper\.socket/prhelper-no-capabilities.socket/
s|^ExecStart=/usr/sbin/prhelper \(.*\)|ExecStart=/usr/sbin/prhelper \1 --no-capabilities|
/^# Started unprivileged as its user/,/^# then drops both/d
s/^AmbientCapabilities=.*/# No capability in any process: the workers issue the PR ioctls on their\n# clients' fds (SECURITY.md), and share prhelper's uid./
s/^CapabilityBoundingSet=.*/CapabilityBoundingSet=/
/^# Not PrivateDevices=: it removes CAP_SYS_RAWIO/d
s/^DevicePolicy=closed/PrivateDevices=yes/
/^# Not PrivateUsers=: SG_IO needs/c\
# Not PrivateUsers=: peers' uids (SO_PEERCRED) would read as nobody.
s/^SystemCallFilter=pidfd_getfd /SystemCallFilter=/
s/^# a request's fd from its worker (not in @process on systemd 252), Landlock/# Landlock/
/^Conflicts=/d
/^\[Unit\]/a\
Conflicts=prhelper.socket prhelper.service
