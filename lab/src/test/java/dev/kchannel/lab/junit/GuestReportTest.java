// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestReportTest {

    @TempDir
    Path reports;

    @Test
    void readsEachCaseWithItsUniqueIdOutcomeAndGuestTrace() throws IOException {
        Files.writeString(reports.resolve("TEST-junit-jupiter.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuite name="JUnit Jupiter" tests="3">
                <testcase name="greets()" classname="x.HelloIT" time="0.1">
                <system-out><![CDATA[
                unique-id: [engine:junit-jupiter]/[class:x.HelloIT]/[method:greets()]
                display-name: greets()
                ]]></system-out>
                </testcase>
                <testcase name="refuses()" classname="x.HelloIT" time="0.1">
                <failure message="expected EINVAL" type="org.opentest4j.AssertionFailedError"><![CDATA[org.opentest4j.AssertionFailedError: expected EINVAL
                \tat x.HelloIT.refuses(HelloIT.java:30)
                ]]></failure>
                <system-out><![CDATA[
                unique-id: [engine:junit-jupiter]/[class:x.HelloIT]/[method:refuses()]
                display-name: refuses a bad name
                ]]></system-out>
                </testcase>
                <testcase name="later()" classname="x.HelloIT" time="0.0">
                <skipped><![CDATA[org.opentest4j.TestAbortedException: Assumption failed: no device
                \tat x.HelloIT.later(HelloIT.java:40)
                ]]></skipped>
                </testcase>
                </testsuite>
                """);

        GuestReport report = GuestReport.read(reports);

        assertThat(report.find("[engine:junit-jupiter]/[class:x.HelloIT]/[method:greets()]")).get()
                .extracting(GuestReport.Case::outcome).isEqualTo(GuestReport.Outcome.PASSED);
        GuestReport.Case failed = report.find("[engine:junit-jupiter]/[class:x.HelloIT]/[method:refuses()]").orElseThrow();
        assertThat(failed.outcome()).isEqualTo(GuestReport.Outcome.FAILED);
        assertThat(failed.displayName()).isEqualTo("refuses a bad name");
        assertThat(failed.message()).isEqualTo("expected EINVAL");
        assertThat(failed.detail()).contains("at x.HelloIT.refuses(HelloIT.java:30)");
        GuestReport.Case skipped = report.cases().get(2);
        assertThat(skipped.outcome()).isEqualTo(GuestReport.Outcome.SKIPPED);
        assertThat(skipped.message()).isEqualTo("Assumption failed: no device");
        assertThat(report.below("[engine:junit-jupiter]/[class:x.HelloIT]")).hasSize(2);
    }

    @Test
    void aMissingReportsFolderMeansNoCases() throws IOException {
        assertThat(GuestReport.read(reports.resolve("absent")).cases()).isEmpty();
    }
}
