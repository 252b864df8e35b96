// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.ListPart;
import dev.kchannel.api.message.StatsReply;
import dev.kchannel.transport.netlink.NetlinkTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's permission matrix, run as user nobody in the guest: for every transport, every
 * state-changing operation the uapi has (SET, DELETE, GEN_START, GEN_STOP through each door; event
 * subscription where it is privileged; chardev's SUBSCRIBE and RING_SETUP ioctls and a writable
 * mapping; procfs's call file; sockopt's four setsockopt options) is refused with the errno the
 * docs give, and nothing changed: root compares the store (LIST), STATS's store counters and the
 * generator (started by root before, still running after) before and after. The reads the docs
 * allow (ECHO, GET, LIST, STATS, /proc/kchan/store and stats) work as nobody. The file modes of
 * /dev/kchan and /proc/kchan/* are what kchan.h and kmods/README.md say.
 *
 * <p>The per-transport programs are the Unprivileged*Client classes the transport tests already
 * run, extended to cover every operation; /dev/kchan is made 0666 for the chardev row so that the
 * module's own checks are reached (at 0600 nobody's open already fails with EACCES, which
 * ChardevTransportGuestTest checks).
 */
class PermissionsGuestTest {

    private static final List<String> MODULES = List.of("kchan_core", "kchan_netlink", "kchan_procfs", "kchan_sockopt",
            "kchan_chardev");
    private static final Path NODE = Path.of("/dev/kchan");
    private static final String ROOTS_VALUE = "root wrote this";

    @BeforeAll
    static void loadModules() {
        GuestShell.loadMissing(MODULES);
    }

    @AfterAll
    static void unloadModules() {
        GuestShell.unloadAll(MODULES);
    }

    private static KernelChannel root() {
        return new NetlinkTransport().open(KchannelConfig.builder().transport("netlink").build());
    }

    /** What root sees of the shared state: every store entry, STATS's store counters. */
    private record State(Map<String, String> store, long storeEntries, long storeBytes) {
        static State of(KernelChannel root) {
            Map<String, String> store = new TreeMap<>();
            try (Stream<KchanMessage> parts = root.dump(KchanRequests.list())) {
                parts.map(ListPart::from).flatMap(part -> part.entries().stream())
                        .forEach(e -> store.put(e.keyAsString(), new String(e.value(), StandardCharsets.UTF_8)));
            }
            StatsReply stats = StatsReply.from(root.call(KchanRequests.stats()));
            return new State(store, stats.storeEntries(), stats.storeBytes());
        }
    }

    /**
     * Runs {@code client} as nobody between two looks at the state, with root's key set and root's
     * slow generator running, and checks nothing changed: same store, same counters, the
     * generator still running (a GEN_START is EBUSY), nobody's own key absent. Returns the
     * client's lines.
     */
    private static List<String> runAsNobodyChangingNothing(Class<?> client, String rootsKey, String nobodysKey,
            String... args) throws Exception {
        try (KernelChannel root = root()) {
            root.call(KchanRequests.set(rootsKey, ROOTS_VALUE));
            root.call(KchanRequests.genStart(1_000_000, 8, 1));
            try {
                State before = State.of(root);
                GuestShell.Result run = AsNobody.run(client, args);
                assertThat(run.ok()).as("%s as nobody: %s", client.getSimpleName(), run.output()).isTrue();
                State after = State.of(root);
                assertThat(after).as("the store and its counters after %s:\n%s", client.getSimpleName(), run.output())
                        .isEqualTo(before);
                assertThatThrownBy(() -> root.call(KchanRequests.genStart(1, 8, 0)))
                        .as("root's generator is still running after %s", client.getSimpleName())
                        .isInstanceOfSatisfying(KernelErrorException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBUSY));
                assertThatThrownBy(() -> root.call(KchanRequests.get(nobodysKey))).as("nobody's key %s", nobodysKey)
                        .isInstanceOf(NoSuchEntryException.class);
                return run.output().lines().toList();
            } finally {
                root.call(KchanRequests.genStop());
                root.call(KchanRequests.delete(rootsKey));
            }
        }
    }

    private static String key(String what) {
        return "perm." + what + "." + System.nanoTime();
    }

    @Test
    void netlinkGenlRefusesEveryChangeWithEpermAndAnswersReads() throws Exception {
        String rootsKey = key("genl.root");
        String nobodysKey = key("genl.own");
        // GENL_ADMIN_PERM: genl answers EPERM before the handler runs, with no extended-ack text.
        List<String> lines = runAsNobodyChangingNothing(UnprivilegedNetlinkClient.class, rootsKey, nobodysKey,
                nobodysKey, rootsKey);
        assertThat(lines).as(String.join("\n", lines)).contains(
                "SET FAIL PermissionDeniedException EPERM -",
                "GEN_START FAIL PermissionDeniedException EPERM -",
                "DELETE FAIL PermissionDeniedException EPERM -",
                "GEN_STOP FAIL PermissionDeniedException EPERM -",
                "ECHO OK from nobody",
                "GET OK " + ROOTS_VALUE,
                "LIST OK has root's key",
                "STATS OK entries",
                "END");
        // Joining the "events" group needs CAP_NET_ADMIN (packet events carry traffic).
        assertThat(lines).anyMatch(l -> l.startsWith("SUBSCRIBE FAIL PermissionDeniedException EPERM"));
    }

    @Test
    void netlinkRawUnitRefusesEveryChangeWithEpermAndAnswersReads() throws Exception {
        String rootsKey = key("raw.root");
        String nobodysKey = key("raw.own");
        // kchan_core's may_mutate (netlink_capable): a reply with status -EPERM and its text.
        List<String> lines = runAsNobodyChangingNothing(UnprivilegedRawUnitClient.class, rootsKey, nobodysKey,
                nobodysKey, rootsKey);
        assertThat(lines).as(String.join("\n", lines)).contains(
                "SET REPLY -1 EPERM command needs a privileged caller",
                "GEN_START REPLY -1 EPERM command needs a privileged caller",
                "DELETE REPLY -1 EPERM command needs a privileged caller",
                "GEN_STOP REPLY -1 EPERM command needs a privileged caller",
                "ECHO OK from nobody",
                "GET OK " + ROOTS_VALUE,
                "HELLO NLMSG_ERROR EPERM HELLO needs CAP_NET_ADMIN",
                "LIST REPLY 0 - -",
                "STATS REPLY 0 - -",
                "END");
    }

    @Test
    void procfsRefusesNobodyTheCallAndEventsFilesAndShowsTheViews() throws Exception {
        String rootsKey = key("procfs.root");
        List<String> lines = runAsNobodyChangingNothing(UnprivilegedProcfsClient.class, rootsKey, key("procfs.own"), rootsKey);
        assertThat(lines).as(String.join("\n", lines)).contains(
                "AVAILABLE false EACCES /proc/kchan/call is not readable and writable by user nobody"
                        + " (kchan_procfs makes it mode 0600, owned by root)",
                "OPEN FAIL TransportUnavailableException EACCES",
                "EVENTS FAIL PermissionDeniedException EACCES",
                "STORE OK " + ROOTS_VALUE,
                "STATS OK",
                "CALL_WRITE FAIL PermissionDeniedException EACCES",
                "EVENTS_WRITE FAIL PermissionDeniedException EACCES",
                "STORE_WRITE FAIL PermissionDeniedException EACCES",
                "STATS_WRITE FAIL PermissionDeniedException EACCES",
                "END");
    }

    @Test
    void sockoptRefusesEverySetsockoptWithEpermAndAnswersEveryGetsockopt() throws Exception {
        String rootsKey = key("so.root");
        String nobodysKey = key("so.own");
        List<String> lines = runAsNobodyChangingNothing(UnprivilegedSockoptClient.class, rootsKey, nobodysKey, rootsKey, nobodysKey);
        assertThat(lines).as(String.join("\n", lines)).containsSubsequence(
                "AVAILABLE true",
                "SET FAIL PermissionDeniedException EPERM",
                "DELETE FAIL PermissionDeniedException EPERM",
                "GEN_START FAIL PermissionDeniedException EPERM",
                "GEN_STOP FAIL PermissionDeniedException EPERM",
                "ECHO OK from nobody",
                "GET OK " + ROOTS_VALUE,
                "LIST OK has root's key",
                "END");
        assertThat(lines).anyMatch(l -> l.startsWith("STATS OK entries "));
    }

    @Test
    void chardevRefusesEveryChangeThroughIoctlWriteAndTheEventIoctls() throws Exception {
        GuestShell.Result chmod = GuestShell.run("chmod", "0666", NODE.toString());
        assertThat(chmod.ok()).as(chmod.output()).isTrue();
        String rootsKey = key("cd.root");
        String nobodysKey = key("cd.own");
        List<String> lines;
        try {
            lines = runAsNobodyChangingNothing(UnprivilegedChardevClient.class, rootsKey, nobodysKey, rootsKey,
                    nobodysKey);
        } finally {
            GuestShell.run("chmod", "0600", NODE.toString());
        }
        assertThat(lines).as(String.join("\n", lines))
                .containsExactlyElementsOf(UnprivilegedChardevClient.linesWhenTheNodeIsOpenToAll(ROOTS_VALUE));
    }

    @Test
    void theFileModesAreTheDocumentedOnes() throws Exception {
        // kchan.h and kmods/README.md: /dev/kchan 0600 root:root by default (kchan_chardev's mode and
        // gid parameters); /proc/kchan/call and events 0600, store and stats 0444, all root's.
        assertMode(NODE, "rw-------");
        assertMode(Path.of("/proc/kchan/call"), "rw-------");
        assertMode(Path.of("/proc/kchan/events"), "rw-------");
        assertMode(Path.of("/proc/kchan/store"), "r--r--r--");
        assertMode(Path.of("/proc/kchan/stats"), "r--r--r--");
        // proc_mkdir's own default, which the docs do not restate: anyone may list the directory.
        assertMode(Path.of("/proc/kchan"), "r-xr-xr-x");
        assertThat(Files.isSymbolicLink(NODE)).isFalse();
        GuestShell.Result stat = GuestShell.run("stat", "-c", "%F", NODE.toString());
        assertThat(stat.output().strip()).isEqualTo("character special file");
    }

    /** Mode bits, and owner and group root. */
    private static void assertMode(Path path, String permissions) throws Exception {
        PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(PosixFilePermissions.toString(attributes.permissions())).as("mode of %s", path).isEqualTo(permissions);
        assertThat(attributes.owner().getName()).as("owner of %s", path).isEqualTo("root");
        assertThat(attributes.group().getName()).as("group of %s", path).isEqualTo("root");
    }
}
