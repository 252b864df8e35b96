// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import dev.kchannel.api.error.ConfigurationException;
import dev.kchannel.api.error.FieldLimitException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.TransportUnavailableException;

/**
 * The exit statuses of {@code kchan}, one meaning each, so scripts can branch on them without
 * parsing messages. The same table is in {@code kchan help} and cli/README.md.
 */
final class ExitStatus {

    /** The command did what it was asked. */
    static final int OK = 0;
    /**
     * The operation failed: the kernel refused it with an errno ({@code SET failed: EPERM (1):
     * ...}), no reply came in time, the reply was malformed, or the transport lacks what the
     * command needs.
     */
    static final int FAILED = 1;
    /**
     * The command line or the configuration is wrong: unknown command or option, missing or extra
     * argument, a key or value outside its limits, an unknown transport name.
     */
    static final int USAGE = 2;
    /** The transport cannot work here, typically because its kernel module is not loaded. */
    static final int TRANSPORT_UNAVAILABLE = 3;
    /** The kernel has no such entry ({@code ENOENT}): a get or delete of a key that is not stored. */
    static final int NOT_FOUND = 4;
    /** {@code watch --count N --timeout D}: D passed before N events arrived. */
    static final int WATCH_TIMED_OUT = 5;
    /** Interrupted by Ctrl-C (SIGINT): 128 + 2, as shells report it. */
    static final int INTERRUPTED = 130;

    private ExitStatus() {
    }

    /**
     * The status for a failure a command threw: a {@link UsageException}, a kchannel exception, a
     * {@link FieldLimitException} (an argument refused before anything was sent) or an unreadable
     * kernel file; {@link #FAILED} for anything not listed above.
     */
    static int of(RuntimeException failure) {
        if (failure instanceof UsageException || failure instanceof FieldLimitException
                || failure instanceof ConfigurationException) {
            return USAGE;
        }
        if (failure instanceof TransportUnavailableException) {
            return TRANSPORT_UNAVAILABLE;
        }
        if (failure instanceof NoSuchEntryException) {
            return NOT_FOUND;
        }
        return FAILED;
    }
}
