// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.ConfigurationException;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Precedence is system properties > environment > properties file > defaults, each level hiding
 * the next; bad values are named with their source. No test touches the real environment.
 */
class KchannelConfigLoaderTest {

    private static final String PATH_KEY = "kchannel.chardev.path";

    @TempDir
    Path folder;

    private Path propertiesFile(String name, String content) throws IOException {
        Path file = folder.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    private KchannelConfigLoader allFourLevels() throws IOException {
        Path file = propertiesFile("app.properties", PATH_KEY + "=/dev/from-file\n");
        return KchannelConfigLoader.empty()
                .systemProperties(Map.of(PATH_KEY, "/dev/from-sysprop", "kchannel.config", file.toString()))
                .environment(Map.of("KCHANNEL_CHARDEV_PATH", "/dev/from-env"))
                .defaults(Map.of(PATH_KEY, "/dev/from-default"));
    }

    @Test
    void systemPropertyBeatsEverything() throws IOException {
        ConfigValue value = allFourLevels().load().lookup(PATH_KEY).orElseThrow();

        assertThat(value.value()).isEqualTo("/dev/from-sysprop");
        assertThat(value.source()).isEqualTo(ConfigSource.SYSTEM_PROPERTY);
        assertThat(value.origin()).isEqualTo("system property kchannel.chardev.path");
    }

    @Test
    void environmentBeatsFileAndDefaults() throws IOException {
        KchannelConfigLoader loader = allFourLevels();
        Path file = propertiesFile("env.properties", PATH_KEY + "=/dev/from-file\n");
        loader.systemProperties(Map.of("kchannel.config", file.toString()));

        ConfigValue value = loader.load().lookup(PATH_KEY).orElseThrow();

        assertThat(value.value()).isEqualTo("/dev/from-env");
        assertThat(value.origin()).isEqualTo("environment variable KCHANNEL_CHARDEV_PATH");
    }

    @Test
    void fileBeatsDefaults() throws IOException {
        Path file = propertiesFile("file.properties", PATH_KEY + "=/dev/from-file\n");
        KchannelConfig config = KchannelConfigLoader.empty()
                .systemProperties(Map.of("kchannel.config", file.toString()))
                .defaults(Map.of(PATH_KEY, "/dev/from-default"))
                .load();

        assertThat(config.setting("chardev", "path")).contains("/dev/from-file");
        assertThat(config.lookupSetting("chardev", "path").orElseThrow().origin()).isEqualTo("properties file " + file);
    }

    @Test
    void defaultsApplyWhenNothingElseSaysAnything() {
        KchannelConfig config = KchannelConfigLoader.empty().defaults(Map.of(PATH_KEY, "/dev/from-default")).load();

        assertThat(config.setting("chardev", "path")).contains("/dev/from-default");
        assertThat(config.lookup(PATH_KEY).orElseThrow().source()).isEqualTo(ConfigSource.DEFAULT);
    }

    @Test
    void builtInDefaultsWithNoSources() {
        KchannelConfig config = KchannelConfigLoader.empty().load();

        assertThat(config.transport()).isEmpty();
        assertThat(config.callTimeout()).isEqualTo(Duration.ofSeconds(5)).isEqualTo(KchannelConfig.DEFAULT_CALL_TIMEOUT);
        assertThat(config.setting("netlink", "family")).isEmpty();
    }

    @Test
    void environmentNamesAreUpperCaseWithUnderscores() {
        assertThat(KchannelConfig.environmentVariableName("kchannel.transport")).isEqualTo("KCHANNEL_TRANSPORT");
        assertThat(KchannelConfig.environmentVariableName("kchannel.chardev.path")).isEqualTo("KCHANNEL_CHARDEV_PATH");
        assertThat(KchannelConfig.environmentVariableName("kchannel.call-timeout")).isEqualTo("KCHANNEL_CALL_TIMEOUT");

        KchannelConfig config = KchannelConfigLoader.empty()
                .environment(Map.of("KCHANNEL_TRANSPORT", "procfs", "KCHANNEL_CALL_TIMEOUT", "250ms",
                        "KCHANNEL_PROCFS_DIR", "/proc/kchan", "PATH", "/usr/bin"))
                .load();

        assertThat(config.transport()).contains("procfs");
        assertThat(config.callTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.setting("procfs", "dir")).contains("/proc/kchan");
        assertThat(config.get("PATH")).isEmpty();
    }

    @Test
    void systemPropertyNamesTheFileBeforeTheEnvironmentDoes() throws IOException {
        Path fromSysprop = propertiesFile("a.properties", "kchannel.transport=netlink\n");
        Path fromEnv = propertiesFile("b.properties", "kchannel.transport=chardev\n");

        KchannelConfig config = KchannelConfigLoader.empty()
                .systemProperties(Map.of("kchannel.config", fromSysprop.toString()))
                .environment(Map.of("KCHANNEL_CONFIG", fromEnv.toString()))
                .load();
        KchannelConfig envOnly = KchannelConfigLoader.empty()
                .environment(Map.of("KCHANNEL_CONFIG", fromEnv.toString()))
                .load();

        assertThat(config.transport()).contains("netlink");
        assertThat(envOnly.transport()).contains("chardev");
    }

    @Test
    void classpathFileIsReadWhenNoFileIsNamed() throws IOException {
        propertiesFile(KchannelConfig.CLASSPATH_RESOURCE, "kchannel.transport=sockopt\nkchannel.sockopt.level=0\n");
        try (URLClassLoader classpath = new URLClassLoader(new URL[] {folder.toUri().toURL()}, null)) {
            KchannelConfig config = KchannelConfigLoader.empty().classLoader(classpath).load();

            assertThat(config.transport()).contains("sockopt");
            assertThat(config.intSetting("sockopt", "level")).hasValue(0);
            assertThat(config.lookup("kchannel.transport").orElseThrow().origin())
                    .startsWith("properties file file:").endsWith("kchannel.properties");
        }
    }

    @Test
    void namedFileWinsOverTheClasspathFile() throws IOException {
        propertiesFile(KchannelConfig.CLASSPATH_RESOURCE, "kchannel.transport=sockopt\n");
        Path named = propertiesFile("named.properties", "kchannel.transport=netlink\n");
        try (URLClassLoader classpath = new URLClassLoader(new URL[] {folder.toUri().toURL()}, null)) {
            KchannelConfig config = KchannelConfigLoader.empty()
                    .classLoader(classpath)
                    .environment(Map.of("KCHANNEL_CONFIG", named.toString()))
                    .load();

            assertThat(config.transport()).contains("netlink");
        }
    }

    @Test
    void missingNamedFileIsAnErrorNamingFileAndSource() {
        Path missing = folder.resolve("nope.properties");

        assertThatThrownBy(() -> KchannelConfigLoader.empty()
                .environment(Map.of("KCHANNEL_CONFIG", missing.toString())).load())
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.key()).contains("kchannel.config"))
                .hasMessageContaining("cannot read properties file " + missing)
                .hasMessageContaining("named by environment variable KCHANNEL_CONFIG");
    }

    @Test
    void badDurationIsNamedWithKeySourceAndValue() {
        assertThatThrownBy(() -> KchannelConfigLoader.empty()
                .environment(Map.of("KCHANNEL_CALL_TIMEOUT", "soon")).load())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid kchannel.call-timeout 'soon' from environment variable KCHANNEL_CALL_TIMEOUT: "
                        + "expected a duration such as PT5S, 500ms, 5s or 2m");
    }

    @Test
    void zeroAndNegativeTimeoutsAreRefused() {
        assertThatThrownBy(() -> KchannelConfigLoader.empty()
                .systemProperties(Map.of("kchannel.call-timeout", "0s")).load())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid kchannel.call-timeout '0s' from system property kchannel.call-timeout: "
                        + "must be greater than zero");
        assertThatThrownBy(() -> KchannelConfigLoader.empty()
                .systemProperties(Map.of("kchannel.call-timeout", "PT-1S")).load())
                .isInstanceOf(ConfigurationException.class);
    }

    @Test
    void emptyTransportNameFromAFileIsNamedWithThatFile() throws IOException {
        // Properties files drop the spaces before a value, so the value is empty.
        Path file = propertiesFile("empty.properties", "kchannel.transport=   \n");

        assertThatThrownBy(() -> KchannelConfigLoader.empty()
                .systemProperties(Map.of("kchannel.config", file.toString())).load())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("invalid kchannel.transport '' from properties file " + file + ": ");
    }

    @Test
    void lowerLevelBadValuesAreHiddenByHigherGoodOnes() {
        KchannelConfig config = KchannelConfigLoader.empty()
                .systemProperties(Map.of("kchannel.call-timeout", "2s"))
                .environment(Map.of("KCHANNEL_CALL_TIMEOUT", "garbage"))
                .load();

        assertThat(config.callTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void typedTransportSettingsAreCheckedWhenRead() {
        KchannelConfig config = KchannelConfigLoader.empty()
                .environment(Map.of("KCHANNEL_NETLINK_RCVBUF", "lots", "KCHANNEL_NETLINK_POLL", "1 m"))
                .load();

        assertThat(config.durationSetting("netlink", "poll")).contains(Duration.ofMinutes(1));
        assertThatThrownBy(() -> config.intSetting("netlink", "rcvbuf"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("invalid kchannel.netlink.rcvbuf 'lots' from environment variable KCHANNEL_NETLINK_RCVBUF");
        assertThat(config.intSetting("netlink", "absent")).isEmpty();
    }
}
