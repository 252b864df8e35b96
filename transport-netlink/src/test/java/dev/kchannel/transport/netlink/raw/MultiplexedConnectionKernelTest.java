// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.transport.netlink.genl.GenericFamily;
import dev.kchannel.transport.netlink.genl.GenericNetlink;
import dev.kchannel.transport.netlink.genl.Nlctrl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link MultiplexedConnection} against the running kernel's nlctrl and rtnetlink. */
class MultiplexedConnectionKernelTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @BeforeEach
    void linux() {
        KernelAvailable.assumeLinux();
    }

    private static GenericFamily lookUp(MultiplexedConnection connection, String name) {
        return GenericFamily.parse(connection.request(GenericNetlink.familyQuery(name), "GETFAMILY " + name, TIMEOUT));
    }

    @Test
    void manyThreadsOnOneSocketEachGetTheFamilyTheyAskedFor() throws Exception {
        List<GenericFamily> families;
        try (GenericNetlink genl = GenericNetlink.open()) {
            families = genl.families();
        }
        int before = ProcessSockets.netlink(Netlink.NETLINK_GENERIC);
        try (MultiplexedConnection connection = MultiplexedConnection.open(Netlink.NETLINK_GENERIC)) {
            Queue<String> wrong = new ConcurrentLinkedQueue<>();
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger mostSockets = new AtomicInteger();
            AtomicBoolean running = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (running.get()) {
                    mostSockets.accumulateAndGet(ProcessSockets.netlink(Netlink.NETLINK_GENERIC) - before, Math::max);
                }
            });
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                int thread = t;
                threads.add(new Thread(() -> {
                    try {
                        start.await();
                        for (int i = 0; i < 30; i++) {
                            GenericFamily wanted = families.get((thread + i) % families.size());
                            GenericFamily got = lookUp(connection, wanted.name());
                            if (got.id() != wanted.id() || !got.name().equals(wanted.name())) {
                                wrong.add(wanted.name() + " answered with " + got.name());
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            sampler.start();
            threads.forEach(Thread::start);
            start.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
            running.set(false);
            sampler.join();

            assertThat(failures).isEmpty();
            assertThat(wrong).isEmpty();
            assertThat(mostSockets.get()).as("Generic Netlink sockets opened for 960 calls from 32 threads").isEqualTo(1);
            assertThat(connection.socketsOpened()).isEqualTo(1);
            assertThat(connection.requestsSent()).isEqualTo(32 * 30);
            assertThat(connection.lateReplies()).isZero();
        }
        assertThat(ProcessSockets.netlink(Netlink.NETLINK_GENERIC)).as("closed").isEqualTo(before);
    }

    @Test
    void asyncRequestsAndDumpsShareTheSocket() throws Exception {
        NetlinkMessage dumpAll = new dev.kchannel.transport.netlink.genl.GenericMessage(Nlctrl.GENL_ID_CTRL,
                Nlctrl.CTRL_CMD_GETFAMILY, Nlctrl.CTRL_VERSION, dev.kchannel.api.message.Attributes.empty()).toNetlink(0);
        List<String> expected = HostCommands.genlFamilies();
        try (MultiplexedConnection connection = MultiplexedConnection.open(Netlink.NETLINK_GENERIC)) {
            // Rounds of lookups in flight while a dump starts: the reader receives as the dump is
            // sent, which is when the kernel's dump race leaves a spurious EINVAL on the socket.
            for (int round = 0; round < 20; round++) {
                List<CompletableFuture<NetlinkMessage>> lookups = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    lookups.add(connection.requestAsync(GenericNetlink.familyQuery(Nlctrl.FAMILY_NAME), null, TIMEOUT));
                }
                List<String> names;
                try (Stream<NetlinkMessage> parts = connection.dump(dumpAll, "CTRL_CMD_GETFAMILY dump",
                        DumpOptions.defaults(), TIMEOUT)) {
                    names = parts.map(GenericFamily::parse).map(GenericFamily::name).collect(Collectors.toList());
                }

                for (CompletableFuture<NetlinkMessage> lookup : lookups) {
                    assertThat(GenericFamily.parse(lookup.get(1, TimeUnit.MINUTES)).id()).isEqualTo(Nlctrl.GENL_ID_CTRL);
                }
                assertThat(names).containsExactlyInAnyOrderElementsOf(expected);
            }
            assertThat(connection.pendingCalls()).isZero();
            assertThat(connection.resets()).as("nothing made the socket untrustworthy").isZero();
        }
    }

    @Test
    void theKernelsRefusalIsTheTypedExceptionAndTheSocketGoesOn() {
        try (MultiplexedConnection connection = MultiplexedConnection.open(Netlink.NETLINK_GENERIC)) {
            assertThatThrownBy(() -> lookUp(connection, "kchan_nosuch")).isInstanceOf(NoSuchEntryException.class);
            assertThat(lookUp(connection, Nlctrl.FAMILY_NAME).multicastGroup(Nlctrl.NOTIFY_GROUP)).hasValue(16);
            assertThat(connection.resets()).isZero();
        }
    }

    @Test
    void aLinkDumpOnASharedRouteSocketMatchesIpLink() {
        try (MultiplexedConnection connection = MultiplexedConnection.open(Netlink.NETLINK_ROUTE)) {
            assertThat(Rtnetlink.links(connection)).isEqualTo(HostCommands.ipLinks());
        }
    }

    @Test
    void theSharedSocketHasExtendedAcksAndAsksForALargeReceiveBuffer() {
        try (MultiplexedConnection connection = MultiplexedConnection.open(Netlink.NETLINK_GENERIC)) {
            NetlinkSocket socket = (NetlinkSocket) connection.socketInUse();

            assertThat(socket.option(Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK)).isEqualTo(1);
            assertThat(socket.option(Netlink.SOL_NETLINK, Netlink.NETLINK_CAP_ACK)).isEqualTo(1);
            assertThat(socket.groups()).isEmpty();
            // Without CAP_NET_ADMIN the kernel caps it at net.core.rmem_max; as root it doubles the request.
            if ("root".equals(System.getProperty("user.name"))) {
                assertThat(socket.receiveBufferSize()).isGreaterThanOrEqualTo(MultiplexedConnection.RECEIVE_BUFFER);
            }
            connection.joinGroup(16);
            assertThat(socket.groups()).containsExactly(16);
        }
    }
}
