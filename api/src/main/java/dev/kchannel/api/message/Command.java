// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

/**
 * The kchan commands, mirroring {@code enum kchan_cmd}. A message with a command this SDK does not
 * know decodes fine and reports {@link #UNRECOGNIZED}; its number stays available from
 * {@link KchanMessage#commandId()}.
 */
public enum Command {
    /** {@code KCHAN_CMD_UNSPEC}. */
    UNSPEC(KchanProtocol.CMD_UNSPEC),
    /** {@code KCHAN_CMD_ECHO}. */
    ECHO(KchanProtocol.CMD_ECHO),
    /** {@code KCHAN_CMD_SET}. */
    SET(KchanProtocol.CMD_SET),
    /** {@code KCHAN_CMD_GET}. */
    GET(KchanProtocol.CMD_GET),
    /** {@code KCHAN_CMD_DELETE}. */
    DELETE(KchanProtocol.CMD_DELETE),
    /** {@code KCHAN_CMD_LIST}. */
    LIST(KchanProtocol.CMD_LIST),
    /** {@code KCHAN_CMD_STATS}. */
    STATS(KchanProtocol.CMD_STATS),
    /** {@code KCHAN_CMD_GEN_START}. */
    GEN_START(KchanProtocol.CMD_GEN_START),
    /** {@code KCHAN_CMD_GEN_STOP}. */
    GEN_STOP(KchanProtocol.CMD_GEN_STOP),
    /** {@code KCHAN_CMD_EVENT}. */
    EVENT(KchanProtocol.CMD_EVENT),
    /** A number not in the header this SDK was built against; never sent. */
    UNRECOGNIZED(-1);

    private static final Command[] BY_ID = ProtocolEnums.indexById(values(), Command::id);

    private final int id;

    Command(int id) {
        this.id = id;
    }

    /** The number on the wire, or -1 for {@link #UNRECOGNIZED}. */
    public int id() {
        return id;
    }

    /** The command with this number, or {@link #UNRECOGNIZED}. */
    public static Command fromId(int id) {
        return ProtocolEnums.lookup(BY_ID, id, UNRECOGNIZED);
    }

    /** How messages show a command number: {@code SET}, or {@code command 42}. */
    public static String describe(int id) {
        Command command = fromId(id);
        return command == UNRECOGNIZED ? "command " + id : command.name();
    }
}
