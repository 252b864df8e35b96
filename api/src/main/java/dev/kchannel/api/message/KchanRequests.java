// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import static dev.kchannel.api.message.KchanProtocol.ATTR_COUNT;
import static dev.kchannel.api.message.KchanProtocol.ATTR_CURSOR;
import static dev.kchannel.api.message.KchanProtocol.ATTR_KEY;
import static dev.kchannel.api.message.KchanProtocol.ATTR_PAYLOAD;
import static dev.kchannel.api.message.KchanProtocol.ATTR_RATE;
import static dev.kchannel.api.message.KchanProtocol.ATTR_SIZE;
import static dev.kchannel.api.message.KchanProtocol.ATTR_VALUE;

import dev.kchannel.api.error.FieldLimitException;
import java.nio.charset.StandardCharsets;

/**
 * Requests for each command of the kchan reference service, checked against the header's limits
 * before anything is sent. Keys are bytes on the wire; the {@code String} overloads encode them as
 * UTF-8.
 *
 * <p>Sequence numbers are left at 0: the channel numbers each request it sends. Every method
 * throws {@link FieldLimitException}, naming the field, for a key, value or payload outside its
 * limits.
 */
public final class KchanRequests {

    private KchanRequests() {
    }

    /** ECHO: the kernel sends {@code payload} (0 to 65531 bytes) back. */
    public static KchanMessage echo(byte[] payload) {
        FieldLimitException.check("PAYLOAD", payload.length, 0, KchanProtocol.PAYLOAD_MAX);
        return KchanMessage.builder(Command.ECHO).bytes(ATTR_PAYLOAD, payload).build();
    }

    /** SET: stores {@code value} (0 to 65456 bytes) under {@code key} (1 to 64 bytes). */
    public static KchanMessage set(byte[] key, byte[] value) {
        checkKey("KEY", key);
        FieldLimitException.check("VALUE", value.length, 0, KchanProtocol.VALUE_MAX);
        return KchanMessage.builder(Command.SET).bytes(ATTR_KEY, key).bytes(ATTR_VALUE, value).build();
    }

    /** SET with a UTF-8 key. */
    public static KchanMessage set(String key, byte[] value) {
        return set(utf8(key), value);
    }

    /** SET with a UTF-8 key and a UTF-8 value. */
    public static KchanMessage set(String key, String value) {
        return set(utf8(key), utf8(value));
    }

    /** GET: the reply carries KEY and VALUE, or fails with ENOENT. */
    public static KchanMessage get(byte[] key) {
        checkKey("KEY", key);
        return KchanMessage.builder(Command.GET).bytes(ATTR_KEY, key).build();
    }

    /** GET with a UTF-8 key. */
    public static KchanMessage get(String key) {
        return get(utf8(key));
    }

    /** DELETE: removes {@code key}. */
    public static KchanMessage delete(byte[] key) {
        checkKey("KEY", key);
        return KchanMessage.builder(Command.DELETE).bytes(ATTR_KEY, key).build();
    }

    /** DELETE with a UTF-8 key. */
    public static KchanMessage delete(String key) {
        return delete(utf8(key));
    }

    /** LIST from the first key; send it with {@code KernelChannel.dump} to get every part. */
    public static KchanMessage list() {
        return KchanMessage.builder(Command.LIST).build();
    }

    /** LIST resuming after {@code cursor}, a key (1 to 64 bytes) from a previous part. */
    public static KchanMessage list(byte[] cursor) {
        checkKey("CURSOR", cursor);
        return KchanMessage.builder(Command.LIST).bytes(ATTR_CURSOR, cursor).build();
    }

    /** STATS: store totals and counters per transport; read the reply with {@link StatsReply}. */
    public static KchanMessage stats() {
        return KchanMessage.builder(Command.STATS).build();
    }

    /** GEN_START: {@code count} events of {@code size} payload bytes each, as fast as possible. */
    public static KchanMessage genStart(long count, int size) {
        return genStart(count, size, 0);
    }

    /**
     * GEN_START: {@code count} events of {@code size} payload bytes (0 to 65531) each, at
     * {@code ratePerSecond} events per second, 0 meaning as fast as possible.
     */
    public static KchanMessage genStart(long count, int size, long ratePerSecond) {
        if (count < 0) {
            throw new IllegalArgumentException("COUNT " + count + " is negative");
        }
        FieldLimitException.check("SIZE", size, 0, KchanProtocol.PAYLOAD_MAX);
        if (ratePerSecond < 0 || ratePerSecond > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("RATE " + ratePerSecond + " does not fit a u32");
        }
        KchanMessage.Builder builder = KchanMessage.builder(Command.GEN_START).u64(ATTR_COUNT, count).u32(ATTR_SIZE, size);
        if (ratePerSecond != 0) {
            builder.u32(ATTR_RATE, ratePerSecond);
        }
        return builder.build();
    }

    /** GEN_STOP: stops the generator. */
    public static KchanMessage genStop() {
        return KchanMessage.builder(Command.GEN_STOP).build();
    }

    private static void checkKey(String field, byte[] key) {
        FieldLimitException.check(field, key.length, 1, KchanProtocol.KEY_MAX);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
