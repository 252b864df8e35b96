// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GuestTestFailureTest {

    @Test
    void aReplayedFailureCarriesTheGuestsFramesAndItsCause() {
        GuestReport.Case failed = new GuestReport.Case("id", "x.HelloIT", "refuses()", "refuses()",
                GuestReport.Outcome.FAILED, "write failed", """
                java.io.UncheckedIOException: write failed
                	at java.base/java.nio.file.Files.write(Files.java:3460)
                	at x.HelloIT.lambda$refuses$0(HelloIT.java:30)
                	at java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
                Caused by: java.io.IOException: Invalid argument
                	at java.base/sun.nio.ch.FileDispatcherImpl.write0(Native Method)
                	... 3 more""");

        GuestTestFailure failure = new GuestTestFailure(failed, "6.12");

        assertThat(failure).hasMessage("write failed\n(failed in the kernel lab guest, kernel 6.12,"
                + " as java.io.UncheckedIOException)\nCaused by: java.io.IOException: Invalid argument\n"
                + "\tat java.base/sun.nio.ch.FileDispatcherImpl.write0(Native Method)\n\t... 3 more");
        assertThat(failure.getStackTrace()).containsExactly(
                new StackTraceElement("java.nio.file.Files", "write", "Files.java", 3460),
                new StackTraceElement("x.HelloIT", "lambda$refuses$0", "HelloIT.java", 30),
                new StackTraceElement("jdk.internal.reflect.NativeMethodAccessorImpl", "invoke0", null, -2));
    }
}
