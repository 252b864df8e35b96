// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_bench: the C reference client of the kchannel benchmarks.
 *
 * It speaks to the kchan modules with raw system calls only (socket,
 * send/recv, getsockopt/setsockopt, open/read/write, ioctl, poll, epoll,
 * mmap; no libnl, no helper library), through every door they have, and
 * runs the scenarios of bench/PEERS.md, the contract every benchmark peer
 * implements:
 *
 *   kchan_bench echo   netlink|procfs|sockopt|chardev threads=1 seconds=2 warmup=0.5 size=64
 *   kchan_bench value  netlink|procfs|sockopt|chardev op=set|get size=65456 seconds=2 warmup=0.5
 *   kchan_bench stream netlink|procfs|chardev count=20000 size=768 timeout=3 [mode=read|ring] [ring=1048576]
 *   kchan_bench swarm  netlink sockets=100 count=2000 size=768 timeout=3
 *
 * It prints exactly one line on stdout,
 *   result ops=123456 seconds=2.000 bytes=7901184 lost=0 p50_us=14.2 p99_us=61.0
 * exits 1 with one line on stderr when anything fails (a system call, or a
 * reply that is not the expected one: a wrong reply is never counted), and
 * exits 2 with "unsupported: ..." for a scenario/transport pair it lacks.
 *
 * Build on the host, run in the kernel lab as root with the modules loaded:
 *   make -C kmods/tools bin/kchan_bench    (or make -C kmods/tools)
 *   bash it/lab/kchan-lab run --load-all -- \
 *       kmods/tools/bin/kchan_bench echo netlink threads=1 seconds=2 warmup=0.5 size=64
 *
 * Files: kchan_bench.c (this: arguments, dispatch, the result line),
 * kchan_bench_msg.c (kchan messages, Generic Netlink, the raw unit),
 * kchan_bench_call.c (echo and value: one door per transport, the timed
 * threads, latency percentiles), kchan_bench_stream.c (stream, swarm).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kchan_bench.h"

const char *prog = "kchan_bench";

static void usage(void)
{
	fprintf(stderr,
		"usage: %s SCENARIO TRANSPORT [key=value]...\n"
		"  echo   netlink|procfs|sockopt|chardev threads=1 seconds=2 warmup=0.5 size=64\n"
		"  value  netlink|procfs|sockopt|chardev op=set|get size=65456 seconds=2 warmup=0.5\n"
		"  stream netlink|procfs|chardev count=20000 size=768 timeout=3 [mode=read|ring] [ring=1048576]\n"
		"  swarm  netlink sockets=100 count=2000 size=768 timeout=3\n"
		"One line on stdout: result ops=N seconds=S [bytes=N] [lost=N] [p50_us=X p99_us=X].\n"
		"Exit 1 on any failure, 2 for an unsupported pair. The contract: bench/PEERS.md.\n",
		prog);
	exit(2);
}

/* One SCENARIO TRANSPORT pair and what runs it. */
struct entry {
	const char *scenario;
	const char *transport;
	void (*run)(const struct bench_args *a, const void *arg,
		    struct bench_result *r);
	const void *arg;
};

static const struct entry table[] = {
	{ "echo",   "netlink", run_echo,  &door_netlink },
	{ "echo",   "procfs",  run_echo,  &door_procfs },
	{ "echo",   "sockopt", run_echo,  &door_sockopt },
	{ "echo",   "chardev", run_echo,  &door_chardev },
	{ "value",  "netlink", run_value, &door_netlink },
	{ "value",  "procfs",  run_value, &door_procfs },
	{ "value",  "sockopt", run_value, &door_sockopt },
	{ "value",  "chardev", run_value, &door_chardev },
	{ "stream", "netlink", run_stream_netlink, NULL },
	{ "stream", "procfs",  run_stream_procfs,  NULL },
	{ "stream", "chardev", run_stream_chardev, NULL },
	{ "swarm",  "netlink", run_swarm_netlink,  NULL },
};

static double parse_double(const char *key, const char *v)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *end || d < 0)
		die("bad value for %s: '%s'", key, v);
	return d;
}

static uint64_t parse_u64(const char *key, const char *v)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || end == v || *end || *v == '-')
		die("bad value for %s: '%s'", key, v);
	return n;
}

static uint32_t parse_u32(const char *key, const char *v)
{
	uint64_t n = parse_u64(key, v);

	if (n > UINT32_MAX)
		die("bad value for %s: '%s'", key, v);
	return n;
}

static void parse_args(int argc, char **argv, struct bench_args *a)
{
	int i, count_given = 0;

	*a = (struct bench_args){
		.scenario = argv[1], .transport = argv[2],
		.threads = 1, .seconds = 2, .warmup = 0.5, .size = 64,
		.op = "set", .count = 20000, .timeout = 3, .mode = "read",
		.ring = 1048576, .sockets = 100,
	};
	for (i = 3; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const char *v;

		if (!eq)
			die("argument '%s' is not key=value", argv[i]);
		*eq = '\0';
		v = eq + 1;
		if (!strcmp(argv[i], "threads"))
			a->threads = parse_u32("threads", v);
		else if (!strcmp(argv[i], "seconds"))
			a->seconds = parse_double("seconds", v);
		else if (!strcmp(argv[i], "warmup"))
			a->warmup = parse_double("warmup", v);
		else if (!strcmp(argv[i], "size"))
			a->size = parse_u32("size", v), a->size_given = 1;
		else if (!strcmp(argv[i], "op"))
			a->op = v;
		else if (!strcmp(argv[i], "count"))
			a->count = parse_u64("count", v), count_given = 1;
		else if (!strcmp(argv[i], "timeout"))
			a->timeout = parse_double("timeout", v);
		else if (!strcmp(argv[i], "mode"))
			a->mode = v;
		else if (!strcmp(argv[i], "ring"))
			a->ring = parse_u32("ring", v);
		else if (!strcmp(argv[i], "sockets"))
			a->sockets = parse_u32("sockets", v);
		else
			die("unknown key '%s'", argv[i]);
	}
	/* Scenario defaults that differ from echo's. */
	if (!a->size_given && !strcmp(a->scenario, "value"))
		a->size = KCHAN_VALUE_MAX;
	if (!a->size_given && (!strcmp(a->scenario, "stream") ||
			       !strcmp(a->scenario, "swarm")))
		a->size = 768;
	if (!count_given && !strcmp(a->scenario, "swarm"))
		a->count = 2000;
	if (!a->threads)
		die("threads must be at least 1");
}

static void print_result(const struct bench_result *r)
{
	printf("result ops=%llu seconds=%.3f", (unsigned long long)r->ops,
	       r->seconds);
	if (r->has_bytes)
		printf(" bytes=%llu", (unsigned long long)r->bytes);
	if (r->has_lost)
		printf(" lost=%llu", (unsigned long long)r->lost);
	if (r->has_latency)
		printf(" p50_us=%.1f p99_us=%.1f", r->p50_us, r->p99_us);
	printf("\n");
	if (fflush(stdout))
		die_errno("write the result line");
}

int main(int argc, char **argv)
{
	struct bench_result r = { 0 };
	struct bench_args a;
	size_t i;

	if (argc < 3)
		usage();
	parse_args(argc, argv, &a);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcmp(table[i].scenario, a.scenario) ||
		    strcmp(table[i].transport, a.transport))
			continue;
		table[i].run(&a, table[i].arg, &r);
		print_result(&r);
		return 0;
	}
	unsupported("%s %s", a.scenario, a.transport);
}
