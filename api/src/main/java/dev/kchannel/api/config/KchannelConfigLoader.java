// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.config;

import dev.kchannel.api.error.ConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * Builds a {@link KchannelConfig} from sources handed to it, so tests can load configuration
 * without touching the real system properties, environment or classpath. The precedence is the
 * one {@link KchannelConfig} documents.
 *
 * <p>{@link #empty()} starts with no sources at all; {@link #fromSystem()} with this process's.
 * Properties files are read as UTF-8.
 */
public final class KchannelConfigLoader {

    private Map<String, String> systemProperties = Map.of();
    private Map<String, String> environment = Map.of();
    private Map<String, String> defaults = Map.of();
    private ClassLoader classLoader;

    private KchannelConfigLoader() {
    }

    /** A loader with no sources: only what is handed to it counts. */
    public static KchannelConfigLoader empty() {
        return new KchannelConfigLoader();
    }

    /** A loader reading this process's system properties, environment and context classpath. */
    public static KchannelConfigLoader fromSystem() {
        Properties properties = System.getProperties();
        Map<String, String> snapshot = new HashMap<>();
        for (String name : properties.stringPropertyNames()) {
            snapshot.put(name, properties.getProperty(name));
        }
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return empty()
                .systemProperties(snapshot)
                .environment(System.getenv())
                .classLoader(context != null ? context : KchannelConfigLoader.class.getClassLoader());
    }

    /** The system properties to read, highest precedence. */
    public KchannelConfigLoader systemProperties(Map<String, String> properties) {
        this.systemProperties = Map.copyOf(properties);
        return this;
    }

    /** The environment variables to read, second precedence. */
    public KchannelConfigLoader environment(Map<String, String> variables) {
        this.environment = Map.copyOf(variables);
        return this;
    }

    /**
     * Where to look for {@code kchannel.properties} when {@code kchannel.config} names no file;
     * {@code null} to not look.
     */
    public KchannelConfigLoader classLoader(ClassLoader loader) {
        this.classLoader = loader;
        return this;
    }

    /** Defaults of the application, below every other source and above kchannel's own. */
    public KchannelConfigLoader defaults(Map<String, String> values) {
        this.defaults = Map.copyOf(values);
        return this;
    }

    /**
     * Reads the sources and validates the result.
     *
     * @throws ConfigurationException if a value is invalid, or a named properties file cannot be read
     */
    public KchannelConfig load() {
        List<ConfigLayer> layers = new ArrayList<>();
        ConfigLayer system = ConfigLayer.ofKeys(ConfigSource.SYSTEM_PROPERTY, systemProperties, null);
        ConfigLayer env = ConfigLayer.ofEnvironment(environment);
        layers.add(system);
        layers.add(env);
        propertiesFile(system, env).ifPresent(layers::add);
        layers.add(ConfigLayer.ofKeys(ConfigSource.DEFAULT, defaults, null));
        return new KchannelConfig(layers);
    }

    private Optional<ConfigLayer> propertiesFile(ConfigLayer system, ConfigLayer env) {
        Optional<ConfigValue> named = system.find(KchannelConfig.CONFIG_FILE).or(() -> env.find(KchannelConfig.CONFIG_FILE));
        if (named.isPresent()) {
            return Optional.of(namedFile(named.get()));
        }
        if (classLoader == null) {
            return Optional.empty();
        }
        URL resource = classLoader.getResource(KchannelConfig.CLASSPATH_RESOURCE);
        if (resource == null) {
            return Optional.empty();
        }
        try (InputStream in = resource.openStream()) {
            return Optional.of(layer(in, resource.toString()));
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigurationException("cannot read properties file " + resource + " from the classpath: " + e,
                    KchannelConfig.CONFIG_FILE, e);
        }
    }

    private static ConfigLayer namedFile(ConfigValue named) {
        String name = named.value().trim();
        if (name.isEmpty()) {
            throw ConfigurationException.invalidValue(named.key(), named.value(), named.origin(),
                    "expected the path of a properties file");
        }
        Path path;
        try {
            path = Paths.get(name);
        } catch (RuntimeException e) {
            throw ConfigurationException.invalidValue(named.key(), named.value(), named.origin(),
                    "expected the path of a properties file (" + e.getMessage() + ")");
        }
        try (InputStream in = Files.newInputStream(path)) {
            return layer(in, path.toString());
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigurationException("cannot read properties file " + path + " named by " + named.origin()
                    + ": " + e, named.key(), e);
        }
    }

    private static ConfigLayer layer(InputStream in, String location) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = new InputStreamReader(Objects.requireNonNull(in), StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        Map<String, String> values = new HashMap<>();
        for (String key : properties.stringPropertyNames()) {
            values.put(key, properties.getProperty(key));
        }
        return ConfigLayer.ofKeys(ConfigSource.PROPERTIES_FILE, values, location);
    }
}
