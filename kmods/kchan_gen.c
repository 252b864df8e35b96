// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_core event generator: a kthread that emits COUNT GENERATED events
 * of SIZE payload bytes, at RATE events per second or as fast as it can,
 * for streaming tests and benchmarks.
 *
 * One generator at a time.  The thread does not exit when it is done: it
 * waits for kthread_stop(), so whoever stops it (GEN_STOP, the next
 * GEN_START, module exit) always holds a valid task_struct.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>

#include "kchan_internal.h"

/* Paced runs emit back to back until they are this far ahead of time. */
#define KCHAN_GEN_SLACK_NS	(100 * NSEC_PER_USEC)
/* Shorter waits use a high-resolution sleep, longer ones a wakeable one. */
#define KCHAN_GEN_HRSLEEP_NS	(20 * NSEC_PER_MSEC)
#define KCHAN_GEN_HRSLEEP_SLACK_US	50

struct kchan_gen {
	struct task_struct *task;	/* NULL when no thread exists */
	u64 count;
	u32 size;
	u32 rate;			/* events per second, 0: flat out */
	bool done;			/* the thread emitted its last event */
};

/* Guards kchan_generator; the thread itself only reads the parameters. */
static DEFINE_MUTEX(kchan_gen_lock);
static struct kchan_gen kchan_generator;

static void kchan_gen_emit(const struct kchan_gen *gen, u64 index)
{
	struct kchan_event *ev;
	u8 *payload;
	u32 i;

	if (!kchan_events_wanted())
		return;

	ev = kchan_event_alloc(KCHAN_EVENT_GENERATED,
			       KCHAN_ATTR_SPACE(gen->size), GFP_KERNEL);
	if (!ev) {
		kchan_events_lost();
		return;
	}
	ev->has_index = true;
	ev->index = index;
	payload = kchan_event_reserve_attr(ev, KCHAN_ATTR_PAYLOAD, gen->size);
	if (!payload) {
		kchan_event_put(ev);
		kchan_events_lost();
		return;
	}
	/* Cheap and checkable: byte i is (index + i) mod 256. */
	for (i = 0; i < gen->size; i++)
		payload[i] = (u8)(index + i);

	kchan_event_post(ev);
	kchan_event_put(ev);
}

/* Sleep until event @index is due, unless asked to stop. */
static void kchan_gen_pace(u64 start, u64 index, u32 rate)
{
	/* index < gen_max_count <= 10^9, so this product stays below 2^63. */
	u64 due = start + div_u64(index * NSEC_PER_SEC, rate);

	while (!kthread_should_stop()) {
		u64 now = ktime_get_ns();
		u64 ahead;

		if (due <= now + KCHAN_GEN_SLACK_NS)
			return;
		ahead = due - now;
		if (ahead < KCHAN_GEN_HRSLEEP_NS) {
			unsigned long us = div_u64(ahead, NSEC_PER_USEC);

			usleep_range(us, us + KCHAN_GEN_HRSLEEP_SLACK_US);
			continue;
		}
		/*
		 * kthread_stop() wakes this sleep; setting the state
		 * before the last check keeps that wake-up from being lost.
		 */
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule_timeout(nsecs_to_jiffies(ahead));
		__set_current_state(TASK_RUNNING);
	}
}

static void kchan_gen_wait_for_stop(void)
{
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}

static int kchan_gen_thread(void *data)
{
	struct kchan_gen *gen = data;
	u64 start = ktime_get_ns();
	u64 index;

	for (index = 0; index < gen->count; index++) {
		if (gen->rate)
			kchan_gen_pace(start, index, gen->rate);
		if (kthread_should_stop())
			break;
		kchan_gen_emit(gen, index);
		cond_resched();
	}
	WRITE_ONCE(gen->done, true);
	kchan_gen_wait_for_stop();
	return 0;
}

/* Stop and reap the thread, if any.  Called with kchan_gen_lock held. */
static void kchan_gen_reap(void)
{
	if (!kchan_generator.task)
		return;
	kthread_stop(kchan_generator.task);
	kchan_generator.task = NULL;
}

int kchan_gen_start(u64 count, u32 size, u32 rate,
		    struct netlink_ext_ack *extack)
{
	struct task_struct *task;
	int err = 0;

	mutex_lock(&kchan_gen_lock);
	if (kchan_generator.task && !READ_ONCE(kchan_generator.done)) {
		NL_SET_ERR_MSG(extack, "a generator is already running");
		err = -EBUSY;
		goto unlock;
	}
	/* A finished thread still waits to be reaped before the next. */
	kchan_gen_reap();

	kchan_generator.count = count;
	kchan_generator.size = size;
	kchan_generator.rate = rate;
	kchan_generator.done = false;
	task = kthread_run(kchan_gen_thread, &kchan_generator, "kchan_gen");
	if (IS_ERR(task)) {
		NL_SET_ERR_MSG(extack, "cannot start the generator thread");
		err = PTR_ERR(task);
		goto unlock;
	}
	kchan_generator.task = task;
unlock:
	mutex_unlock(&kchan_gen_lock);
	return err;
}

/*
 * Stop the generator and wait for its thread.  Idempotent: stopping when
 * none runs (never started, finished, or stopped already) is a success.
 */
void kchan_gen_stop(void)
{
	mutex_lock(&kchan_gen_lock);
	kchan_gen_reap();
	mutex_unlock(&kchan_gen_lock);
}
