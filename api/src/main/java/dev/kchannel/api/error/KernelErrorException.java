// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.error;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntFunction;

/**
 * The kernel answered with an error: a negative status in a reply, or a failed system call.
 *
 * <p>Create instances through {@link #forStatus(int)} or {@link #forErrno(int)}: the builder
 * returns the most specific subclass for the errno, in the manner of Netty's {@code Errors}, so
 * callers can catch {@link PermissionDeniedException} or {@link NoSuchEntryException} rather than
 * comparing numbers:
 *
 * <ul>
 *   <li>{@link Errno#EPERM}, {@link Errno#EACCES}: {@link PermissionDeniedException}</li>
 *   <li>{@link Errno#ENOENT}: {@link NoSuchEntryException}</li>
 *   <li>anything else: {@code KernelErrorException}</li>
 * </ul>
 *
 * <p>The message reads like {@code netlink: SET failed: EINVAL (22): key longer than 64 bytes
 * [attribute KEY]}; without an extended-ack message the errno's description stands in for it.
 * When the kernel said where the blamed attribute starts (netlink's {@code NLMSGERR_ATTR_OFFS}),
 * the offset is kept too: {@code [attribute 2 at offset 20]}.
 */
public class KernelErrorException extends KchannelException {

    private static final long serialVersionUID = 1L;

    private final String operation;
    private final int offendingOffset;

    /** Used by {@link Builder} and by the subclasses; callers use the builder. */
    protected KernelErrorException(Builder builder) {
        super(
                builder.message(),
                builder.errnoNumber,
                builder.transport,
                builder.extAckMessage,
                builder.attributeType,
                builder.cause);
        this.operation = builder.operation;
        this.offendingOffset = builder.offendingOffset;
    }

    /** What was attempted, such as {@code SET} or {@code sendmsg}. */
    public Optional<String> operation() {
        return Optional.ofNullable(operation);
    }

    /**
     * Where the blamed attribute starts, in bytes from the first byte of the request as the kernel
     * received it (its {@code nlmsghdr}), as netlink's {@code NLMSGERR_ATTR_OFFS} reports it.
     */
    public OptionalInt offendingOffset() {
        return offendingOffset < 0 ? OptionalInt.empty() : OptionalInt.of(offendingOffset);
    }

    /**
     * This failure with its blamed attribute named, for a transport that knows the request's
     * attribute space where the layer that built the exception did not (the raw netlink layer sees
     * numbers only): {@code [attribute 3 at offset 20]} becomes {@code [attribute KEY at offset 20]}.
     * Returns this exception itself when no attribute is blamed or {@code names} gives null; else a
     * new one of the same class, with the same cause and stack trace.
     *
     * @param names an attribute type to its name, or to null when unknown
     */
    public KernelErrorException withAttributeNames(IntFunction<String> names) {
        OptionalInt type = offendingAttribute();
        if (type.isEmpty()) {
            return this;
        }
        String name = names.apply(type.getAsInt());
        if (name == null) {
            return this;
        }
        Builder builder = forErrno(errnoNumber()).transport(transport().orElse(null)).operation(operation)
                .extAckMessage(extAckMessage().orElse(null)).offendingAttribute(type.getAsInt(), name)
                .cause(getCause());
        if (offendingOffset >= 0) {
            builder.offendingOffset(offendingOffset);
        }
        KernelErrorException named = builder.build();
        named.setStackTrace(getStackTrace());
        return named;
    }

    /**
     * Starts an exception for a kernel status such as {@code -22}. The one status with no positive
     * twin, {@code Integer.MIN_VALUE}, is garbage from a broken peer and reads as errno
     * {@code Integer.MAX_VALUE}, an {@link Errno#UNKNOWN}.
     *
     * @throws IllegalArgumentException if {@code status} is not negative
     */
    public static Builder forStatus(int status) {
        if (status >= 0) {
            throw new IllegalArgumentException("status " + status + " is not a negative errno");
        }
        return new Builder(status == Integer.MIN_VALUE ? Integer.MAX_VALUE : -status);
    }

    /**
     * Starts an exception for a positive errno, as read after a failed system call.
     *
     * @throws IllegalArgumentException if {@code errnoNumber} is not positive
     */
    public static Builder forErrno(int errnoNumber) {
        if (errnoNumber <= 0) {
            throw new IllegalArgumentException("errno " + errnoNumber + " is not positive");
        }
        return new Builder(errnoNumber);
    }

    /** Starts an exception for a known errno. */
    public static Builder forErrno(Errno errno) {
        if (errno == Errno.UNKNOWN) {
            throw new IllegalArgumentException("pass the raw number for an unknown errno");
        }
        return new Builder(errno.number());
    }

    /** Collects what the kernel said, then {@link #build()}s the most specific exception. */
    public static final class Builder {
        private final int errnoNumber;
        private String transport;
        private String operation;
        private String extAckMessage;
        private int attributeType = -1;
        private String attributeName;
        private int offendingOffset = -1;
        private Throwable cause;

        private Builder(int errnoNumber) {
            this.errnoNumber = errnoNumber;
        }

        /** The transport name that heads the message, such as {@code netlink}. */
        public Builder transport(String transport) {
            this.transport = transport;
            return this;
        }

        /** What failed, such as {@code SET} or {@code sendmsg}. */
        public Builder operation(String operation) {
            this.operation = operation;
            return this;
        }

        /** The kernel's extended-ack text; {@code null} or empty means none. */
        public Builder extAckMessage(String extAckMessage) {
            this.extAckMessage = extAckMessage;
            return this;
        }

        /** The attribute type the kernel blamed, shown by number. */
        public Builder offendingAttribute(int type) {
            return offendingAttribute(type, null);
        }

        /** The attribute type the kernel blamed and its name, shown as {@code [attribute KEY]}. */
        public Builder offendingAttribute(int type, String name) {
            if (type < 0) {
                throw new IllegalArgumentException("attribute type " + type + " is negative");
            }
            this.attributeType = type;
            this.attributeName = name;
            return this;
        }

        /**
         * Where the blamed attribute starts, in bytes from the start of the request, shown as
         * {@code at offset 20}; netlink reports it in {@code NLMSGERR_ATTR_OFFS}.
         */
        public Builder offendingOffset(int offset) {
            if (offset < 0) {
                throw new IllegalArgumentException("attribute offset " + offset + " is negative");
            }
            this.offendingOffset = offset;
            return this;
        }

        /** The failure underneath, if any. */
        public Builder cause(Throwable cause) {
            this.cause = cause;
            return this;
        }

        /** The most specific exception for the errno (see the class comment). */
        public KernelErrorException build() {
            switch (Errno.fromNumber(errnoNumber)) {
                case EPERM:
                case EACCES:
                    return new PermissionDeniedException(this);
                case ENOENT:
                    return new NoSuchEntryException(this);
                default:
                    return new KernelErrorException(this);
            }
        }

        private String message() {
            StringBuilder text = new StringBuilder();
            if (operation != null) {
                text.append(operation).append(" failed: ");
            }
            text.append(Errno.format(errnoNumber));
            Errno errno = Errno.fromNumber(errnoNumber);
            if (extAckMessage != null && !extAckMessage.isEmpty()) {
                text.append(": ").append(extAckMessage);
            } else if (errno != Errno.UNKNOWN) {
                text.append(": ").append(errno.description());
            }
            if (attributeType >= 0) {
                text.append(" [attribute ")
                        .append(Objects.requireNonNullElse(attributeName, Integer.toString(attributeType)));
                if (offendingOffset >= 0) {
                    text.append(" at offset ").append(offendingOffset);
                }
                text.append(']');
            } else if (offendingOffset >= 0) {
                text.append(" [attribute at offset ").append(offendingOffset).append(']');
            }
            if (errno == Errno.EPERM) {
                text.append(" (the caller lacks a capability the kernel requires, CAP_NET_ADMIN for the kchan modules:"
                        + " run as root or grant the process that capability)");
            } else if (errno == Errno.EACCES) {
                text.append(" (the owner, group or mode of the file or device node forbids it)");
            }
            return prefixed(transport, text.toString());
        }
    }
}
