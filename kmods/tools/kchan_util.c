// SPDX-License-Identifier: GPL-2.0
/*
 * What every kmods/tools program shares: dying with one clear line, notes
 * on stderr, a monotonic clock, allocation that cannot return NULL.  Each
 * program defines prog, the name its messages start with.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kchan_bench.h"

/* Only the first failure speaks, whichever thread it comes from. */
static int dying;

void die(const char *fmt, ...)
{
	va_list ap;

	if (__atomic_exchange_n(&dying, 1, __ATOMIC_SEQ_CST)) {
		for (;;)
			pause();
	}
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void die_errno(const char *what)
{
	die("%s: %s (errno %d)", what, strerror(errno), errno);
}

void unsupported(const char *fmt, ...)
{
	va_list ap;

	fputs("unsupported: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

void note(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void *xalloc(size_t len)
{
	void *p = calloc(1, len);

	if (!p)
		die("calloc %zu bytes: out of memory", len);
	return p;
}

