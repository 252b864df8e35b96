// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@code main} class of the test classpath as user nobody (uid and gid 65534, no groups,
 * no capabilities) through {@code setpriv}, to see what an unprivileged process may do. The guest
 * tests run as root from jars in /root/.m2, which nobody cannot read, so the classpath is copied
 * under /tmp first ({@link GuestShell#readableClasspath()}) and removed afterwards.
 */
final class AsNobody {

    private AsNobody() {
    }

    /** Runs {@code mainClass} with {@code args} as nobody; its output is what the test reads. */
    static GuestShell.Result run(Class<?> mainClass, String... args) throws IOException {
        try (GuestShell.ReadableClasspath classpath = GuestShell.readableClasspath()) {
            return GuestShell.run(command(classpath, mainClass, args).toArray(String[]::new));
        }
    }

    /** The command line running {@code mainClass} as nobody from {@code classpath}, for callers that start it themselves. */
    static List<String> command(GuestShell.ReadableClasspath classpath, Class<?> mainClass, String... args) {
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                GuestShell.javaBinary(), "-Djava.io.tmpdir=/tmp", "-Duser.home=/tmp", "-cp", classpath.classpath(),
                mainClass.getName()));
        argv.addAll(List.of(args));
        return argv;
    }
}
