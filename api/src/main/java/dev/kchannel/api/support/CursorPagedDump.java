// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.support;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * {@code KernelChannel.dump} for transports that answer one part per request (procfs, sockopt,
 * chardev): sends the request, then, while a part says MORE, sends it again with the part's CURSOR
 * so the kernel resumes after the last key it sent. Netlink needs none of this, since the kernel
 * drives a netlink dump by itself.
 *
 * <p>The stream is lazy: no request leaves before the first part is asked for.
 */
public final class CursorPagedDump {

    private CursorPagedDump() {
    }

    /**
     * The parts of the dump of {@code request}.
     *
     * @param call sends one request and returns its successful reply, throwing like
     *     {@code KernelChannel.call} otherwise
     * @throws MalformedMessageException from the stream, if a part says MORE without a CURSOR or
     *     with the same CURSOR as the part before, which would otherwise loop forever
     */
    public static Stream<KchanMessage> stream(KchanMessage request, UnaryOperator<KchanMessage> call) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(call, "call");
        Iterator<KchanMessage> parts = new Iterator<>() {
            private KchanMessage previous;
            private boolean done;

            @Override
            public boolean hasNext() {
                return !done;
            }

            @Override
            public KchanMessage next() {
                if (done) {
                    throw new NoSuchElementException("the dump has ended");
                }
                KchanMessage part = call.apply(previous == null ? request : resumeAfter(previous));
                done = !part.hasMore();
                if (!done && previous != null && Arrays.equals(cursorOf(previous), cursorOf(part))) {
                    throw new MalformedMessageException(Reason.UNEXPECTED_MESSAGE, -1,
                            "the dump's CURSOR did not advance between two parts");
                }
                previous = part;
                return part;
            }

            private KchanMessage resumeAfter(KchanMessage part) {
                KchanMessage.Builder next = KchanMessage.builder(request.commandId())
                        .flags(request.flags())
                        .seq(request.seq())
                        .status(request.status());
                for (Attribute attribute : request.attributes()) {
                    if (attribute.type() != KchanProtocol.ATTR_CURSOR) {
                        next.attribute(attribute);
                    }
                }
                return next.bytes(KchanProtocol.ATTR_CURSOR, cursorOf(part)).build();
            }
        };
        return StreamSupport.stream(
                Spliterators.spliteratorUnknownSize(parts, Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    private static byte[] cursorOf(KchanMessage part) {
        return part.attributes().require(KchanProtocol.ATTR_CURSOR).bytes();
    }
}
