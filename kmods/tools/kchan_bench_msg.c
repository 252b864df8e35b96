// SPDX-License-Identifier: GPL-2.0
/*
 * kchan_bench: kchan messages (header, attributes), Generic Netlink (the
 * "kchan" family resolved through nlctrl, requests, replies, the extended
 * ack) and plain netlink sockets for the raw unit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kchan_bench.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* ---- kchan messages ----------------------------------------------------- */

size_t put_attr(uint8_t *msg, size_t off, uint16_t type, const void *data,
		size_t len)
{
	struct nlattr attr = { .nla_len = NLA_HDRLEN + len, .nla_type = type };

	memcpy(msg + off, &attr, sizeof(attr));
	if (len)
		memcpy(msg + off + NLA_HDRLEN, data, len);
	memset(msg + off + NLA_HDRLEN + len, 0,
	       NLA_ALIGN(NLA_HDRLEN + len) - (NLA_HDRLEN + len));
	return off + NLA_ALIGN(NLA_HDRLEN + len);
}

size_t put_u32(uint8_t *msg, size_t off, uint16_t type, uint32_t v)
{
	return put_attr(msg, off, type, &v, sizeof(v));
}

size_t put_u64(uint8_t *msg, size_t off, uint16_t type, uint64_t v)
{
	return put_attr(msg, off, type, &v, sizeof(v));
}

/* Write the header of a @len-byte request; returns @len. */
size_t kchan_finish(uint8_t *msg, uint16_t cmd, uint32_t seq, size_t len)
{
	struct kchan_hdr hdr = { .cmd = cmd, .seq = seq, .len = len };

	memcpy(msg, &hdr, sizeof(hdr));
	return len;
}

/* GEN_START COUNT=@count SIZE=@size RATE=0 (flat out). */
size_t kchan_gen_start(uint8_t *msg, uint64_t count, uint32_t size)
{
	size_t off = KCHAN_HDR_LEN;

	off = put_u64(msg, off, KCHAN_ATTR_COUNT, count);
	off = put_u32(msg, off, KCHAN_ATTR_SIZE, size);
	off = put_u32(msg, off, KCHAN_ATTR_RATE, 0);
	return kchan_finish(msg, KCHAN_CMD_GEN_START, 1, off);
}

struct kchan_hdr kchan_header(const uint8_t *msg)
{
	struct kchan_hdr hdr;

	memcpy(&hdr, msg, sizeof(hdr));
	return hdr;
}

/* The first attribute @type among @len bytes of attributes, or NULL. */
const struct nlattr *find_attr(const uint8_t *attrs, size_t len,
			       uint16_t type)
{
	size_t off = 0;

	while (off + NLA_HDRLEN <= len) {
		const struct nlattr *a = (const void *)(attrs + off);

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > len)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		off += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

int attr_u64(const uint8_t *attrs, size_t len, uint16_t type, uint64_t *v)
{
	const struct nlattr *a = find_attr(attrs, len, type);

	if (!a || a->nla_len != NLA_HDRLEN + sizeof(*v))
		return -1;
	memcpy(v, (const uint8_t *)a + NLA_HDRLEN, sizeof(*v));
	return 0;
}

int attr_u32(const uint8_t *attrs, size_t len, uint16_t type, uint32_t *v)
{
	const struct nlattr *a = find_attr(attrs, len, type);

	if (!a || a->nla_len != NLA_HDRLEN + sizeof(*v))
		return -1;
	memcpy(v, (const uint8_t *)a + NLA_HDRLEN, sizeof(*v));
	return 0;
}

/* The ERRMSG of a failed kchan reply, or "" (a static copy). */
const char *kchan_errmsg(const uint8_t *attrs, size_t len)
{
	static __thread char text[KCHAN_ERRMSG_MAX + 1];
	const struct nlattr *a = find_attr(attrs, len, KCHAN_ATTR_ERRMSG);
	size_t n;

	if (!a)
		return "";
	n = a->nla_len - NLA_HDRLEN;
	if (n > KCHAN_ERRMSG_MAX)
		n = KCHAN_ERRMSG_MAX;
	memcpy(text, (const uint8_t *)a + NLA_HDRLEN, n);
	text[n] = '\0';
	return text;
}

/* ---- netlink sockets ---------------------------------------------------- */

/* A netlink socket of @protocol, bound, with the extended ack on. */
int nl_socket(int protocol)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, one = 1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (fd < 0) {
		if (protocol == KCHAN_RAW_UNIT_DEFAULT &&
		    errno == EPROTONOSUPPORT)
			die("socket AF_NETLINK protocol %d: %s (is kchan_netlink loaded?)",
			    protocol, strerror(errno));
		die_errno("socket AF_NETLINK");
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die_errno("bind AF_NETLINK");
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)))
		die_errno("setsockopt NETLINK_EXT_ACK");
	/* Errors need not echo a 64 KiB request back. */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)))
		die_errno("setsockopt NETLINK_CAP_ACK");
	return fd;
}

/* A receive buffer of @bytes: SO_RCVBUFFORCE (root), else SO_RCVBUF. */
void nl_set_rcvbuf(int fd, int bytes)
{
	int got = 0;
	socklen_t len = sizeof(got);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)))
		die_errno("setsockopt SO_RCVBUF");
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len))
		die_errno("getsockopt SO_RCVBUF");
	/* The kernel doubles what it is given; less means a cap applied. */
	if (got < bytes)
		note("receive buffer %d bytes, asked for %d", got, bytes);
}

/* The extended ack's text of an NLMSG_ERROR, or "" (a static copy). */
const char *nlerr_msg(const struct nlmsghdr *nlh)
{
	static __thread char text[256];
	const struct nlmsgerr *err = NLMSG_DATA(nlh);
	size_t off, len;
	const uint8_t *tlvs;
	const struct nlattr *a;

	text[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return text;
	off = NLMSG_HDRLEN + sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - NLMSG_HDRLEN;
	if (off >= nlh->nlmsg_len)
		return text;
	tlvs = (const uint8_t *)nlh + off;
	len = nlh->nlmsg_len - off;
	a = find_attr(tlvs, len, NLMSGERR_ATTR_MSG);
	if (a) {
		size_t n = a->nla_len - NLA_HDRLEN;

		if (n >= sizeof(text))
			n = sizeof(text) - 1;
		memcpy(text, (const uint8_t *)a + NLA_HDRLEN, n);
		text[n] = '\0';
	}
	return text;
}

/*
 * Check the one message a Generic Netlink request got back (@n bytes at
 * @buf): the request @seq's reply of family @type, or its NLMSG_ERROR.
 * Returns 0 with the attributes, or the negative errno with the extended
 * ack's text in *@errmsg; dies when the message is neither.
 */
int genl_reply(const uint8_t *buf, ssize_t n, uint32_t seq, uint16_t type,
	       const uint8_t **attrs, size_t *attrs_len, const char **errmsg)
{
	const struct nlmsghdr *nlh = (const void *)buf;

	*errmsg = "";
	if (n < (ssize_t)NLMSG_HDRLEN || nlh->nlmsg_len > (size_t)n ||
	    nlh->nlmsg_len < NLMSG_HDRLEN)
		die("netlink reply of %zd bytes is truncated", n);
	if (nlh->nlmsg_seq != seq)
		die("netlink reply seq %u, expected %u", nlh->nlmsg_seq, seq);
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(nlh);

		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
			die("netlink error message truncated");
		*errmsg = nlerr_msg(nlh);
		if (!e->error)
			die("netlink: an ack where a reply was due");
		return e->error;
	}
	if (nlh->nlmsg_type != type ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		die("netlink reply of type %u, expected %u", nlh->nlmsg_type, type);
	*attrs = buf + NLMSG_HDRLEN + GENL_HDRLEN;
	*attrs_len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	return 0;
}

/* ---- Generic Netlink ---------------------------------------------------- */

/* The nlctrl reply's "events" group id among CTRL_ATTR_MCAST_GROUPS. */
static uint32_t genl_events_group(const uint8_t *attrs, size_t len)
{
	const struct nlattr *groups = find_attr(attrs, len,
						CTRL_ATTR_MCAST_GROUPS);
	const uint8_t *p;
	size_t off = 0, glen;

	if (!groups)
		die("nlctrl: family %s has no multicast groups", KCHAN_GENL_NAME);
	p = (const uint8_t *)groups + NLA_HDRLEN;
	glen = groups->nla_len - NLA_HDRLEN;
	while (off + NLA_HDRLEN <= glen) {
		const struct nlattr *g = (const void *)(p + off);
		const uint8_t *ga = (const uint8_t *)g + NLA_HDRLEN;
		size_t galen = g->nla_len - NLA_HDRLEN;
		const struct nlattr *name;
		uint32_t id;

		if (g->nla_len < NLA_HDRLEN)
			break;
		name = find_attr(ga, galen, CTRL_ATTR_MCAST_GRP_NAME);
		if (name && attr_len(name) >= sizeof(KCHAN_MCGRP_EVENTS) &&
		    !strcmp((const char *)name + NLA_HDRLEN, KCHAN_MCGRP_EVENTS) &&
		    !attr_u32(ga, galen, CTRL_ATTR_MCAST_GRP_ID, &id))
			return id;
		off += NLA_ALIGN(g->nla_len);
	}
	die("nlctrl: family %s has no group \"%s\"", KCHAN_GENL_NAME,
	    KCHAN_MCGRP_EVENTS);
}

/* A Generic Netlink socket with the kchan family and its group resolved. */
void genl_open(struct genl *g)
{
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr gh;
		uint8_t attrs[32];
	} req = {
		.nlh = {
			.nlmsg_type = GENL_ID_CTRL,
			.nlmsg_flags = NLM_F_REQUEST,
			.nlmsg_seq = 1,
		},
		.gh = { .cmd = CTRL_CMD_GETFAMILY, .version = 1 },
	};
	const uint8_t *attrs;
	const char *errmsg;
	size_t alen, len;
	ssize_t n;
	uint16_t id;
	int err;

	memset(g, 0, sizeof(*g));
	g->buf = xalloc(NL_BUF_LEN);
	g->fd = nl_socket(NETLINK_GENERIC);
	g->seq = 1;
	len = put_attr(req.attrs, 0, CTRL_ATTR_FAMILY_NAME, KCHAN_GENL_NAME,
		       sizeof(KCHAN_GENL_NAME));
	req.nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + len;
	if (send(g->fd, &req, req.nlh.nlmsg_len, 0) < 0)
		die_errno("send CTRL_CMD_GETFAMILY");
	n = recv(g->fd, g->buf, NL_BUF_LEN, 0);
	if (n < 0)
		die_errno("recv CTRL_CMD_GETFAMILY reply");
	err = genl_reply(g->buf, n, 1, GENL_ID_CTRL, &attrs, &alen, &errmsg);
	if (err == -ENOENT)
		die("Generic Netlink family \"%s\" not found (is kchan_netlink loaded?)",
		    KCHAN_GENL_NAME);
	if (err)
		die("CTRL_CMD_GETFAMILY %s: %s (%s)", KCHAN_GENL_NAME,
		    strerror(-err), errmsg);
	{
		const struct nlattr *a = find_attr(attrs, alen,
						   CTRL_ATTR_FAMILY_ID);

		if (!a || a->nla_len < NLA_HDRLEN + sizeof(id))
			die("nlctrl: no CTRL_ATTR_FAMILY_ID for %s", KCHAN_GENL_NAME);
		memcpy(&id, (const uint8_t *)a + NLA_HDRLEN, sizeof(id));
	}
	g->family = id;
	g->events_group = genl_events_group(attrs, alen);
}

void genl_close(struct genl *g)
{
	if (close(g->fd))
		die_errno("close the Generic Netlink socket");
	free(g->buf);
}

/*
 * The Generic Netlink form of kchan request @kmsg: netlink and genl
 * headers, then its attributes (the kchan header's cmd, nothing else).
 * Returns the length written at @out.
 */
size_t genl_from_kchan(const struct genl *g, uint8_t *out,
		       const uint8_t *kmsg, uint32_t seq)
{
	struct kchan_hdr hdr = kchan_header(kmsg);
	size_t alen = hdr.len - KCHAN_HDR_LEN;
	struct nlmsghdr nlh = {
		.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + alen,
		.nlmsg_type = g->family,
		.nlmsg_flags = NLM_F_REQUEST,
		.nlmsg_seq = seq,
	};
	struct genlmsghdr gh = { .cmd = hdr.cmd, .version = KCHAN_GENL_VERSION };

	memcpy(out, &nlh, sizeof(nlh));
	memcpy(out + NLMSG_HDRLEN, &gh, sizeof(gh));
	memcpy(out + NLMSG_HDRLEN + GENL_HDRLEN, kmsg + KCHAN_HDR_LEN, alen);
	return nlh.nlmsg_len;
}

/* One control request (GEN_START, GEN_STOP, SET) on @g: its status. */
int genl_call_kchan(struct genl *g, const uint8_t *kmsg, const char **errmsg)
{
	/* Control requests come from the main thread only. */
	static uint8_t req[NL_BUF_LEN];
	const uint8_t *attrs;
	size_t alen, len;
	ssize_t n;

	len = genl_from_kchan(g, req, kmsg, ++g->seq);
	if (send(g->fd, req, len, 0) < 0)
		die_errno("send on the Generic Netlink socket");
	n = recv(g->fd, g->buf, NL_BUF_LEN, 0);
	if (n < 0)
		die_errno("recv on the Generic Netlink socket");
	return genl_reply(g->buf, n, g->seq, g->family, &attrs, &alen, errmsg);
}
