// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api;

import dev.kchannel.api.message.KchanMessage;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * An open conversation with the kernel through one transport: kchan requests and replies, multi-part
 * dumps, and kernel-pushed events, whatever door they go through.
 *
 * <h2>Ownership</h2>
 * Whoever opens a channel closes it. {@link #close()} is idempotent and may be called from any
 * thread; it ends every subscription, fails every call still waiting with
 * {@link dev.kchannel.api.error.ChannelClosedException}, and any later call throws that too.
 *
 * <h2>Threads</h2>
 * A channel is thread-safe: {@link #call}, {@link #callAsync}, {@link #send}, {@link #dump} and
 * {@link #subscribe} may be used by many threads at once. The channel chooses each request's
 * sequence number (any {@code seq} in the request is replaced) and matches replies by it, so
 * concurrent calls never receive each other's replies. A dump {@link Stream} and each
 * {@link EventListener} are used by one thread at a time.
 *
 * <h2>Errors</h2>
 * Replies with a negative status never come back as values: the call throws (or the future
 * completes with) the {@link dev.kchannel.api.error.KernelErrorException} built from the reply's
 * status and extended-ack attributes. Every failure is a
 * {@link dev.kchannel.api.error.KchannelException}; a method that needs a {@link Capability} the
 * channel lacks throws {@link dev.kchannel.api.error.UnsupportedCapabilityException}.
 */
public interface KernelChannel extends AutoCloseable {

    /** The name of the transport this channel goes through, such as {@code netlink}. */
    String transportName();

    /** What this channel supports. */
    Capabilities capabilities();

    /** The timeout of {@link #call(KchanMessage)} and {@link #callAsync}, from the configuration. */
    Duration callTimeout();

    /**
     * Sends {@code request} and waits up to {@code timeout} for its reply. Needs
     * {@link Capability#REQUEST_REPLY}.
     *
     * @return the successful reply (status 0 or positive)
     * @throws dev.kchannel.api.error.KernelErrorException if the kernel answered with an error
     * @throws dev.kchannel.api.error.CallTimeoutException if no reply came in time
     * @throws dev.kchannel.api.error.ChannelClosedException if the channel is or gets closed
     */
    KchanMessage call(KchanMessage request, Duration timeout);

    /** {@link #call(KchanMessage, Duration)} with the configured {@link #callTimeout()}. */
    default KchanMessage call(KchanMessage request) {
        return call(request, callTimeout());
    }

    /**
     * Sends {@code request} and returns at once; the future completes with the successful reply,
     * or exceptionally with the same exceptions {@link #call} throws, after at most
     * {@link #callTimeout()}. Cancelling the future abandons the reply, not the request. Needs
     * {@link Capability#REQUEST_REPLY}.
     *
     * <p>Futures complete on a transport thread: chain heavy work with an {@code ...Async} stage
     * and your own executor.
     */
    CompletableFuture<KchanMessage> callAsync(KchanMessage request);

    /**
     * Sends {@code message} without waiting for any reply. Needs {@link Capability#ONE_WAY}.
     *
     * @throws dev.kchannel.api.error.KchannelException if the message could not be handed to the kernel
     */
    void send(KchanMessage message);

    /**
     * Sends a request answered in several parts, such as LIST, and returns the parts as they
     * arrive, the last one being the first without the MORE flag. Needs {@link Capability#DUMP}.
     *
     * <p>The stream is lazy and holds transport resources: close it, with try-with-resources, even
     * when you read it to the end. Closing it early abandons the remaining parts. Failures while
     * reading (an error reply, a timeout per part, a closed channel) are thrown by the stream's
     * terminal operation as {@link dev.kchannel.api.error.KchannelException}s.
     *
     * <pre>{@code
     * try (Stream<KchanMessage> parts = channel.dump(KchanRequests.list())) {
     *     parts.map(ListPart::from).flatMap(part -> part.entries().stream()).forEach(...);
     * }
     * }</pre>
     */
    Stream<KchanMessage> dump(KchanMessage request);

    /**
     * Starts delivering kernel-pushed events to {@code listener} until the returned subscription
     * or this channel is closed. Needs {@link Capability#KERNEL_PUSH}. See {@link EventListener}
     * for the delivery rules, losses included.
     */
    Subscription subscribe(EventListener listener);

    /**
     * Reaches transport-specific features: for example the netlink transport's Generic Netlink
     * view, or the character device's ioctl and mmap. By default, this channel itself if it is a
     * {@code type}.
     */
    default <T> Optional<T> unwrap(Class<T> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
    }

    /** Whether {@link #close()} has not been called and the transport has not failed. */
    boolean isOpen();

    /** Closes the channel; idempotent and thread-safe. See the class comment for what it ends. */
    @Override
    void close();
}
