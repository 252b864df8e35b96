// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import java.util.HashMap;
import java.util.Map;

/**
 * The one result line a kmods/tools fuzzer prints (kchan_fuzz.h):
 * {@code result inputs=N accepted=A refused=R probes=P seed=S errnos=EINVAL:n,...}.
 *
 * @param line the line itself, for the report
 */
record FuzzerResult(String line, long inputs, long accepted, long refused, long probes) {

    static FuzzerResult parse(String output) {
        String line = output.lines().filter(l -> l.startsWith("result ")).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException("no result line in the fuzzer's output:\n" + output));
        Map<String, String> fields = new HashMap<>();
        for (String field : line.substring("result ".length()).split(" ")) {
            int eq = field.indexOf('=');
            if (eq > 0) {
                fields.put(field.substring(0, eq), field.substring(eq + 1));
            }
        }
        return new FuzzerResult(line, number(fields, "inputs", line), number(fields, "accepted", line),
                number(fields, "refused", line), number(fields, "probes", line));
    }

    private static long number(Map<String, String> fields, String name, String line) {
        String value = fields.get(name);
        if (value == null) {
            throw new IllegalStateException("no " + name + "= in the fuzzer's result line: " + line);
        }
        return Long.parseLong(value);
    }
}
