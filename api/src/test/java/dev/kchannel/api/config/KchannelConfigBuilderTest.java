// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.ConfigurationException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Configuration set in code is validated like loaded configuration and reads no other source. */
class KchannelConfigBuilderTest {

    @Test
    void valuesSetInCodeAreTypedAndTraced() {
        KchannelConfig config = KchannelConfig.builder()
                .transport("chardev")
                .callTimeout(Duration.ofMillis(750))
                .setting("chardev", "path", "/dev/kchan")
                .build();

        assertThat(config.transport()).contains("chardev");
        assertThat(config.callTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(config.setting("chardev", "path")).contains("/dev/kchan");
        assertThat(config.lookup(KchannelConfig.TRANSPORT).orElseThrow().source()).isEqualTo(ConfigSource.CODE);
    }

    @Test
    void invalidValuesFailAtBuild() {
        assertThatThrownBy(() -> KchannelConfig.builder().callTimeout(Duration.ZERO).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid kchannel.call-timeout 'PT0S' from code: must be greater than zero");
        assertThatThrownBy(() -> KchannelConfig.builder().transport("").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("invalid kchannel.transport '' from code");
        assertThatThrownBy(() -> KchannelConfig.builder().transport("net link").build())
                .isInstanceOf(ConfigurationException.class);
    }

    @Test
    void keysOutsideTheNamespaceAndBlankSettingNamesAreRefused() {
        assertThatThrownBy(() -> KchannelConfig.builder().set("transport", "netlink"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KchannelConfig.settingKey("", "path")).isInstanceOf(IllegalArgumentException.class);
        assertThat(KchannelConfig.settingKey("netlink", "family")).isEqualTo("kchannel.netlink.family");
    }

    @Test
    void transportNameIsTrimmed() {
        assertThat(KchannelConfig.builder().transport(" netlink ").build().transport()).contains("netlink");
    }
}
