// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api;

import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.TransportUnavailableException;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a transport can work on this machine now and, if not, why: the shape of Netty's
 * {@code Epoll.isAvailable()} and {@code unavailabilityCause()}, in one immutable value.
 *
 * <p>The reason is written for a person reading a log: {@code kernel module kchan_netlink is not
 * loaded}, {@code /dev/kchan is not readable by uid 1000}, {@code not Linux (Mac OS X)}.
 */
public final class Availability {

    private static final Availability AVAILABLE = new Availability(true, "available", null, null);

    private final boolean available;
    private final String reason;
    private final Errno errno;
    private final Throwable cause;

    private Availability(boolean available, String reason, Errno errno, Throwable cause) {
        this.available = available;
        this.reason = reason;
        this.errno = errno;
        this.cause = cause;
    }

    /** The transport can be opened. */
    public static Availability available() {
        return AVAILABLE;
    }

    /** The transport cannot be opened, for {@code reason}. */
    public static Availability unavailable(String reason) {
        return unavailable(reason, null, null);
    }

    /**
     * The transport cannot be opened, for {@code reason}, which the probe saw as {@code errno}
     * (for example {@link Errno#EACCES}) and, maybe, as {@code cause}.
     */
    public static Availability unavailable(String reason, Errno errno, Throwable cause) {
        Objects.requireNonNull(reason, "reason");
        if (reason.isBlank()) {
            throw new IllegalArgumentException("an unavailable transport needs a reason a person can act on");
        }
        return new Availability(false, reason, errno, cause);
    }

    /**
     * The reason every transport gives when its kernel module is missing, with what to do about
     * it: {@code kernel module kchan_procfs is not loaded (no /proc/kchan/call); load it with
     * "modprobe kchan_procfs", or "insmod kchan_core.ko" then "insmod kchan_procfs.ko"}.
     *
     * @param module the kernel module's name
     * @param evidence what the probe found missing, such as the path or family it looked for
     */
    public static String moduleNotLoaded(String module, String evidence) {
        return "kernel module " + module + " is not loaded (" + evidence + "); load it with \"modprobe " + module
                + "\", or \"insmod kchan_core.ko\" then \"insmod " + module + ".ko\"";
    }

    /** Whether the transport can be opened. */
    public boolean isAvailable() {
        return available;
    }

    /** Why not, in words; {@code "available"} for an available transport. */
    public String reason() {
        return reason;
    }

    /** The errno the probe saw, if it saw one. */
    public Optional<Errno> errno() {
        return Optional.ofNullable(errno);
    }

    /** The probe's failure, if it had one. */
    public Optional<Throwable> cause() {
        return Optional.ofNullable(cause);
    }

    /**
     * Returns normally when available.
     *
     * @throws TransportUnavailableException naming {@code transport} and the reason otherwise
     */
    public void ensureAvailable(String transport) {
        if (!available) {
            throw new TransportUnavailableException(transport, reason, errno, cause);
        }
    }

    @Override
    public String toString() {
        return available ? "available" : "unavailable: " + reason;
    }
}
