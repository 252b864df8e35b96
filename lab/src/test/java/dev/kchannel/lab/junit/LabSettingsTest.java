// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LabSettingsTest {

    @KernelLabTest(modules = "hello_user greeting=hi", kmods = "../examples/user-module/kmod", timeoutSeconds = 60)
    static class Defaults {
    }

    @KernelLabTest(kernel = "6.12")
    static class OnSixTwelve {
    }

    @KernelLabTest(modules = " hello_user")
    static class BadSpec {
    }

    @Test
    void takesTheKernelFromThePropertyWhenTheAnnotationNamesNone() {
        LabSettings settings = LabSettings.of(annotation(Defaults.class), "6.12", Path.of("/work/it"));

        assertThat(settings).isEqualTo(new LabSettings("6.12", Optional.of(Path.of("/work/examples/user-module/kmod")),
                List.of("hello_user greeting=hi"), Duration.ofSeconds(60)));
        assertThat(LabSettings.of(annotation(Defaults.class), null, Path.of("/w")).kernelSeries()).isEqualTo("6.1");
    }

    @Test
    void theAnnotationsKernelWinsAndNoKmodsMeansKchannelsOwn() {
        LabSettings settings = LabSettings.of(annotation(OnSixTwelve.class), "6.1", Path.of("/w"));

        assertThat(settings.kernelSeries()).isEqualTo("6.12");
        assertThat(settings.kmods()).isEmpty();
    }

    @Test
    void refusesAModuleSpecWithoutAName() {
        assertThatThrownBy(() -> LabSettings.of(annotation(BadSpec.class), null, Path.of("/w")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must start with a module name");
    }

    private static KernelLabTest annotation(Class<?> type) {
        return type.getAnnotation(KernelLabTest.class);
    }
}
