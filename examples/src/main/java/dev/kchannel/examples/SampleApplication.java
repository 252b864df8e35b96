// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.examples;

import com.google.inject.Guice;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import dev.kchannel.api.KernelChannelFactory;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.ConfigurationException;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.guice.KchannelModule;
import dev.kchannel.api.guice.TransportModules;
import dev.kchannel.api.select.KernelTransports;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The sample application: a program written against {@code api} alone that opens a channel, sets,
 * reads and lists values, prints statistics and, where the transport can push, watches events.
 * Which transport it uses is configuration: {@code kchannel.transport} from a system property, an
 * environment variable ({@code KCHANNEL_TRANSPORT}) or a properties file ({@code kchannel.config}),
 * in that order of precedence (see {@link KchannelConfig}).
 *
 * <pre>
 * java -Dkchannel.transport=procfs -cp ... dev.kchannel.examples.SampleApplication
 * java -cp ... dev.kchannel.examples.SampleApplication --without-guice
 * </pre>
 *
 * With Guice (the default) it installs every transport module on the classpath
 * ({@link TransportModules#discover()}) and {@link KchannelModule}, and asks the injector for a
 * {@link KernelChannelFactory}; {@code --without-guice} gets the factory from
 * {@link KernelTransports} (ServiceLoader) instead. Exit status: 0 done, 2 bad usage or
 * configuration, 3 transport unavailable, 4 the kernel refused a request, 1 anything else.
 */
public final class SampleApplication {

    /** Exit status: done. */
    public static final int OK = 0;
    /** Exit status: anything unexpected. */
    public static final int FAILED = 1;
    /** Exit status: bad arguments or configuration, such as an unknown transport name. */
    public static final int CONFIGURATION = 2;
    /** Exit status: the transport cannot work here, such as its kernel module not being loaded. */
    public static final int UNAVAILABLE = 3;
    /** Exit status: the kernel refused a request, such as EPERM without CAP_NET_ADMIN. */
    public static final int KERNEL_ERROR = 4;

    private SampleApplication() {
    }

    /** Where logback finds the sample's logging setup, unless the user names their own. */
    static final String LOGGING_CONFIG = "kchannel-sample-logback.xml";

    public static void main(String[] args) {
        // Before anything logs: results go to stdout, so library chatter must not.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LOGGING_CONFIG);
        }
        System.exit(run(args, KchannelConfig.load(), System.out, System.err));
    }

    /**
     * Runs the sample with {@code config}, printing to {@code out} and problems to {@code err}:
     * what {@link #main} does with the process's configuration, for embedding and tests.
     *
     * @return the exit status
     */
    public static int run(String[] args, KchannelConfig config, PrintStream out, PrintStream err) {
        boolean withGuice = true;
        for (String arg : args) {
            if (arg.equals("--without-guice")) {
                withGuice = false;
            } else {
                err.println("sample: unknown argument '" + arg + "'; usage: SampleApplication [--without-guice]");
                return CONFIGURATION;
            }
        }
        try {
            KernelChannelFactory factory = withGuice ? throughGuice(config) : KernelTransports.channelFactory(config);
            out.println("kchannel sample: transport " + factory.transport().name() + ", selected through "
                    + (withGuice ? "Guice" : "ServiceLoader"));
            new SampleSteps(factory, out).run();
            return OK;
        } catch (ConfigurationException e) {
            err.println("sample: " + e.getMessage());
            return CONFIGURATION;
        } catch (TransportUnavailableException e) {
            err.println("sample: " + e.getMessage());
            return UNAVAILABLE;
        } catch (KchannelException e) {
            err.println("sample: " + e.getMessage());
            return KERNEL_ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("sample: interrupted");
            return FAILED;
        } catch (RuntimeException e) {
            err.println("sample: failed: " + e);
            return FAILED;
        }
    }

    /** The factory Guice provides; selection failures surface as the kchannel exception they are. */
    static KernelChannelFactory throughGuice(KchannelConfig config) {
        List<Module> modules = new ArrayList<>(TransportModules.discover());
        modules.add(new KchannelModule(config));
        try {
            return Guice.createInjector(modules).getInstance(KernelChannelFactory.class);
        } catch (ProvisionException e) {
            if (e.getCause() instanceof KchannelException) {
                throw (KchannelException) e.getCause();
            }
            throw e;
        }
    }
}
