// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.lab.junit;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;

/**
 * The extension behind {@link KernelLabTest}. On the host it runs the annotated class once in the
 * kernel lab's guest, skips every test and lifecycle method's own invocation, and replays each
 * test's guest outcome; inside the guest (the system property {@value #GUEST_PROPERTY}, which it
 * sets on the guest's JVM, or the lab's {@code KCHANNEL_LAB_GUEST=1}) it does nothing at all.
 */
public final class KernelLabExtension implements BeforeAllCallback, AfterAllCallback, InvocationInterceptor {

    /** Set on the guest's JVM: the tests run for real there. */
    public static final String GUEST_PROPERTY = "kchannel.lab.junit.guest";
    /** A {@link LabFactory} class name that overrides {@link KernelLabTest#lab()}. */
    public static final String FACTORY_PROPERTY = "kchannel.lab.factory";
    /** Where each class's lab results go, one folder per class; default target/kchan-lab. */
    public static final String RESULTS_PROPERTY = "kchannel.lab.results";
    /** The kernel series when the annotation names none. */
    public static final String KERNEL_PROPERTY = "kchannel.lab.kernel";

    private static final Namespace NAMESPACE = Namespace.create(KernelLabExtension.class);

    /** True inside the lab's guest, where the tests run for real. */
    public static boolean insideGuest() {
        return Boolean.getBoolean(GUEST_PROPERTY) || "1".equals(System.getenv("KCHANNEL_LAB_GUEST"));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!insideGuest()) {
            guestRun(context);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (insideGuest() || context.getRequiredTestClass() != annotatedClass(context.getRequiredTestClass())) {
            return;
        }
        List<String> problems = guestRun(context).problems();
        if (!problems.isEmpty()) {
            throw new AssertionError(context.getRequiredTestClass().getSimpleName() + " in the kernel lab: "
                    + String.join("\n", problems));
        }
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext) throws Throwable {
        runOrReplay(invocation, extensionContext);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
        runOrReplay(invocation, extensionContext);
    }

    /** On the host, a test factory's guest dynamic tests come back as dynamic tests replaying them. */
    @Override
    @SuppressWarnings("unchecked")
    public <T> T interceptTestFactoryMethod(Invocation<T> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
        if (insideGuest()) {
            return invocation.proceed();
        }
        invocation.skip();
        GuestClassRun run = guestRun(extensionContext);
        List<GuestReport.Case> cases = run.outcomesBelow(extensionContext.getUniqueId());
        Stream<DynamicTest> replays = cases.stream()
                .map(c -> DynamicTest.dynamicTest(c.displayName(), () -> replay(Optional.of(c), c.displayName(), run)));
        if (cases.isEmpty()) {
            replays = Stream.of(DynamicTest.dynamicTest(extensionContext.getDisplayName(),
                    () -> replay(Optional.empty(), extensionContext.getDisplayName(), run)));
        }
        return (T) replays;
    }

    @Override
    public void interceptBeforeAllMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
        proceedInGuestOnly(invocation);
    }

    @Override
    public void interceptBeforeEachMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
        proceedInGuestOnly(invocation);
    }

    @Override
    public void interceptAfterEachMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
        proceedInGuestOnly(invocation);
    }

    @Override
    public void interceptAfterAllMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
        proceedInGuestOnly(invocation);
    }

    private static void proceedInGuestOnly(Invocation<Void> invocation) throws Throwable {
        if (insideGuest()) {
            invocation.proceed();
        } else {
            invocation.skip();
        }
    }

    private static void runOrReplay(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
        if (insideGuest()) {
            invocation.proceed();
            return;
        }
        invocation.skip();
        GuestClassRun run = guestRun(context);
        replay(run.outcome(context.getUniqueId()), context.getDisplayName(), run);
    }

    /** Passes, fails with the guest's failure, or aborts as the guest's test did. */
    static void replay(Optional<GuestReport.Case> outcome, String testName, GuestClassRun run) {
        if (outcome.isEmpty()) {
            List<String> problems = run.problems();
            throw new AssertionError("no result from the kernel lab guest for " + testName
                    + (problems.isEmpty() ? "" : ": " + String.join("\n", problems)));
        }
        GuestReport.Case c = outcome.get();
        switch (c.outcome()) {
            case PASSED -> { }
            case SKIPPED -> throw new TestAbortedException("skipped in the kernel lab guest: " + c.message());
            case FAILED -> throw new GuestTestFailure(c, run.kernelSeries());
        }
    }

    private static GuestClassRun guestRun(ExtensionContext context) {
        Class<?> annotated = annotatedClass(context.getRequiredTestClass());
        KernelLabTest annotation = AnnotationSupport.findAnnotation(annotated, KernelLabTest.class).orElseThrow();
        // The root store: one run per class for the whole session, nested classes included.
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(annotated.getName(),
                name -> GuestClassRun.start(annotated,
                        LabSettings.of(annotation, System.getProperty(KERNEL_PROPERTY), Path.of("").toAbsolutePath()),
                        factory(annotation),
                        Path.of(System.getProperty(RESULTS_PROPERTY, "target/kchan-lab")).toAbsolutePath()
                                .resolve(annotated.getName()),
                        line -> System.out.println("[kernel lab] " + line)),
                GuestClassRun.class);
    }

    /** The class that carries {@link KernelLabTest}: this one, a superclass, or an enclosing one. */
    static Class<?> annotatedClass(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            // isAnnotated sees an annotation inherited from a superclass too: the subclass runs.
            if (AnnotationSupport.isAnnotated(c, KernelLabTest.class)) {
                return c;
            }
        }
        throw new ExtensionConfigurationException(testClass.getName()
                + " uses KernelLabExtension without @KernelLabTest; annotate the class with @KernelLabTest(...)");
    }

    static LabFactory factory(KernelLabTest annotation) {
        String override = System.getProperty(FACTORY_PROPERTY, "");
        Class<? extends LabFactory> type = annotation.lab();
        try {
            if (!override.isBlank()) {
                type = Class.forName(override.strip()).asSubclass(LabFactory.class);
            }
            return type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new ExtensionConfigurationException("cannot make the kernel lab factory "
                    + (override.isBlank() ? type.getName() : override + " (-D" + FACTORY_PROPERTY + ")")
                    + ": it must implement " + LabFactory.class.getName() + " and have a public no-argument constructor",
                    e);
        }
    }
}
