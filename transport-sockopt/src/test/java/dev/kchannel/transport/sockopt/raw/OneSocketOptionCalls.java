// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt.raw;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What the scripted kernels of these tests share: one socket, {@link #FD}, that opens without
 * fail, sets that succeed and change nothing, and a record of what was closed. Subclasses say how
 * {@code getsockopt(2)} answers.
 */
abstract class OneSocketOptionCalls implements OptionCalls {

    static final int FD = 42;

    final List<Integer> closed = new ArrayList<>();

    @Override
    public int socket(int type) {
        return FD;
    }

    @Override
    public int setsockopt(int fd, int level, int optname, ByteBuffer buffer, int optlen) {
        return 0;
    }

    @Override
    public void close(int fd) {
        closed.add(fd);
    }
}
