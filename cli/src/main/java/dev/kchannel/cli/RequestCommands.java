// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import dev.kchannel.api.Capability;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.ListEntry;
import dev.kchannel.api.message.ListPart;
import dev.kchannel.api.message.StatsReply;
import dev.kchannel.api.message.TransportId;
import dev.kchannel.api.message.TransportStats;
import dev.kchannel.api.support.CursorPagedDump;
import java.io.PrintStream;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The commands that are one request and its reply (echo, set, get, delete, stats) or one dump
 * (list), written against the SPI only. Output formats are documented in {@link CliCommand} and
 * cli/README.md; failures are thrown as kchannel exceptions for {@link Cli} to report.
 */
final class RequestCommands {

    private final CliCommand command;
    private final OptionValues values;
    private final PrintStream out;
    private final KchanMessage request;

    /**
     * Checks the arguments and builds the request, so a bad argument is reported before any
     * transport is opened.
     *
     * @throws UsageException for an argument that does not parse
     * @throws dev.kchannel.api.error.FieldLimitException for a key, value or payload outside kchan's limits
     */
    RequestCommands(Invocation invocation, OptionValues values, PrintStream out) {
        this.command = invocation.command();
        this.values = values;
        this.out = out;
        this.request = request(invocation, values);
    }

    private static KchanMessage request(Invocation invocation, OptionValues values) {
        boolean fromFile = invocation.has(CliOption.VALUE_FILE);
        switch (invocation.command()) {
            case ECHO:
                return KchanRequests.echo(fromFile
                        ? values.valueFile(KchanProtocol.PAYLOAD_MAX, "echo payload")
                        : values.bytesArgument(0, "TEXT"));
            case SET:
                byte[] key = values.bytesArgument(0, "KEY");
                return KchanRequests.set(key, fromFile
                        ? values.valueFile(KchanProtocol.VALUE_MAX, "value")
                        : values.bytesArgument(1, "VALUE"));
            case GET:
                return KchanRequests.get(values.bytesArgument(0, "KEY"));
            case DELETE:
                return KchanRequests.delete(values.bytesArgument(0, "KEY"));
            case LIST:
                return KchanRequests.list();
            case STATS:
                return KchanRequests.stats();
            default:
                throw new IllegalArgumentException(invocation.command() + " is not a request command");
        }
    }

    /** Sends the request through {@code channel} and prints the answer. */
    int run(KernelChannel channel) {
        switch (command) {
            case ECHO:
                writeBytes(KchanReplies.payload(channel.call(request)));
                break;
            case GET:
                writeBytes(KchanReplies.value(channel.call(request)));
                break;
            case LIST:
                list(channel);
                break;
            case STATS:
                stats(StatsReply.from(channel.call(request)));
                break;
            default:
                channel.call(request);
        }
        return ExitStatus.OK;
    }

    /**
     * Prints entries as the parts arrive. A transport without {@link Capability#DUMP} is paged by
     * CURSOR with one call per part, so every transport that answers requests can list.
     */
    private void list(KernelChannel channel) {
        try (Stream<KchanMessage> parts = channel.capabilities().supports(Capability.DUMP)
                ? channel.dump(request)
                : CursorPagedDump.stream(request, channel::call)) {
            parts.map(ListPart::from).flatMap(part -> part.entries().stream()).forEach(this::printEntry);
        }
    }

    private void printEntry(ListEntry entry) {
        out.println(ByteText.format(entry.key(), values.hex()) + '\t' + ByteText.format(entry.value(), values.hex()));
    }

    private void stats(StatsReply stats) {
        out.println("store.entries\t" + stats.storeEntries());
        out.println("store.bytes\t" + stats.storeBytes());
        for (TransportStats transport : stats.transports()) {
            String name = transportName(transport);
            out.println(name + ".requests\t" + transport.requests());
            out.println(name + ".errors\t" + transport.errors());
            out.println(name + ".events\t" + transport.events());
            out.println(name + ".drops\t" + transport.drops());
        }
    }

    /** {@code netlink}, or {@code transport7} for a number this SDK does not know. */
    static String transportName(TransportStats stats) {
        return stats.transport() == TransportId.UNRECOGNIZED
                ? "transport" + stats.transportId()
                : stats.transport().name().toLowerCase(Locale.ROOT);
    }

    /** A value or payload: formatted on one line, or the bytes as they are with {@code --raw}. */
    private void writeBytes(byte[] bytes) {
        if (values.raw()) {
            out.write(bytes, 0, bytes.length);
            out.flush();
        } else {
            out.println(ByteText.format(bytes, values.hex()));
        }
    }
}
