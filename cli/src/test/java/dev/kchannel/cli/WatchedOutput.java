// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Captured output another thread can wait on: {@link #awaitText} returns once the text has been
 * written, so a test acts after the command reached a point rather than after a guessed delay.
 */
final class WatchedOutput extends ByteArrayOutputStream {

    @Override
    public synchronized void write(int b) {
        super.write(b);
        notifyAll();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        super.write(b, off, len);
        notifyAll();
    }

    synchronized void awaitText(String text) throws InterruptedException {
        while (!toString(StandardCharsets.UTF_8).contains(text)) {
            wait();
        }
    }
}
