/* Defaults both the daemon and its client need. */
#ifndef PRH_DEFAULTS_H
#define PRH_DEFAULTS_H

/* The Makefile passes its VERSION; this is for builds without it. */
#ifndef PRH_VERSION
#define PRH_VERSION "0.1.0"
#endif

#define PRH_DEFAULT_SOCKET "/run/prhelper.sock"

/* The overflow uid, "nobody": the fallback user when prhelper's own
 * system users do not exist. */
#define PRH_NOBODY 65534

#endif
