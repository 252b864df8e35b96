// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.Capability;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.transport.chardev.ChardevTransport;
import dev.kchannel.transport.netlink.NetlinkTransport;
import dev.kchannel.transport.procfs.ProcfsTransport;
import dev.kchannel.transport.sockopt.SockoptTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * rmmod of each kchan module while channels of it are open and busy (threads calling ECHO, SET and
 * GET in a loop; subscriptions open and the generator running where the transport pushes events).
 * Each module gives the one outcome its design promises:
 * <ul>
 *   <li>refused: an open file pins the module through its fops owner (/dev/kchan, an open
 *       /proc/kchan/events), or transports hold kchan_core: rmmod fails with "in use", the kernel's
 *       errno being EAGAIN (delete_module's EWOULDBLOCK), the module stays and every channel keeps
 *       answering;
 *   <li>completed: a genl family, /proc/kchan/call and netfilter sockopts do not pin the module:
 *       rmmod completes, every call from then on fails with {@link TransportUnavailableException},
 *       no caller hangs, and after insmod a new channel works and the old ones work again.
 * </ul>
 * Every round ends with the module's reference count back at its idle value; every test ends with
 * kchan's kernel memory back at its baseline. {@code kchannel.it.unload.rounds} (3) rounds each, so
 * a race has a chance to show.
 */
class UnloadUnderLoadGuestTest {

    private static final List<String> MODULES = List.of("kchan_core", "kchan_netlink", "kchan_procfs", "kchan_sockopt",
            "kchan_chardev");
    private static final int ROUNDS = Integer.getInteger("kchannel.it.unload.rounds", 3);
    private static final int CHANNELS = 3;
    private static final int CALLERS_PER_CHANNEL = 2;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration JOIN = Duration.ofSeconds(30);
    /** delete_module's EWOULDBLOCK, which Linux spells EAGAIN. */
    private static final String IN_USE_ERRNO = "EAGAIN";

    private enum Outcome { REFUSED, COMPLETED }

    /**
     * One module to unload and the channels to load it with.
     *
     * @param module the module rmmod removes
     * @param openers one per channel to open; the first also starts and stops the generator
     * @param subscribe whether to subscribe on the channels that support kernel push
     * @param expected what the module's design promises
     * @param pause how long each caller rests between calls
     */
    private record Target(String module, List<Supplier<KernelChannel>> openers, boolean subscribe, Outcome expected,
            Duration pause) {
        Target(String module, List<Supplier<KernelChannel>> openers, boolean subscribe, Outcome expected) {
            this(module, openers, subscribe, expected, Duration.ZERO);
        }
    }

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    private static KchannelConfig config(String transport) {
        return KchannelConfig.builder().transport(transport).callTimeout(Duration.ofSeconds(30)).build();
    }

    private static KernelChannel netlink() {
        return new NetlinkTransport().open(config("netlink"));
    }

    private static KernelChannel procfs() {
        return new ProcfsTransport().open(config("procfs"));
    }

    private static KernelChannel sockopt() {
        return new SockoptTransport().open(config("sockopt"));
    }

    private static KernelChannel chardev() {
        return new ChardevTransport().open(config("chardev"));
    }

    private static List<Supplier<KernelChannel>> times(Supplier<KernelChannel> opener) {
        List<Supplier<KernelChannel>> openers = new ArrayList<>();
        for (int i = 0; i < CHANNELS; i++) {
            openers.add(opener);
        }
        return openers;
    }

    @Test
    void kchanNetlinkUnloadsUnderBusyGenlChannelsAndTheyRecover() throws Exception {
        rounds(new Target("kchan_netlink", times(UnloadUnderLoadGuestTest::netlink), true, Outcome.COMPLETED));
    }

    @Test
    void kchanProcfsIsRefusedWhileSubscribersHoldTheEventsFile() throws Exception {
        rounds(new Target("kchan_procfs", times(UnloadUnderLoadGuestTest::procfs), true, Outcome.REFUSED));
    }

    @Test
    void kchanProcfsUnloadsUnderBusyCallChannelsAndTheyRecover() throws Exception {
        rounds(new Target("kchan_procfs", times(UnloadUnderLoadGuestTest::procfs), false, Outcome.COMPLETED));
    }

    @Test
    void kchanSockoptUnloadsUnderBusyChannelsAndTheyRecover() throws Exception {
        // nf_sockopt_find() holds the module for each call's length, so rmmod is "in use" whenever
        // one runs: with callers that never rest it would be refused forever, which is the design
        // too. Callers resting 5 ms between calls leave moments with none running.
        rounds(new Target("kchan_sockopt", times(UnloadUnderLoadGuestTest::sockopt), false, Outcome.COMPLETED,
                Duration.ofMillis(5)));
    }

    @Test
    void kchanChardevIsRefusedWhileItsFilesAreOpen() throws Exception {
        rounds(new Target("kchan_chardev", times(UnloadUnderLoadGuestTest::chardev), true, Outcome.REFUSED));
    }

    @Test
    void kchanCoreIsRefusedWhileTransportsUseIt() throws Exception {
        rounds(new Target("kchan_core", List.of(UnloadUnderLoadGuestTest::netlink, UnloadUnderLoadGuestTest::procfs,
                UnloadUnderLoadGuestTest::sockopt, UnloadUnderLoadGuestTest::chardev), true, Outcome.REFUSED));
    }

    private static void rounds(Target target) throws Exception {
        KernelMemory.Snapshot baseline = KernelMemory.snapshot();
        int idleRefcnt = refcnt(target.module());
        for (int round = 1; round <= ROUNDS; round++) {
            round(target, round);
            awaitRefcnt(target.module(), idleRefcnt, "after round " + round);
        }
        KernelMemory.assertBackTo(baseline, WAIT, ROUNDS + " unload rounds of " + target.module());
    }

    private static void round(Target target, int round) throws Exception {
        String prefix = "unload." + target.module() + ".r" + round;
        List<KernelChannel> channels = new ArrayList<>();
        List<Subscription> subscriptions = new ArrayList<>();
        List<EventCounter> listeners = new ArrayList<>();
        ChannelLoad load = null;
        boolean generating = false;
        try {
            for (Supplier<KernelChannel> opener : target.openers()) {
                KernelChannel channel = opener.get();
                channels.add(channel);
                if (target.subscribe() && channel.capabilities().supports(Capability.KERNEL_PUSH)) {
                    EventCounter listener = new EventCounter();
                    subscriptions.add(channel.subscribe(listener));
                    listeners.add(listener);
                }
            }
            if (!listeners.isEmpty()) {
                channels.get(0).call(KchanRequests.genStart(1_000_000, 64, 500));
                generating = true;
                for (EventCounter listener : listeners) {
                    awaitGrowth(listener, 0, "the generator's first events, before the rmmod");
                }
            }
            load = new ChannelLoad(channels, CALLERS_PER_CHANNEL, prefix, target.pause());
            assertThat(load.awaitAll(c -> c.answered.get() >= 3, WAIT))
                    .as("every caller answered a few calls before the rmmod: %s", load.callers()).isTrue();

            if (target.expected() == Outcome.REFUSED) {
                assertRefused(target, load, channels, subscriptions, listeners);
            } else {
                assertCompleted(target, load, channels, subscriptions, listeners, prefix);
            }
        } finally {
            if (load != null) {
                load.close();
            }
            GuestShell.loadMissing(MODULES);
            for (Subscription subscription : subscriptions) {
                subscription.close();
            }
            if (generating || load != null) {
                cleanUp(target, load);
            }
            for (KernelChannel channel : channels) {
                channel.close();
            }
        }
    }

    private static void assertRefused(Target target, ChannelLoad load, List<KernelChannel> channels,
            List<Subscription> subscriptions, List<EventCounter> listeners) throws Exception {
        GuestShell.Result removed = GuestShell.rmmod(target.module());
        assertThat(removed.ok()).as("rmmod %s with busy channels open: %s", target.module(), removed.output()).isFalse();
        assertThat(removed.output()).as("rmmod's reason").contains("is in use");
        assertThat(GuestShell.isLoaded(target.module())).as("%s after the refused rmmod", target.module()).isTrue();
        GuestShell.Result syscall = GuestShell.deleteModuleNonBlocking(target.module());
        assertThat(syscall.output().strip()).as("delete_module(%s, O_NONBLOCK) itself", target.module())
                .isEqualTo(IN_USE_ERRNO);
        assertThat(GuestShell.isLoaded(target.module())).isTrue();

        List<Long> answeredAtRefusal = load.callers().stream().map(c -> c.answered.get()).toList();
        List<Long> eventsAtRefusal = listeners.stream().map(l -> l.generated.get()).toList();
        assertThat(load.awaitAll(c -> c.answered.get() >= answeredAtRefusal.get(load.callers().indexOf(c)) + 3, WAIT))
                .as("every caller kept answering after the refused rmmod: %s", load.callers()).isTrue();
        for (int i = 0; i < listeners.size(); i++) {
            awaitGrowth(listeners.get(i), eventsAtRefusal.get(i), "events after the refused rmmod");
        }
        load.stopAndJoin(JOIN);
        for (ChannelLoad.Caller caller : load.callers()) {
            assertThat(caller.unexpected.get()).as("%s: a failure", caller.name).isNull();
            assertThat(caller.gone.get()).as("%s: calls that found the module gone", caller.name).isZero();
        }
        for (KernelChannel channel : channels) {
            assertEchoes(channel, "after the refused rmmod");
        }
        for (int i = 0; i < subscriptions.size(); i++) {
            assertThat(subscriptions.get(i).isActive()).as("subscription %d after the refused rmmod", i).isTrue();
            assertThat(listeners.get(i).errors).as("subscription %d's errors", i).isEmpty();
        }
    }

    private static void assertCompleted(Target target, ChannelLoad load, List<KernelChannel> channels,
            List<Subscription> subscriptions, List<EventCounter> listeners, String prefix) throws Exception {
        removeRetryingWhileACallPinsIt(target.module());
        long removedAt = System.nanoTime();
        assertThat(GuestShell.isLoaded(target.module())).as("%s after rmmod", target.module()).isFalse();

        boolean allGone = load.awaitAll(c -> c.gone.get() >= 1, WAIT);
        load.stopAndJoin(JOIN);
        assertThat(allGone).as("every caller got the SDK's 'gone' error: %s", load.callers()).isTrue();
        for (ChannelLoad.Caller caller : load.callers()) {
            assertThat(caller.unexpected.get()).as("%s: a failure other than TransportUnavailableException", caller.name)
                    .isNull();
            assertThat(caller.lastAnswerStartedNanos.get()).as("%s: its last answered call started before rmmod returned",
                    caller.name).isLessThan(removedAt);
        }
        for (KernelChannel channel : channels) {
            assertThatThrownBy(() -> channel.call(KchanRequests.echo(utf8("while gone"))))
                    .as("a call while %s is gone", target.module()).isInstanceOf(TransportUnavailableException.class)
                    .hasMessageContaining(target.module());
        }
        for (int i = 0; i < subscriptions.size(); i++) {
            assertThat(subscriptions.get(i).isActive()).as("subscription %d outlives the module", i).isTrue();
        }

        GuestShell.Result loaded = GuestShell.insmod(target.module());
        assertThat(loaded.ok()).as("insmod %s: %s", target.module(), loaded.output()).isTrue();
        try (KernelChannel fresh = target.openers().get(0).get()) {
            assertEchoes(fresh, "on a new channel after the reload");
            for (KernelChannel channel : channels) {
                awaitEchoes(channel, "on a channel opened before the reload");
            }
            // A subscription rejoins the new events group on its own thread and then says so: an
            // event sent before that would never reach it.
            for (EventCounter listener : listeners) {
                listener.awaitRestart(WAIT);
            }
            String key = prefix + ".after";
            fresh.call(KchanRequests.set(key, "after the reload"));
            for (int i = 0; i < listeners.size(); i++) {
                EventCounter listener = listeners.get(i);
                listener.awaitStoreSet(key, WAIT);
                assertThat(listener.errors).as("subscription %d's errors", i).isEmpty();
                assertThat(subscriptions.get(i).isActive()).isTrue();
            }
            fresh.call(KchanRequests.delete(key));
        }
    }

    /**
     * rmmod, again while it says "in use": a sockopt call in progress holds the module for its
     * length (nf_sockopt_find), so under load a refusal is the design too; each one must leave the
     * module loaded. Such a call can begin between kmod's own reference-count check and the
     * delete_module system call, so the refusal may come in either of rmmod's two wordings.
     */
    private static void removeRetryingWhileACallPinsIt(String module) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        GuestShell.Result removed = GuestShell.rmmod(module);
        while (!removed.ok()) {
            assertThat(removed.refusedAsInUse()).as("rmmod %s refused because the module was in use: %s", module,
                    removed.output()).isTrue();
            assertThat(GuestShell.isLoaded(module)).as("%s after a refused rmmod", module).isTrue();
            assertThat(System.nanoTime()).as("rmmod %s still refused after %s: %s", module, WAIT,
                    ModuleUsers.describe(module)).isLessThan(deadline);
            Thread.sleep(10);
            removed = GuestShell.rmmod(module);
        }
    }

    /** Stops the generator and deletes the callers' keys, through a channel opened now. */
    private static void cleanUp(Target target, ChannelLoad load) {
        try (KernelChannel channel = target.openers().get(0).get()) {
            channel.call(KchanRequests.genStop());
            if (load != null) {
                for (String key : load.keys()) {
                    try {
                        channel.call(KchanRequests.delete(key));
                    } catch (dev.kchannel.api.error.NoSuchEntryException e) {
                        // this caller never got to SET
                    }
                }
            }
        }
    }

    private static void assertEchoes(KernelChannel channel, String when) {
        byte[] hello = utf8("echo " + when);
        assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(hello)))).as("ECHO %s", when).isEqualTo(hello);
    }

    /**
     * An old channel learns the module is back on its own (netlink follows nlctrl's announcement
     * on a thread of its own): calls may still say "gone" for a moment, never anything else.
     */
    private static void awaitEchoes(KernelChannel channel, String when) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                assertEchoes(channel, when);
                return;
            } catch (TransportUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("still gone " + WAIT + " after the reload " + when, e);
                }
                Thread.sleep(50);
            }
        }
    }

    private static void awaitGrowth(EventCounter listener, long from, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (listener.generated.get() <= from) {
            if (System.nanoTime() > deadline || !listener.errors.isEmpty()) {
                throw new AssertionError("no " + what + " within " + WAIT + "; errors " + listener.errors);
            }
            Thread.sleep(20);
        }
    }

    static int refcnt(String module) throws IOException {
        return Integer.parseInt(Files.readString(Path.of("/sys/module", module, "refcnt")).strip());
    }

    /** Sockets drop their module reference a moment after close (RCU, work items): wait a little. */
    private static void awaitRefcnt(String module, int idle, String when) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        int now = refcnt(module);
        while (now != idle && System.nanoTime() < deadline) {
            Thread.sleep(100);
            now = refcnt(module);
        }
        assertThat(now).as("/sys/module/%s/refcnt %s (idle %d)\n%s", module, when, idle, ModuleUsers.describe(module))
                .isEqualTo(idle);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
