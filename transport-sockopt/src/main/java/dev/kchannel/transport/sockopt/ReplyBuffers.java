// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct buffers for {@code getsockopt} calls, one per call in flight, kept between calls so a
 * channel allocates only when a reply outgrows what it has. A buffer that grew for a large reply
 * comes back grown, so the next large reply costs one call, not two. At most {@code keep} buffers
 * are kept (a buffer is at most {@code KCHAN_MSG_MAX} bytes, so a channel keeps at most
 * {@code keep} x 256 KiB); beyond that they are left to the garbage collector.
 */
final class ReplyBuffers {

    private final ConcurrentLinkedDeque<ByteBuffer> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final int keep;

    ReplyBuffers(int keep) {
        this.keep = keep;
    }

    /** A kept buffer (the most recently returned, the likeliest large one), or null for none. */
    ByteBuffer take() {
        ByteBuffer buffer = idle.pollFirst();
        if (buffer != null) {
            idleCount.decrementAndGet();
        }
        return buffer;
    }

    /** Keeps {@code buffer} for a later call, unless {@code keep} are kept already. */
    void giveBack(ByteBuffer buffer) {
        if (buffer == null || idleCount.incrementAndGet() > keep) {
            if (buffer != null) {
                idleCount.decrementAndGet();
            }
            return;
        }
        idle.offerFirst(buffer.clear());
    }

    /** Buffers kept now; for tests. */
    int kept() {
        return idleCount.get();
    }
}
