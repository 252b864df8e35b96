// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.lab.HostLab;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Host mode is chosen explicitly and says what it still needs. */
class HostLabFactoryTest {

    private final LabSettings settings =
            new LabSettings("6.1", Optional.of(Path.of("/tmp/my-module")), List.of("my_module"), Duration.ofMinutes(1));

    @AfterEach
    void clearProperty() {
        System.clearProperty(HostLabFactory.IMAGE_PROPERTY);
    }

    @Test
    void withoutAnImageItSaysWhichPropertyNamesOne() {
        assertThatThrownBy(() -> new HostLabFactory().create(settings)).isInstanceOf(IOException.class)
                .hasMessageContaining("-D" + HostLabFactory.IMAGE_PROPERTY + "=");
    }

    @Test
    void withAnImageItMakesAHostLab() throws IOException {
        System.setProperty(HostLabFactory.IMAGE_PROPERTY, "kchannel-lab:test");
        assertThat(new HostLabFactory().create(settings)).isInstanceOf(HostLab.class);
    }
}
