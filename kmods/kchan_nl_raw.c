// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_netlink's raw protocol unit (raw_unit, KCHAN_RAW_UNIT_DEFAULT):
 * kchan messages on a netlink unit of their own, in the classic style of
 * crypto_user, for clients that speak plain netlink without Generic
 * Netlink.  Each netlink message carries one whole kchan message (header
 * included) and nlmsg_type says what it is for; see uapi/kchan.h.
 *
 * Requests.  Input runs in the sender's context and decides there all
 * that needs the sender's socket, which is only reachable while input
 * runs: its port id and whether it holds CAP_NET_ADMIN.  It checks that
 * the payload is one kchan message (length, header len), copies it into a
 * work item and queues it; kchan_core_call() then validates, runs and
 * counts it from a workqueue, decoupled from receiving, and the reply goes
 * back without waiting (MSG_DONTWAIT).  At most raw_queue_len requests and
 * raw_queue_bytes of them are queued or running; beyond that, and for
 * payloads that are no kchan message, input refuses with NLMSG_ERROR and
 * an extended ack, and counts the refusal in STATS.
 *
 * Endpoints.  HELLO registers the sending socket's port id.  Each endpoint
 * is one kchan_core subscriber plus a kernel thread of its own that takes
 * its events and unicasts them.  A full receive buffer does not lose the
 * event: the thread keeps it and offers it again after a short sleep, so
 * events are lost only in the subscriber's bounded queue, where kchan_core
 * counts them (SEQ and DROPPED stay exact).  BYE, or the socket's close
 * (NETLINK_URELEASE), forgets the endpoint: the subscriber is detached,
 * the thread stopped and the subscriber released before that returns, so
 * nothing is pushed to a forgotten endpoint.
 *
 * Locking.  kchan_raw_eps_lock (a mutex) guards the endpoint list and is
 * held while an endpoint is made or torn down, kthread_stop() included;
 * the endpoint threads never take it.  The wake callback runs with
 * kchan_core's spinlock held and interrupts off: it only wakes the thread.
 * kchan_raw_queue_lock guards the in-flight counters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "kchan_nl.h"

/*
 * How long an endpoint's thread sleeps before it offers an event again to
 * a full receive buffer, or retries after an allocation failed.  Netlink
 * has no way to wait for room without blocking where kthread_stop()
 * cannot interrupt, so the thread polls; the reader's next recvmsg()
 * makes room for it.
 */
#define KCHAN_RAW_RETRY_MS	10

/* One request on its way from input to kchan_core_call(). */
struct kchan_raw_req {
	struct work_struct work;
	u32 portid;		/* the sender, where the reply goes */
	u32 nlseq;		/* its nlmsg_seq, copied into the reply */
	bool may_mutate;	/* it held CAP_NET_ADMIN when it sent this */
	u32 len;
	u8 msg[] __aligned(8);	/* the kchan message */
};

/* One registered socket and the thread that pushes its events. */
struct kchan_raw_ep {
	struct list_head node;		/* in kchan_raw_eps */
	u32 portid;
	struct kchan_sub *sub;
	struct task_struct *thread;
	wait_queue_head_t wait;		/* the thread waits for events here */
};

static struct sock *kchan_raw_sk;
static struct workqueue_struct *kchan_raw_wq;

static DEFINE_SPINLOCK(kchan_raw_queue_lock);
static unsigned int kchan_raw_queued;		/* requests queued or running */
static unsigned long kchan_raw_queued_bytes;	/* and their message bytes */

static DEFINE_MUTEX(kchan_raw_eps_lock);
static LIST_HEAD(kchan_raw_eps);

/*
 * Send @msg, one kchan message, as the payload of a netlink message of
 * @type to @portid.  Never waits for room.
 *
 * Return: 0, -ENOMEM, or what netlink_unicast() failed with (-EAGAIN for
 * a full receive buffer, -ECONNREFUSED when no socket has @portid).
 */
static int kchan_raw_unicast(const struct sk_buff *msg, u32 portid,
			     u32 nlseq, u16 type)
{
	struct nlmsghdr *nlh;
	struct sk_buff *skb;
	int err;

	skb = nlmsg_new(msg->len, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	/* A reply names its requester's port, as netlink replies do. */
	nlh = nlmsg_put(skb, type == KCHAN_RAW_MSG_REPLY ? portid : 0, nlseq,
			type, msg->len, 0);
	/* Sized above; the copy is within a linear skb. */
	if (WARN_ON_ONCE(!nlh) ||
	    WARN_ON_ONCE(skb_copy_bits(msg, 0, nlmsg_data(nlh), msg->len))) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	nlmsg_end(skb, nlh);
	/* netlink_unicast() consumes the skb whatever happens. */
	err = netlink_unicast(kchan_raw_sk, skb, portid, MSG_DONTWAIT);
	return err < 0 ? err : 0;
}

/* ---- requests ---------------------------------------------------------- */

/* Take room for one request of @len bytes; false when there is none. */
static bool kchan_raw_reserve(u32 len)
{
	bool ok;

	spin_lock(&kchan_raw_queue_lock);
	ok = kchan_raw_queued < kchan_nl_raw_queue_len &&
	     kchan_raw_queued_bytes + len <= kchan_nl_raw_queue_bytes;
	if (ok) {
		kchan_raw_queued++;
		kchan_raw_queued_bytes += len;
	}
	spin_unlock(&kchan_raw_queue_lock);
	return ok;
}

static void kchan_raw_unreserve(u32 len)
{
	spin_lock(&kchan_raw_queue_lock);
	kchan_raw_queued--;
	kchan_raw_queued_bytes -= len;
	spin_unlock(&kchan_raw_queue_lock);
}

static void kchan_raw_work(struct work_struct *work)
{
	struct kchan_raw_req *req = container_of(work, struct kchan_raw_req,
						 work);
	const struct kchan_caller caller = {
		.transport = KCHAN_TRANSPORT_NETLINK,
		.may_mutate = req->may_mutate,
	};
	u32 portid = req->portid;
	u32 nlseq = req->nlseq;
	u32 len = req->len;
	struct sk_buff *reply;

	reply = kchan_core_call(&caller, req->msg, len);
	/*
	 * The request is done: give its room back before the reply leaves,
	 * so a sender that waits for each reply never finds the queue full
	 * of its own earlier request.
	 */
	kvfree(req);
	kchan_raw_unreserve(len);
	/*
	 * Not even an error reply could be allocated: nothing can be sent.
	 * Otherwise a requester that has gone (-ECONNREFUSED) or does not
	 * read (-EAGAIN: netlink reports the overrun to it as ENOBUFS) loses
	 * its reply; the request counted in STATS all the same.
	 */
	if (!IS_ERR(reply)) {
		kchan_raw_unicast(reply, portid, nlseq, KCHAN_RAW_MSG_REPLY);
		consume_skb(reply);
	}
}

/*
 * Whether the payload is one kchan message, as far as framing goes; the
 * texts and errnos are kchan_core's for the same faults.  Everything else
 * (flags, command, attributes) kchan_core_call() checks and answers in
 * the reply.
 */
static int kchan_raw_check_frame(const void *msg, u32 len,
				 struct netlink_ext_ack *extack)
{
	struct kchan_hdr hdr;

	if (len > KCHAN_MSG_MAX) {
		NL_SET_ERR_MSG(extack, "message longer than KCHAN_MSG_MAX");
		return -EMSGSIZE;
	}
	if (len < KCHAN_HDR_LEN) {
		NL_SET_ERR_MSG(extack, "message shorter than the kchan header");
		return -EINVAL;
	}
	/* The payload is 4-byte aligned; the header is copied anyway. */
	memcpy(&hdr, msg, sizeof(hdr));
	if (hdr.len != len) {
		NL_SET_ERR_MSG(extack, "header len differs from message length");
		return -EINVAL;
	}
	return 0;
}

static int kchan_raw_request(struct sk_buff *skb, const struct nlmsghdr *nlh,
			     struct netlink_ext_ack *extack)
{
	/* netlink_rcv_skb() checked nlmsg_len against the skb. */
	u32 len = nlmsg_len(nlh);
	struct kchan_raw_req *req;
	int err;

	err = kchan_raw_check_frame(nlmsg_data(nlh), len, extack);
	if (err)
		goto account;
	if (!kchan_raw_reserve(len)) {
		NL_SET_ERR_MSG(extack,
			       "request queue full (raw_queue_len/raw_queue_bytes), retry later");
		err = -ENOBUFS;
		goto account;
	}
	/* Charged to the sender, whose context this is. */
	req = kvmalloc(struct_size(req, msg, len), GFP_KERNEL_ACCOUNT);
	if (!req) {
		NL_SET_ERR_MSG(extack, "no memory to queue the request");
		err = -ENOMEM;
		goto unreserve;
	}
	INIT_WORK(&req->work, kchan_raw_work);
	req->portid = NETLINK_CB(skb).portid;
	req->nlseq = nlh->nlmsg_seq;
	req->may_mutate = netlink_capable(skb, CAP_NET_ADMIN);
	req->len = len;
	memcpy(req->msg, nlmsg_data(nlh), len);
	queue_work(kchan_raw_wq, &req->work);
	return 0;

unreserve:
	kchan_raw_unreserve(len);
account:
	/* kchan_core_call() counts the queued ones. */
	kchan_core_account(KCHAN_TRANSPORT_NETLINK, err);
	return err;
}

/* ---- endpoints --------------------------------------------------------- */

/* Any context, kchan_core's spinlock held, interrupts off. */
static void kchan_raw_ep_wake(void *ctx)
{
	struct kchan_raw_ep *ep = ctx;

	wake_up(&ep->wait);
}

/*
 * After the socket has gone the thread has nothing left to do, but it
 * must not exit before kthread_stop(), which needs the task alive.
 */
static void kchan_raw_ep_idle(void)
{
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
}

/* Wait a little before trying again; kthread_stop() cuts it short. */
static void kchan_raw_ep_pause(void)
{
	schedule_timeout_interruptible(msecs_to_jiffies(KCHAN_RAW_RETRY_MS));
}

static bool kchan_raw_ep_woken(struct kchan_raw_ep *ep)
{
	return kchan_sub_pending(ep->sub) || kthread_should_stop();
}

static int kchan_raw_ep_thread(void *data)
{
	struct kchan_raw_ep *ep = data;
	struct sk_buff *event = NULL;
	int err;

	while (!kthread_should_stop()) {
		if (!event) {
			event = kchan_sub_next(ep->sub);
			if (!event) {
				wait_event_interruptible(ep->wait,
							 kchan_raw_ep_woken(ep));
				continue;
			}
			if (IS_ERR(event)) {
				/* No memory; the event stays queued. */
				event = NULL;
				kchan_raw_ep_pause();
				continue;
			}
		}
		err = kchan_raw_unicast(event, ep->portid, 0,
					KCHAN_RAW_MSG_EVENT);
		if (!err) {
			consume_skb(event);
			event = NULL;
			continue;
		}
		/* Anything but no room: the socket has gone. */
		if (err != -EAGAIN && err != -ENOMEM)
			break;
		/* Keep the event and offer it again. */
		kchan_raw_ep_pause();
	}
	/* An event taken but never delivered dies with its endpoint. */
	kfree_skb(event);
	kchan_raw_ep_idle();
	return 0;
}

/* Call with kchan_raw_eps_lock held. */
static struct kchan_raw_ep *kchan_raw_ep_find(u32 portid)
{
	struct kchan_raw_ep *ep;

	list_for_each_entry(ep, &kchan_raw_eps, node)
		if (ep->portid == portid)
			return ep;
	return NULL;
}

/* Call with kchan_raw_eps_lock held, from the sender's context. */
static struct kchan_raw_ep *kchan_raw_ep_create(u32 portid,
						struct netlink_ext_ack *extack)
{
	struct kchan_raw_ep *ep;
	int err;

	/* Charged to the sender, like its subscriber. */
	ep = kzalloc(sizeof(*ep), GFP_KERNEL_ACCOUNT);
	if (!ep) {
		NL_SET_ERR_MSG(extack, "no memory for an endpoint");
		return ERR_PTR(-ENOMEM);
	}
	ep->portid = portid;
	init_waitqueue_head(&ep->wait);

	ep->sub = kchan_sub_open(KCHAN_TRANSPORT_NETLINK, kchan_raw_ep_wake,
				 ep);
	if (IS_ERR(ep->sub)) {
		err = PTR_ERR(ep->sub);
		if (err == -EMFILE)
			NL_SET_ERR_MSG(extack,
				       "no room for another event subscriber (kchan_core max_subscribers)");
		else
			NL_SET_ERR_MSG(extack, "cannot subscribe to events");
		goto free_ep;
	}
	/* Until the thread runs, a wake finds an empty wait queue: harmless. */
	ep->thread = kthread_run(kchan_raw_ep_thread, ep, "kchan_raw/%u",
				 portid);
	if (IS_ERR(ep->thread)) {
		err = PTR_ERR(ep->thread);
		NL_SET_ERR_MSG(extack, "cannot start the endpoint's thread");
		goto close_sub;
	}
	return ep;

close_sub:
	/* The wake callback leaves nothing behind to wait for. */
	kchan_sub_close(ep->sub);
free_ep:
	kfree(ep);
	return ERR_PTR(err);
}

/*
 * kchan_core's order for a subscriber whose wake starts something: detach
 * (no wake from now on), stop what the wake starts (the thread, which
 * pushes nothing once this returns), release.  The thread does not take
 * kchan_raw_eps_lock, so the caller may hold it across kthread_stop().
 */
static void kchan_raw_ep_destroy(struct kchan_raw_ep *ep)
{
	kchan_sub_detach(ep->sub);
	kthread_stop(ep->thread);
	kchan_sub_release(ep->sub);
	kfree(ep);
}

/* Forget the endpoint of @portid, if there is one. */
static void kchan_raw_ep_forget(u32 portid)
{
	struct kchan_raw_ep *ep;

	mutex_lock(&kchan_raw_eps_lock);
	ep = kchan_raw_ep_find(portid);
	if (ep) {
		list_del(&ep->node);
		kchan_raw_ep_destroy(ep);
	}
	mutex_unlock(&kchan_raw_eps_lock);
}

static int kchan_raw_hello(struct sk_buff *skb, const struct nlmsghdr *nlh,
			   struct netlink_ext_ack *extack)
{
	u32 portid = NETLINK_CB(skb).portid;
	struct kchan_raw_ep *ep;
	int err = 0;

	if (nlmsg_len(nlh)) {
		NL_SET_ERR_MSG(extack, "HELLO carries no payload");
		return -EINVAL;
	}
	/* Events carry traffic (PACKET) unprivileged users must not read. */
	if (!netlink_capable(skb, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG(extack, "HELLO needs CAP_NET_ADMIN");
		return -EPERM;
	}

	mutex_lock(&kchan_raw_eps_lock);
	/* Registered already: nothing to do, and no error. */
	if (kchan_raw_ep_find(portid))
		goto unlock;
	ep = kchan_raw_ep_create(portid, extack);
	if (IS_ERR(ep)) {
		err = PTR_ERR(ep);
		goto unlock;
	}
	list_add_tail(&ep->node, &kchan_raw_eps);
unlock:
	mutex_unlock(&kchan_raw_eps_lock);
	return err;
}

static int kchan_raw_bye(struct sk_buff *skb, const struct nlmsghdr *nlh,
			 struct netlink_ext_ack *extack)
{
	if (nlmsg_len(nlh)) {
		NL_SET_ERR_MSG(extack, "BYE carries no payload");
		return -EINVAL;
	}
	/* Like a second HELLO, a BYE without an endpoint is no error. */
	kchan_raw_ep_forget(NETLINK_CB(skb).portid);
	return 0;
}

/* A socket of our unit closed: its endpoint, if any, goes with it. */
static int kchan_raw_notify(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	const struct netlink_notify *n = ptr;

	if (event != NETLINK_URELEASE || n->protocol != kchan_nl_raw_unit ||
	    !net_eq(n->net, &init_net))
		return NOTIFY_DONE;
	kchan_raw_ep_forget(n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block kchan_raw_notifier = {
	.notifier_call = kchan_raw_notify,
};

/* ---- input ------------------------------------------------------------- */

/* In the sender's context: the one place its socket can be asked. */
static int kchan_raw_rcv_msg(struct sk_buff *skb, struct nlmsghdr *nlh,
			     struct netlink_ext_ack *extack)
{
	switch (nlh->nlmsg_type) {
	case KCHAN_RAW_MSG_REQUEST:
		return kchan_raw_request(skb, nlh, extack);
	case KCHAN_RAW_MSG_HELLO:
		return kchan_raw_hello(skb, nlh, extack);
	case KCHAN_RAW_MSG_BYE:
		return kchan_raw_bye(skb, nlh, extack);
	case KCHAN_RAW_MSG_REPLY:
	case KCHAN_RAW_MSG_EVENT:
		NL_SET_ERR_MSG(extack, "REPLY and EVENT are sent by the kernel only");
		return -EOPNOTSUPP;
	default:
		NL_SET_ERR_MSG(extack, "unknown message type");
		return -EOPNOTSUPP;
	}
}

static void kchan_raw_input(struct sk_buff *skb)
{
	netlink_rcv_skb(skb, kchan_raw_rcv_msg);
}

int __init kchan_nl_raw_init(void)
{
	struct netlink_kernel_cfg cfg = {
		.input = kchan_raw_input,
	};
	int err;

	/* Requests wait for no one another: unbound, run in parallel. */
	kchan_raw_wq = alloc_workqueue("kchan_nl_raw", WQ_UNBOUND, 0);
	if (!kchan_raw_wq)
		return -ENOMEM;
	err = netlink_register_notifier(&kchan_raw_notifier);
	if (err) {
		pr_err("cannot register a netlink notifier: %d\n", err);
		goto destroy_wq;
	}
	/* Input runs from here on. */
	kchan_raw_sk = netlink_kernel_create(&init_net, kchan_nl_raw_unit,
					     &cfg);
	if (!kchan_raw_sk) {
		/* The one failure besides no memory: a kernel socket exists. */
		pr_err("cannot create netlink unit %d: taken by another module, or no memory\n",
		       kchan_nl_raw_unit);
		err = -EADDRINUSE;
		goto unregister_notifier;
	}
	return 0;

unregister_notifier:
	netlink_unregister_notifier(&kchan_raw_notifier);
destroy_wq:
	destroy_workqueue(kchan_raw_wq);
	return err;
}

/*
 * Input has stopped before this runs: every user socket of the unit holds
 * a reference on this module from its creation to its close (netlink
 * takes it for the unit's owner), so exit only starts once all are
 * closed, and no new one can be made; their close forgot their endpoints.
 * Their requests may still be queued: drain them (replies to ports that
 * have gone fail harmlessly) while the kernel socket still exists.
 */
void kchan_nl_raw_exit(void)
{
	struct kchan_raw_ep *ep, *tmp;

	destroy_workqueue(kchan_raw_wq);

	/* None is left, as said above; should one be, it must not leak. */
	mutex_lock(&kchan_raw_eps_lock);
	list_for_each_entry_safe(ep, tmp, &kchan_raw_eps, node) {
		pr_err("endpoint %u left registered, forgetting it\n",
		       ep->portid);
		list_del(&ep->node);
		kchan_raw_ep_destroy(ep);
	}
	mutex_unlock(&kchan_raw_eps_lock);

	netlink_kernel_release(kchan_raw_sk);
	netlink_unregister_notifier(&kchan_raw_notifier);
}
