// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BenchPlanTest {

    private static final List<BenchClient> CLIENTS = List.of(new SdkClient(), new NioClient());

    @Test
    void everyTransportRunsEchoAtEveryThreadCountAndTheValues() {
        List<BenchCase> cases = BenchPlan.cases(BenchPlan.STANDARD, CLIENTS);

        for (String transport : BenchPlan.TRANSPORTS) {
            Set<String> threads = cases.stream()
                    .filter(c -> c.client().equals("java") && c.scenario().equals("echo") && c.transport().equals(transport))
                    .map(c -> c.param("threads")).collect(Collectors.toSet());
            assertThat(threads).as(transport).containsExactlyInAnyOrder("1", "2", "4", "8");
            assertThat(cases).as(transport).anyMatch(c -> c.client().equals("java") && c.scenario().equals("value")
                    && c.transport().equals(transport) && c.param("op").equals("get")
                    && c.param("size").equals("65456"));
        }
    }

    @Test
    void streamsRunOnEveryPushTransportAndTheRingAndTheSwarmsAsTheSourceDesign() {
        List<BenchCase> java = BenchPlan.cases(BenchPlan.STANDARD, CLIENTS).stream()
                .filter(c -> c.client().equals("java")).toList();

        assertThat(java).filteredOn(c -> c.scenario().equals("stream"))
                .extracting(c -> c.transport() + " " + c.params().getOrDefault("mode", ""))
                .containsExactly("netlink ", "procfs ", "chardev read", "chardev ring");
        assertThat(java).filteredOn(c -> c.scenario().equals("stream")).allMatch(c -> c.param("size").equals("768"));
        assertThat(java).filteredOn(c -> c.scenario().equals("swarm")).extracting(c -> c.param("sockets"))
                .containsExactly("100", "10");
        assertThat(java).noneMatch(c -> c.scenario().equals("stream") && c.transport().equals("sockopt"));
    }

    @Test
    void theClientsOfOneComparisonRunBackToBack() {
        List<BenchCase> cases = BenchPlan.cases(BenchPlan.SMOKE, CLIENTS);

        for (int i = 1; i < cases.size(); i++) {
            String key = cases.get(i).comparisonKey();
            boolean seenBefore = cases.subList(0, i - 1).stream().anyMatch(c -> c.comparisonKey().equals(key));
            assertThat(seenBefore && !cases.get(i - 1).comparisonKey().equals(key)).as(cases.get(i).toString()).isFalse();
        }
    }

    @Test
    void javaNioOnlyWhereAPlainFileDoes() {
        List<BenchCase> nio = BenchPlan.cases(BenchPlan.SMOKE, CLIENTS).stream()
                .filter(c -> c.client().equals("java.nio")).toList();

        assertThat(nio).extracting(BenchCase::transport).containsOnly("procfs", "chardev");
        assertThat(nio).extracting(BenchCase::scenario).containsOnly("echo", "value", "read");
    }
}
