#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""kchan_bench_pyroute2: the benchmarks' pyroute2 peer (bench/PEERS.md).

    kchan_bench_pyroute2.py echo netlink threads=1 seconds=2 warmup=0.5 size=64
    kchan_bench_pyroute2.py value netlink op=set|get size=65456 seconds=2 warmup=0.5
    kchan_bench_pyroute2.py stream netlink count=20000 size=768 timeout=3

A client of the Generic Netlink family "kchan" written the way a pyroute2
user writes one: a genlmsg subclass with kchan's attributes, a
GenericNetlinkSocket bound to the family, nlm_request() per call (it raises
NetlinkError on an NLMSG_ERROR reply), add_membership("events") and get()
for the events.  Debian's python3-pyroute2 (0.7.x), run by /usr/bin/python3.

Requests go without NLM_F_ACK: the family answers every doit with its reply
(or NLMSG_ERROR), so one send and one receive per call; each request message
is built once and sent again (nlm_request re-encodes it each time, which is
pyroute2's way).  Only one thread: pyroute2 sockets may be shared by threads
but the interpreter lock would make threads=N measure nothing useful, so
echo with threads > 1 is unsupported.
"""

import errno
import math
import os
import select
import socket
import sys
import time

from pyroute2.netlink import NLM_F_REQUEST, genlmsg, nla
from pyroute2.netlink.exceptions import NetlinkError
from pyroute2.netlink.generic import GenericNetlinkSocket

PROG = "kchan_bench_pyroute2"

# kmods/include/uapi/kchan.h
KCHAN_GENL_NAME = "kchan"
KCHAN_GENL_VERSION = 1
KCHAN_MCGRP_EVENTS = "events"
KCHAN_CMD_ECHO = 1
KCHAN_CMD_SET = 2
KCHAN_CMD_GET = 3
KCHAN_CMD_GEN_START = 7
KCHAN_CMD_GEN_STOP = 8
KCHAN_CMD_EVENT = 9
KCHAN_EVENT_GENERATED = 3
KCHAN_VALUE_MAX = 65456
KCHAN_PAYLOAD_MAX = 65531

VALUE_KEY = b"bench-value"
EVENT_RCVBUF = 4 * 1024 * 1024
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)

# enum kchan_attr, in order from 0.
_ATTRS = (
    ("KCHAN_ATTR_UNSPEC", "none"),
    ("KCHAN_ATTR_PAD", "none"),
    ("KCHAN_ATTR_PAYLOAD", "cdata"),
    ("KCHAN_ATTR_KEY", "cdata"),
    ("KCHAN_ATTR_VALUE", "cdata"),
    ("KCHAN_ATTR_CURSOR", "cdata"),
    ("KCHAN_ATTR_ENTRY", "kchan_nested"),
    ("KCHAN_ATTR_COUNT", "uint64"),
    ("KCHAN_ATTR_SIZE", "uint32"),
    ("KCHAN_ATTR_RATE", "uint32"),
    ("KCHAN_ATTR_EVENT_TYPE", "uint32"),
    ("KCHAN_ATTR_SEQ", "uint64"),
    ("KCHAN_ATTR_DROPPED", "uint64"),
    ("KCHAN_ATTR_ERRMSG", "asciiz"),
    ("KCHAN_ATTR_ERRATTR", "uint32"),
    ("KCHAN_ATTR_STORE_ENTRIES", "uint64"),
    ("KCHAN_ATTR_STORE_BYTES", "uint64"),
    ("KCHAN_ATTR_TRANSPORT_STATS", "kchan_nested"),
    ("KCHAN_ATTR_TRANSPORT", "uint32"),
    ("KCHAN_ATTR_STAT_REQUESTS", "uint64"),
    ("KCHAN_ATTR_STAT_ERRORS", "uint64"),
    ("KCHAN_ATTR_STAT_EVENTS", "uint64"),
    ("KCHAN_ATTR_STAT_DROPS", "uint64"),
    ("KCHAN_ATTR_GEN_INDEX", "uint64"),
)


class kchanmsg(genlmsg):
    """A kchan genl message: the attributes follow the genl header."""

    nla_map = _ATTRS

    class kchan_nested(nla):
        """ENTRY (KEY, VALUE) and TRANSPORT_STATS (TRANSPORT, STAT_*)."""

        nla_map = tuple(
            (name, "hex" if kind == "kchan_nested" else kind)
            for name, kind in _ATTRS
        )


class Failure(Exception):
    """One line for stderr, exit 1."""


def unsupported(text):
    print("unsupported: %s" % text, file=sys.stderr)
    sys.exit(2)


def describe(err):
    """A NetlinkError as errno, its name and the extended ack's message."""
    text = "-%d (%s)" % (err.code, os.strerror(err.code))
    if len(err.args) > 1 and err.args[1] and err.args[1] != os.strerror(err.code):
        text += ": %s" % err.args[1]
    return text


def open_socket(rcvbuf=None):
    """A GenericNetlinkSocket bound to the kchan family, extended acks on."""
    kwargs = {"ext_ack": True}
    if rcvbuf:
        kwargs["rcvbuf"] = rcvbuf
    sock = GenericNetlinkSocket(**kwargs)
    # pyroute2 logs a missing family itself; the failure line says it.
    sock.module_err_level = "debug"
    try:
        sock.bind(KCHAN_GENL_NAME, kchanmsg)
    except NetlinkError as err:
        sock.close()
        raise Failure(
            "GenericNetlinkSocket.bind(%r): %s (is kchan_netlink loaded?)"
            % (KCHAN_GENL_NAME, describe(err))
        )
    return sock


def request(cmd, attrs):
    msg = kchanmsg()
    msg["cmd"] = cmd
    msg["version"] = KCHAN_GENL_VERSION
    msg["attrs"] = attrs
    return msg


def call(sock, msg, what, expect_attr=None, expect=None):
    """One request, its one reply checked; returns the reply."""
    try:
        replies = sock.nlm_request(msg, msg_type=sock.prid, msg_flags=NLM_F_REQUEST)
    except NetlinkError as err:
        raise Failure("%s: the kernel answered %s" % (what, describe(err)))
    except OSError as err:
        raise Failure("%s: %s" % (what, err))
    if len(replies) != 1:
        raise Failure("%s: %d replies, one expected" % (what, len(replies)))
    reply = replies[0]
    if reply["header"]["type"] != sock.prid or reply["cmd"] != msg["cmd"]:
        raise Failure(
            "%s: wrong reply: type %d cmd %d"
            % (what, reply["header"]["type"], reply["cmd"])
        )
    if expect_attr is not None:
        got = reply.get_attr(expect_attr)
        if got != expect:
            raise Failure(
                "%s: wrong reply: %s differs from what was sent (%s bytes, %d expected)"
                % (what, expect_attr, None if got is None else len(got), len(expect))
            )
    return reply


def nearest_rank(sorted_ns, p):
    rank = max(1, int(math.ceil(p / 100.0 * len(sorted_ns))))
    return sorted_ns[rank - 1] / 1000.0


def measure(sock, msg, what, params, expect_attr=None, expect=None, bytes_per_op=None):
    """Calls for warmup + seconds; the result line of the window."""
    clock = time.perf_counter_ns
    start = clock() + int(params["warmup"] * 1e9)
    end = start + int(params["seconds"] * 1e9)
    samples = []
    last = 0
    while True:
        t1 = clock()
        call(sock, msg, what, expect_attr, expect)
        t2 = clock()
        if t2 > end:
            break
        if t1 >= start:
            samples.append(t2 - t1)
            last = t2
    if not samples:
        raise Failure("no call completed in the measured window")
    ops = len(samples)
    samples.sort()
    fields = ["ops=%d" % ops, "seconds=%.3f" % ((last - start) / 1e9)]
    if bytes_per_op is not None:
        fields.append("bytes=%d" % (ops * bytes_per_op))
    fields.append("p50_us=%.1f" % nearest_rank(samples, 50))
    fields.append("p99_us=%.1f" % nearest_rank(samples, 99))
    return "result " + " ".join(fields)


def run_echo(params):
    if params["threads"] != 1:
        unsupported("echo netlink threads=%d (%s runs one thread)" % (params["threads"], PROG))
    payload = bytes((i * 7 + 1) & 0xFF for i in range(params["size"]))
    sock = open_socket()
    try:
        msg = request(KCHAN_CMD_ECHO, [("KCHAN_ATTR_PAYLOAD", payload)])
        return measure(sock, msg, "ECHO", params, "KCHAN_ATTR_PAYLOAD", payload)
    finally:
        sock.close()


def run_value(params):
    size = params["size"]
    value = bytes((i * 13 + 5) & 0xFF for i in range(size))
    sock = open_socket()
    try:
        set_msg = request(
            KCHAN_CMD_SET, [("KCHAN_ATTR_KEY", VALUE_KEY), ("KCHAN_ATTR_VALUE", value)]
        )
        if params["op"] == "set":
            return measure(sock, set_msg, "SET", params, bytes_per_op=size)
        call(sock, set_msg, "SET (before the GETs)")
        get_msg = request(KCHAN_CMD_GET, [("KCHAN_ATTR_KEY", VALUE_KEY)])
        return measure(
            sock, get_msg, "GET", params, "KCHAN_ATTR_VALUE", value, bytes_per_op=size
        )
    finally:
        sock.close()


def run_stream(params):
    count, size = params["count"], params["size"]
    pattern = bytes(i & 0xFF for i in range(256 + size))
    timeout_ms = int(math.ceil(params["timeout"] * 1000))

    # Subscribe first.
    events = open_socket(rcvbuf=EVENT_RCVBUF)
    ctl = None
    try:
        try:
            events.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, EVENT_RCVBUF)
        except OSError as err:
            raise Failure("setsockopt(SO_RCVBUFFORCE, %d): %s" % (EVENT_RCVBUF, err))
        try:
            events.add_membership(KCHAN_MCGRP_EVENTS)
        except KeyError:
            raise Failure("family %r has no group %r" % (KCHAN_GENL_NAME, KCHAN_MCGRP_EVENTS))
        except OSError as err:
            raise Failure("add_membership(%r): %s" % (KCHAN_MCGRP_EVENTS, err))

        ctl = open_socket()
        try:
            call(ctl, request(KCHAN_CMD_GEN_STOP, []), "GEN_STOP")
        except Failure:
            pass  # the contract ignores GEN_STOP's error
        call(
            ctl,
            request(
                KCHAN_CMD_GEN_START,
                [
                    ("KCHAN_ATTR_COUNT", count),
                    ("KCHAN_ATTR_SIZE", size),
                    ("KCHAN_ATTR_RATE", 0),
                ],
            ),
            "GEN_START",
        )

        poller = select.poll()
        poller.register(events.fileno(), select.POLLIN)
        clock = time.perf_counter_ns
        ops = first = last = overruns = dropped_first = dropped_last = 0
        done = False
        while not done:
            if not poller.poll(timeout_ms):
                break
            try:
                msgs = events.get()
            except OSError as err:
                if err.errno == errno.ENOBUFS:
                    overruns += 1  # events lost, counted below
                    continue
                raise Failure("get (events): %s" % err)
            now = clock()
            for msg in msgs:
                if msg["header"]["type"] != events.prid or msg["cmd"] != KCHAN_CMD_EVENT:
                    continue
                if msg.get_attr("KCHAN_ATTR_EVENT_TYPE") != KCHAN_EVENT_GENERATED:
                    continue
                index = msg.get_attr("KCHAN_ATTR_GEN_INDEX")
                payload = msg.get_attr("KCHAN_ATTR_PAYLOAD")
                if index is None or payload is None or index >= count:
                    raise Failure("GENERATED event without a valid GEN_INDEX or PAYLOAD")
                start = index & 0xFF
                if payload != pattern[start:start + size]:
                    raise Failure(
                        "GENERATED event %d: bad payload (%d bytes)" % (index, len(payload))
                    )
                dropped = msg.get_attr("KCHAN_ATTR_DROPPED")
                if dropped is not None:
                    dropped_last = dropped
                    if not ops:
                        dropped_first = dropped
                if not ops:
                    first = now
                last = now
                ops += 1
                if index == count - 1:
                    done = True
        # Where the lost events went: the socket, or the kernel's queue.
        if ops < count:
            print(
                "%s: %d lost: %d receive buffer overruns (ENOBUFS), the kernel's"
                " DROPPED rose by %d between the first and the last event"
                % (PROG, count - ops, overruns, dropped_last - dropped_first),
                file=sys.stderr,
            )
        return "result ops=%d seconds=%.3f bytes=%d lost=%d" % (
            ops,
            (last - first) / 1e9 if ops else 0.0,
            ops * size,
            count - ops,
        )
    finally:
        if ctl is not None:
            ctl.close()
        events.close()


def parse_params(scenario, args):
    params = {
        "threads": 1,
        "seconds": 2.0,
        "warmup": 0.5,
        "size": {"echo": 64, "value": KCHAN_VALUE_MAX, "stream": 768}[scenario],
        "op": "set",
        "count": 20000,
        "timeout": 3.0,
    }
    keys = {
        "echo": {"threads": int, "seconds": float, "warmup": float, "size": int},
        "value": {"op": str, "size": int, "seconds": float, "warmup": float},
        # mode and ring are for chardev: nothing to do on netlink.
        "stream": {"count": int, "size": int, "timeout": float, "mode": str, "ring": str},
    }[scenario]
    for arg in args:
        key, sep, val = arg.partition("=")
        if not sep or key not in keys:
            raise Failure("unknown argument %s for %s" % (arg, scenario))
        try:
            params[key] = keys[key](val)
        except ValueError:
            raise Failure("bad %s=%s" % (key, val))
    limit = KCHAN_VALUE_MAX if scenario == "value" else KCHAN_PAYLOAD_MAX
    if not 0 <= params["size"] <= limit:
        raise Failure("bad size=%d: 0..%d" % (params["size"], limit))
    if params["threads"] < 1 or params["count"] < 1:
        raise Failure("threads and count must be at least 1")
    if params["seconds"] <= 0 or params["warmup"] < 0 or params["timeout"] <= 0:
        raise Failure("seconds and timeout must be > 0, warmup >= 0")
    if params["op"] not in ("set", "get"):
        raise Failure("bad op=%s: set or get expected" % params["op"])
    return params


def main(argv):
    if len(argv) < 3:
        print("usage: %s SCENARIO TRANSPORT [key=value]..." % PROG, file=sys.stderr)
        return 1
    scenario, transport = argv[1], argv[2]
    runners = {"echo": run_echo, "value": run_value, "stream": run_stream}
    if transport != "netlink" or scenario not in runners:
        unsupported("%s %s (%s does echo, value and stream over netlink)" % (scenario, transport, PROG))
    try:
        params = parse_params(scenario, argv[3:])
        line = runners[scenario](params)
    except Failure as err:
        print("%s: %s" % (PROG, err), file=sys.stderr)
        return 1
    except Exception as err:  # pyroute2 decoding errors and the like
        print("%s: %s: %s" % (PROG, type(err).__name__, err), file=sys.stderr)
        return 1
    print(line)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
