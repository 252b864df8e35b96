// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The guest tests' results, read from the JUnit XML reports the JUnit console launcher wrote
 * inside the guest.
 */
record GuestTestReport(List<GuestTestCase> cases) {

    /** One guest test: its class and name, and its failure text when it did not pass. */
    record GuestTestCase(String className, String name, Outcome outcome, String detail) {
        String displayName() {
            return className.substring(className.lastIndexOf('.') + 1) + " > " + name;
        }
    }

    enum Outcome { PASSED, FAILED, SKIPPED }

    static GuestTestReport read(Path reportsDir) throws IOException {
        List<GuestTestCase> cases = new ArrayList<>();
        if (!Files.isDirectory(reportsDir)) {
            return new GuestTestReport(cases);
        }
        try (Stream<Path> files = Files.list(reportsDir)) {
            for (Path xml : files.filter(p -> p.getFileName().toString().endsWith(".xml")).sorted().toList()) {
                cases.addAll(parse(xml));
            }
        }
        return new GuestTestReport(cases);
    }

    private static List<GuestTestCase> parse(Path xml) throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            NodeList testcases = factory.newDocumentBuilder().parse(xml.toFile()).getElementsByTagName("testcase");
            List<GuestTestCase> cases = new ArrayList<>();
            for (int i = 0; i < testcases.getLength(); i++) {
                Element testcase = (Element) testcases.item(i);
                cases.add(toCase(testcase));
            }
            return cases;
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("unreadable guest JUnit report " + xml + ": " + e.getMessage(), e);
        }
    }

    private static GuestTestCase toCase(Element testcase) {
        String className = testcase.getAttribute("classname");
        String name = testcase.getAttribute("name");
        for (String tag : List.of("failure", "error")) {
            NodeList problems = testcase.getElementsByTagName(tag);
            if (problems.getLength() > 0) {
                Element problem = (Element) problems.item(0);
                String text = problem.getAttribute("message") + "\n" + problem.getTextContent();
                return new GuestTestCase(className, name, Outcome.FAILED, text.strip());
            }
        }
        NodeList skipped = testcase.getElementsByTagName("skipped");
        if (skipped.getLength() > 0) {
            return new GuestTestCase(className, name, Outcome.SKIPPED, skipped.item(0).getTextContent().strip());
        }
        return new GuestTestCase(className, name, Outcome.PASSED, "");
    }
}
