// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.Errno;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link InetSocket#getOptionGrowing}'s size negotiation against a scripted kernel. */
class InetSocketGrowthTest {

    private static final ByteBuffer REQUEST = ByteBuffer.wrap(new byte[] {(byte) 0xa5, 1, 2, 3});

    private static void assertPattern(ByteBuffer answer, int size) {
        assertThat(answer.position()).isZero();
        assertThat(answer.limit()).isEqualTo(size);
        for (int i = 0; i < size; i++) {
            assertThat(answer.get(i)).as("byte %d", i).isEqualTo(ScriptedOptionCalls.patternByte(i));
        }
    }

    @Test
    void aLargerLengthOnSuccessIsAskedAgainWithExactlyThatBuffer() {
        ScriptedOptionCalls kernel = new ScriptedOptionCalls(1000);
        try (InetSocket socket = InetSocket.open(kernel, SocketType.DATAGRAM)) {
            ByteBuffer answer = socket.getOptionGrowing(0, 3075, REQUEST, new OptionGrowth(64, 4096, 4));

            assertPattern(answer, 1000);
            assertThat(kernel.bufferSizes).containsExactly(64, 1000);
            // The request is at the start of every buffer, the larger one too.
            assertThat(kernel.requestFirstBytes).containsExactly((byte) 0xa5, (byte) 0xa5);
        }
    }

    @Test
    void erangeWithALargerLengthIsAskedAgainToo() {
        ScriptedOptionCalls kernel = new ScriptedOptionCalls(300);
        kernel.tooSmallIsErange = true;
        try (InetSocket socket = InetSocket.open(kernel, SocketType.DATAGRAM)) {
            ByteBuffer answer = socket.getOptionGrowing(1, 59, ByteBuffer.allocate(0), new OptionGrowth(16, 4096, 4));

            assertPattern(answer, 300);
            assertThat(kernel.bufferSizes).containsExactly(16, 300);
        }
    }

    @Test
    void anAnswerThatFitsTakesOneCallAndReusesTheBufferGiven() {
        ScriptedOptionCalls kernel = new ScriptedOptionCalls(40);
        ByteBuffer reusable = ByteBuffer.allocateDirect(128);
        try (InetSocket socket = InetSocket.open(kernel, SocketType.DATAGRAM)) {
            ByteBuffer answer = socket.getOptionGrowing(0, 3075, REQUEST, reusable, new OptionGrowth(64, 4096, 4));

            assertThat(answer).isSameAs(reusable);
            assertPattern(answer, 40);
            assertThat(kernel.bufferSizes).containsExactly(128);
        }
    }

    @Test
    void anAnswerAboveTheCapIsATypedErrorWithTheNeededSize() {
        ScriptedOptionCalls kernel = new ScriptedOptionCalls(5000);
        try (InetSocket socket = InetSocket.open(kernel, SocketType.DATAGRAM)) {
            assertThatThrownBy(() -> socket.getOptionGrowing(0, 3075, REQUEST, new OptionGrowth(64, 4096, 4)))
                    .isInstanceOfSatisfying(OptionSizeException.class, e -> {
                        assertThat(e.needed()).isEqualTo(5000);
                        assertThat(e.optname()).isEqualTo(3075);
                        assertThat(e.errno()).isEqualTo(Errno.ERANGE);
                        assertThat(e.getMessage()).contains("level 0 option 3075", "5000 bytes", "4096 bytes");
                    });
            assertThat(kernel.bufferSizes).containsExactly(64);
        }
    }

    @Test
    void anAnswerGrowingFasterThanItIsReadStopsAfterTheAttempts() {
        ScriptedOptionCalls kernel = new ScriptedOptionCalls(100);
        kernel.growthPerCall = 10;
        try (InetSocket socket = InetSocket.open(kernel, SocketType.DATAGRAM)) {
            assertThatThrownBy(() -> socket.getOptionGrowing(0, 3075, REQUEST, new OptionGrowth(16, 4096, 3)))
                    .isInstanceOfSatisfying(OptionSizeException.class, e -> {
                        assertThat(e.needed()).isEqualTo(120);
                        assertThat(e.getMessage()).contains("after 3 attempts");
                    });
            assertThat(kernel.bufferSizes).containsExactly(16, 100, 110);
        }
    }

    @Test
    void anAnswerThatGrowsOnceIsStillReadWithinTheAttempts() {
        ScriptedOptionCalls kernel = new ScriptedOptionCalls(100);
        kernel.growthPerCall = 10;
        try (InetSocket socket = InetSocket.open(kernel, SocketType.DATAGRAM)) {
            ByteBuffer answer = socket.getOptionGrowing(0, 3075, REQUEST, new OptionGrowth(200, 4096, 2));

            assertPattern(answer, 100);
            assertThat(kernel.bufferSizes).containsExactly(200);
        }
    }

    @Test
    void closeClosesTheDescriptorOnceAfterTheLastCall() {
        ScriptedOptionCalls kernel = new ScriptedOptionCalls(4);
        InetSocket socket = InetSocket.open(kernel, SocketType.DATAGRAM);
        socket.getOption(0, 2, ByteBuffer.allocateDirect(4));
        socket.close();
        socket.close();

        assertThat(kernel.closed).isEqualTo(List.of(ScriptedOptionCalls.FD));
    }
}
