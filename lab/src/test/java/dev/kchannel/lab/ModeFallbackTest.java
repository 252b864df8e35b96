// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Only the engine's refusal of --privileged makes the container lab retry with fewer rights. */
class ModeFallbackTest {

    private static final String REFUSAL = "Status 500: {\"message\":\"failed to create shim task: OCI runtime create"
            + " failed: runc create failed: unable to start container process: unable to apply caps: operation not"
            + " permitted: unknown\"}";

    @Test
    void theRefusalIsFoundWhereverTestcontainersWrappedIt() {
        RuntimeException wrapped = new IllegalStateException("Container startup failed",
                new RuntimeException("Could not create/start container", new RuntimeException(REFUSAL)));

        assertThat(ModeFallback.privilegedWasRefused(wrapped)).isTrue();
        assertThat(ModeFallback.rootMessage(wrapped)).isEqualTo(REFUSAL);
    }

    @Test
    void anyOtherFailureIsNotRetried() {
        RuntimeException missingImage = new IllegalStateException("Container startup failed",
                new RuntimeException("No such image: kchannel-lab:6.1.0-56-amd64"));

        assertThat(ModeFallback.privilegedWasRefused(missingImage)).isFalse();
        assertThat(ModeFallback.privilegedWasRefused(new RuntimeException((String) null))).isFalse();
    }
}
