// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.EventListener;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.message.EventType;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.transport.netlink.NetlinkTransport;
import dev.kchannel.transport.netlink.genl.GenericFamily;
import dev.kchannel.transport.netlink.raw.MultiplexedConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kchan_netlink unloaded and loaded again under an open channel: calls fail with a clear "gone"
 * error during the gap, then work again on the same channel, at the family's new id, which the
 * channel learns from nlctrl's notify group (no ENOENT round trip) or, on pooled sockets, from
 * genl's ENOENT; and a subscription opened before the reload delivers events after it without
 * being opened again, telling its listener the stream restarted.
 */
class NetlinkReloadGuestTest {

    private static final List<String> MODULES = GuestShell.NETLINK_MODULES;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final byte[] HELLO = "still here".getBytes(StandardCharsets.UTF_8);

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    private static KernelChannel open(String sockets) {
        return new NetlinkTransport().open(KchannelConfig.builder().transport("netlink")
                .callTimeout(Duration.ofSeconds(30)).setting("netlink", "sockets", sockets).build());
    }

    private static void rmmod() {
        GuestShell.Result removed = GuestShell.rmmod("kchan_netlink");
        assertThat(removed.ok()).as("rmmod kchan_netlink: %s", removed.output()).isTrue();
    }

    private static void insmod() {
        GuestShell.Result loaded = GuestShell.insmod("kchan_netlink");
        assertThat(loaded.ok()).as("insmod kchan_netlink: %s", loaded.output()).isTrue();
    }

    private static void assertGone(KernelChannel channel) {
        assertThatThrownBy(() -> channel.call(KchanRequests.echo(HELLO)))
                .isInstanceOfSatisfying(TransportUnavailableException.class, e -> assertThat(e.getMessage())
                        .contains("kchan_netlink was unloaded").contains("works again once it is loaded"));
    }

    private static int familyId(KernelChannel channel) {
        return channel.unwrap(GenericFamily.class).orElseThrow().id();
    }

    /** Waits up to a minute for {@code condition}: the channel follows nlctrl on a thread of its own. */
    private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Records a subscription's calls in order: events as their key, gaps, restarts, errors. */
    private static final class Recording implements EventListener {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<String> restarts = new CopyOnWriteArrayList<>();
        final List<KchannelException> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(KchanEvent event) {
            if (event.type() == EventType.STORE_SET) {
                calls.add("set " + event.keyAsString().orElse("?"));
            }
        }

        @Override
        public void onGap(long lostCount) {
            calls.add("gap " + lostCount);
        }

        @Override
        public void onRestart(String reason) {
            calls.add("restart");
            restarts.add(reason);
        }

        @Override
        public void onError(KchannelException error) {
            errors.add(error);
        }
    }

    @Test
    void aSubscriptionAndTheChannelFollowTheModuleAcrossAReloadWithoutBeingOpenedAgain() throws Exception {
        String before = "reload.before." + System.nanoTime();
        String after = "reload.after." + System.nanoTime();
        Recording listener = new Recording();
        try (KernelChannel channel = open("shared"); Subscription subscription = channel.subscribe(listener)) {
            MultiplexedConnection socket = channel.unwrap(MultiplexedConnection.class).orElseThrow();
            channel.call(KchanRequests.set(before, "1"));
            eventually("the event of the SET before the reload", () -> listener.calls.contains("set " + before));
            int idBefore = familyId(channel);

            rmmod();
            assertGone(channel);
            assertThat(subscription.isActive()).as("the subscription outlives the module").isTrue();

            insmod();
            eventually("the subscription rejoined the new events group", () -> !listener.restarts.isEmpty());
            // Learnt from nlctrl's announcement, before any call needed it.
            int idAfter = familyId(channel);
            assertThat(idAfter).as("the family's id after the reload (genl hands out a new one)")
                    .isNotEqualTo(idBefore);
            long sentBefore = socket.requestsSent();
            assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(HELLO)))).isEqualTo(HELLO);
            assertThat(socket.requestsSent() - sentBefore).as("requests for one call: no ENOENT round trip")
                    .isEqualTo(1);

            channel.call(KchanRequests.set(after, "2"));
            eventually("the event of the SET after the reload, on the same subscription",
                    () -> listener.calls.contains("set " + after));

            assertThat(listener.calls).as("no gap counted across the restart").containsSubsequence(
                    "set " + before, "restart", "set " + after).noneMatch(call -> call.startsWith("gap"));
            assertThat(listener.restarts).singleElement().satisfies(reason -> assertThat(reason)
                    .contains("kchan_netlink reloaded").contains("cannot be counted"));
            assertThat(listener.errors).isEmpty();
            assertThat(subscription.isActive()).isTrue();
            assertThat(socket.socketsOpened()).as("the channel's one socket served it all").isEqualTo(1);
            channel.call(KchanRequests.delete(before));
            channel.call(KchanRequests.delete(after));
        }
    }

    @Test
    void aChannelWithoutSubscriptionsLearnsTheNewIdFromNlctrl() throws Exception {
        try (KernelChannel channel = open("shared")) {
            MultiplexedConnection socket = channel.unwrap(MultiplexedConnection.class).orElseThrow();
            assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(HELLO)))).isEqualTo(HELLO);
            int idBefore = familyId(channel);

            rmmod();
            assertGone(channel);
            insmod();
            eventually("the channel took the new id from nlctrl's announcement", () -> familyId(channel) != idBefore);

            long sentBefore = socket.requestsSent();
            assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(HELLO)))).isEqualTo(HELLO);
            assertThat(socket.requestsSent() - sentBefore).as("no ENOENT round trip").isEqualTo(1);
        }
    }

    @Test
    void pooledSocketsStillRecoverThroughGenlsEnoent() {
        try (KernelChannel channel = open("pooled")) {
            assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(HELLO)))).isEqualTo(HELLO);
            int idBefore = familyId(channel);

            rmmod();
            assertGone(channel);
            insmod();

            assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(HELLO)))).isEqualTo(HELLO);
            assertThat(familyId(channel)).as("the family's id after the reload (genl hands out a new one)")
                    .isNotEqualTo(idBefore);
        }
    }
}
