// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.support;

import java.util.EnumSet;
import java.util.Set;

/**
 * The bits of {@code struct pollfd}'s {@code events} and {@code revents} ({@code <poll.h>}, the
 * generic Linux ABI). {@link #ERR}, {@link #HUP} and {@link #NVAL} are reported whether asked for
 * or not.
 *
 * <p>One type for every transport's raw layer that polls a file (procfs's {@code ProcFile},
 * chardev's {@code DeviceFile}). What a file reports is up to its driver. A /proc file without a
 * poll method of its own (most of them) is always {@link #IN} and {@link #OUT}. A sysfs attribute
 * is always readable too, and adds {@link #PRI} and {@link #ERR} once its driver calls
 * {@code sysfs_notify()} after the last open or read. {@code /proc/kchan/events} is {@link #IN} and
 * {@link #RDNORM} while an event is queued for the open file; {@code /dev/kchan} reports them when
 * a read would not block or its event ring holds records, and {@link #ERR} when the ring is
 * broken.
 */
public enum PollEvent {
    /** {@code POLLIN}: there is data to read. */
    IN(0x1),
    /** {@code POLLPRI}: an exceptional condition; for sysfs, the attribute changed. */
    PRI(0x2),
    /** {@code POLLOUT}: writing would not block. */
    OUT(0x4),
    /** {@code POLLERR}: an error condition (output only). */
    ERR(0x8),
    /** {@code POLLHUP}: hang up (output only). */
    HUP(0x10),
    /** {@code POLLNVAL}: the descriptor is not open (output only). */
    NVAL(0x20),
    /** {@code POLLRDNORM}: normal data to read. */
    RDNORM(0x40),
    /** {@code POLLRDBAND}: priority band data to read. */
    RDBAND(0x80),
    /** {@code POLLWRNORM}: writing normal data would not block. */
    WRNORM(0x100),
    /** {@code POLLWRBAND}: writing priority data would not block. */
    WRBAND(0x200);

    private final int bit;

    PollEvent(int bit) {
        this.bit = bit;
    }

    /** The bit in {@code events}/{@code revents}. */
    public int bit() {
        return bit;
    }

    /** The events in the mask {@code bits}; bits this enum does not know are left out. */
    public static Set<PollEvent> fromBits(int bits) {
        EnumSet<PollEvent> events = EnumSet.noneOf(PollEvent.class);
        for (PollEvent event : values()) {
            if ((bits & event.bit) != 0) {
                events.add(event);
            }
        }
        return events;
    }

    /** The mask for {@code events}. */
    public static int toBits(Set<PollEvent> events) {
        int bits = 0;
        for (PollEvent event : events) {
            bits |= event.bit;
        }
        return bits;
    }
}
