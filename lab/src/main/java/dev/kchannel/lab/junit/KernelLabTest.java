// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a JUnit 5 test class inside a guest kernel of the kernel lab, as root, with kernel modules
 * loaded: the way to test a kernel module and the Java code that talks to it on a machine that
 * cannot (or should not) load modules itself.
 *
 * <pre>{@code
 * @KernelLabTest(kmods = "../kmod", modules = "hello_user greeting=hi")
 * class HelloUserModuleIT {
 *     @Test
 *     void greets() throws IOException {
 *         assertEquals("hi, world\n", Files.readString(Path.of("/proc/hello_user")));
 *     }
 * }
 * }</pre>
 *
 * <p>On the host, the first time the class runs, {@link KernelLabExtension} boots the lab once,
 * builds the modules of {@link #kmods()} against the guest's kernel headers, loads
 * {@link #modules()}, and runs the same class inside the guest with the JUnit console launcher
 * and this JVM's classpath. Each test then reports its guest outcome on the host: passed, failed
 * with the guest's message and stack trace, or aborted when the guest skipped it. The class fails
 * when the guest kernel logged an Oops, BUG, WARNING or Call Trace, or when the guest never
 * reported back. Inside the guest the extension stays out of the way and the tests run for real.
 *
 * <p>Everything the tests do happens in the guest: test methods and the {@code @BeforeAll},
 * {@code @BeforeEach}, {@code @AfterEach} and {@code @AfterAll} methods are skipped on the host.
 * Constructors and field initializers run in both places, so keep kernel work out of them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(KernelLabExtension.class)
public @interface KernelLabTest {

    /**
     * Modules to insmod before the tests, in this order, each {@code "name [param=value ...]"};
     * {@code name.ko} is taken from {@link #kmods()}.
     */
    String[] modules() default {};

    /**
     * The guest's kernel series: {@code "6.1"} (Debian bookworm), {@code "6.12"}
     * (bookworm-backports) or {@code "6.1-debug"} (KASAN, kmemleak and lockdep; built ahead with
     * {@code it/lab/kchan-debug-kernel build}). Empty: the system property
     * {@code kchannel.lab.kernel}, else 6.1.
     */
    String kernel() default "";

    /**
     * The folder with your module's sources and its Kbuild (or a Makefile with {@code obj-m}),
     * relative to the working directory; the lab builds it with
     * {@code make -C <headers> M=<folder>} and fails on any compiler warning. Empty: kchannel's
     * own kmods/ (only inside a kchannel checkout).
     */
    String kmods() default "";

    /**
     * Which lab boots the guest. The system property {@code kchannel.lab.factory} (a class name)
     * overrides it, so one build can run the same tests through another lab without editing
     * them.
     */
    Class<? extends LabFactory> lab() default DirectLabFactory.class;

    /** How long the whole guest run may take before the lab stops it. */
    long timeoutSeconds() default 1800;
}
