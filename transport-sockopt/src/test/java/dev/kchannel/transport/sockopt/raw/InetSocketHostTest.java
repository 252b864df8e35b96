// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The raw layer against the host kernel's own socket options, through the real system calls. */
class InetSocketHostTest {

    /** SOCK_DGRAM and SOCK_STREAM as the kernel numbers them, answered by SO_TYPE. */
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_STREAM = 1;
    /** Far above any descriptor this JVM has open, so the kernel knows no such file. */
    private static final int UNUSED_DESCRIPTOR = 1_000_000;

    @Test
    void soTypeNamesTheKindOfSocketOpened() {
        try (InetSocket datagram = InetSocket.open(); InetSocket stream = InetSocket.open(SocketType.STREAM)) {
            assertThat(datagram.getIntOption(InetSocket.SOL_SOCKET, InetSocket.SO_TYPE)).isEqualTo(SOCK_DGRAM);
            assertThat(stream.getIntOption(InetSocket.SOL_SOCKET, InetSocket.SO_TYPE)).isEqualTo(SOCK_STREAM);
        }
    }

    @Test
    void soRcvbufSetIsReadBackDoubled() {
        try (InetSocket socket = InetSocket.open()) {
            socket.setIntOption(InetSocket.SOL_SOCKET, InetSocket.SO_RCVBUF, 8192);

            // socket(7): the kernel doubles the value to leave room for its bookkeeping.
            assertThat(socket.getIntOption(InetSocket.SOL_SOCKET, InetSocket.SO_RCVBUF)).isEqualTo(16384);
        }
    }

    @Test
    void ipTtlSetIsReadBack() {
        try (InetSocket socket = InetSocket.open()) {
            socket.setIntOption(InetSocket.IPPROTO_IP, InetSocket.IP_TTL, 17);

            assertThat(socket.getIntOption(InetSocket.IPPROTO_IP, InetSocket.IP_TTL)).isEqualTo(17);
        }
    }

    @Test
    void ipTtlOutOfRangeIsInvalidAndNamesTheOption() {
        try (InetSocket socket = InetSocket.open()) {
            assertThatThrownBy(() -> socket.setIntOption(InetSocket.IPPROTO_IP, InetSocket.IP_TTL, 256))
                    .isInstanceOfSatisfying(KernelErrorException.class, e -> {
                        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
                        assertThat(e.transport()).contains("sockopt");
                        assertThat(e.operation()).contains("setsockopt level 0 option 2");
                    });
        }
    }

    @Test
    void anUnknownOptionIsNoProtocolOptionBothWays() {
        int unknown = 3999;
        try (InetSocket socket = InetSocket.open()) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(64);

            assertThatThrownBy(() -> socket.getOption(InetSocket.IPPROTO_IP, unknown, buffer))
                    .isInstanceOfSatisfying(KernelErrorException.class, e -> {
                        assertThat(e.errno()).isEqualTo(Errno.ENOPROTOOPT);
                        assertThat(e.getMessage()).contains("getsockopt level 0 option 3999 failed: ENOPROTOOPT");
                    });
            assertThatThrownBy(() -> socket.setOption(InetSocket.IPPROTO_IP, unknown, buffer))
                    .isInstanceOfSatisfying(KernelErrorException.class,
                            e -> assertThat(e.errno()).isEqualTo(Errno.ENOPROTOOPT));
        }
    }

    @Test
    void aDescriptorTheKernelDoesNotKnowIsBadFileDescriptor() {
        try (InetSocket socket = InetSocket.adopt(UNUSED_DESCRIPTOR)) {
            assertThatThrownBy(() -> socket.getIntOption(InetSocket.SOL_SOCKET, InetSocket.SO_TYPE))
                    .isInstanceOfSatisfying(KernelErrorException.class,
                            e -> assertThat(e.errno()).isEqualTo(Errno.EBADF));
            assertThatThrownBy(() -> socket.setIntOption(InetSocket.IPPROTO_IP, InetSocket.IP_TTL, 1))
                    .isInstanceOfSatisfying(KernelErrorException.class,
                            e -> assertThat(e.errno()).isEqualTo(Errno.EBADF));
        }
    }

    @Test
    void aClosedSocketRefusesCallsAsClosed() {
        InetSocket socket = InetSocket.open();
        socket.close();
        socket.close();

        assertThat(socket.isOpen()).isFalse();
        assertThatThrownBy(() -> socket.getIntOption(InetSocket.SOL_SOCKET, InetSocket.SO_TYPE))
                .isInstanceOf(ChannelClosedException.class);
    }

    @Test
    void aNegativeLengthIsInvalidBothWays() {
        try (InetSocket socket = InetSocket.open()) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(4);

            assertThatThrownBy(() -> socket.getOptionWithLength(InetSocket.IPPROTO_IP, InetSocket.IP_TTL, buffer, -1))
                    .isInstanceOfSatisfying(KernelErrorException.class,
                            e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
            assertThatThrownBy(() -> socket.setOptionWithLength(InetSocket.IPPROTO_IP, InetSocket.IP_TTL, buffer, -1))
                    .isInstanceOfSatisfying(KernelErrorException.class,
                            e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        }
    }

    @Test
    void aLengthBeyondTheBufferIsRefusedBeforeTheKernel() {
        try (InetSocket socket = InetSocket.open()) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(4);

            assertThatThrownBy(() -> socket.getOptionWithLength(InetSocket.IPPROTO_IP, InetSocket.IP_TTL, buffer, 5))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aHeapBufferWorksAtItsPositionAndKeepsPositionAndLimit() {
        try (InetSocket socket = InetSocket.open()) {
            socket.setIntOption(InetSocket.IPPROTO_IP, InetSocket.IP_TTL, 33);
            ByteBuffer heap = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
            heap.position(4).limit(8);

            int length = socket.getOption(InetSocket.IPPROTO_IP, InetSocket.IP_TTL, heap);

            assertThat(length).isEqualTo(4);
            assertThat(heap.position()).isEqualTo(4);
            assertThat(heap.limit()).isEqualTo(8);
            assertThat(heap.getInt(4)).isEqualTo(33);
        }
    }

    @Test
    void aRealOptionThroughGrowthFitsTheFirstBuffer() {
        try (InetSocket socket = InetSocket.open()) {
            socket.setIntOption(InetSocket.IPPROTO_IP, InetSocket.IP_TTL, 9);

            ByteBuffer answer = socket.getOptionGrowing(InetSocket.IPPROTO_IP, InetSocket.IP_TTL,
                    ByteBuffer.allocate(0), OptionGrowth.upTo(64));

            assertThat(answer.limit()).isEqualTo(4);
            assertThat(answer.getInt(0)).isEqualTo(9);
        }
    }
}
