// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.procfs;

import dev.kchannel.api.Availability;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.PermissionDeniedException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.transport.procfs.raw.OpenFlag;
import dev.kchannel.transport.procfs.raw.ProcFile;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code procfs} transport: kchan over the files of {@code /proc/kchan}, served by the kernel
 * module {@code kchan_procfs}. Registered for {@link java.util.ServiceLoader} and, through
 * {@link ProcfsTransportModule}, for Guice.
 *
 * <p>Settings: {@code kchannel.procfs.dir} (default {@value ProcfsSettings#DEFAULT_DIR}),
 * {@code kchannel.procfs.handles}, {@code kchannel.procfs.event-buffer} and
 * {@code kchannel.call-timeout}; see {@link ProcfsKernelChannel} for what they govern.
 *
 * <p>The constructor does nothing. {@link #availability()} asks {@code access(2)} about the call
 * file each time (the module may come and go), without opening it; without a configuration of its
 * own it reads the process's ({@link KchannelConfig#load()}) for the directory.
 */
public final class ProcfsTransport implements KernelTransport {

    /** The name in {@code kchannel.transport}. */
    public static final String NAME = "procfs";
    /** The kernel module that makes the files. */
    public static final String MODULE = "kchan_procfs";

    private final KchannelConfig config;

    /** For ServiceLoader and Guice: availability reads the process's configuration when asked. */
    public ProcfsTransport() {
        this.config = null;
    }

    /** A transport whose {@link #availability()} uses {@code config}'s directory. */
    public ProcfsTransport(KchannelConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability() {
        String os = System.getProperty("os.name", "unknown");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Availability.unavailable("not Linux (" + os + ")", Errno.EOPNOTSUPP, null);
        }
        Path call;
        try {
            call = ProcfsSettings.dir(config != null ? config : KchannelConfig.load()).resolve(KchanProtocol.PROC_CALL);
        } catch (KchannelException e) {
            return Availability.unavailable("invalid configuration: " + e.getMessage(), e.errno(), e);
        }
        Optional<Errno> refused;
        try {
            refused = ProcFile.access(call, OpenFlag.READ, OpenFlag.WRITE);
        } catch (TransportUnavailableException e) {
            return Availability.unavailable(e.reason(), e.errno(), e);
        } catch (LinkageError e) {
            // jnr-ffi or its native stub could not load: this machine cannot make the system calls.
            return Availability.unavailable("cannot load jnr-ffi: " + e, Errno.EOPNOTSUPP, e);
        }
        if (refused.isEmpty()) {
            return Availability.available();
        }
        Errno errno = refused.get();
        if (errno == Errno.ENOENT || errno == Errno.ENOTDIR) {
            return Availability.unavailable(notLoaded(call), errno, null);
        }
        if (errno == Errno.EACCES || errno == Errno.EPERM) {
            return Availability.unavailable(notPermitted(call), errno, null);
        }
        return Availability.unavailable("cannot access " + call + ": " + Errno.format(errno.number()), errno, null);
    }

    /**
     * Opens a channel; its first call-file handle is opened now, to fail fast, and stays in the
     * channel's pool.
     *
     * @throws TransportUnavailableException if the call file is missing (the module is not loaded)
     *     or the caller may not open it
     */
    @Override
    public KernelChannel open(KchannelConfig config) {
        ProcfsSettings settings = ProcfsSettings.from(Objects.requireNonNull(config, "config"));
        CallFilePool handles = new CallFilePool(() -> openCallHandle(settings.callFile()), settings.handles());
        try {
            handles.giveBack(handles.borrow());
            return new ProcfsKernelChannel(settings, handles);
        } catch (RuntimeException | LinkageError e) {
            handles.close();
            throw e;
        }
    }

    /**
     * A new handle on {@code callFile}; a missing file or one the caller may not open means the
     * transport cannot work, which {@link TransportUnavailableException} says with the reason.
     */
    static CallHandle openCallHandle(Path callFile) {
        try {
            return CallHandle.open(callFile);
        } catch (NoSuchEntryException e) {
            throw new TransportUnavailableException(NAME, notLoaded(callFile), Errno.ENOENT, e);
        } catch (PermissionDeniedException e) {
            throw new TransportUnavailableException(NAME, notPermitted(callFile), e.errno(), e);
        }
    }

    static String notLoaded(Path callFile) {
        return Availability.moduleNotLoaded(MODULE, "no " + callFile);
    }

    static String notPermitted(Path callFile) {
        return callFile + " is not readable and writable by user " + System.getProperty("user.name", "?")
                + " (kchan_procfs makes it mode 0600, owned by root)";
    }

    @Override
    public String toString() {
        return "ProcfsTransport";
    }
}
