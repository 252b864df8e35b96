// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which received messages may be matched to a request, and which are skipped. */
class ReplyMatcherTest {

    private static final int PORT = 4242;

    @Test
    void replyCarriesTheRequestSeqAndThisPortOrZero() {
        assertThat(ReplyMatcher.answers(message(7, PORT), 7, PORT)).isTrue();
        assertThat(ReplyMatcher.answers(message(7, 0), 7, PORT)).isTrue();
    }

    @Test
    void foreignSeqIsNotAReply() {
        assertThat(ReplyMatcher.answers(message(6, PORT), 7, PORT)).isFalse();
        assertThat(ReplyMatcher.answers(message(0, PORT), 7, PORT)).isFalse();
    }

    @Test
    void sameSeqForAnotherPortIsNotAReply() {
        // A notification caused by another socket's request 7 carries that socket's port id.
        assertThat(ReplyMatcher.answers(message(7, PORT + 1), 7, PORT)).isFalse();
    }

    @Test
    void onlyKernelUnicastsMayHoldReplies() {
        byte[] bytes = Wire.message(16, 0, 7, PORT, new byte[0]);

        assertThat(ReplyMatcher.mayHoldReplies(Datagram.of(0, 0, bytes))).isTrue();
        assertThat(ReplyMatcher.mayHoldReplies(Datagram.of(999, 0, bytes))).as("from a userspace socket").isFalse();
        assertThat(ReplyMatcher.mayHoldReplies(Datagram.of(0, 1, bytes))).as("multicast to group 1").isFalse();
    }

    private static NetlinkMessage message(int seq, int pid) {
        return NetlinkMessage.builder(16).seq(seq).pid(pid).build();
    }
}
