// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * What the tests did inside the guest, read from the JUnit XML reports the JUnit console launcher
 * wrote there. Each case carries the JUnit Platform's unique id, which the launcher's XML adds to
 * {@code system-out}; the host's run of the same class has the same ids, so that is the key that
 * matches a host test to its guest outcome.
 */
public record GuestReport(List<Case> cases) {

    private static final String UNIQUE_ID_LINE = "unique-id: ";
    private static final String DISPLAY_NAME_LINE = "display-name: ";
    /** "some.Exception: message", the first line of a Java stack trace. */
    private static final Pattern EXCEPTION_LINE = Pattern.compile("[\\w.$]+: (.*)");

    public enum Outcome { PASSED, FAILED, SKIPPED }

    /**
     * One guest test.
     *
     * @param uniqueId the JUnit Platform's id, empty if the report had none
     * @param message the failure's message or the skip reason; empty when it passed
     * @param detail the failure's type and stack trace as the guest printed them
     */
    public record Case(String uniqueId, String className, String name, String displayName, Outcome outcome,
            String message, String detail) {
    }

    public GuestReport {
        cases = List.copyOf(cases);
    }

    public Optional<Case> find(String uniqueId) {
        return cases.stream().filter(c -> c.uniqueId().equals(uniqueId)).findFirst();
    }

    /** Cases below a container (a test factory, a test template), in report order. */
    public List<Case> below(String containerUniqueId) {
        String prefix = containerUniqueId + "/";
        return cases.stream().filter(c -> c.uniqueId().startsWith(prefix)).toList();
    }

    /** Every {@code *.xml} in {@code reportsDir}; none when the folder is missing. */
    public static GuestReport read(Path reportsDir) throws IOException {
        List<Case> cases = new ArrayList<>();
        if (!Files.isDirectory(reportsDir)) {
            return new GuestReport(cases);
        }
        try (Stream<Path> files = Files.list(reportsDir)) {
            for (Path xml : files.filter(p -> p.getFileName().toString().endsWith(".xml")).sorted().toList()) {
                cases.addAll(parse(xml));
            }
        }
        return new GuestReport(cases);
    }

    private static List<Case> parse(Path xml) throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            NodeList testcases = factory.newDocumentBuilder().parse(xml.toFile()).getElementsByTagName("testcase");
            List<Case> cases = new ArrayList<>();
            for (int i = 0; i < testcases.getLength(); i++) {
                cases.add(toCase((Element) testcases.item(i)));
            }
            return cases;
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("unreadable guest JUnit report " + xml + ": " + e.getMessage(), e);
        }
    }

    private static Case toCase(Element testcase) {
        String className = testcase.getAttribute("classname");
        String name = testcase.getAttribute("name");
        String systemOut = text(testcase, "system-out");
        String uniqueId = line(systemOut, UNIQUE_ID_LINE).orElse("");
        String displayName = line(systemOut, DISPLAY_NAME_LINE).orElse(name);
        for (String tag : List.of("failure", "error")) {
            NodeList problems = testcase.getElementsByTagName(tag);
            if (problems.getLength() > 0) {
                Element problem = (Element) problems.item(0);
                return new Case(uniqueId, className, name, displayName, Outcome.FAILED,
                        problem.getAttribute("message"), problem.getTextContent().strip());
            }
        }
        NodeList skipped = testcase.getElementsByTagName("skipped");
        if (skipped.getLength() > 0) {
            String text = skipped.item(0).getTextContent().strip();
            return new Case(uniqueId, className, name, displayName, Outcome.SKIPPED, skipReason(text), text);
        }
        return new Case(uniqueId, className, name, displayName, Outcome.PASSED, "", "");
    }

    /**
     * An aborted test's {@code skipped} element holds the whole stack trace of its
     * TestAbortedException; the reason is the first line's message.
     */
    static String skipReason(String skippedText) {
        String first = skippedText.lines().findFirst().orElse("");
        Matcher exception = EXCEPTION_LINE.matcher(first);
        return skippedText.contains("\tat ") && exception.matches() ? exception.group(1) : first;
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < nodes.getLength(); i++) {
            all.append(nodes.item(i).getTextContent()).append('\n');
        }
        return all.toString();
    }

    private static Optional<String> line(String text, String prefix) {
        return text.lines().map(String::strip).filter(l -> l.startsWith(prefix))
                .map(l -> l.substring(prefix.length())).findFirst();
    }
}
