// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt.raw;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A kernel whose one option answers with a value of a set size, {@code answerSize} bytes of the
 * pattern {@code (i * 7) & 0xff}, in one of the two ways Linux reports a buffer too small: success
 * with a larger {@code *optlen} (kchan_sockopt) or {@code ERANGE} with it ({@code SO_PEERGROUPS}).
 * The size may grow after each call, as a table gaining rows would. Records the buffer size and the
 * request's first byte of each call.
 */
final class ScriptedOptionCalls extends OneSocketOptionCalls {

    int answerSize;
    int growthPerCall;
    boolean tooSmallIsErange;
    final List<Integer> bufferSizes = new ArrayList<>();
    final List<Byte> requestFirstBytes = new ArrayList<>();

    ScriptedOptionCalls(int answerSize) {
        this.answerSize = answerSize;
    }

    static byte patternByte(int index) {
        return (byte) (index * 7);
    }

    @Override
    public int getsockopt(int fd, int level, int optname, ByteBuffer buffer, int[] optlen) {
        int size = optlen[0];
        bufferSizes.add(size);
        requestFirstBytes.add(size > 0 ? buffer.get(buffer.position()) : 0);
        int answer = answerSize;
        answerSize += growthPerCall;
        optlen[0] = answer;
        if (answer > size) {
            return tooSmallIsErange ? 34 : 0;
        }
        for (int i = 0; i < answer; i++) {
            buffer.put(buffer.position() + i, patternByte(i));
        }
        return 0;
    }
}
