// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.sockopt;

import dev.kchannel.api.Capabilities;
import dev.kchannel.api.Capability;
import dev.kchannel.api.EventListener;
import dev.kchannel.api.KernelChannel;
import dev.kchannel.api.Subscription;
import dev.kchannel.api.error.ChannelClosedException;
import dev.kchannel.api.error.Errno;
import dev.kchannel.api.error.KernelErrorException;
import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.error.TransportUnavailableException;
import dev.kchannel.api.error.UnsupportedCapabilityException;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanReplies;
import dev.kchannel.api.message.MessageCodec;
import dev.kchannel.api.support.BlockingCallRunner;
import dev.kchannel.api.support.CursorPagedDump;
import dev.kchannel.transport.sockopt.raw.InetSocket;
import dev.kchannel.transport.sockopt.raw.OptionGrowth;
import dev.kchannel.transport.sockopt.raw.OptionSizeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A {@link KernelChannel} over kchan_sockopt's netfilter sockopts at level {@code IPPROTO_IP} of one
 * {@code AF_INET} datagram socket. Capabilities: REQUEST_REPLY and DUMP (LIST paged by CURSOR);
 * no KERNEL_PUSH (a socket option only ever answers its caller), no ONE_WAY, no MULTICAST.
 *
 * <h2>Calls</h2>
 * Each command goes through its own option, {@code KCHAN_SO_BASE_CTL} + the command
 * ({@link KchanOption}); the channel numbers the request (the caller's seq is replaced) and sends
 * it whole as the option's buffer.
 * <ul>
 *   <li>ECHO, GET, LIST and STATS go through {@code getsockopt(2)}: the buffer carries the request
 *       in and the reply out. A reply longer than the buffer comes back as a 16-byte header with
 *       status {@code -ERANGE} and the needed length, which {@code *optlen} repeats; the call is
 *       made again with a buffer of exactly that size ({@link InetSocket#getOptionGrowing}, up to
 *       {@code KCHAN_MSG_MAX}; a length beyond it, or a negative one, is a
 *       {@link MalformedMessageException}, allocating nothing). The reply is checked to answer the
 *       request (REPLY flag, command, seq) and a negative status becomes the api's typed exception
 *       with the kernel's ERRMSG and ERRATTR, as on every transport.</li>
 *   <li>SET, DELETE, GEN_START and GEN_STOP go through {@code setsockopt(2)}, which brings back an
 *       errno and nothing else: success is answered with a reply made here (REPLY flag, the
 *       request's command and seq, status 0, no attributes); a failure throws
 *       {@link KernelErrorException} for the errno (a {@link dev.kchannel.api.error.PermissionDeniedException}
 *       for {@code EPERM}, a {@link dev.kchannel.api.error.NoSuchEntryException} for
 *       {@code ENOENT}) whose message says the command and that setsockopt carries no kernel
 *       message: no ERRMSG, no ERRATTR. Send the same request through netlink, procfs or chardev
 *       to read the kernel's explanation.</li>
 *   <li>A command kchan_sockopt has no option for (EVENT, anything above {@code KCHAN_CMD_MAX})
 *       throws {@link KernelErrorException} with {@link Errno#EOPNOTSUPP} without a system call,
 *       as kchan_core answers an unknown command on the other transports.</li>
 *   <li>{@code ENOPROTOOPT} from the kernel means kchan_sockopt is not loaded (any more): it
 *       throws {@link TransportUnavailableException} saying so. Calls work again once it is
 *       loaded: the socket holds no reference to the module.</li>
 * </ul>
 *
 * <h2>Timeouts</h2>
 * A socket option is one system call that runs the request in kchan_core there and then; nothing
 * can cut it short. So {@link #call(KchanMessage, Duration)} never throws
 * {@link dev.kchannel.api.error.CallTimeoutException}, and returns when the kernel is done.
 * {@link #callAsync} completes its future with {@code CallTimeoutException} once
 * {@link #callTimeout()} has passed since submission ({@link BlockingCallRunner}).
 *
 * <h2>Threads</h2>
 * One socket serves every thread: kchan_sockopt's handlers take no socket lock, and each call has
 * a reply buffer of its own from {@link ReplyBuffers}. {@link #callAsync} runs calls on daemon
 * threads {@code kchan-sockopt-call-N}, at most {@code kchannel.sockopt.async-threads} at once.
 * {@link #close()} closes the socket once the calls running on it return and fails pending async
 * calls with {@link ChannelClosedException}.
 */
public final class SockoptKernelChannel implements KernelChannel {

    private static final Capabilities CAPABILITIES = Capabilities.of(KchanProtocol.PAYLOAD_MAX,
            Capability.REQUEST_REPLY, Capability.DUMP);
    /** Calls a get may make: the first, one at the size asked, two more if the reply keeps growing. */
    private static final int GET_ATTEMPTS = 4;

    private final SockoptSettings settings;
    private final OptionSocket socket;
    private final InetSocket rawSocket;
    private final OptionGrowth growth;
    private final ReplyBuffers buffers;
    private final BlockingCallRunner async;
    private final AtomicInteger nextSeq = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param rawSocket the socket behind {@code socket}, offered through {@link #unwrap}; null in
     *     tests with a scripted socket
     */
    SockoptKernelChannel(SockoptSettings settings, OptionSocket socket, InetSocket rawSocket) {
        this.settings = settings;
        this.socket = socket;
        this.rawSocket = rawSocket;
        this.growth = new OptionGrowth(settings.initialBuffer(), KchanProtocol.MSG_MAX, GET_ATTEMPTS);
        this.buffers = new ReplyBuffers(settings.asyncThreads());
        this.async = new BlockingCallRunner(SockoptTransport.NAME, "kchan-sockopt-call", settings.asyncThreads());
    }

    @Override
    public String transportName() {
        return SockoptTransport.NAME;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Duration callTimeout() {
        return settings.callTimeout();
    }

    /**
     * Sends {@code request} through its option and returns its reply. See the class comment for
     * why {@code timeout} cannot cut a call short; it must still be positive.
     */
    @Override
    public KchanMessage call(KchanMessage request, Duration timeout) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("call timeout " + timeout + " is not positive");
        }
        requireOpen();
        KchanOption option = KchanOption.forCommand(request.commandId())
                .orElseThrow(() -> noOption(request.commandId()));
        KchanMessage numbered = request.withSeq(nextSeq.incrementAndGet());
        ByteBuffer bytes = MessageCodec.encode(numbered);
        return option.isSet() ? set(option, numbered, bytes) : get(option, numbered, bytes);
    }

    private KchanMessage set(KchanOption option, KchanMessage request, ByteBuffer bytes) {
        try {
            socket.set(option.optname(), bytes);
        } catch (KernelErrorException e) {
            throw translate(e, option, "setsockopt " + option.describe() + ", which carries no kernel message back");
        }
        return KchanMessage.builder(request.commandId())
                .flags(KchanProtocol.F_REPLY)
                .seq(request.seq())
                .status(0)
                .build();
    }

    private KchanMessage get(KchanOption option, KchanMessage request, ByteBuffer bytes) {
        ByteBuffer reusable = buffers.take();
        ByteBuffer reply;
        try {
            reply = socket.get(option.optname(), bytes, reusable, growth);
        } catch (KernelErrorException e) {
            buffers.giveBack(reusable);
            throw translate(e, option, "getsockopt " + option.describe());
        } catch (OptionSizeException e) {
            buffers.giveBack(reusable);
            throw lengthNoReplyHas(e, option);
        } catch (RuntimeException | Error e) {
            buffers.giveBack(reusable);
            throw e;
        }
        try {
            return KchanReplies.requireSuccess(decode(reply, request), SockoptTransport.NAME);
        } finally {
            buffers.giveBack(reply);
        }
    }

    /** The reply in {@code buffer}, checked to answer {@code request}. */
    static KchanMessage decode(ByteBuffer buffer, KchanMessage request) {
        try {
            KchanMessage reply = MessageCodec.decode(buffer);
            KchanReplies.requireAnswers(request, reply);
            return reply;
        } catch (MalformedMessageException e) {
            throw e.transport().isPresent() ? e : e.withTransport(SockoptTransport.NAME);
        }
    }

    /**
     * A failed system call as this transport reports it: {@code ENOPROTOOPT} means nobody serves
     * the option, so the module is not loaded; anything else names the command and the option.
     */
    private static RuntimeException translate(KernelErrorException e, KchanOption option, String how) {
        if (e.errno() == Errno.ENOPROTOOPT) {
            return new TransportUnavailableException(SockoptTransport.NAME,
                    SockoptTransport.notLoaded() + " (" + option.describe() + " gave ENOPROTOOPT)", Errno.ENOPROTOOPT, e);
        }
        return KernelErrorException.forErrno(e.errnoNumber()).transport(SockoptTransport.NAME)
                .operation(option.command() + " through " + how).cause(e).build();
    }

    /**
     * A length left in {@code *optlen} that no kchan reply has, negative or beyond
     * {@code KCHAN_MSG_MAX}, is the kernel breaking the protocol: a malformed reply, as a kchan
     * header claiming it would be. A reply that still grew after every attempt (the store changing
     * between calls) stays the {@link OptionSizeException} it is.
     */
    private static RuntimeException lengthNoReplyHas(OptionSizeException e, KchanOption option) {
        int length = e.needed();
        if (length >= 0 && length <= KchanProtocol.MSG_MAX) {
            return e;
        }
        String what = length < 0 ? "which no reply has" : "more than KCHAN_MSG_MAX (" + KchanProtocol.MSG_MAX + ")";
        return new MalformedMessageException(length < 0 ? Reason.LENGTH_BELOW_HEADER : Reason.MESSAGE_TOO_LARGE, -1,
                "getsockopt " + option.describe() + " answered a length of " + length + " bytes, " + what)
                .withTransport(SockoptTransport.NAME);
    }

    private static KernelErrorException noOption(int commandId) {
        return KernelErrorException.forErrno(Errno.EOPNOTSUPP).transport(SockoptTransport.NAME)
                .operation(Command.describe(commandId) + " (kchan_sockopt has options for ECHO to GEN_STOP only, "
                        + KchanProtocol.SO_ECHO + ".." + KchanProtocol.SO_MAX + ")")
                .build();
    }

    @Override
    public CompletableFuture<KchanMessage> callAsync(KchanMessage request) {
        Objects.requireNonNull(request, "request");
        requireOpen();
        return async.submit(request, callTimeout(), this::call);
    }

    @Override
    public void send(KchanMessage message) {
        CAPABILITIES.require(Capability.ONE_WAY, SockoptTransport.NAME);
    }

    /** LIST and any other request, paged by CURSOR: each part is one get, made when the stream asks for it. */
    @Override
    public Stream<KchanMessage> dump(KchanMessage request) {
        Objects.requireNonNull(request, "request");
        requireOpen();
        return CursorPagedDump.stream(request, part -> call(part, callTimeout()));
    }

    /**
     * Always throws: a socket option answers only the call that asked, so kchan_sockopt has no
     * way to push events.
     *
     * @throws UnsupportedCapabilityException naming {@link Capability#KERNEL_PUSH}
     */
    @Override
    public Subscription subscribe(EventListener listener) {
        throw new UnsupportedCapabilityException(SockoptTransport.NAME, Capability.KERNEL_PUSH,
                "a socket option answers only the call that asked, so kchan_sockopt cannot push events;"
                        + " subscribe through netlink, procfs or chardev, which deliver kchan_core's events");
    }

    /**
     * Besides this channel itself: the {@link InetSocket} the options go through, to use the raw
     * layer on it (any option, any length).
     */
    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        if (type == InetSocket.class && rawSocket != null) {
            return Optional.of(type.cast(rawSocket));
        }
        return KernelChannel.super.unwrap(type);
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        async.close();
        socket.close();
    }

    /** Reply buffers kept between calls; for tests. */
    int keptBuffers() {
        return buffers.kept();
    }

    private void requireOpen() {
        if (closed) {
            throw new ChannelClosedException(SockoptTransport.NAME);
        }
    }

    @Override
    public String toString() {
        return "SockoptKernelChannel[" + socket + (closed ? ", closed" : "") + "]";
    }
}
