// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink;

import dev.kchannel.api.error.KchannelException;
import dev.kchannel.transport.netlink.genl.FamilyChange;
import dev.kchannel.transport.netlink.genl.GenericFamily;
import dev.kchannel.transport.netlink.raw.Datagram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a channel knows of its Generic Netlink family: the family as last resolved or announced,
 * and whether nlctrl has announced it gone. A module reload unregisters the family (its id is
 * then unknown to genl, or worse, may later be handed to another family) and registers it again
 * under a new id; nlctrl's {@code notify} group says both, so calls after a reload go straight to
 * the new id, and none is sent to the old one once it is known gone.
 *
 * <p>Fed by the shared socket's multicast listener, by each subscription's socket, and by every
 * {@code CTRL_CMD_GETFAMILY} answer; read by any thread.
 */
final class FamilyWatch {

    private static final Logger LOG = LoggerFactory.getLogger(FamilyWatch.class);

    private final String name;
    private volatile GenericFamily family;
    private volatile boolean gone;

    /** Watches family {@code name}; {@link #resolved} gives it its first value. */
    FamilyWatch(String name) {
        this.name = name;
    }

    /** The family's name. */
    String name() {
        return name;
    }

    /**
     * The family as last resolved or announced (before it went, if it is {@link #gone()}); null
     * only while a channel opens.
     */
    GenericFamily current() {
        return family;
    }

    /** Whether nlctrl announced the family unregistered, and it has not been seen since. */
    boolean gone() {
        return gone;
    }

    /** A {@code CTRL_CMD_GETFAMILY} answer. */
    void resolved(GenericFamily now) {
        if (family != null && now.id() != family.id()) {
            LOG.info("Generic Netlink family {} now has id {} (was {})", name, now.id(), family.id());
        }
        family = now;
        gone = false;
    }

    /** A {@code CTRL_CMD_GETFAMILY} answered {@code ENOENT}: the family is not registered. */
    void notFound() {
        gone = true;
    }

    /** One of nlctrl's announcements; those of other families are ignored. */
    void changed(FamilyChange change) {
        if (!change.concerns(name)) {
            return;
        }
        GenericFamily known = family;
        if (change.registered()) {
            LOG.info("Generic Netlink family {} registered with id {} (was {})", name, change.family().id(),
                    known == null ? "not yet known" : known.id());
            family = change.family();
            gone = false;
        } else if (known != null && change.family().id() == known.id()) {
            LOG.info("Generic Netlink family {} (id {}) unregistered: its module was unloaded", name, family.id());
            gone = true;
        }
    }

    /** A multicast datagram from nlctrl's {@code notify} group on the shared socket. */
    void onNotification(Datagram datagram) {
        try {
            for (FamilyChange change : FamilyChange.in(datagram)) {
                changed(change);
            }
        } catch (KchannelException e) {
            LOG.warn("ignored a malformed nlctrl notification: {}", e.getMessage());
        }
    }

    @Override
    public String toString() {
        GenericFamily known = family;
        return "family " + name + (known == null ? "" : " id " + known.id()) + (gone ? " (gone)" : "");
    }
}
