// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import dev.kchannel.api.Availability;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.Capability;
import dev.kchannel.api.error.CallTimeoutException;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.PermissionDeniedException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.error.UnsupportedCapabilityException;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.ListEntry;
import dev.kchannel.api.message.ListPart;
import dev.kchannel.api.message.MessageCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The channel's calls, error mapping, handle reuse, dumps and async calls against a scripted
 * kernel behind each call-file handle ({@link ScriptedCallFile}): replies built as kchan_core
 * builds them, refusals on cue, and bytes that are no reply at all.
 */
class ProcfsKernelChannelTest {

    private static final ProcfsSettings SETTINGS = new ProcfsSettings(Path.of("/nonexistent/kchan"),
            Duration.ofSeconds(5), 2, ProcfsSettings.DEFAULT_EVENT_BUFFER);

    private final List<KchanMessage> written = ScriptedCallFile.log();
    private final List<ScriptedCallFile> opened = new ArrayList<>();
    private ProcfsKernelChannel channel;

    @AfterEach
    void close() {
        if (channel != null) {
            channel.close();
        }
    }

    private ProcfsKernelChannel channel(Function<KchanMessage, byte[]> kernel) {
        return channel(() -> {
            ScriptedCallFile file = new ScriptedCallFile(kernel, written);
            synchronized (opened) {
                opened.add(file);
            }
            return file;
        });
    }

    private ProcfsKernelChannel channel(Supplier<CallHandle> opener) {
        channel = new ProcfsKernelChannel(SETTINGS, new CallFilePool(opener, SETTINGS.handles()));
        return channel;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A successful reply to {@code request}, as kchan_core_call() builds one. */
    private static KchanMessage reply(KchanMessage request, Attribute... attributes) {
        KchanMessage.Builder reply = KchanMessage.builder(request.commandId()).flags(KchanProtocol.F_REPLY)
                .seq(request.seq());
        for (Attribute attribute : attributes) {
            reply.attribute(attribute);
        }
        return reply.build();
    }

    /** A failed reply: the errno as status, ERRMSG and, when given, ERRATTR. */
    private static KchanMessage failure(KchanMessage request, Errno errno, String message, int attribute) {
        KchanMessage.Builder reply = KchanMessage.builder(request.commandId()).flags(KchanProtocol.F_REPLY)
                .seq(request.seq()).status(-errno.number()).string(KchanProtocol.ATTR_ERRMSG, message);
        if (attribute >= 0) {
            reply.u32(KchanProtocol.ATTR_ERRATTR, attribute);
        }
        return reply.build();
    }

    private static final Function<KchanMessage, byte[]> ECHO_KERNEL = ScriptedCallFile.answering(request ->
            reply(request, request.attributes().first(KchanProtocol.ATTR_PAYLOAD).orElseThrow()));

    @Test
    void aCallWritesTheRequestNumberedAndReturnsItsReply() {
        channel(ECHO_KERNEL);

        KchanMessage first = channel.call(KchanRequests.echo(utf8("one")).withSeq(999));
        KchanMessage second = channel.call(KchanRequests.echo(utf8("two")));

        assertThat(KchanReplies.payload(first)).isEqualTo(utf8("one"));
        assertThat(KchanReplies.payload(second)).isEqualTo(utf8("two"));
        assertThat(written).extracting(KchanMessage::seq).containsExactly(1, 2);
        assertThat(written.get(0).attributes()).isEqualTo(KchanRequests.echo(utf8("one")).attributes());
        assertThat(channel.openHandles()).as("one handle, reused").isEqualTo(1);
        assertThat(opened).hasSize(1);
    }

    @Test
    void aFailedReplyIsTheTypedExceptionWithTheKernelsTextAndAttribute() {
        channel(ScriptedCallFile.answering(request -> switch (request.command()) {
            case GET -> failure(request, Errno.ENOENT, "key not found", KchanProtocol.ATTR_KEY);
            case SET -> failure(request, Errno.EPERM, "command needs a privileged caller", -1);
            default -> failure(request, Errno.ERANGE, "binary attribute size out of range", KchanProtocol.ATTR_KEY);
        }));

        assertThatThrownBy(() -> channel.call(KchanRequests.get("absent")))
                .isInstanceOfSatisfying(NoSuchEntryException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("procfs: GET failed: ENOENT (2): key not found [attribute KEY]");
                    assertThat(e.offendingAttribute()).hasValue(KchanProtocol.ATTR_KEY);
                    assertThat(e.transport()).contains("procfs");
                });
        assertThatThrownBy(() -> channel.call(KchanRequests.set("k", "v")))
                .isInstanceOfSatisfying(PermissionDeniedException.class,
                        e -> assertThat(e.extAckMessage()).contains("command needs a privileged caller"));
        assertThatThrownBy(() -> channel.call(KchanRequests.delete("k")))
                .isInstanceOfSatisfying(KernelErrorException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ERANGE));
        assertThat(channel.openHandles()).as("a refused request leaves the handle usable").isEqualTo(1);
    }

    @Test
    void aReplyToAnotherRequestIsMalformedAndItsHandleIsDropped() {
        channel(ScriptedCallFile.answering(request -> reply(request.withSeq(request.seq() + 1))));

        assertThatThrownBy(() -> channel.call(KchanRequests.echo(new byte[1])))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNEXPECTED_MESSAGE);
                    assertThat(e.transport()).contains("procfs");
                    assertThat(e.getMessage()).contains("its seq 2 is not the request's 1");
                });
        assertThat(opened.get(0).isClosed()).isTrue();
        assertThat(channel.openHandles()).isZero();
    }

    @Test
    void bytesThatAreNoMessageAreMalformedNamingTheTransport() {
        AtomicInteger call = new AtomicInteger();
        channel(request -> call.incrementAndGet() == 1 ? new byte[0] : new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 99, 0, 0, 0});

        assertThatThrownBy(() -> channel.call(KchanRequests.echo(new byte[1])))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.TRUNCATED_HEADER);
                    assertThat(e.transport()).contains("procfs");
                });
        assertThatThrownBy(() -> channel.call(KchanRequests.echo(new byte[1])))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.LENGTH_PAST_END));
        assertThat(opened).hasSize(2).allMatch(ScriptedCallFile::isClosed);
    }

    @Test
    void aWriteRefusedForItsFramingKeepsTheHandleOtherRefusalsDropIt() {
        AtomicInteger call = new AtomicInteger();
        channel(request -> {
            Errno errno = switch (call.incrementAndGet()) {
                case 1 -> Errno.EINVAL;
                case 2 -> Errno.EMSGSIZE;
                default -> Errno.EBUSY;
            };
            throw KernelErrorException.forErrno(errno).transport("procfs").operation("write /proc/kchan/call").build();
        });

        for (Errno expected : List.of(Errno.EINVAL, Errno.EMSGSIZE)) {
            assertThatThrownBy(() -> channel.call(KchanRequests.echo(new byte[1])))
                    .isInstanceOfSatisfying(KernelErrorException.class, e -> {
                        assertThat(e.errno()).isEqualTo(expected);
                        assertThat(e.operation()).contains("write /proc/kchan/call");
                    });
            assertThat(opened).as("after %s", expected).hasSize(1).noneMatch(ScriptedCallFile::isClosed);
        }
        assertThatThrownBy(() -> channel.call(KchanRequests.echo(new byte[1])))
                .isInstanceOfSatisfying(KernelErrorException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBUSY));
        assertThat(opened.get(0).isClosed()).as("a handle that may hold a reply").isTrue();
    }

    @Test
    void aHandleTheModuleLeftBehindIsReplacedAndTheCallTriedOnceMore() {
        // The first handle outlives an unload: its writes fail with EIO, as proc does then.
        AtomicInteger handles = new AtomicInteger();
        channel(() -> {
            boolean stale = handles.incrementAndGet() == 1;
            ScriptedCallFile file = new ScriptedCallFile(request -> {
                if (stale) {
                    throw KernelErrorException.forErrno(Errno.EIO).transport("procfs").operation("write /proc/kchan/call").build();
                }
                return ECHO_KERNEL.apply(request);
            }, written);
            opened.add(file);
            return file;
        });
        channel.call(KchanRequests.echo(utf8("opens the first handle")));
        // handles == 1 was the stale one: it failed, the retry on handle 2 answered.
        assertThat(opened).hasSize(2);
        assertThat(opened.get(0).isClosed()).isTrue();

        assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(utf8("again"))))).isEqualTo(utf8("again"));
        assertThat(written).extracting(KchanMessage::seq).containsExactly(1, 1, 2);
    }

    @Test
    void withTheModuleGoneTheRetryIsTransportUnavailable() {
        AtomicInteger handles = new AtomicInteger();
        channel(() -> {
            if (handles.incrementAndGet() > 1) {
                throw new TransportUnavailableException("procfs", ProcfsTransport.notLoaded(Path.of("/proc/kchan/call")),
                        Errno.ENOENT, null);
            }
            return new ScriptedCallFile(request -> {
                throw KernelErrorException.forErrno(Errno.EIO).transport("procfs").build();
            }, written);
        });

        assertThatThrownBy(() -> channel.call(KchanRequests.echo(new byte[1])))
                .isInstanceOfSatisfying(TransportUnavailableException.class, e -> assertThat(e.reason())
                        .isEqualTo(Availability.moduleNotLoaded("kchan_procfs", "no /proc/kchan/call")));
    }

    @Test
    void anUnloadBetweenTheWriteAndTheReadIsTransportUnavailableAndNotRetried() {
        // rmmod kchan_procfs released the open file after the write ran the request: proc then
        // fails the read with EIO, and the reply is lost.
        List<CallHandle> handles = new ArrayList<>();
        channel(() -> {
            CallHandle file = new CallHandle() {
                @Override
                public void writeRequest(ByteBuffer request) {
                    written.add(MessageCodec.decode(request.duplicate()));
                    request.position(request.limit());
                }

                @Override
                public byte[] readReply() {
                    throw KernelErrorException.forErrno(Errno.EIO).transport("procfs").operation("read /proc/kchan/call")
                            .build();
                }

                @Override
                public void close() {
                }
            };
            handles.add(file);
            return file;
        });

        assertThatThrownBy(() -> channel.call(KchanRequests.set("k", "v")))
                .isInstanceOfSatisfying(TransportUnavailableException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EIO);
                    assertThat(e.reason()).contains("kchan_procfs was unloaded while the call was in flight")
                            .contains("may have run").contains("works again once it is loaded");
                });
        assertThat(written).as("the request is not sent again: it may have run").hasSize(1);
        assertThat(channel.openHandles()).as("the stale handle is not kept").isZero();
    }

    @Test
    void concurrentCallsEachHaveAHandleOfTheirOwn() throws Exception {
        CountDownLatch inKernel = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        channel(ScriptedCallFile.answering(request -> {
            if (request.attributes().first(KchanProtocol.ATTR_PAYLOAD).orElseThrow().length() == 1) {
                inKernel.countDown();
                await(release);
            }
            return reply(request, request.attributes().first(KchanProtocol.ATTR_PAYLOAD).orElseThrow());
        }));
        CompletableFuture<KchanMessage> slow = CompletableFuture.supplyAsync(() -> channel.call(KchanRequests.echo(new byte[1])));
        assertThat(inKernel.await(60, TimeUnit.SECONDS)).isTrue();

        KchanMessage fast = channel.call(KchanRequests.echo(new byte[2]));
        release.countDown();

        assertThat(KchanReplies.payload(fast)).hasSize(2);
        assertThat(KchanReplies.payload(slow.get(60, TimeUnit.SECONDS))).hasSize(1);
        assertThat(opened).hasSize(2);
        assertThat(channel.openHandles()).as("both kept, within kchannel.procfs.handles").isEqualTo(2);
    }

    @Test
    void aDumpPagesByCursorUntilAPartWithoutMore() {
        channel(ScriptedCallFile.answering(request -> {
            boolean first = request.attributes().first(KchanProtocol.ATTR_CURSOR).isEmpty();
            String key = first ? "a" : "b";
            KchanMessage.Builder part = KchanMessage.builder(Command.LIST).flags(KchanProtocol.F_REPLY | (first ? KchanProtocol.F_MORE : 0))
                    .seq(request.seq())
                    .nested(KchanProtocol.ATTR_ENTRY, Attribute.bytes(KchanProtocol.ATTR_KEY, utf8(key)),
                            Attribute.bytes(KchanProtocol.ATTR_VALUE, utf8("value " + key)));
            if (first) {
                part.bytes(KchanProtocol.ATTR_CURSOR, utf8(key));
            }
            return part.build();
        }));

        List<ListEntry> entries;
        try (Stream<KchanMessage> parts = channel.dump(KchanRequests.list())) {
            entries = parts.map(ListPart::from).flatMap(part -> part.entries().stream()).collect(Collectors.toList());
        }

        assertThat(entries).extracting(ListEntry::keyAsString).containsExactly("a", "b");
        assertThat(written).hasSize(2);
        assertThat(written.get(1).attributes().first(KchanProtocol.ATTR_CURSOR).orElseThrow().bytes()).isEqualTo(utf8("a"));
    }

    @Test
    void callAsyncCompletesWithTheReplyOrItsFailure() throws Exception {
        channel(ScriptedCallFile.answering(request -> request.attributes().first(KchanProtocol.ATTR_PAYLOAD).orElseThrow()
                .length() == 0 ? failure(request, Errno.EINVAL, "no", -1)
                : reply(request, request.attributes().first(KchanProtocol.ATTR_PAYLOAD).orElseThrow())));

        CompletableFuture<KchanMessage> good = channel.callAsync(KchanRequests.echo(utf8("async")));
        CompletableFuture<KchanMessage> bad = channel.callAsync(KchanRequests.echo(new byte[0]));

        assertThat(KchanReplies.payload(good.get(60, TimeUnit.SECONDS))).isEqualTo(utf8("async"));
        assertThatThrownBy(() -> bad.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(KernelErrorException.class);
    }

    @Test
    void callAsyncTimesOutWhileTheKernelStillHasTheCall() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        channel = new ProcfsKernelChannel(new ProcfsSettings(SETTINGS.dir(), Duration.ofMillis(50), 2,
                SETTINGS.eventBuffer()), new CallFilePool(() -> new ScriptedCallFile(ScriptedCallFile.answering(request -> {
                    await(release);
                    return reply(request);
                }), written), 2));
        try {
            CompletableFuture<KchanMessage> reply = channel.callAsync(KchanRequests.stats());

            assertThatThrownBy(() -> reply.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(CallTimeoutException.class);
        } finally {
            release.countDown();
        }
    }

    @Test
    void capabilitiesAreRequestReplyDumpAndPushOnly() {
        channel(ECHO_KERNEL);

        assertThat(channel.capabilities().asSet())
                .containsExactlyInAnyOrder(Capability.REQUEST_REPLY, Capability.DUMP, Capability.KERNEL_PUSH);
        assertThat(channel.capabilities().maxPayload()).isEqualTo(KchanProtocol.PAYLOAD_MAX);
        assertThatThrownBy(() -> channel.send(KchanRequests.echo(new byte[1])))
                .isInstanceOfSatisfying(UnsupportedCapabilityException.class,
                        e -> assertThat(e.capability()).isEqualTo(Capability.ONE_WAY));
        assertThat(channel.transportName()).isEqualTo("procfs");
        assertThat(channel.unwrap(KchanProcDirectory.class)).hasValueSatisfying(
                directory -> assertThat(directory.callFile()).isEqualTo(Path.of("/nonexistent/kchan/call")));
    }

    @Test
    void closeClosesEveryHandleAndLaterCallsFailAsClosed() {
        channel(ECHO_KERNEL);
        channel.call(KchanRequests.echo(new byte[1]));

        channel.close();
        channel.close();

        assertThat(channel.isOpen()).isFalse();
        assertThat(opened).allMatch(ScriptedCallFile::isClosed);
        assertThatThrownBy(() -> channel.call(KchanRequests.echo(new byte[1])))
                .isInstanceOfSatisfying(ChannelClosedException.class, e -> assertThat(e.transport()).contains("procfs"));
        assertThatThrownBy(() -> channel.callAsync(KchanRequests.echo(new byte[1])))
                .isInstanceOf(ChannelClosedException.class);
    }

    @Test
    void aTimeoutThatIsNotPositiveIsRefused() {
        channel(ECHO_KERNEL);

        assertThatThrownBy(() -> channel.call(KchanRequests.stats(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(written).isEmpty();
    }

    @Test
    void decodeChecksTheReplyAnswersTheRequest() {
        KchanMessage request = KchanRequests.stats().withSeq(7);
        byte[] notAReply = MessageCodec.toByteArray(KchanMessage.builder(Command.STATS).seq(7).build());

        assertThatThrownBy(() -> ProcfsKernelChannel.decode(notAReply, request))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.getMessage()).contains("the REPLY flag is not set").startsWith("procfs: "));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
