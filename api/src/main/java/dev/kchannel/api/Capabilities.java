// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api;

import dev.kchannel.api.error.UnsupportedCapabilityException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What one channel supports, and the largest payload it carries in one attribute. Immutable.
 */
public final class Capabilities {

    private final Set<Capability> supported;
    private final int maxPayload;

    private Capabilities(Set<Capability> supported, int maxPayload) {
        this.supported = supported;
        this.maxPayload = maxPayload;
    }

    /**
     * @param maxPayload the largest echo payload or value, in bytes, the channel carries
     * @param capabilities what the channel supports
     */
    public static Capabilities of(int maxPayload, Capability... capabilities) {
        if (maxPayload < 0) {
            throw new IllegalArgumentException("maxPayload " + maxPayload + " is negative");
        }
        EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
        for (Capability capability : capabilities) {
            set.add(Objects.requireNonNull(capability, "capability"));
        }
        return new Capabilities(Collections.unmodifiableSet(set), maxPayload);
    }

    /** The supported capabilities, unmodifiable. */
    public Set<Capability> asSet() {
        return supported;
    }

    /** Whether the channel supports {@code capability}. */
    public boolean supports(Capability capability) {
        return supported.contains(capability);
    }

    /** The largest payload, in bytes, the channel carries in one attribute. */
    public int maxPayload() {
        return maxPayload;
    }

    /**
     * For transports: throws unless {@code capability} is supported.
     *
     * @throws UnsupportedCapabilityException naming {@code transport} and {@code capability}
     */
    public void require(Capability capability, String transport) {
        if (!supports(capability)) {
            throw new UnsupportedCapabilityException(transport, capability);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Capabilities
                && ((Capabilities) other).supported.equals(supported)
                && ((Capabilities) other).maxPayload == maxPayload;
    }

    @Override
    public int hashCode() {
        return supported.hashCode() * 31 + maxPayload;
    }

    @Override
    public String toString() {
        return supported + " maxPayload=" + maxPayload;
    }
}
