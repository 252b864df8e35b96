// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt.raw;

import java.nio.ByteBuffer;

/**
 * For tests outside this package: an {@link InetSocket} over a kernel that answers every
 * {@code getsockopt(2)} the same way, whatever the option and the request: it writes as much of
 * {@code answer} as the buffer holds, leaves {@code reportedLength} in {@code *optlen}, true or
 * not, and succeeds (as kchan_sockopt says "the buffer is too small", by a larger length). Sets
 * succeed and change nothing.
 */
public final class FixedAnswerSockets {

    private FixedAnswerSockets() {
    }

    /** The socket; closing it closes nothing real. */
    public static InetSocket answering(byte[] answer, int reportedLength) {
        return InetSocket.open(new OneSocketOptionCalls() {
            @Override
            public int getsockopt(int fd, int level, int optname, ByteBuffer buffer, int[] optlen) {
                int written = Math.max(0, Math.min(optlen[0], answer.length));
                buffer.duplicate().put(answer, 0, written);
                optlen[0] = reportedLength;
                return 0;
            }
        }, SocketType.DATAGRAM);
    }
}
