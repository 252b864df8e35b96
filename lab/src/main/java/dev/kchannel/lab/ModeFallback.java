// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab;

/**
 * Whether a failed start means the engine refused {@code --privileged}: runc could not give the
 * container a capability the engine itself lacks ("unable to apply caps: operation not
 * permitted"). Only that failure is worth retrying with fewer rights; any other is real.
 */
final class ModeFallback {

    private ModeFallback() {
    }

    static boolean privilegedWasRefused(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.contains("unable to apply caps")) {
                return true;
            }
        }
        return false;
    }

    /** The innermost message, which names what the engine refused. */
    static String rootMessage(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage()).strip();
    }
}
