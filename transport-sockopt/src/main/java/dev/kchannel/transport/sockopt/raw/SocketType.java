// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt.raw;

/**
 * The kinds of {@code AF_INET} socket an {@link InetSocket} opens. Both need no privilege;
 * {@code SOCK_RAW} is left out on purpose, since it needs {@code CAP_NET_RAW} and no option
 * kchannel knows requires it.
 */
public enum SocketType {

    /** {@code SOCK_DGRAM}, a UDP socket: the default, and all any netfilter sockopt needs. */
    DATAGRAM(Syscalls.SOCK_DGRAM),
    /** {@code SOCK_STREAM}, a TCP socket, for the options only TCP has ({@code TCP_INFO}, ...). */
    STREAM(Syscalls.SOCK_STREAM);

    private final int number;

    SocketType(int number) {
        this.number = number;
    }

    /** The {@code SOCK_*} number. */
    public int number() {
        return number;
    }
}
