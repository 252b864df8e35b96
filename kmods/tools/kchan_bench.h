/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kchan_bench: what the C reference client's files share.  See the comment
 * at the top of kchan_bench.c for what the tool is and how to run it.
 */
#ifndef KCHAN_BENCH_H
#define KCHAN_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/netlink.h>

#include "kchan.h"

#define PROC_CALL	"/proc/" KCHAN_PROC_DIR "/" KCHAN_PROC_CALL
#define PROC_EVENTS	"/proc/" KCHAN_PROC_DIR "/" KCHAN_PROC_EVENTS
#define DEV_PATH	"/dev/" KCHAN_DEV_NAME

/* The key the value scenario sets and gets. */
#define BENCH_KEY	"bench-value"

/* Room for any netlink message carrying a kchan message. */
#define NL_BUF_LEN	(KCHAN_MSG_MAX + 4096)

/* Every key=value the tool takes; the runner passes them all. */
struct bench_args {
	const char *scenario;
	const char *transport;
	unsigned int threads;
	double seconds;
	double warmup;
	uint32_t size;
	int size_given;		/* size= was on the command line */
	const char *op;		/* value: set | get */
	uint64_t count;
	double timeout;
	const char *mode;	/* stream chardev: read | ring */
	uint32_t ring;
	unsigned int sockets;
};

/* What a scenario measured; printed as the one result line. */
struct bench_result {
	uint64_t ops;
	double seconds;
	int has_bytes, has_lost, has_latency;
	uint64_t bytes;
	uint64_t lost;
	double p50_us, p99_us;
};

/* kchan_util.c; prog is defined by each program's main file */
extern const char *prog;
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void die_errno(const char *what) __attribute__((noreturn));
void unsupported(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
double now(void);
void *xalloc(size_t len);

/* The bytes an attribute carries (find_attr checked nla_len). */
static inline uint32_t attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/* kchan_bench_msg.c: kchan messages and attributes */
size_t put_attr(uint8_t *msg, size_t off, uint16_t type, const void *data,
		size_t len);
size_t put_u32(uint8_t *msg, size_t off, uint16_t type, uint32_t v);
size_t put_u64(uint8_t *msg, size_t off, uint16_t type, uint64_t v);
size_t kchan_finish(uint8_t *msg, uint16_t cmd, uint32_t seq, size_t len);
size_t kchan_gen_start(uint8_t *msg, uint64_t count, uint32_t size);
struct kchan_hdr kchan_header(const uint8_t *msg);
const struct nlattr *find_attr(const uint8_t *attrs, size_t len,
			       uint16_t type);
int attr_u64(const uint8_t *attrs, size_t len, uint16_t type, uint64_t *v);
int attr_u32(const uint8_t *attrs, size_t len, uint16_t type, uint32_t *v);
const char *kchan_errmsg(const uint8_t *attrs, size_t len);

/* kchan_bench_msg.c: Generic Netlink and the raw unit */
struct genl {
	int fd;
	uint16_t family;	/* the kchan family's id */
	uint32_t events_group;	/* its "events" multicast group */
	uint32_t seq;
	uint8_t *buf;		/* NL_BUF_LEN bytes for replies */
};

void genl_open(struct genl *g);
void genl_close(struct genl *g);
size_t genl_from_kchan(const struct genl *g, uint8_t *out,
		       const uint8_t *kmsg, uint32_t seq);
int genl_reply(const uint8_t *buf, ssize_t n, uint32_t seq, uint16_t type,
	       const uint8_t **attrs, size_t *attrs_len, const char **errmsg);
int genl_call_kchan(struct genl *g, const uint8_t *kmsg, const char **errmsg);
void nl_set_rcvbuf(int fd, int bytes);
int nl_socket(int protocol);
const char *nlerr_msg(const struct nlmsghdr *nlh);

/* kchan_bench_call.c: echo and value through each door */
struct door;
extern const struct door door_netlink, door_procfs, door_sockopt,
	door_chardev;
void run_echo(const struct bench_args *a, const void *door,
	      struct bench_result *r);
void run_value(const struct bench_args *a, const void *door,
	       struct bench_result *r);

/* kchan_bench_stream.c: events */
void run_stream_netlink(const struct bench_args *a, const void *unused,
			struct bench_result *r);
void run_stream_procfs(const struct bench_args *a, const void *unused,
		       struct bench_result *r);
void run_stream_chardev(const struct bench_args *a, const void *unused,
			struct bench_result *r);
void run_swarm_netlink(const struct bench_args *a, const void *unused,
		       struct bench_result *r);

#endif /* KCHAN_BENCH_H */
