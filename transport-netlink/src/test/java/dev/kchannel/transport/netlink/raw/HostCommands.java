// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.netlink.raw;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The host's own view of netlink, through iproute2, to compare the SDK against. */
public final class HostCommands {

    /** {@code ip -o link}: "2: eth0@if5: <...>", the part after '@' names the peer. */
    private static final Pattern LINK_LINE = Pattern.compile("^(\\d+): ([^:@\\s]+)(@[^:]*)?: ");
    /** {@code genl ctrl list}: "Name: nlctrl" opens each family. */
    private static final Pattern FAMILY_LINE = Pattern.compile("^Name: (\\S+)\\s*$");

    private HostCommands() {
    }

    /** Interface index to name, as {@code ip -o link} shows them. */
    public static Map<Integer, String> ipLinks() {
        Map<Integer, String> links = new LinkedHashMap<>();
        for (String line : run("ip", "-o", "link").lines().collect(Collectors.toList())) {
            Matcher m = LINK_LINE.matcher(line);
            if (!m.find()) {
                throw new IllegalStateException("unexpected line from ip -o link: " + line);
            }
            links.put(Integer.parseInt(m.group(1)), m.group(2));
        }
        return links;
    }

    /** Generic Netlink family names, as {@code genl ctrl list} shows them. */
    public static List<String> genlFamilies() {
        return run("genl", "ctrl", "list").lines().map(FAMILY_LINE::matcher).filter(Matcher::matches)
                .map(m -> m.group(1)).collect(Collectors.toList());
    }

    static String run(String... argv) {
        try {
            Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " failed:\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
