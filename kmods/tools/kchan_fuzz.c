// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_fuzz: arguments, the random source, mutations and the tally that
 * every per-transport fuzzer shares (kchan_fuzz.h says what they do).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kchan_fuzz.h"

static uint64_t parse_count(const char *key, const char *v)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || end == v)
		die("%s=%s is not a whole number", key, v);
	return n;
}

void fuzz_parse_args(int argc, char **argv, struct fuzz_args *a)
{
	int i;

	a->inputs = 10000;
	a->seed = 1;
	a->probe_every = 100;
	for (i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq)
			die("argument '%s' is not key=value (inputs=N seed=S probe_every=K)",
			    argv[i]);
		*eq = '\0';
		if (!strcmp(argv[i], "inputs"))
			a->inputs = parse_count("inputs", eq + 1);
		else if (!strcmp(argv[i], "seed"))
			a->seed = parse_count("seed", eq + 1);
		else if (!strcmp(argv[i], "probe_every"))
			a->probe_every = parse_count("probe_every", eq + 1);
		else
			die("unknown argument '%s' (inputs=N seed=S probe_every=K)",
			    argv[i]);
	}
	if (!a->probe_every)
		die("probe_every must be at least 1");
}

void fuzz_seed(struct fuzz_rng *r, uint64_t seed)
{
	/* xorshift never leaves 0; mix the seed so small seeds differ at once. */
	r->state = (seed ^ 0x9e3779b97f4a7c15ULL) | 1;
}

uint64_t fuzz_next(struct fuzz_rng *r)
{
	uint64_t x = r->state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

uint32_t fuzz_below(struct fuzz_rng *r, uint32_t n)
{
	return (uint32_t)((fuzz_next(r) >> 32) % n);
}

uint32_t fuzz_boundary(struct fuzz_rng *r)
{
	static const uint32_t fixed[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256,
		4095, 4096, 4097, 0x7fff, 0x8000, 0xfffe, 0xffff, 0x10000,
		0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
		KCHAN_KEY_MAX - 1, KCHAN_KEY_MAX, KCHAN_KEY_MAX + 1,
		KCHAN_VALUE_MAX - 1, KCHAN_VALUE_MAX, KCHAN_VALUE_MAX + 1,
		KCHAN_MSG_MAX - 1, KCHAN_MSG_MAX, KCHAN_MSG_MAX + 1,
	};

	return fixed[fuzz_below(r, sizeof(fixed) / sizeof(fixed[0]))];
}

void fuzz_fill(struct fuzz_rng *r, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)fuzz_next(r);
}

static void put_field(struct fuzz_rng *r, uint8_t *buf, size_t len)
{
	uint32_t v = fuzz_boundary(r);
	size_t width = fuzz_below(r, 2) ? 4 : 2;
	size_t at;

	if (len < width)
		return;
	at = fuzz_below(r, (uint32_t)(len - width + 1));
	if (width == 2) {
		uint16_t v16 = (uint16_t)v;

		memcpy(buf + at, &v16, 2);
	} else {
		memcpy(buf + at, &v, 4);
	}
}

static size_t mutate_once(struct fuzz_rng *r, uint8_t *buf, size_t len,
			  size_t cap)
{
	static const uint8_t bytes[] = { 0, 0x7f, 0x80, 0xff };
	size_t at, n;

	switch (fuzz_below(r, 7)) {
	case 0:
		if (len)
			buf[fuzz_below(r, (uint32_t)len)] ^= 1u << fuzz_below(r, 8);
		return len;
	case 1:
		if (len)
			buf[fuzz_below(r, (uint32_t)len)] = bytes[fuzz_below(r, 4)];
		return len;
	case 2:
		put_field(r, buf, len);
		return len;
	case 3:	/* duplicate a chunk in place of what follows it */
		if (len < 2)
			return len;
		at = fuzz_below(r, (uint32_t)len);
		n = 1 + fuzz_below(r, (uint32_t)(len - at));
		if (len + n > cap)
			return len;
		memmove(buf + at + n, buf + at, len - at);
		return len + n;
	case 4:	/* remove a chunk */
		if (!len)
			return len;
		at = fuzz_below(r, (uint32_t)len);
		n = 1 + fuzz_below(r, (uint32_t)(len - at));
		memmove(buf + at, buf + at + n, len - at - n);
		return len - n;
	case 5:
		return len ? fuzz_below(r, (uint32_t)len) : 0;
	default:
		n = 1 + fuzz_below(r, 64);
		if (len + n > cap)
			n = cap - len;
		fuzz_fill(r, buf + len, n);
		return len + n;
	}
}

size_t fuzz_mutate(struct fuzz_rng *r, uint8_t *buf, size_t len, size_t cap)
{
	uint32_t rounds = 1 + fuzz_below(r, 4);

	while (rounds--)
		len = mutate_once(r, buf, len, cap);
	return len;
}

void fuzz_count(struct fuzz_tally *t, int ret)
{
	t->inputs++;
	if (ret >= 0) {
		t->accepted++;
		return;
	}
	t->refused++;
	if (-ret < FUZZ_ERRNO_MAX)
		t->errnos[-ret]++;
	else
		t->errnos[0]++;
}

void fuzz_report(const struct fuzz_tally *t, const struct fuzz_args *a)
{
	const char *sep = "";
	int e;

	printf("result inputs=%llu accepted=%llu refused=%llu probes=%llu seed=%llu errnos=",
	       (unsigned long long)t->inputs, (unsigned long long)t->accepted,
	       (unsigned long long)t->refused, (unsigned long long)t->probes,
	       (unsigned long long)a->seed);
	for (e = 0; e < FUZZ_ERRNO_MAX; e++) {
		if (!t->errnos[e])
			continue;
		printf("%s%s:%llu", sep, e ? strerrorname_np(e) : "other",
		       (unsigned long long)t->errnos[e]);
		sep = ",";
	}
	printf("%s\n", *sep ? "" : "none");
}
