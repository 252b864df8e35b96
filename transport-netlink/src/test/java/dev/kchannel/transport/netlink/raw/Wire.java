// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Hand-made netlink bytes for tests, written field by field from the C layouts in
 * {@code <linux/netlink.h>} and {@code <linux/genetlink.h>}, without the production encoders, so a
 * test compares the code against the documented layout rather than against itself.
 */
public final class Wire {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public static Wire bytes() {
        return new Wire();
    }

    public Wire u8(int value) {
        out.write(value);
        return this;
    }

    public Wire u16(int value) {
        return raw(ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) value).array());
    }

    public Wire u32(long value) {
        return raw(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt((int) value).array());
    }

    public Wire raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** Zero bytes up to the next multiple of 4. */
    public Wire pad() {
        while (out.size() % 4 != 0) {
            out.write(0);
        }
        return this;
    }

    /** {@code struct nlmsghdr}. */
    public Wire nlmsghdr(long length, int type, int flags, int seq, int pid) {
        return u32(length).u16(type).u16(flags).u32(seq).u32(pid);
    }

    /** {@code struct nlattr} with its payload and padding. */
    public Wire attr(int type, byte[] payload) {
        return u16(4 + payload.length).u16(type).raw(payload).pad();
    }

    public Wire attrU32(int type, long value) {
        return attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt((int) value).array());
    }

    public Wire attrU16(int type, int value) {
        return attr(type, ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) value).array());
    }

    public Wire attrString(int type, String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        byte[] withNul = new byte[utf8.length + 1];
        System.arraycopy(utf8, 0, withNul, 0, utf8.length);
        return attr(type, withNul);
    }

    public int size() {
        return out.size();
    }

    public byte[] toArray() {
        return out.toByteArray();
    }

    /** A whole message: a header whose nlmsg_len counts {@code payload}, then the payload padded. */
    public static byte[] message(int type, int flags, int seq, int pid, byte[] payload) {
        return bytes().nlmsghdr(16 + payload.length, type, flags, seq, pid).raw(payload).pad().toArray();
    }

    public static byte[] concat(byte[]... parts) {
        Wire wire = bytes();
        for (byte[] part : parts) {
            wire.raw(part);
        }
        return wire.toArray();
    }
}
