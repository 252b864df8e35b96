// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import java.util.List;
import java.util.function.Function;

/**
 * Opens {@link NetlinkConnection}s over a {@link ScriptedKernel}, for tests outside this package
 * (the kchan transport's) that need the kernel to answer on cue; and the answers, from the C
 * layouts.
 */
public final class ScriptedConnections {

    /** The port id scripted connections are bound to. */
    public static final int PORT = ScriptedKernel.PORT;

    private ScriptedConnections() {
    }

    /** A connection whose every request is answered with the datagrams {@code script} returns. */
    public static NetlinkConnection answering(Function<NetlinkMessage, List<byte[]>> script) {
        return new NetlinkConnection(new ScriptedKernel().answering(script), null);
    }

    /**
     * A multiplexed connection over scripted sockets: {@code sockets} gives the first, and one
     * more after each reset.
     */
    public static MultiplexedConnection multiplexed(java.util.function.Supplier<LiveScriptedKernel> sockets,
            int maxInFlight) {
        return MultiplexedConnection.over(sockets::get, maxInFlight);
    }

    /** A reply of {@code type} to {@code request} carrying {@code payload}. */
    public static byte[] reply(NetlinkMessage request, int type, byte[] payload) {
        return ScriptedKernel.reply(request, type, 0, payload);
    }

    /** The acknowledgement of {@code request}. */
    public static byte[] ack(NetlinkMessage request) {
        return ScriptedKernel.ack(request);
    }

    /** An NLMSG_ERROR with {@code error} and extended-ack attributes {@code tlvs}. */
    public static byte[] error(NetlinkMessage request, int error, byte[] tlvs) {
        return ScriptedKernel.error(request, error, tlvs);
    }
}
