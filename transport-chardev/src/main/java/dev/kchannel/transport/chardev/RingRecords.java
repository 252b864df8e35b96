// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.chardev;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.MessageCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Reads the records of kchan_chardev's event ring between two byte counts, per the layout in
 * {@code uapi/kchan.h}: each record is one kchan message at data offset
 * {@code count & (dataSize - 1)}, {@code hdr.len} bytes, taking {@code hdr.len} rounded up to
 * {@code KCHAN_RING_ALIGN}; a record never wraps, and one flagged {@code KCHAN_F_RING_PAD} only
 * fills the data area's end and is skipped. Each message is decoded where it lies (no copy of the
 * record first), so the caller must not let the kernel reuse the bytes before this returns: it
 * publishes CONSUMER only after.
 *
 * <p>The shared pages belong to user space as much as to the kernel, so nothing read there is
 * trusted: a record whose length is below the header, runs past PRODUCER or past the data area's
 * end throws {@link MalformedMessageException} rather than reading anything else.
 */
final class RingRecords {

    private final ByteBuffer data;
    private final int dataSize;

    /**
     * @param data the data area: {@code dataSize} bytes from index 0 (a slice of the mapping, or
     *     any buffer laid out the same way in tests)
     * @param dataSize a power of two
     */
    RingRecords(ByteBuffer data, int dataSize) {
        if (Integer.bitCount(dataSize) != 1 || data.capacity() < dataSize) {
            throw new IllegalArgumentException("ring data of " + dataSize + " bytes in a buffer of " + data.capacity());
        }
        this.data = data.duplicate().order(ByteOrder.nativeOrder());
        this.dataSize = dataSize;
    }

    /**
     * Hands every message recorded from byte count {@code consumer} up to {@code producer} to
     * {@code sink}, in order, skipping pad records, while {@code goOn} says so.
     *
     * @return the count up to which records were handled: {@code producer} unless {@code goOn}
     *     stopped it first
     * @throws MalformedMessageException for a record that breaks the layout, or bytes that are not
     *     a kchan message
     */
    long drain(long consumer, long producer, Consumer<KchanMessage> sink, BooleanSupplier goOn) {
        long available = producer - consumer;
        if (available < 0 || available > dataSize) {
            throw broken(consumer, "PRODUCER " + producer + " is not within " + dataSize + " bytes ahead of CONSUMER "
                    + consumer);
        }
        long at = consumer;
        while (at != producer && goOn.getAsBoolean()) {
            int offset = (int) (at & (dataSize - 1));
            long left = producer - at;
            if (left < KchanProtocol.HDR_LEN || dataSize - offset < KchanProtocol.HDR_LEN) {
                throw broken(at, left + " bytes before PRODUCER, " + (dataSize - offset)
                        + " before the end: no room for a header");
            }
            int flags = data.getShort(offset + 2) & 0xffff;
            long length = data.getInt(offset + 12) & 0xffffffffL;
            long taken = (flags & KchanProtocol.F_RING_PAD) != 0 ? length : align(length);
            if (length < KchanProtocol.HDR_LEN || taken > left || offset + taken > dataSize) {
                throw broken(at, "a record of " + length + " bytes at data offset " + offset + " with " + left
                        + " bytes before PRODUCER and " + (dataSize - offset) + " before the end");
            }
            if ((flags & KchanProtocol.F_RING_PAD) == 0) {
                KchanMessage message;
                try {
                    message = MessageCodec.decode(data.slice(offset, (int) length).order(ByteOrder.nativeOrder()));
                } catch (MalformedMessageException e) {
                    throw e.transport().isPresent() ? e : e.withTransport(ChardevTransport.NAME);
                }
                sink.accept(message);
            }
            at += taken;
        }
        return at;
    }

    static long align(long length) {
        return (length + KchanProtocol.RING_ALIGN - 1) & -(long) KchanProtocol.RING_ALIGN;
    }

    private static MalformedMessageException broken(long at, String what) {
        return new MalformedMessageException(Reason.LENGTH_MISMATCH, -1, "event ring record at byte count " + at
                + ": " + what).withTransport(ChardevTransport.NAME);
    }
}
