// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Where a run was measured, written beside results.csv as environment.properties: the date, the
 * guest kernel and CPU as the guest sees them, the host CPU and the accelerator (KVM or TCG) as the
 * launcher passes them ({@code -Dkchannel.bench.host-cpu}, {@code -Dkchannel.bench.accel}), the JVM
 * and the profile. A ratio means little without these.
 */
final class RunEnvironment {

    static final String FILE_NAME = "environment.properties";

    private RunEnvironment() {
    }

    static Map<String, String> describeGuest(String profile) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        env.put("kernel", Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip());
        env.put("guest-cpu", cpuModel(Path.of("/proc/cpuinfo")));
        env.put("guest-cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        env.put("host-cpu", System.getProperty("kchannel.bench.host-cpu", "unknown"));
        env.put("accel", System.getProperty("kchannel.bench.accel", "unknown"));
        env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        env.put("profile", profile);
        return env;
    }

    static String cpuModel(Path cpuinfo) throws IOException {
        return Files.readAllLines(cpuinfo, StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip())
                .findFirst().orElse("unknown");
    }

    static void write(Path file, Map<String, String> env) throws IOException {
        Properties properties = new Properties();
        properties.putAll(env);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, "kchannel benchmark run");
        }
    }

    static Map<String, String> read(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String key : new String[] {"date", "kernel", "guest-cpu", "guest-cpus", "host-cpu", "accel", "java",
                "profile"}) {
            env.put(key, properties.getProperty(key, "unknown"));
        }
        return env;
    }
}
