// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.error;

/**
 * A field is too long or too short to encode, found before anything is sent: a 65-byte key, a
 * value over 65531 bytes, an attribute over 65535 bytes, a message over {@code KCHAN_MSG_MAX}.
 *
 * <p>It is an {@link IllegalArgumentException}, not a {@link KchannelException}, because it is
 * the caller's argument that is wrong and no kernel was asked; Java code already treats bad
 * arguments that way. The message names the field and its limits:
 * {@code KEY is 65 bytes; it must be 1..64 bytes}.
 */
public class FieldLimitException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String field;
    private final long size;
    private final long min;
    private final long max;

    /**
     * @param field the name of the field, such as {@code KEY} or {@code attribute 3}
     * @param size its size in bytes
     * @param min the smallest size allowed
     * @param max the largest size allowed
     */
    public FieldLimitException(String field, long size, long min, long max) {
        super(field + " is " + size + " bytes; it must be " + (min == 0 ? "at most " + max : min + ".." + max)
                + " bytes");
        this.field = field;
        this.size = size;
        this.min = min;
        this.max = max;
    }

    /** Throws unless {@code min <= size <= max}. */
    public static void check(String field, long size, long min, long max) {
        if (size < min || size > max) {
            throw new FieldLimitException(field, size, min, max);
        }
    }

    /** The field at fault. */
    public String field() {
        return field;
    }

    /** Its size in bytes. */
    public long size() {
        return size;
    }

    /** The smallest size allowed. */
    public long min() {
        return min;
    }

    /** The largest size allowed. */
    public long max() {
        return max;
    }
}
