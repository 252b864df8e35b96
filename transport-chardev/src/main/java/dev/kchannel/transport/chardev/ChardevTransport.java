// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.chardev;

import dev.kchannel.api.Availability;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.KernelTransport;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.error.NoSuchEntryException;
import dev.kchannel.api.error.PermissionDeniedException;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.transport.chardev.raw.DeviceFile;
import dev.kchannel.transport.chardev.raw.OpenFlag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Objects;

/**
 * The {@code chardev} transport: kchan over the character device {@code /dev/kchan}, served by
 * the kernel module {@code kchan_chardev}. Registered for {@link java.util.ServiceLoader} and,
 * through {@link ChardevTransportModule}, for Guice.
 *
 * <p>Settings ({@link ChardevSettings}): {@code kchannel.chardev.path},
 * {@code kchannel.chardev.call} ({@code ioctl|readwrite}), {@code kchannel.chardev.events}
 * ({@code ring|read}), {@code kchannel.chardev.ring-size}, {@code kchannel.chardev.handles} and
 * {@code kchannel.call-timeout}.
 *
 * <p>The constructor does nothing. {@link #availability()} looks at the node each time (the
 * module may come and go) without opening it, since opening a device can have effects: missing
 * means the module is not loaded; not readable and writable by this user is reported with the
 * node's mode and owner, which the module's {@code mode} and {@code gid} parameters set.
 */
public final class ChardevTransport implements KernelTransport {

    /** The name in {@code kchannel.transport}. */
    public static final String NAME = "chardev";
    /** The kernel module that makes the node. */
    public static final String MODULE = "kchan_chardev";

    private final KchannelConfig config;

    /** For ServiceLoader and Guice: availability reads the process's configuration when asked. */
    public ChardevTransport() {
        this.config = null;
    }

    /** A transport whose {@link #availability()} uses {@code config}'s device path. */
    public ChardevTransport(KchannelConfig config) {
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
        Path node;
        try {
            node = ChardevSettings.path(config != null ? config : KchannelConfig.load());
        } catch (KchannelException e) {
            return Availability.unavailable("invalid configuration: " + e.getMessage(), e.errno(), e);
        }
        if (!Files.exists(node, LinkOption.NOFOLLOW_LINKS) && !Files.exists(node)) {
            return Availability.unavailable(notLoaded(node), Errno.ENOENT, null);
        }
        if (!Files.isReadable(node) || !Files.isWritable(node)) {
            return Availability.unavailable(notPermitted(node), Errno.EACCES, null);
        }
        return Availability.available();
    }

    /**
     * Opens a channel. In ioctl mode its shared open file is opened now; in readwrite mode the
     * first pooled one is, so either way a missing module or a refused open fails here.
     *
     * @throws TransportUnavailableException if the node is missing (the module is not loaded) or
     *     the caller may not open it
     */
    @Override
    public KernelChannel open(KchannelConfig config) {
        ChardevSettings settings = ChardevSettings.from(Objects.requireNonNull(config, "config"));
        return ChardevKernelChannel.open(settings);
    }

    /**
     * Opens the node for reading and writing; a missing node or one the caller may not open means
     * the transport cannot work, which {@link TransportUnavailableException} says with the reason.
     */
    static DeviceFile openDevice(Path node, OpenFlag... extra) {
        OpenFlag[] flags = new OpenFlag[extra.length + 2];
        flags[0] = OpenFlag.READ;
        flags[1] = OpenFlag.WRITE;
        System.arraycopy(extra, 0, flags, 2, extra.length);
        try {
            return DeviceFile.open(node, flags);
        } catch (NoSuchEntryException e) {
            throw new TransportUnavailableException(NAME, notLoaded(node), Errno.ENOENT, e);
        } catch (PermissionDeniedException e) {
            throw new TransportUnavailableException(NAME, notPermitted(node), e.errno(), e);
        }
    }

    static String notLoaded(Path node) {
        return Availability.moduleNotLoaded(MODULE, "no " + node);
    }

    /** Which user may not open the node, and the node's mode and owner, so the fix is evident. */
    static String notPermitted(Path node) {
        String user = System.getProperty("user.name", "?");
        String what;
        try {
            PosixFileAttributes attributes = Files.readAttributes(node, PosixFileAttributes.class);
            what = "mode " + PosixFilePermissions.toString(attributes.permissions()) + ", owner "
                    + attributes.owner().getName() + ", group " + attributes.group().getName();
        } catch (IOException | UnsupportedOperationException e) {
            what = "mode and owner unknown: " + e.getMessage();
        }
        return node + " is not readable and writable by user " + user + " (" + what + "; " + MODULE
                + "'s mode and gid parameters set them, 0600 root by default)";
    }

    @Override
    public String toString() {
        return "ChardevTransport";
    }
}
