// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test that failed inside the kernel lab's guest, as the host reports it: the guest's message,
 * and the guest's stack trace as this error's own, so a report or an IDE points at the line that
 * failed in the guest. The guest's exception type and any "Caused by" follow the message.
 */
public final class GuestTestFailure extends AssertionError {

    private static final long serialVersionUID = 1L;

    /** "at [module/]class.method(File.java:12)", one frame of a printed Java stack trace. */
    private static final Pattern FRAME =
            Pattern.compile("\\s*at (?:[^\\s/(]+/)?([\\w.$]+)\\.([\\w$<>-]+)\\(([^:)]*)(?::(\\d+))?\\)");

    GuestTestFailure(GuestReport.Case failed, String kernelSeries) {
        super(message(failed, kernelSeries));
        List<StackTraceElement> frames = frames(failed.detail());
        if (!frames.isEmpty()) {
            setStackTrace(frames.toArray(StackTraceElement[]::new));
        }
    }

    private static String message(GuestReport.Case failed, String kernelSeries) {
        String detail = failed.detail();
        String type = detail.lines().findFirst().map(l -> l.contains(":") ? l.substring(0, l.indexOf(':')) : l)
                .orElse("");
        StringBuilder message = new StringBuilder(failed.message())
                .append("\n(failed in the kernel lab guest, kernel ").append(kernelSeries)
                .append(type.isEmpty() ? "" : ", as " + type).append(')');
        int cause = detail.indexOf("\nCaused by: ");
        if (cause >= 0) {
            message.append(detail.substring(cause));
        }
        if (frames(detail).isEmpty()) {
            message.append("\n").append(detail);
        }
        return message.toString();
    }

    /** The frames of the guest's exception itself, up to its first "Caused by". */
    static List<StackTraceElement> frames(String stackTrace) {
        List<StackTraceElement> frames = new ArrayList<>();
        for (String line : stackTrace.lines().toList()) {
            if (line.startsWith("Caused by: ")) {
                break;
            }
            Matcher frame = FRAME.matcher(line);
            if (frame.matches()) {
                String file = frame.group(3);
                boolean known = !file.isEmpty() && !file.equals("Unknown Source") && !file.equals("Native Method");
                int lineNumber = frame.group(4) != null ? Integer.parseInt(frame.group(4))
                        : file.equals("Native Method") ? -2 : -1;
                frames.add(new StackTraceElement(frame.group(1), frame.group(2), known ? file : null, lineNumber));
            }
        }
        return frames;
    }
}
