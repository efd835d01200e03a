/* vmtest: the guest-side client of the real-device conformance harness
 * (tests/vm/run.sh). Built on the host with `cc -static`, it runs inside the
 * QEMU guest next to LIO disks. It speaks QEMU's pr-helper protocol to a
 * helper socket (prhelper or Debian's qemu-pr-helper) and issues SG_IO
 * directly, so the two can be compared byte for byte.
 *
 * Reply lines (one per command) have the form
 *   st=SS sz=N sense=HEX(96 bytes) data=HEX
 * for helper replies, and the same for direct SG_IO (sense padded to 96
 * bytes with zeros, data = transferred bytes).
 *
 * Commands:
 *   sgio DEV ro|rw CDBHEX [PARAMHEX]       direct SG_IO, one reply line
 *   req SOCK DEV ro|rw CDBHEX [PARAMHEX]   one request on a new connection
 *       (env VMTEST_FEATURES: requested feature word, default 0)
 *   script SOCK FILE                       run a script on connections kept
 *       per device; prints "features=F" then one reply line per step.
 *       Script lines: "DEV ro|rw CDBHEX [PARAMHEX]"; '#' comments.
 *       PRgeneration (bytes 0-3 of READ KEYS / READ RESERVATION / READ FULL
 *       STATUS data) is printed relative to the first one seen ("g+N").
 *   hold SOCK SECONDS                      keep one connection open
 *   stress SOCK DEV CONNS SECONDS          mixed PR IN/OUT on CONNS connections
 *   lat SOCK|-|ioctl DEV COUNT [register]  READ KEYS latency (- = direct SG_IO,
 *       ioctl = the block layer's PR ioctls, directly); with register,
 *       REGISTER AND IGNORE EXISTING KEY of key 0xa1 instead (DEV opened
 *       read-write): prints "median_us=M p99_us=P max_us=X n=N"
 *   DEV may be fd:N, an fd inherited open
 *   tput SOCK DEV CONNS SECONDS            READ KEYS throughput
 *   qmp SOCK SECONDS [JSON...]             a QMP client: negotiates, sends
 *       each JSON command and each line read from stdin, and prints
 *       everything QEMU sends (greeting, replies, events) for SECONDS or
 *       until QEMU closes; SECONDS 0: until each JSON command (and the
 *       negotiation) is answered, at most 10 s, stdin unread; waits up to
 *       10 s for SOCK to appear
 *
 * Exit status: 0 ok, 1 a check failed, 2 usage, 3 connection error. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <scsi/sg.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"
#include "hex.h"
#include "pr_ioctl.h"
#include "proto.h"
#include "reply.h"

#define SENSE_LEN PRH_SENSE_SIZE
#define MAX_XFER PRH_DATA_MAX
#define IO_TIMEOUT_S 60

struct reply {
	int32_t status;
	int32_t size;
	uint8_t sense[SENSE_LEN];
	uint8_t data[MAX_XFER];
};

/* Parse hex (spaces and ':' ignored) into buf; returns length or -1. */
static int parse_hex(const char *s, uint8_t *buf, size_t max)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		if (*s == ' ' || *s == ':')
			continue;
		int v = prh_hex_digit((unsigned char)*s);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= max)
			return -1;
		buf[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (int)n : -1;
}

static void print_hex(FILE *f, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t r = read(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Connect and negotiate; returns the socket or -1. */
static int helper_connect(const char *path, uint32_t want, uint32_t *features)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	uint8_t w[4];
	int s;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || read_full(s, w, 4) < 0)
		goto fail;
	if (features)
		*features = prh_get_be32(w);
	prh_put_be32(w, want);
	if (prh_write_all(s, w, 4) < 0)
		goto fail;
	return s;
fail:
	close(s);
	return -1;
}

/* One request: CDB with the fd attached, the PR OUT parameters, the reply.
 * Returns 0, or -1 on a connection error or a malformed reply. */
static int helper_request(int s, int devfd, const uint8_t *cdb, const uint8_t *param,
			  size_t plen, struct reply *r)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = (void *)cdb, .iov_len = 16 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	uint8_t hdr[8];
	ssize_t n;

	memset(&ctl, 0, sizeof(ctl));
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	ctl.h.cmsg_level = SOL_SOCKET;
	ctl.h.cmsg_type = SCM_RIGHTS;
	ctl.h.cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(&ctl.h), &devfd, sizeof(int));
	do
		n = sendmsg(s, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != 16)
		return -1;
	if (plen && prh_write_all(s, param, plen) < 0)
		return -1;
	if (read_full(s, hdr, 8) < 0 || read_full(s, r->sense, SENSE_LEN) < 0)
		return -1;
	r->status = (int32_t)prh_get_be32(hdr);
	r->size = (int32_t)prh_get_be32(hdr + 4);
	if (r->size < 0 || r->size > MAX_XFER)
		return -1;
	if (r->size && read_full(s, r->data, (size_t)r->size) < 0)
		return -1;
	return 0;
}

/* The protocol's promises (src/common/reply.c): PR IN payload <= allocation
 * length, PR OUT none, payload only with GOOD. */
static int reply_wellformed(const uint8_t *cdb, const struct reply *r)
{
	return r->size >= 0 &&
	       prh_reply_allowed(cdb, prh_cdb_xfer_len(cdb), r->status, (uint32_t)r->size) == 0;
}

static int do_sgio(int fd, const uint8_t *cdb, uint8_t *buf, size_t len, int out, struct reply *r)
{
	sg_io_hdr_t io;

	memset(&io, 0, sizeof(io));
	memset(r->sense, 0, SENSE_LEN);
	io.interface_id = 'S';
	io.cmd_len = (cdb[0] >> 5) == 0 ? 6 : 10;
	if (cdb[0] == 0x5e || cdb[0] == 0x5f)
		io.cmd_len = 10;
	io.cmdp = (unsigned char *)cdb;
	io.dxfer_direction = len ? (out ? SG_DXFER_TO_DEV : SG_DXFER_FROM_DEV) : SG_DXFER_NONE;
	io.dxferp = buf;
	io.dxfer_len = (unsigned)len;
	io.sbp = r->sense;
	io.mx_sb_len = SENSE_LEN;
	io.timeout = 20000;
	if (ioctl(fd, SG_IO, &io) < 0)
		return -1;
	r->status = io.status;
	r->size = out ? 0 : (int32_t)len - io.resid;
	/* DRIVER_SENSE (0x08) only says sense is there */
	if (io.host_status || (io.driver_status & ~0x08))
		r->status = 0x100 | io.host_status;
	return 0;
}

static void print_reply(const struct reply *r, int gen_rel, uint32_t *gen_base, int *have_base)
{
	printf("st=%02x sz=%d sense=", (unsigned)r->status & 0xffu, r->size);
	print_hex(stdout, r->sense, SENSE_LEN);
	printf(" data=");
	if (gen_rel && r->size >= 4) {
		uint32_t g = prh_get_be32(r->data);
		if (!*have_base) {
			*gen_base = g;
			*have_base = 1;
		}
		printf("g+%u:", g - *gen_base);
		print_hex(stdout, r->data + 4, (size_t)r->size - 4);
	} else {
		print_hex(stdout, r->data, (size_t)r->size);
	}
	printf("\n");
	fflush(stdout);
}

/* DEV is a path, or fd:N for an fd inherited open (a process that could
 * not open the device itself: no permission check again). */
static int open_dev(const char *dev, const char *mode)
{
	int fl = strcmp(mode, "rw") == 0 ? O_RDWR : O_RDONLY;

	if (strncmp(dev, "fd:", 3) == 0)
		return fcntl(atoi(dev + 3), F_DUPFD_CLOEXEC, 3);
	return open(dev, fl | O_NONBLOCK | O_CLOEXEC);
}

static int parse_cmd(const char *cdbhex, const char *phex, uint8_t *cdb, uint8_t *param, int *plen)
{
	memset(cdb, 0, 16);
	if (parse_hex(cdbhex, cdb, 16) < 1)
		return -1;
	*plen = 0;
	if (phex && (*plen = parse_hex(phex, param, MAX_XFER)) < 0)
		return -1;
	if (cdb[0] == 0x5f && phex && (unsigned)*plen != prh_cdb_xfer_len(cdb)) {
		/* pad or cut to the CDB's length: the protocol sends exactly that */
		unsigned want = prh_cdb_xfer_len(cdb);
		if (want > MAX_XFER)
			return -1;
		if ((unsigned)*plen < want)
			memset(param + *plen, 0, want - (unsigned)*plen);
		*plen = (int)want;
	}
	if (cdb[0] == 0x5f && !phex) {
		unsigned want = prh_cdb_xfer_len(cdb);
		if (want > MAX_XFER)
			return -1;
		memset(param, 0, want);
		*plen = (int)want;
	}
	return 0;
}

static uint8_t g_param[MAX_XFER];
static struct reply g_reply;

static int cmd_sgio(int argc, char **argv)
{
	uint8_t cdb[16], buf[MAX_XFER];
	int plen, fd, out;
	uint32_t gb = 0;
	int hb = 0;

	if (argc < 4 || parse_cmd(argv[3], argc > 4 ? argv[4] : NULL, cdb, g_param, &plen) < 0)
		return 2;
	fd = open_dev(argv[1], argv[2]);
	if (fd < 0) {
		perror(argv[1]);
		return 3;
	}
	out = cdb[0] == 0x5f;
	if (out)
		memcpy(buf, g_param, (size_t)plen);
	if (do_sgio(fd, cdb, buf, out ? (size_t)plen : prh_cdb_xfer_len(cdb), out, &g_reply) < 0) {
		perror("SG_IO");
		return 3;
	}
	if (!out && g_reply.status == 0)
		memcpy(g_reply.data, buf, (size_t)g_reply.size);
	else
		g_reply.size = 0;
	print_reply(&g_reply, 0, &gb, &hb);
	close(fd);
	return 0;
}

static int cmd_req(int argc, char **argv)
{
	uint8_t cdb[16];
	int plen, fd, s;
	uint32_t feat, gb = 0;
	int hb = 0;
	const char *want = getenv("VMTEST_FEATURES");

	if (argc < 5 || parse_cmd(argv[4], argc > 5 ? argv[5] : NULL, cdb, g_param, &plen) < 0)
		return 2;
	fd = open_dev(argv[2], argv[3]);
	if (fd < 0) {
		perror(argv[2]);
		return 3;
	}
	s = helper_connect(argv[1], want ? (uint32_t)strtoul(want, NULL, 0) : 0, &feat);
	if (s < 0 || helper_request(s, fd, cdb, g_param, (size_t)plen, &g_reply) < 0) {
		printf("connection error\n");
		return 3;
	}
	print_reply(&g_reply, 0, &gb, &hb);
	close(s);
	close(fd);
	return reply_wellformed(cdb, &g_reply) ? 0 : 1;
}

#define MAX_DEVS 8

static int cmd_script(int argc, char **argv)
{
	struct {
		char name[128];
		int sock, fd_ro, fd_rw;
	} devs[MAX_DEVS];
	int ndev = 0, rc = 0, hb = 0;
	uint32_t gb = 0, feat = 0;
	char line[20000];
	FILE *f;

	if (argc < 3)
		return 2;
	f = fopen(argv[2], "r");
	if (!f) {
		perror(argv[2]);
		return 2;
	}
	{
		int s = helper_connect(argv[1], 0, &feat);
		if (s < 0) {
			printf("connection error\n");
			fclose(f);
			return 3;
		}
		close(s);
	}
	printf("features=%08x\n", feat);
	while (fgets(line, sizeof(line), f)) {
		char *dev, *mode, *cdbh, *ph, *save = NULL;
		uint8_t cdb[16];
		int plen, i, fd;

		line[strcspn(line, "\r\n#")] = 0;
		dev = strtok_r(line, " \t", &save);
		if (!dev)
			continue;
		mode = strtok_r(NULL, " \t", &save);
		cdbh = strtok_r(NULL, " \t", &save);
		ph = strtok_r(NULL, " \t", &save);
		if (!mode || !cdbh || parse_cmd(cdbh, ph, cdb, g_param, &plen) < 0) {
			fprintf(stderr, "bad script line\n");
			rc = 2;
			break;
		}
		for (i = 0; i < ndev; i++)
			if (strcmp(devs[i].name, dev) == 0)
				break;
		if (i == ndev) {
			if (ndev == MAX_DEVS || strlen(dev) >= sizeof(devs[0].name)) {
				rc = 2;
				break;
			}
			snprintf(devs[i].name, sizeof(devs[i].name), "%s", dev);
			devs[i].sock = helper_connect(argv[1], 0, NULL);
			devs[i].fd_ro = open_dev(dev, "ro");
			devs[i].fd_rw = open_dev(dev, "rw");
			ndev++;
			if (devs[i].sock < 0 || devs[i].fd_ro < 0 || devs[i].fd_rw < 0) {
				printf("connection error\n");
				rc = 3;
				break;
			}
		}
		fd = strcmp(mode, "rw") == 0 ? devs[i].fd_rw : devs[i].fd_ro;
		if (helper_request(devs[i].sock, fd, cdb, g_param, (size_t)plen, &g_reply) < 0) {
			printf("connection error\n");
			rc = 3;
			break;
		}
		if (!reply_wellformed(cdb, &g_reply)) {
			printf("malformed ");
			rc = 1;
		}
		print_reply(&g_reply, cdb[0] == 0x5e && (cdb[1] & 0x1f) != 2 && g_reply.status == 0,
			    &gb, &hb);
	}
	fclose(f);
	for (int i = 0; i < ndev; i++) {
		close(devs[i].sock);
		close(devs[i].fd_ro);
		close(devs[i].fd_rw);
	}
	return rc;
}

static int cmd_hold(int argc, char **argv)
{
	int s;

	if (argc < 3)
		return 2;
	s = helper_connect(argv[1], 0, NULL);
	if (s < 0)
		return 3;
	printf("holding\n");
	fflush(stdout);
	sleep((unsigned)atoi(argv[2]));
	close(s);
	return 0;
}

/* ---- concurrency: stress and throughput ---- */

struct worker_arg {
	const char *sock, *dev;
	int id, mixed;
	double until;
	long sent, answered, malformed, errors, good;
};

static void mk_prin(uint8_t *cdb, int sa, unsigned alloc)
{
	memset(cdb, 0, 16);
	cdb[0] = 0x5e;
	cdb[1] = (uint8_t)sa;
	cdb[7] = (uint8_t)(alloc >> 8);
	cdb[8] = (uint8_t)alloc;
}

static void mk_prout(uint8_t *cdb, uint8_t *param, int sa, int type, uint64_t key, uint64_t sakey)
{
	memset(cdb, 0, 16);
	memset(param, 0, 24);
	cdb[0] = 0x5f;
	cdb[1] = (uint8_t)sa;
	cdb[2] = (uint8_t)type;
	cdb[8] = 24;
	for (int i = 0; i < 8; i++) {
		param[i] = (uint8_t)(key >> (56 - 8 * i));
		param[8 + i] = (uint8_t)(sakey >> (56 - 8 * i));
	}
}

static void *worker(void *p)
{
	struct worker_arg *a = p;
	struct reply *r = malloc(sizeof(*r));
	uint8_t cdb[16], param[24];
	int s, fd;
	unsigned n = 0;

	fd = open_dev(a->dev, "rw");
	s = helper_connect(a->sock, 0, NULL);
	if (!r || s < 0 || fd < 0) {
		a->errors++;
		goto out;
	}
	while (now_us() < a->until) {
		uint64_t key = 0x1000u + (unsigned)a->id;
		size_t plen = 0;

		if (!a->mixed) {
			mk_prin(cdb, 0, 8192);
		} else {
			switch (n++ % 6) {
			case 0: mk_prin(cdb, 0, 8192); break;
			case 1: mk_prout(cdb, param, 6, 0, 0, key); plen = 24; break;
			case 2: mk_prin(cdb, 1, 8 + (unsigned)(n % 64)); break;
			case 3: mk_prin(cdb, 2, 8); break;
			case 4: mk_prin(cdb, 3, (unsigned)(n % 200)); break;
			default: mk_prout(cdb, param, 1, 5, key, 0); plen = 24; break;
			}
		}
		a->sent++;
		if (helper_request(s, fd, cdb, param, plen, r) < 0) {
			a->errors++;
			break;
		}
		a->answered++;
		if (!reply_wellformed(cdb, r))
			a->malformed++;
		if (r->status == 0)
			a->good++;
	}
out:
	if (s >= 0)
		close(s);
	if (fd >= 0)
		close(fd);
	free(r);
	return NULL;
}

static int run_workers(const char *sock, const char *dev, int conns, double secs, int mixed,
		       struct worker_arg *tot, double *elapsed)
{
	pthread_t *th = calloc((size_t)conns, sizeof(*th));
	struct worker_arg *a = calloc((size_t)conns, sizeof(*a));
	double t0 = now_us();

	if (!th || !a)
		return -1;
	memset(tot, 0, sizeof(*tot));
	for (int i = 0; i < conns; i++) {
		a[i] = (struct worker_arg){ .sock = sock, .dev = dev, .id = i, .mixed = mixed,
					    .until = t0 + secs * 1e6 };
		if (pthread_create(&th[i], NULL, worker, &a[i]) != 0)
			return -1;
	}
	for (int i = 0; i < conns; i++) {
		pthread_join(th[i], NULL);
		tot->sent += a[i].sent;
		tot->answered += a[i].answered;
		tot->malformed += a[i].malformed;
		tot->errors += a[i].errors;
		tot->good += a[i].good;
	}
	*elapsed = (now_us() - t0) / 1e6;
	free(th);
	free(a);
	return 0;
}

static int cmd_stress(int argc, char **argv, int mixed)
{
	struct worker_arg t;
	double el;

	if (argc < 5)
		return 2;
	if (run_workers(argv[1], argv[2], atoi(argv[3]), atof(argv[4]), mixed, &t, &el) < 0)
		return 3;
	printf("conns=%d sent=%ld answered=%ld good=%ld malformed=%ld errors=%ld secs=%.2f ops_per_s=%.0f\n",
	       atoi(argv[3]), t.sent, t.answered, t.good, t.malformed, t.errors, el,
	       (double)t.answered / el);
	return (t.sent == t.answered && t.malformed == 0 && t.errors == 0) ? 0 : 1;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static int cmd_lat(int argc, char **argv)
{
	int count, fd, s = -1;
	double *t;
	uint8_t cdb[16], buf[MAX_XFER];

	if (argc < 4 || (count = atoi(argv[3])) < 1)
		return 2;
	int reg = argc > 4 && strcmp(argv[4], "register") == 0;
	int by_ioctl = strcmp(argv[1], "ioctl") == 0;
	uint8_t param[24] = {0};
	static struct prh_answer ans;
	t = calloc((size_t)count, sizeof(*t));
	fd = open_dev(argv[2], reg ? "rw" : "ro");
	if (!t || fd < 0)
		return 3;
	if (strcmp(argv[1], "-") != 0 && !by_ioctl && (s = helper_connect(argv[1], 0, NULL)) < 0)
		return 3;
	mk_prin(cdb, 0, 8192);
	if (reg) { /* REGISTER AND IGNORE EXISTING KEY, service action key 0xa1 */
		memset(cdb, 0, sizeof(cdb));
		cdb[0] = 0x5f;
		cdb[1] = 0x06;
		cdb[8] = sizeof(param);
		param[15] = 0xa1;
	}
	for (int i = 0; i < count; i++) {
		double t0 = now_us();
		int err, r;
		if (by_ioctl) {
			prh_pr_ioctl_run(fd, cdb, param, reg ? sizeof(param) : 8192, &ans, &err);
			g_reply.status = ans.status;
			r = 0;
		} else if (s < 0) {
			if (reg)
				memcpy(buf, param, sizeof(param));
			r = do_sgio(fd, cdb, buf, reg ? sizeof(param) : 8192, reg, &g_reply);
		} else {
			r = helper_request(s, fd, cdb, reg ? param : NULL, reg ? sizeof(param) : 0,
					   &g_reply);
		}
		t[i] = now_us() - t0;
		if (r < 0 || g_reply.status != 0) {
			printf("error at %d\n", i);
			return 1;
		}
	}
	qsort(t, (size_t)count, sizeof(*t), cmp_double);
	printf("median_us=%.0f p99_us=%.0f max_us=%.0f n=%d\n", t[count / 2],
	       t[(count * 99) / 100 < count ? (count * 99) / 100 : count - 1], t[count - 1], count);
	free(t);
	if (s >= 0)
		close(s);
	close(fd);
	return 0;
}

static int cmd_qmp(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", argv[1]);
	int fd = -1;
	for (int i = 0; i < 100 && fd < 0; i++) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
			close(fd);
			fd = -1;
			usleep(100000);
		}
	}
	if (fd < 0) {
		perror("qmp connect");
		return 3;
	}
	const char *caps = "{\"execute\": \"qmp_capabilities\"}\n";
	if (prh_write_all(fd, caps, strlen(caps)) < 0)
		return 3;
	for (int i = 3; i < argc; i++)
		if (prh_write_all(fd, argv[i], strlen(argv[i])) < 0 || prh_write_all(fd, "\n", 1) < 0)
			return 3;
	int secs = atoi(argv[2]);
	int want = secs == 0 ? argc - 3 + 1 : -1; /* answers awaited, with the negotiation's */
	int answered = 0, at_line_start = 1;
	time_t end = time(NULL) + (secs == 0 ? 10 : secs);
	char buf[4096];
	int in = secs == 0 ? -1 : 0; /* stdin: more commands, until its EOF */
	while (time(NULL) < end && answered != want) {
		struct timeval tv = {1, 0};
		fd_set rd;
		FD_ZERO(&rd);
		FD_SET(fd, &rd);
		if (in >= 0)
			FD_SET(in, &rd);
		if (select(fd + 1, &rd, NULL, NULL, &tv) <= 0)
			continue;
		if (in >= 0 && FD_ISSET(in, &rd)) {
			ssize_t n = read(in, buf, sizeof(buf));
			if (n <= 0)
				in = -1;
			else if (prh_write_all(fd, buf, (size_t)n) < 0)
				return 3;
		}
		if (FD_ISSET(fd, &rd)) {
			ssize_t n = read(fd, buf, sizeof(buf));
			if (n <= 0) {
				fprintf(stderr, "qmp: connection closed (%s)\n", n < 0 ? strerror(errno) : "EOF");
				break;
			}
			fwrite(buf, 1, (size_t)n, stdout);
			fflush(stdout);
			/* QEMU answers one line per command, each starting
			 * {"return" or {"error" */
			for (ssize_t i = 0; i < n; i++) {
				if (at_line_start && (i + 8 <= n) &&
				    (memcmp(buf + i, "{\"return", 8) == 0 || memcmp(buf + i, "{\"error\"", 8) == 0))
					answered++;
				at_line_start = buf[i] == '\n';
			}
		}
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		fprintf(stderr, "usage: vmtest sgio|req|script|hold|stress|lat|tput|qmp ...\n");
		return 2;
	}
	if (strcmp(argv[1], "sgio") == 0)
		return cmd_sgio(argc - 1, argv + 1);
	if (strcmp(argv[1], "req") == 0)
		return cmd_req(argc - 1, argv + 1);
	if (strcmp(argv[1], "script") == 0)
		return cmd_script(argc - 1, argv + 1);
	if (strcmp(argv[1], "hold") == 0)
		return cmd_hold(argc - 1, argv + 1);
	if (strcmp(argv[1], "stress") == 0)
		return cmd_stress(argc - 1, argv + 1, 1);
	if (strcmp(argv[1], "tput") == 0)
		return cmd_stress(argc - 1, argv + 1, 0);
	if (strcmp(argv[1], "lat") == 0)
		return cmd_lat(argc - 1, argv + 1);
	if (strcmp(argv[1], "qmp") == 0)
		return cmd_qmp(argc - 1, argv + 1);
	fprintf(stderr, "unknown command %s\n", argv[1]);
	return 2;
}
