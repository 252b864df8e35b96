// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.error;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The root of every failure kchannel reports: unchecked, and always carrying an {@link Errno}, so
 * one {@code catch} can branch on the kernel's answer whatever the transport.
 *
 * <p>Beside the errno it carries what the kernel said and where: the extended-ack message (the
 * text a netlink family or the kchan reference service attaches to an error), the type of the
 * attribute the kernel blamed, and the name of the transport the call went through. Failures that
 * do not come from the kernel still carry the errno closest to their meaning (a timeout carries
 * {@link Errno#ETIMEDOUT}, a closed channel {@link Errno#EBADF}), so callers never see a null.
 *
 * <p>The class is abstract: throw one of its subclasses, each of which says what went wrong.
 * Arguments rejected before anything is sent are not kchannel exceptions but
 * {@link IllegalArgumentException}s ({@link FieldLimitException}), as in the rest of Java.
 */
public abstract class KchannelException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int errnoNumber;
    private final String transport;
    private final String extAckMessage;
    private final int offendingAttribute;

    /**
     * For failures that know only an errno and, maybe, a transport.
     *
     * @param message the whole human-readable message
     * @param errno the errno closest to the failure; never {@link Errno#UNKNOWN}
     * @param transport the transport name, or {@code null} when no transport was involved
     * @param cause the underlying failure, or {@code null}
     */
    protected KchannelException(String message, Errno errno, String transport, Throwable cause) {
        this(message, errno.number(), transport, null, -1, cause);
    }

    /**
     * For failures reported by the kernel, which may name an attribute and say why.
     *
     * @param message the whole human-readable message
     * @param errnoNumber the positive errno number as the kernel sent it, known to {@link Errno} or not
     * @param transport the transport name, or {@code null}
     * @param extAckMessage the kernel's extended-ack text, or {@code null}
     * @param offendingAttribute the attribute type the kernel blamed, or -1 for none
     * @param cause the underlying failure, or {@code null}
     */
    protected KchannelException(
            String message,
            int errnoNumber,
            String transport,
            String extAckMessage,
            int offendingAttribute,
            Throwable cause) {
        super(message, cause);
        this.errnoNumber = errnoNumber;
        this.transport = transport;
        this.extAckMessage = extAckMessage == null || extAckMessage.isEmpty() ? null : extAckMessage;
        this.offendingAttribute = offendingAttribute;
    }

    /** The errno, {@link Errno#UNKNOWN} when the kernel sent a number the enum does not know. */
    public Errno errno() {
        return Errno.fromNumber(errnoNumber);
    }

    /** The raw positive errno number, kept even when {@link #errno()} is {@link Errno#UNKNOWN}. */
    public int errnoNumber() {
        return errnoNumber;
    }

    /** The name of the transport the failure happened on, such as {@code netlink}. */
    public Optional<String> transport() {
        return Optional.ofNullable(transport);
    }

    /** The kernel's extended-ack message, such as {@code "key longer than 64 bytes"}. */
    public Optional<String> extAckMessage() {
        return Optional.ofNullable(extAckMessage);
    }

    /** The type of the attribute the kernel (or the decoder) blamed. */
    public OptionalInt offendingAttribute() {
        return offendingAttribute < 0 ? OptionalInt.empty() : OptionalInt.of(offendingAttribute);
    }

    /** Messages start with the transport when there is one: {@code "netlink: ..."}. */
    static String prefixed(String transport, String text) {
        return transport == null ? text : transport + ": " + text;
    }
}
