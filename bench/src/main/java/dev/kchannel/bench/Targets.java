// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import java.util.OptionalDouble;

/** Issue 8's targets, as ratios of operations per second measured in the same guest run. */
final class Targets {

    /** Java/C for request/reply (echo, value). */
    static final double JAVA_C_REQUEST_REPLY = 0.8;
    /** Java/C for kernel-to-user streaming (stream, swarm). */
    static final double JAVA_C_STREAMING = 0.9;
    static final double JAVA_LIBNL = 1.0;
    static final double JAVA_PYROUTE2 = 5.0;
    static final double JAVA_NIO = 1.0;
    /** The chardev's mmap ring over netlink streaming at 768 bytes, both through the SDK. */
    static final double RING_OVER_NETLINK = 10.0;

    private Targets() {
    }

    /** The target of the SDK's ratio to {@code client} in this scenario, if the issue sets one. */
    static OptionalDouble javaOver(String client, String scenario) {
        return switch (client) {
            case "c" -> OptionalDouble.of(scenario.equals("stream") || scenario.equals("swarm")
                    ? JAVA_C_STREAMING : JAVA_C_REQUEST_REPLY);
            case "libnl" -> OptionalDouble.of(JAVA_LIBNL);
            case "pyroute2" -> OptionalDouble.of(JAVA_PYROUTE2);
            case "java.nio" -> OptionalDouble.of(JAVA_NIO);
            default -> OptionalDouble.empty();
        };
    }
}
