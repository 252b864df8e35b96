// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_netlink's ICMP hook (icmp_events=1): a netfilter hook at
 * NF_INET_LOCAL_IN for IPv4 in init_net that posts one kchan_core PACKET
 * event per ICMP packet delivered to this host, so every subscriber of
 * every transport sees it.  The event's PAYLOAD is the 16 bytes described
 * at KCHAN_PACKET_ICMP in uapi/kchan.h: type, code, addresses, and the
 * echo identifier and sequence number for echo requests and replies.
 *
 * The hook runs in softirq for every IPv4 packet delivered locally: it
 * reads the headers it needs with skb_header_pointer(), which checks them
 * against the bytes really there, never trusts a length field, allocates
 * nothing itself and always lets the packet through.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/icmp.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <net/ip.h>
#include <net/net_namespace.h>

#include "kchan_nl.h"

/* The PAYLOAD layout of uapi/kchan.h, byte for byte. */
struct kchan_icmp_event {
	u8	kind;		/* KCHAN_PACKET_ICMP */
	u8	type;
	u8	code;
	u8	zero;
	__be32	saddr;
	__be32	daddr;
	__be16	echo_id;	/* 0 unless an echo request or reply */
	__be16	echo_seq;
};

static unsigned int kchan_icmp_hook(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct kchan_icmp_event event = { .kind = KCHAN_PACKET_ICMP };
	const struct icmphdr *icmph;
	const struct iphdr *iph;
	struct icmphdr icmp_buf;
	struct iphdr ip_buf;
	unsigned int ihl;

	BUILD_BUG_ON(sizeof(event) != KCHAN_PACKET_ICMP_LEN);

	iph = skb_header_pointer(skb, skb_network_offset(skb), sizeof(ip_buf),
				 &ip_buf);
	if (!iph || iph->protocol != IPPROTO_ICMP)
		return NF_ACCEPT;
	/*
	 * Only the first fragment holds the ICMP header.  LOCAL_IN sees
	 * reassembled packets, but the hook does not rely on that.
	 */
	if (ntohs(iph->frag_off) & IP_OFFSET)
		return NF_ACCEPT;
	ihl = iph->ihl * 4;
	if (ihl < sizeof(*iph))
		return NF_ACCEPT;
	icmph = skb_header_pointer(skb, skb_network_offset(skb) + ihl,
				   sizeof(icmp_buf), &icmp_buf);
	if (!icmph)
		return NF_ACCEPT;

	event.type = icmph->type;
	event.code = icmph->code;
	event.saddr = iph->saddr;
	event.daddr = iph->daddr;
	if (icmph->type == ICMP_ECHO || icmph->type == ICMP_ECHOREPLY) {
		event.echo_id = icmph->un.echo.id;
		event.echo_seq = icmph->un.echo.sequence;
	}
	/*
	 * Softirq-safe.  Should the event not be allocated, every subscriber
	 * counts it as lost, so nothing is hidden from them.
	 */
	kchan_core_post_packet(&event, sizeof(event));
	return NF_ACCEPT;
}

static const struct nf_hook_ops kchan_icmp_ops = {
	.hook		= kchan_icmp_hook,
	.pf		= NFPROTO_IPV4,
	.hooknum	= NF_INET_LOCAL_IN,
	/* After the filter table: what it drops is never reported. */
	.priority	= NF_IP_PRI_FILTER + 1,
};

int __init kchan_nl_icmp_init(void)
{
	int err;

	err = nf_register_net_hook(&init_net, &kchan_icmp_ops);
	if (err)
		pr_err("cannot register the ICMP hook: %d\n", err);
	return err;
}

/*
 * A CPU may still be inside the hook for an RCU grace period after this.
 * That is safe: the hook uses only kchan_core, which outlives this module,
 * and a module's code is freed only after a grace period (free_module()).
 */
void kchan_nl_icmp_exit(void)
{
	nf_unregister_net_hook(&init_net, &kchan_icmp_ops);
}
