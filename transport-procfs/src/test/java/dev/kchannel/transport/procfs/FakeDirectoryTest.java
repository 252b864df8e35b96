// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import dev.kchannel.api.Availability;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.EventListener;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.MessageCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport over a temporary directory standing in for /proc/kchan, with regular files
 * where kchan_procfs has its entries: the real system calls run, so this shows the framing (one
 * whole request per write, a reply read to end of file, events read whole from the events file)
 * on any machine. A regular file is no kchan peer: its "reply" is empty, and its events end.
 */
class FakeDirectoryTest {

    private static KchannelConfig config(Path dir) {
        return KchannelConfig.builder().transport("procfs").setting("procfs", "dir", dir.toString())
                .setting("procfs", "event-buffer", "4096").build();
    }

    private static KchanMessage event(long seq, long dropped, String key) {
        return KchanMessage.builder(Command.EVENT).flags(KchanProtocol.F_EVENT)
                .u32(KchanProtocol.ATTR_EVENT_TYPE, KchanProtocol.EVENT_STORE_SET)
                .u64(KchanProtocol.ATTR_SEQ, seq).u64(KchanProtocol.ATTR_DROPPED, dropped)
                .bytes(KchanProtocol.ATTR_KEY, key.getBytes(StandardCharsets.UTF_8))
                .bytes(KchanProtocol.ATTR_VALUE, new byte[] {1, 2, 3})
                .build();
    }

    /** What a subscription delivered, in order: events as "event SEQ", gaps as "gap N", the error last. */
    private static final class Recorder implements EventListener {
        final List<String> delivered = new CopyOnWriteArrayList<>();
        final CountDownLatch ended = new CountDownLatch(1);
        volatile KchannelException error;

        @Override
        public void onEvent(KchanEvent event) {
            delivered.add("event " + event.seq() + " " + event.keyAsString().orElse("?") + " dropped " + event.dropped());
        }

        @Override
        public void onGap(long lostCount) {
            delivered.add("gap " + lostCount);
        }

        @Override
        public void onError(KchannelException e) {
            error = e;
            ended.countDown();
        }
    }

    @Test
    void aCallWritesExactlyOneWholeNumberedRequestAndReadsToEndOfFile(@TempDir Path dir) throws IOException {
        Path call = Files.createFile(dir.resolve("call"));
        try (KernelChannel channel = new ProcfsTransport().open(config(dir))) {
            KchanMessage request = KchanRequests.set("key", "value");

            // The file has no reply to give: end of file straight after the request.
            assertThatThrownBy(() -> channel.call(request))
                    .isInstanceOfSatisfying(MalformedMessageException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.TRUNCATED_HEADER);
                        assertThat(e.transport()).contains("procfs");
                    });

            assertThat(Files.readAllBytes(call)).isEqualTo(MessageCodec.toByteArray(request.withSeq(1)));
            assertThat(channel.unwrap(KchanProcDirectory.class).orElseThrow().dir()).isEqualTo(dir);
        }
    }

    @Test
    void eventsAreReadWholeWithExactGapsUntilTheFileEnds(@TempDir Path dir) throws Exception {
        Files.createFile(dir.resolve("call"));
        ByteArrayOutputStream events = new ByteArrayOutputStream();
        events.write(MessageCodec.toByteArray(event(0, 0, "a")));
        events.write(MessageCodec.toByteArray(event(1, 0, "b")));
        events.write(MessageCodec.toByteArray(event(4, 2, "c")));
        events.write(MessageCodec.toByteArray(event(5, 2, "d")));
        Files.write(dir.resolve("events"), events.toByteArray());
        Recorder recorder = new Recorder();
        try (KernelChannel channel = new ProcfsTransport().open(config(dir));
                Subscription subscription = channel.subscribe(recorder)) {

            assertThat(recorder.ended.await(60, TimeUnit.SECONDS)).as("the subscription ended").isTrue();

            assertThat(recorder.delivered).containsExactly("event 0 a dropped 0", "event 1 b dropped 0", "gap 2",
                    "event 4 c dropped 2", "event 5 d dropped 2");
            // A real events file never ends; this one does, and that ends the subscription.
            assertThat(recorder.error).isInstanceOfSatisfying(TransportUnavailableException.class,
                    e -> assertThat(e.reason()).contains("reached its end"));
            assertThat(subscription.isActive()).isFalse();
        }
    }

    @Test
    void aMessageInTheEventsFileThatIsNoEventEndsTheSubscription(@TempDir Path dir) throws Exception {
        Files.createFile(dir.resolve("call"));
        ByteArrayOutputStream events = new ByteArrayOutputStream();
        events.write(MessageCodec.toByteArray(event(0, 0, "a")));
        events.write(MessageCodec.toByteArray(KchanRequests.echo(new byte[4])));
        Files.write(dir.resolve("events"), events.toByteArray());
        Recorder recorder = new Recorder();
        try (KernelChannel channel = new ProcfsTransport().open(config(dir));
                Subscription subscription = channel.subscribe(recorder)) {

            assertThat(recorder.ended.await(60, TimeUnit.SECONDS)).isTrue();

            assertThat(recorder.delivered).containsExactly("event 0 a dropped 0");
            assertThat(recorder.error).isInstanceOfSatisfying(MalformedMessageException.class, e -> {
                assertThat(e.reason()).isEqualTo(Reason.UNEXPECTED_MESSAGE);
                assertThat(e.transport()).contains("procfs");
            });
        }
    }

    @Test
    void subscribingWithoutAnEventsFileIsUnavailable(@TempDir Path dir) throws IOException {
        Files.createFile(dir.resolve("call"));
        try (KernelChannel channel = new ProcfsTransport().open(config(dir))) {
            assertThatThrownBy(() -> channel.subscribe(event -> { }))
                    .isInstanceOfSatisfying(TransportUnavailableException.class, e -> assertThat(e.reason())
                            .isEqualTo(Availability.moduleNotLoaded("kchan_procfs", "no " + dir.resolve("events") + "")));
        }
    }

    @Test
    void closingTheChannelEndsItsSubscriptionsQuietly(@TempDir Path dir) throws Exception {
        Files.createFile(dir.resolve("call"));
        // A FIFO has a writer here and no data: the reader waits in poll until closed.
        Path fifo = dir.resolve("events");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        try (java.io.RandomAccessFile writer = new java.io.RandomAccessFile(fifo.toFile(), "rw")) {
            Recorder recorder = new Recorder();
            KernelChannel channel = new ProcfsTransport().open(config(dir));
            Subscription subscription = channel.subscribe(recorder);
            assertThat(subscription.isActive()).isTrue();

            channel.close();

            assertThat(subscription.isActive()).isFalse();
            assertThat(recorder.error).as("closed by its owner: no error").isNull();
            assertThat(recorder.delivered).isEmpty();
        }
    }
}
