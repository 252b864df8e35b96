// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.genl;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.transport.netlink.raw.Datagram;
import dev.kchannel.transport.netlink.raw.NetlinkMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * A family registered or unregistered, as nlctrl announces it on its {@code notify} multicast
 * group ({@code CTRL_CMD_NEWFAMILY}, {@code CTRL_CMD_DELFAMILY}). Both carry the family as
 * {@code CTRL_CMD_GETFAMILY} describes it, so a registration says the new id and multicast
 * groups at once: what a client needs to follow a module that was unloaded and loaded again,
 * which gets a new family id and loses every socket's group memberships.
 *
 * @param registered true for {@code CTRL_CMD_NEWFAMILY}, false for {@code CTRL_CMD_DELFAMILY}
 * @param family the family as announced
 */
public record FamilyChange(boolean registered, GenericFamily family) {

    /**
     * The family changes in {@code datagram}, in order; nlctrl's other notifications (groups
     * added or removed, which the family changes already cover) and messages of other families
     * are left out.
     *
     * @throws MalformedMessageException if an nlctrl family message is malformed
     */
    public static List<FamilyChange> in(Datagram datagram) {
        List<FamilyChange> changes = new ArrayList<>(1);
        for (NetlinkMessage message : datagram.messages()) {
            of(message).ifPresent(changes::add);
        }
        return changes;
    }

    /** The family change {@code message} announces, if it is one. */
    public static java.util.Optional<FamilyChange> of(NetlinkMessage message) {
        if (message.type() != Nlctrl.GENL_ID_CTRL) {
            return java.util.Optional.empty();
        }
        GenericMessage genl = GenericMessage.decode(message);
        if (genl.command() != Nlctrl.CTRL_CMD_NEWFAMILY && genl.command() != Nlctrl.CTRL_CMD_DELFAMILY) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new FamilyChange(genl.command() == Nlctrl.CTRL_CMD_NEWFAMILY,
                GenericFamily.parse(genl.attributes())));
    }

    /** Whether it concerns the family called {@code name}. */
    public boolean concerns(String name) {
        return family.name().equals(name);
    }
}
