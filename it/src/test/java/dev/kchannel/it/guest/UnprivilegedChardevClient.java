// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.Availability;
import dev.kchannel.api.EventListener;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.config.KchannelConfig;
import dev.kchannel.api.error.KchannelException;
import dev.kchannel.api.message.KchanEvent;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.transport.chardev.ChardevTransport;
import dev.kchannel.transport.chardev.raw.DeviceFile;
import dev.kchannel.transport.chardev.raw.OpenFlag;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Not a test: a program {@link ChardevTransportGuestTest} runs as user nobody to see what the
 * chardev transport refuses an unprivileged process and what it still answers. Arguments: a key
 * root has set, and a key nobody tries to set. Prints one line per attempt, which the test reads:
 * {@code AVAILABLE ...}, {@code NAME OK detail} or {@code NAME FAIL ExceptionClass errno}, then
 * {@code END}. When the node cannot be opened it stops after saying so.
 */
public final class UnprivilegedChardevClient {

    private UnprivilegedChardevClient() {
    }

    /**
     * What this client prints when user nobody may open {@code /dev/kchan} (mode 0666): every
     * state change refused with EPERM (a mode grants no right to change state), every read
     * answered, {@code rootsValue} being what root stored under the key it was given.
     */
    static List<String> linesWhenTheNodeIsOpenToAll(String rootsValue) {
        return List.of(
                "AVAILABLE true",
                "SET FAIL PermissionDeniedException EPERM",
                "DELETE FAIL PermissionDeniedException EPERM",
                "GEN_START FAIL PermissionDeniedException EPERM",
                "RAW SET status -1",
                "SUBSCRIBE ring FAIL PermissionDeniedException EPERM",
                "SUBSCRIBE read FAIL PermissionDeniedException EPERM",
                "GET OK " + rootsValue,
                "ECHO OK from nobody",
                "READWRITE GET OK " + rootsValue,
                "GEN_STOP FAIL PermissionDeniedException EPERM",
                "READWRITE SET FAIL PermissionDeniedException EPERM",
                "READWRITE DELETE FAIL PermissionDeniedException EPERM",
                "READWRITE GEN_START FAIL PermissionDeniedException EPERM",
                "READWRITE GEN_STOP FAIL PermissionDeniedException EPERM",
                "LIST OK status 0",
                "STATS OK status 0",
                "IOC_SUBSCRIBE FAIL PermissionDeniedException EPERM",
                "IOC_RING_SETUP FAIL PermissionDeniedException EPERM",
                "IOC_UNSUBSCRIBE OK result 0",
                "MMAP_WRITABLE FAIL KernelErrorException ENODEV",
                "END");
    }

    public static void main(String[] args) {
        String rootsKey = args[0];
        String ownKey = args[1];
        Availability availability = new ChardevTransport().availability();
        System.out.println(("AVAILABLE " + availability.isAvailable() + " "
                + (availability.isAvailable() ? "" : availability.errno().map(Enum::name).orElse("?") + " "
                        + availability.reason())).strip());
        KernelChannel channel;
        try {
            channel = new ChardevTransport().open(config("ioctl", "ring"));
        } catch (KchannelException e) {
            System.out.println("OPEN FAIL " + e.getClass().getSimpleName() + " " + e.errno());
            System.out.println("END");
            return;
        }
        try (channel; KernelChannel readRead = new ChardevTransport().open(config("readwrite", "read"))) {
            attempt("SET", () -> status(channel.call(KchanRequests.set(ownKey, "nobody wrote this"))));
            attempt("DELETE", () -> status(channel.call(KchanRequests.delete(rootsKey))));
            attempt("GEN_START", () -> status(channel.call(KchanRequests.genStart(10, 16, 0))));
            // The raw layer gets the kernel's reply itself: a negative status, not an errno.
            try (DeviceFile dev = DeviceFile.open(Path.of("/dev/kchan"), OpenFlag.READ, OpenFlag.WRITE)) {
                dev.write(MessageCodec.encode(KchanRequests.set(ownKey, "raw").withSeq(1)));
                ByteBuffer reply = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
                dev.read(reply);
                System.out.println("RAW SET status " + MessageCodec.decode(reply.flip()).status());
            }
            attempt("SUBSCRIBE ring", () -> subscribe(channel));
            attempt("SUBSCRIBE read", () -> subscribe(readRead));
            attempt("GET", () -> text(KchanReplies.value(channel.call(KchanRequests.get(rootsKey)))));
            attempt("ECHO", () -> text(KchanReplies.payload(channel.call(KchanRequests.echo(
                    "from nobody".getBytes(StandardCharsets.UTF_8))))));
            attempt("READWRITE GET", () -> text(KchanReplies.value(readRead.call(KchanRequests.get(rootsKey)))));
            // The rest of the state-changing doors, and the other reads, for PermissionsGuestTest.
            attempt("GEN_STOP", () -> status(channel.call(KchanRequests.genStop())));
            attempt("READWRITE SET", () -> status(readRead.call(KchanRequests.set(ownKey, "nobody wrote this"))));
            attempt("READWRITE DELETE", () -> status(readRead.call(KchanRequests.delete(rootsKey))));
            attempt("READWRITE GEN_START", () -> status(readRead.call(KchanRequests.genStart(10, 16, 0))));
            attempt("READWRITE GEN_STOP", () -> status(readRead.call(KchanRequests.genStop())));
            attempt("LIST", () -> status(channel.call(KchanRequests.list())));
            attempt("STATS", () -> status(channel.call(KchanRequests.stats())));
            try (DeviceFile dev = DeviceFile.open(Path.of("/dev/kchan"), OpenFlag.READ, OpenFlag.WRITE)) {
                attempt("IOC_SUBSCRIBE", () -> "result " + dev.ioctl(KchanProtocol.IOC_SUBSCRIBE, 0L));
                ByteBuffer setup = ByteBuffer.allocateDirect(RING_SETUP_SIZE).order(ByteOrder.nativeOrder());
                setup.putInt(0, RING_DATA_MIN);
                attempt("IOC_RING_SETUP", () -> "result " + dev.ioctl(KchanProtocol.IOC_RING_SETUP, setup));
                attempt("IOC_UNSUBSCRIBE", () -> "result " + dev.ioctl(KchanProtocol.IOC_UNSUBSCRIBE, 0L));
                attempt("MMAP_WRITABLE", () -> "mapped " + dev.mmap(RING_DATA_MIN + PAGE, 0, true).capacity());
            }
        }
        System.out.println("END");
    }

    /** struct kchan_ring_setup: data_size, then what the kernel answers (mmap_len, data_offset, ...). */
    private static final int RING_SETUP_SIZE = 64;
    private static final int RING_DATA_MIN = 262144;
    private static final int PAGE = 4096;

    private static KchannelConfig config(String call, String events) {
        return KchannelConfig.builder().transport("chardev").setting("chardev", "call", call)
                .setting("chardev", "events", events).build();
    }

    private static String subscribe(KernelChannel channel) {
        try (Subscription subscription = channel.subscribe(new EventListener() {
            @Override
            public void onEvent(KchanEvent event) {
            }
        })) {
            return "subscribed";
        }
    }

    private static String status(KchanMessage reply) {
        return "status " + reply.status();
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void attempt(String name, Supplier<String> action) {
        try {
            System.out.println((name + " OK " + action.get()).strip());
        } catch (KchannelException e) {
            System.out.println(name + " FAIL " + e.getClass().getSimpleName() + " " + e.errno());
        }
    }
}
