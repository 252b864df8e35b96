// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Errno numbers are Linux's generic ones, lookups are total, and aliases resolve. */
class ErrnoTest {

    @Test
    void wellKnownNumbersAreLinuxGenericAbi() {
        assertThat(Errno.EPERM.number()).isEqualTo(1);
        assertThat(Errno.ENOENT.number()).isEqualTo(2);
        assertThat(Errno.EINVAL.number()).isEqualTo(22);
        assertThat(Errno.ENOTTY.number()).isEqualTo(25);
        assertThat(Errno.ERANGE.number()).isEqualTo(34);
        assertThat(Errno.ENOSYS.number()).isEqualTo(38);
        assertThat(Errno.ENOMSG.number()).isEqualTo(42);
        assertThat(Errno.ENODATA.number()).isEqualTo(61);
        assertThat(Errno.EPROTO.number()).isEqualTo(71);
        assertThat(Errno.EBADMSG.number()).isEqualTo(74);
        assertThat(Errno.EOVERFLOW.number()).isEqualTo(75);
        assertThat(Errno.EMSGSIZE.number()).isEqualTo(90);
        assertThat(Errno.ENOPROTOOPT.number()).isEqualTo(92);
        assertThat(Errno.EPROTONOSUPPORT.number()).isEqualTo(93);
        assertThat(Errno.EOPNOTSUPP.number()).isEqualTo(95);
        assertThat(Errno.EAFNOSUPPORT.number()).isEqualTo(97);
        assertThat(Errno.EADDRINUSE.number()).isEqualTo(98);
        assertThat(Errno.ENOBUFS.number()).isEqualTo(105);
        assertThat(Errno.ENOTCONN.number()).isEqualTo(107);
        assertThat(Errno.ETIMEDOUT.number()).isEqualTo(110);
        assertThat(Errno.ECONNREFUSED.number()).isEqualTo(111);
        assertThat(Errno.EALREADY.number()).isEqualTo(114);
        assertThat(Errno.EINPROGRESS.number()).isEqualTo(115);
        assertThat(Errno.ECANCELED.number()).isEqualTo(125);
    }

    @Test
    void everyNumberFromOneToThirtyFourIsKnown() {
        for (int number = 1; number <= 34; number++) {
            assertThat(Errno.fromNumber(number)).as("errno %d", number).isNotEqualTo(Errno.UNKNOWN);
            assertThat(Errno.fromNumber(number).number()).isEqualTo(number);
        }
    }

    @Test
    void numbersAreUniqueAndRoundTrip() {
        Set<Integer> seen = new HashSet<>();
        for (Errno errno : Errno.values()) {
            if (errno != Errno.UNKNOWN) {
                assertThat(seen.add(errno.number())).as("%s has a duplicate number", errno).isTrue();
                assertThat(Errno.fromNumber(errno.number())).isEqualTo(errno);
                assertThat(errno.description()).isNotBlank();
            }
        }
    }

    @Test
    void unknownAndOutOfRangeNumbersAreUnknown() {
        assertThat(Errno.fromNumber(0)).isEqualTo(Errno.UNKNOWN);
        assertThat(Errno.fromNumber(-5)).isEqualTo(Errno.UNKNOWN);
        assertThat(Errno.fromNumber(41)).isEqualTo(Errno.UNKNOWN);
        assertThat(Errno.fromNumber(100_000)).isEqualTo(Errno.UNKNOWN);
        assertThat(Errno.fromStatus(Integer.MIN_VALUE)).isEqualTo(Errno.UNKNOWN);
    }

    @Test
    void statusesAreNegativeErrnos() {
        assertThat(Errno.fromStatus(-22)).isEqualTo(Errno.EINVAL);
        assertThatThrownBy(() -> Errno.fromStatus(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aliasesShareTheirTwinsNumber() {
        assertThat(Errno.ENOTSUP).isSameAs(Errno.EOPNOTSUPP);
        assertThat(Errno.EWOULDBLOCK).isSameAs(Errno.EAGAIN);
        assertThat(Errno.fromName("enotsup")).contains(Errno.EOPNOTSUPP);
        assertThat(Errno.fromName("EINVAL")).contains(Errno.EINVAL);
        assertThat(Errno.fromName("UNKNOWN")).isEmpty();
        assertThat(Errno.fromName("ENOPE")).isEmpty();
    }

    @Test
    void formatShowsNameAndNumberOrTheRawNumber() {
        assertThat(Errno.format(22)).isEqualTo("EINVAL (22)");
        assertThat(Errno.format(600)).isEqualTo("errno 600");
    }
}
