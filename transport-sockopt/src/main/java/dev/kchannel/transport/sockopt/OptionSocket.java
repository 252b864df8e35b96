// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt;

import dev.kchannel.transport.sockopt.raw.InetSocket;
import dev.kchannel.transport.sockopt.raw.OptionGrowth;
import java.nio.ByteBuffer;

/**
 * The socket a channel's calls go through, as the channel uses it: a get with size negotiation,
 * a set. An interface so that the channel's logic can be tested against a scripted kernel on any
 * machine.
 */
interface OptionSocket extends AutoCloseable {

    /** See {@link InetSocket#getOptionGrowing(int, int, ByteBuffer, ByteBuffer, OptionGrowth)}. */
    ByteBuffer get(int optname, ByteBuffer request, ByteBuffer reusable, OptionGrowth growth);

    /** See {@link InetSocket#setOption(int, int, ByteBuffer)}. */
    void set(int optname, ByteBuffer request);

    @Override
    void close();

    /** Options at level {@code IPPROTO_IP} of {@code socket}. */
    static OptionSocket over(InetSocket socket) {
        return new OptionSocket() {
            @Override
            public ByteBuffer get(int optname, ByteBuffer request, ByteBuffer reusable, OptionGrowth growth) {
                return socket.getOptionGrowing(InetSocket.IPPROTO_IP, optname, request, reusable, growth);
            }

            @Override
            public void set(int optname, ByteBuffer request) {
                socket.setOption(InetSocket.IPPROTO_IP, optname, request);
            }

            @Override
            public void close() {
                socket.close();
            }

            @Override
            public String toString() {
                return socket.toString();
            }
        };
    }
}
