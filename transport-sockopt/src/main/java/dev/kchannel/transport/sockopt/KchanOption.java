// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt;

import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanProtocol;
import java.util.Optional;

/**
 * The kchan commands kchan_sockopt carries: each one's option number
 * ({@code KCHAN_SO_BASE_CTL} + the command) and whether it goes through {@code getsockopt(2)}
 * (reads, open to anyone, a reply comes back in the buffer) or {@code setsockopt(2)} (changes,
 * {@code CAP_NET_ADMIN}, only an errno comes back). EVENT has no option: it only ever travels from
 * the kernel.
 */
enum KchanOption {

    ECHO(Command.ECHO, KchanProtocol.SO_ECHO, false),
    SET(Command.SET, KchanProtocol.SO_SET, true),
    GET(Command.GET, KchanProtocol.SO_GET, false),
    DELETE(Command.DELETE, KchanProtocol.SO_DELETE, true),
    LIST(Command.LIST, KchanProtocol.SO_LIST, false),
    STATS(Command.STATS, KchanProtocol.SO_STATS, false),
    GEN_START(Command.GEN_START, KchanProtocol.SO_GEN_START, true),
    GEN_STOP(Command.GEN_STOP, KchanProtocol.SO_GEN_STOP, true);

    private final Command command;
    private final int optname;
    private final boolean set;

    KchanOption(Command command, int optname, boolean set) {
        this.command = command;
        this.optname = optname;
        this.set = set;
    }

    /** The option carrying command number {@code commandId}, if kchan_sockopt has one. */
    static Optional<KchanOption> forCommand(int commandId) {
        for (KchanOption option : values()) {
            if (option.command.id() == commandId) {
                return Optional.of(option);
            }
        }
        return Optional.empty();
    }

    Command command() {
        return command;
    }

    /** The option number at level {@code IPPROTO_IP}. */
    int optname() {
        return optname;
    }

    /** True for a {@code setsockopt(2)} option, false for a {@code getsockopt(2)} one. */
    boolean isSet() {
        return set;
    }

    /** {@code KCHAN_SO_GET (3075)}, as errors name the option. */
    String describe() {
        return "KCHAN_SO_" + name() + " (" + optname + ")";
    }
}
