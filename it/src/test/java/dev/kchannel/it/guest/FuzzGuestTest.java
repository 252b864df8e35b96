// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.transport.chardev.ChardevTransport;
import dev.kchannel.transport.netlink.NetlinkTransport;
import dev.kchannel.transport.procfs.ProcfsTransport;
import dev.kchannel.transport.sockopt.SockoptTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hostile input against every transport's module: the fuzzers of kmods/tools
 * ({@code kchan_fuzz_<transport>}, RELIABILITY.md) send malformed and mutated inputs through the
 * transport's doors in this guest kernel, checking between inputs that the module still answers.
 * Afterwards the module must still answer the SDK correctly and kchan's kernel memory must be
 * back at its baseline ({@link KernelMemory}); the lab fails the whole run on any Oops, BUG,
 * WARNING or Call Trace in dmesg.
 *
 * <p>{@code -Dkchannel.fuzz.inputs} sets the inputs per transport: 10,000 by default (CI), 100,000
 * for the full run; {@code -Dkchannel.fuzz.seed} replays another sequence (1 by default, so CI is
 * repeatable).
 */
class FuzzGuestTest {

    private static final long INPUTS = Long.getLong("kchannel.fuzz.inputs", 10_000);
    private static final long SEED = Long.getLong("kchannel.fuzz.seed", 1);
    /** The fuzzers' own default: a probe every 100 inputs. */
    private static final long PROBE_EVERY = 100;
    /** First uses allocate what stays (per-CPU caches, the family's first dump): done before the baseline. */
    private static final long WARM_UP_INPUTS = 300;
    private static final List<String> MODULES =
            List.of("kchan_core", "kchan_netlink", "kchan_procfs", "kchan_sockopt", "kchan_chardev");

    enum Target {
        NETLINK(NetlinkTransport::new),
        PROCFS(ProcfsTransport::new),
        SOCKOPT(SockoptTransport::new),
        CHARDEV(ChardevTransport::new);

        private final Supplier<KernelTransport> transport;

        Target(Supplier<KernelTransport> transport) {
            this.transport = transport;
        }

        Path fuzzer() {
            return GuestShell.kmodsDir().resolve("tools/bin/kchan_fuzz_" + name().toLowerCase());
        }

        KernelChannel open() {
            return transport.get().open(KchannelConfig.load());
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

    @ParameterizedTest(name = "{0}")
    @EnumSource(Target.class)
    void malformedInputsLeaveTheModuleAnsweringAndItsMemoryAtTheBaseline(Target target) {
        assertThat(target.fuzzer()).as("the fuzzer (built by the lab from kmods/tools)").isExecutable();
        FuzzerResult warmUp = runFuzzer(target, WARM_UP_INPUTS, SEED + 1_000_000);
        assertThat(warmUp.inputs()).isEqualTo(WARM_UP_INPUTS);
        StoreSweep.emptyTheStore(target);
        KernelMemory.Snapshot baseline = KernelMemory.snapshot();
        // The modules' own objects (proc entries, the device, the family) are counted: a count
        // that cannot see them could not see a leak either.
        assertThat(baseline.objects()).as("kchan objects after loading the modules").isPositive();

        FuzzerResult result = runFuzzer(target, INPUTS, SEED);
        System.out.printf("fuzz %s: %s%n", target, result.line());
        assertThat(result.inputs()).isEqualTo(INPUTS);
        assertThat(result.probes()).as("probes (one per %d inputs)", PROBE_EVERY).isGreaterThanOrEqualTo(INPUTS / PROBE_EVERY);
        assertThat(result.accepted() + result.refused()).isEqualTo(INPUTS);
        assertThat(result.refused()).as("malformed inputs refused").isPositive();

        long swept = StoreSweep.emptyTheStore(target);
        System.out.printf("fuzz %s: %d keys the inputs stored swept%n", target, swept);
        KernelMemory.assertBackTo(baseline, Duration.ofSeconds(30), "fuzz " + target + ", " + INPUTS + " inputs");

        answersCorrectly(target);
    }

    private static FuzzerResult runFuzzer(Target target, long inputs, long seed) {
        // Under TCG a fuzzer does some thousands of inputs a second; the bound only stops a hang.
        Duration limit = Duration.ofSeconds(120 + inputs / 200);
        GuestShell.Result run = GuestShell.run(limit, target.fuzzer().toString(), "inputs=" + inputs, "seed=" + seed,
                "probe_every=" + PROBE_EVERY);
        assertThat(run.status()).as("%s inputs=%d seed=%d exit status; output:%n%s", target.fuzzer().getFileName(),
                inputs, seed, run.output()).isZero();
        return FuzzerResult.parse(run.output());
    }

    /** A fresh channel of the transport still does what the contract says, byte for byte. */
    private static void answersCorrectly(Target target) {
        try (KernelChannel channel = target.open()) {
            byte[] payload = ("after fuzzing " + target).getBytes(StandardCharsets.UTF_8);
            assertThat(KchanReplies.payload(channel.call(KchanRequests.echo(payload)))).isEqualTo(payload);
            String key = "fuzz-after-" + target.name().toLowerCase();
            byte[] value = new byte[5000];
            for (int i = 0; i < value.length; i++) {
                value[i] = (byte) (i * 31);
            }
            channel.call(KchanRequests.set(key, value));
            assertThat(KchanReplies.value(channel.call(KchanRequests.get(key)))).isEqualTo(value);
            channel.call(KchanRequests.delete(key));
        }
    }
}
