// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.MessageCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;

/**
 * Plain java.nio, what a Java team would write without the SDK: a {@link FileChannel} on
 * {@code /proc/kchan/call} or {@code /dev/kchan} that writes a request's bytes and reads the reply
 * (the chardev's write/read door; the SDK's default there is one {@code KCHAN_IOC_CALL}), and
 * {@link Files#readAllBytes} for whole /proc files. Requests are encoded once up front; each reply's
 * header is checked (status 0, the expected length) and an ECHO's payload compared, the same checks
 * the other clients make.
 */
final class NioClient implements BenchClient {

    static final String NAME = "java.nio";
    private static final Map<String, Path> CALL_FILES = Map.of(
            "procfs", Path.of("/proc", KchanProtocol.PROC_DIR, KchanProtocol.PROC_CALL),
            "chardev", Path.of("/dev", KchanProtocol.DEV_NAME));
    private static final Set<String> SCENARIOS = Set.of("echo", "value");
    private static final int STATUS_OFFSET = 8;
    private static final int LENGTH_OFFSET = 12;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean supports(String scenario, String transport, int threads) {
        if (scenario.equals("read")) {
            return transport.equals("procfs");
        }
        return SCENARIOS.contains(scenario) && CALL_FILES.containsKey(transport);
    }

    @Override
    public Measurement run(BenchCase c) throws Exception {
        return switch (c.scenario()) {
            case "echo" -> echo(c);
            case "value" -> value(c);
            case "read" -> read(c);
            default -> throw new IllegalArgumentException("no java.nio scenario " + c.scenario());
        };
    }

    private static Measurement echo(BenchCase c) throws Exception {
        int size = c.intParam("size");
        Path file = CALL_FILES.get(c.transport());
        return TimedLoop.run(c.threads(), c.doubleParam("warmup"), c.doubleParam("seconds"), 0, thread -> {
            byte[] payload = BenchPayloads.pattern(size, thread);
            RequestReply exchange = new RequestReply(file, KchanRequests.echo(payload));
            int payloadOffset = KchanProtocol.HDR_LEN + 4;
            return TimedLoop.Call.closing(exchange, () -> {
                ByteBuffer reply = exchange.call();
                if (reply.remaining() < payloadOffset + size
                        || !reply.slice(payloadOffset, size).equals(ByteBuffer.wrap(payload))) {
                    throw new IllegalStateException("ECHO through " + file + " returned another payload");
                }
            });
        });
    }

    private static Measurement value(BenchCase c) throws Exception {
        int size = c.intParam("size");
        Path file = CALL_FILES.get(c.transport());
        KchanMessage set = KchanRequests.set(BenchPayloads.VALUE_KEY, BenchPayloads.pattern(size, 0));
        new RequestReply(file, set).callAndClose();
        KchanMessage request = c.param("op").equals("set") ? set : KchanRequests.get(BenchPayloads.VALUE_KEY);
        return TimedLoop.run(1, c.doubleParam("warmup"), c.doubleParam("seconds"), size, thread -> {
            RequestReply exchange = new RequestReply(file, request);
            try {
                // The first reply is decoded whole; later ones must match its length.
                KchanMessage first = MessageCodec.decode(exchange.call());
                if (request != set && KchanReplies.value(first).length != size) {
                    throw new IllegalStateException("GET through " + file + " returned another length");
                }
                int length = first.length();
                return TimedLoop.Call.closing(exchange, () -> {
                    if (exchange.call().remaining() != length) {
                        throw new IllegalStateException(c.scenario() + " through " + file + " changed its reply length");
                    }
                });
            } catch (Exception e) {
                exchange.close();
                throw e;
            }
        });
    }

    private static Measurement read(BenchCase c) throws Exception {
        Path file = Path.of(c.param("file"));
        long length = Files.readAllBytes(file).length;
        return TimedLoop.run(1, c.doubleParam("warmup"), c.doubleParam("seconds"), length, thread -> () -> {
            if (Files.readAllBytes(file).length == 0) {
                throw new IllegalStateException(file + " read empty");
            }
        });
    }

    /** One open file, one encoded request, one reply buffer: write, then read the reply. */
    private static final class RequestReply implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final ByteBuffer request;
        private final ByteBuffer reply = ByteBuffer.allocateDirect(KchanProtocol.MSG_MAX).order(ByteOrder.nativeOrder());

        RequestReply(Path file, KchanMessage message) throws IOException {
            this.file = file;
            this.channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            this.request = ByteBuffer.allocateDirect(message.length()).order(ByteOrder.nativeOrder());
            MessageCodec.encode(message, request);
            request.flip();
        }

        ByteBuffer call() throws IOException {
            request.rewind();
            if (channel.write(request) != request.limit()) {
                throw new IOException("short write of a request to " + file);
            }
            reply.clear();
            int n = channel.read(reply);
            reply.flip();
            if (n < KchanProtocol.HDR_LEN || reply.getInt(LENGTH_OFFSET) != n) {
                throw new IOException("reply from " + file + " is not one whole message (" + n + " bytes)");
            }
            int status = reply.getInt(STATUS_OFFSET);
            if (status != 0) {
                throw new IOException("kernel returned status " + status + " through " + file);
            }
            return reply;
        }

        void callAndClose() throws IOException {
            try (this) {
                call();
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
