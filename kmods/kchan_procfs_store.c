// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kchan/store: every store entry as one text line, in key order.
 *
 * A line is the key, a TAB, the value and a newline.  Bytes 0x20..0x7e
 * print as they are, except the backslash; every other byte (controls,
 * TAB, newline, DEL, 0x80..0xff) and the backslash print as "\x" and two
 * lowercase hex digits.  So a backslash always starts an escape, and TAB
 * and newline only ever separate: a reader splits each line at its one
 * TAB and turns every "\xNN" back into its byte.
 *
 * seq_file pages through any number of entries.  The iterator keeps a
 * cursor, the last key it took from the store, and a batch of the entries
 * that follow it, which kchan_core_list_fill() copies out under the store
 * lock; the lock is never held while seq_file copies to user space.  A
 * read that resumes after a change to the store goes on strictly after the
 * cursor: every key that stayed in the store is listed once, in order.
 * Reading counts no request in STATS: this is a view, not a kchan request.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>	/* hex_asc_hi/lo (linux/hex.h since 6.2) */
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/skbuff.h>
#include <linux/string.h>

#include "kchan_procfs.h"

/*
 * Batch skbs, sized so that the data and skb_shared_info fill the
 * allocation exactly: 16 KiB (order 2) for many small entries at a time,
 * 128 KiB (order 5, the least that holds an ENTRY nest of the largest key
 * and value) once an entry does not fit the small one.
 */
#define KCHAN_PROC_BATCH_SMALL	SKB_WITH_OVERHEAD(SZ_16K)
#define KCHAN_PROC_BATCH_LARGE	SKB_WITH_OVERHEAD(SZ_128K)

struct kchan_proc_store {
	struct sk_buff *batch;		/* ENTRY nests that follow... */
	struct kchan_list_cursor cursor; /* ...this key, the last taken */
	/*
	 * The entry at position @pos, in @batch; NULL before the first
	 * entry and after the last, when @batch is empty and @pos is the
	 * position the next entry gets.
	 */
	const struct nlattr *cur;
	loff_t pos;
};

/* Empty the batch, keep the cursor. */
static void kchan_proc_store_trim(struct kchan_proc_store *st)
{
	if (st->batch)
		skb_trim(st->batch, 0);
	st->cur = NULL;
}

static int kchan_proc_store_grow(struct kchan_proc_store *st,
				 unsigned int size)
{
	/*
	 * Reported to the reader as -ENOMEM: no allocation warning.  Kept
	 * while the file is open, by anyone who may read it: charged to the
	 * reader's memory cgroup.
	 */
	struct sk_buff *skb = alloc_skb(size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);

	if (!skb)
		return -ENOMEM;
	consume_skb(st->batch);
	st->batch = skb;
	return 0;
}

/*
 * Refill the batch with the entries after the cursor, which moves to the
 * last of them.  Return: how many (0 at the end), or -ENOMEM.
 */
static int kchan_proc_store_refill(struct kchan_proc_store *st)
{
	bool more;
	int n, err;

	if (!st->batch) {
		err = kchan_proc_store_grow(st, KCHAN_PROC_BATCH_SMALL);
		if (err)
			return err;
	}
	kchan_proc_store_trim(st);
	n = kchan_core_list_fill(st->batch, 0, &st->cursor,
				 skb_tailroom(st->batch), &more);
	if (n != -E2BIG)
		return n;
	/* The next entry does not fit this size: only a larger one helps. */
	if (skb_end_offset(st->batch) >= KCHAN_PROC_BATCH_LARGE)
		return -EMSGSIZE;
	err = kchan_proc_store_grow(st, KCHAN_PROC_BATCH_LARGE);
	if (err)
		return err;
	return kchan_core_list_fill(st->batch, 0, &st->cursor,
				    skb_tailroom(st->batch), &more);
}

/*
 * Move to the entry after the current one (or to the first after the
 * cursor when there is none): the next nest in the batch, else the first
 * of a refill.  Return: the entry, NULL at the end, or ERR_PTR(-errno);
 * @pos is its position (or the next one's) either way.
 */
static const struct nlattr *kchan_proc_store_advance(struct kchan_proc_store *st)
{
	const struct nlattr *next = NULL;
	const u8 *end;
	int n;

	if (st->cur) {
		/* The batch holds whole nests that kchan_core built. */
		next = (const void *)st->cur + NLA_ALIGN(st->cur->nla_len);
		end = st->batch->data + st->batch->len;
		if ((const u8 *)next >= end)
			next = NULL;
		st->pos++;
	}
	if (!next) {
		n = kchan_proc_store_refill(st);
		if (n < 0)
			return ERR_PTR(n);
		if (n)
			next = (const struct nlattr *)st->batch->data;
	}
	st->cur = next;
	return next;
}

static void *kchan_proc_store_start(struct seq_file *m, loff_t *ppos)
{
	struct kchan_proc_store *st = m->private;
	const struct nlattr *e;

	/* Again the entry that did not fit the last read's buffer. */
	if (st->cur && *ppos == st->pos)
		return (void *)st->cur;
	/* The usual case: the entry after the last one shown. */
	if (*ppos == st->pos + (st->cur ? 1 : 0))
		return (void *)kchan_proc_store_advance(st);

	/* Anywhere else (a seek, a read from 0 again): walk from the start. */
	kchan_proc_store_trim(st);
	st->cursor.len = 0;
	st->pos = 0;
	e = kchan_proc_store_advance(st);
	while (!IS_ERR_OR_NULL(e) && st->pos < *ppos)
		e = kchan_proc_store_advance(st);
	return (void *)e;
}

static void *kchan_proc_store_next(struct seq_file *m, void *v, loff_t *ppos)
{
	struct kchan_proc_store *st = m->private;
	const struct nlattr *e = kchan_proc_store_advance(st);

	/* @v was the entry at *ppos: advancing moved @pos one past it. */
	*ppos = st->pos;
	return (void *)e;
}

static void kchan_proc_store_stop(struct seq_file *m, void *v)
{
	/* Nothing is held between calls: the batch is a private copy. */
}

/* Whether a byte prints as itself in a store line. */
static bool kchan_proc_plain(u8 c)
{
	return c >= 0x20 && c <= 0x7e && c != '\\';
}

static void kchan_proc_put_escaped(struct seq_file *m, const u8 *p,
				   size_t len)
{
	size_t i, run = 0;
	char esc[4] = { '\\', 'x' };

	for (i = 0; i < len; i++) {
		if (kchan_proc_plain(p[i])) {
			run++;
			continue;
		}
		seq_write(m, p + i - run, run);
		run = 0;
		esc[2] = hex_asc_hi(p[i]);
		esc[3] = hex_asc_lo(p[i]);
		seq_write(m, esc, sizeof(esc));
	}
	seq_write(m, p + len - run, run);
}

static int kchan_proc_store_show(struct seq_file *m, void *v)
{
	const struct nlattr *entry = v;
	const struct nlattr *key = NULL, *val = NULL;
	struct nlattr *attr;
	int rem;

	nla_for_each_nested(attr, entry, rem) {
		if (nla_type(attr) == KCHAN_ATTR_KEY)
			key = attr;
		else if (nla_type(attr) == KCHAN_ATTR_VALUE)
			val = attr;
	}
	/* kchan_core puts both in every ENTRY. */
	if (WARN_ON_ONCE(!key || !val))
		return SEQ_SKIP;
	kchan_proc_put_escaped(m, nla_data(key), nla_len(key));
	seq_putc(m, '\t');
	kchan_proc_put_escaped(m, nla_data(val), nla_len(val));
	seq_putc(m, '\n');
	return 0;
}

static const struct seq_operations kchan_proc_store_seq_ops = {
	.start	= kchan_proc_store_start,
	.next	= kchan_proc_store_next,
	.stop	= kchan_proc_store_stop,
	.show	= kchan_proc_store_show,
};

static int kchan_proc_store_open(struct inode *inode, struct file *file)
{
	return seq_open_private(file, &kchan_proc_store_seq_ops,
				sizeof(struct kchan_proc_store));
}

static int kchan_proc_store_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct kchan_proc_store *st = m->private;

	consume_skb(st->batch);
	return seq_release_private(inode, file);
}

const struct proc_ops kchan_proc_store_ops = {
	.proc_open	= kchan_proc_store_open,
	.proc_read_iter	= seq_read_iter,
	.proc_lseek	= seq_lseek,
	.proc_release	= kchan_proc_store_release,
};
