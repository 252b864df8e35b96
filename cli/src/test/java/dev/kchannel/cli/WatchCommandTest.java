// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.Availability;
import dev.kchannel.api.Capability;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.message.KchanProtocol;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * kchan watch against a fake kernel: the lines it prints, each way it ends, and that the
 * subscription and channel are closed however it ends. The watch runs on its own thread; the test
 * waits for "watching events on" on standard error (printed once subscribed) before it makes
 * events, so nothing depends on timing. The timeout only guards against a hang.
 */
@Timeout(60)
class WatchCommandTest {

    private final CliHarness cli = CliHarness.withNetlink();
    private final WatchedOutput out = new WatchedOutput();
    private final WatchedOutput err = new WatchedOutput();
    private final ExecutorService thread = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopThread() {
        thread.shutdownNow();
    }

    private Future<CliHarness.Result> watch(String... args) throws InterruptedException {
        String[] argv = new String[args.length + 1];
        argv[0] = "watch";
        System.arraycopy(args, 0, argv, 1, args.length);
        Future<CliHarness.Result> result = thread.submit(() -> cli.run(out, err, argv));
        err.awaitText("kchan: watching events on netlink");
        return result;
    }

    @Test
    void countEndsTheWatchAfterThatManyEvents() throws Exception {
        Future<CliHarness.Result> watching = watch("--count", "3");

        cli.run("set", "a", "1");
        cli.run("set", "b", "two words");
        cli.run("delete", "a");
        CliHarness.Result result = watching.get();

        assertThat(result.status()).isZero();
        assertThat(result.out()).isEqualTo("101\tSTORE_SET\ta\t1\n102\tSTORE_SET\tb\ttwo words\n103\tSTORE_DELETE\ta\n");
        assertThat(result.err()).isEqualTo("kchan: watching events on netlink, up to 3 (Ctrl-C to stop)\n"
                + "kchan: watch ended (count reached): 3 events, 0 lost\n");
        FakeTransport.FakeChannel channel = cli.transport("netlink").opened.get(0);
        assertThat(channel.subscriptions).singleElement().satisfies(s -> assertThat(s.isActive()).isFalse());
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void gapsPrintAsLostLinesBeforeTheNextEvent() throws Exception {
        Future<CliHarness.Result> watching = watch("--count", "3");

        cli.kernel.publishWithSeq(FakeKernel.event(KchanProtocol.EVENT_GENERATED)
                .u64(KchanProtocol.ATTR_GEN_INDEX, 0).bytes(KchanProtocol.ATTR_PAYLOAD, new byte[64]), 7);
        cli.kernel.publishWithSeq(FakeKernel.event(KchanProtocol.EVENT_GENERATED)
                .u64(KchanProtocol.ATTR_GEN_INDEX, 5).bytes(KchanProtocol.ATTR_PAYLOAD, new byte[64]), 12);
        cli.kernel.publishWithSeq(FakeKernel.event(KchanProtocol.EVENT_GENERATED)
                .u64(KchanProtocol.ATTR_GEN_INDEX, 7).bytes(KchanProtocol.ATTR_PAYLOAD, new byte[64]), 14);
        CliHarness.Result result = watching.get();

        assertThat(result.out()).isEqualTo("7\tGENERATED\t0\t64\nlost 4 events\n12\tGENERATED\t5\t64\n"
                + "lost 1 event\n14\tGENERATED\t7\t64\n");
        assertThat(result.err()).endsWith("kchan: watch ended (count reached): 3 events, 5 lost\n");
    }

    @Test
    void hexPrintsKeysAndValuesAsHex() throws Exception {
        Future<CliHarness.Result> watching = watch("--count", "1", "--hex");

        cli.run("set", "k", "v");

        assertThat(watching.get().out()).isEqualTo("101\tSTORE_SET\t6b\t76\n");
    }

    @Test
    void ctrlCEndsTheWatchWithOneThirtyAndClosesTheSubscription() throws Exception {
        Future<CliHarness.Result> watching = watch();
        cli.run("set", "a", "1");
        out.awaitText("STORE_SET");

        assertThat(cli.stop.requestAndAwaitCleanup(java.time.Duration.ofSeconds(30))).isTrue();
        CliHarness.Result result = watching.get();

        assertThat(result.status()).isEqualTo(130);
        assertThat(result.out()).isEqualTo("101\tSTORE_SET\ta\t1\n");
        assertThat(result.err()).endsWith("kchan: watch ended (interrupted): 1 event, 0 lost\n");
        assertThat(cli.transport("netlink").opened.get(0).subscriptions.get(0).isActive()).isFalse();
        assertThat(cli.kernel.subscribers).isEmpty();
    }

    @Test
    void timeoutWithoutCountEndsWithZero() {
        CliHarness.Result result = cli.run("watch", "--timeout", "1ms");

        assertThat(result.status()).isZero();
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).endsWith("kchan: watch ended (timeout): 0 events, 0 lost\n");
    }

    @Test
    void timeoutBeforeCountEventsEndsWithFive() {
        CliHarness.Result result = cli.run("watch", "--count", "2", "--timeout", "1ms");

        assertThat(result.status()).isEqualTo(5);
        assertThat(result.err()).isEqualTo("kchan: watching events on netlink, up to 2, for 1 ms (Ctrl-C to stop)\n"
                + "kchan: watch ended (timeout): 0 events, 0 lost\n");
    }

    @Test
    void aFailedSubscriptionEndsTheWatchWithItsError() throws Exception {
        Future<CliHarness.Result> watching = watch();

        cli.kernel.subscribers.forEach(l -> l.onError(new ChannelClosedException("netlink",
                new IllegalStateException("socket gone"))));
        CliHarness.Result result = watching.get();

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).endsWith("kchan: watch ended (subscription failed): 0 events, 0 lost\n"
                + "kchan: netlink: channel was closed: socket gone\n");
    }

    @Test
    void aTransportWithoutKernelPushCannotWatch() {
        cli.add(new FakeTransport("sockopt", cli.kernel, Availability.available(), Capability.REQUEST_REPLY));

        CliHarness.Result result = cli.run("--transport", "sockopt", "watch");

        assertThat(result).isEqualTo(new CliHarness.Result(1, "",
                "kchan: kernel transport 'sockopt' does not support KERNEL_PUSH: check KernelChannel.capabilities() before calling, or set kchannel.transport to a transport that has it\n"));
    }

    @Test
    void aBadCountIsAUsageErrorBeforeTheTransportIsOpened() {
        CliHarness.Result result = cli.run("watch", "--count", "0");

        assertThat(result).isEqualTo(new CliHarness.Result(2, "",
                "kchan: --count must be at least 1, got 0\nusage: kchan [OPTIONS] watch\n"));
        assertThat(cli.transport("netlink").opened).isEmpty();
    }
}
