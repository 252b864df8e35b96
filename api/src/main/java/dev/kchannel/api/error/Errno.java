// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.error;

import java.util.Locale;
import java.util.Optional;

/**
 * Linux error numbers, by name, with the values of the generic ABI ({@code asm-generic/errno-base.h}
 * and {@code asm-generic/errno.h}) used by x86_64, aarch64, riscv64 and most other architectures.
 *
 * <p>Alpha, MIPS, PA-RISC and SPARC number some errors differently; kchannel targets the generic
 * ABI only. A number this enum does not know maps to {@link #UNKNOWN}; exceptions keep the raw
 * number beside it (see {@link KchannelException#errnoNumber()}), so nothing is lost.
 *
 * <p>Aliases that share a number are static fields rather than constants, because an enum
 * constant has one number and one name: {@link #EWOULDBLOCK} is {@link #EAGAIN}, {@link #ENOTSUP}
 * is {@link #EOPNOTSUPP}, {@link #EDEADLOCK} is {@link #EDEADLK}.
 */
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    ESRCH(3, "No such process"),
    EINTR(4, "Interrupted system call"),
    EIO(5, "Input/output error"),
    ENXIO(6, "No such device or address"),
    E2BIG(7, "Argument list too long"),
    ENOEXEC(8, "Exec format error"),
    EBADF(9, "Bad file descriptor"),
    ECHILD(10, "No child processes"),
    EAGAIN(11, "Resource temporarily unavailable"),
    ENOMEM(12, "Cannot allocate memory"),
    EACCES(13, "Permission denied"),
    EFAULT(14, "Bad address"),
    ENOTBLK(15, "Block device required"),
    EBUSY(16, "Device or resource busy"),
    EEXIST(17, "File exists"),
    EXDEV(18, "Invalid cross-device link"),
    ENODEV(19, "No such device"),
    ENOTDIR(20, "Not a directory"),
    EISDIR(21, "Is a directory"),
    EINVAL(22, "Invalid argument"),
    ENFILE(23, "Too many open files in system"),
    EMFILE(24, "Too many open files"),
    ENOTTY(25, "Inappropriate ioctl for device"),
    ETXTBSY(26, "Text file busy"),
    EFBIG(27, "File too large"),
    ENOSPC(28, "No space left on device"),
    ESPIPE(29, "Illegal seek"),
    EROFS(30, "Read-only file system"),
    EMLINK(31, "Too many links"),
    EPIPE(32, "Broken pipe"),
    EDOM(33, "Numerical argument out of domain"),
    ERANGE(34, "Numerical result out of range"),
    EDEADLK(35, "Resource deadlock avoided"),
    ENAMETOOLONG(36, "File name too long"),
    ENOLCK(37, "No locks available"),
    ENOSYS(38, "Function not implemented"),
    ENOTEMPTY(39, "Directory not empty"),
    ELOOP(40, "Too many levels of symbolic links"),
    ENOMSG(42, "No message of desired type"),
    EIDRM(43, "Identifier removed"),
    ENOSTR(60, "Device not a stream"),
    ENODATA(61, "No data available"),
    ETIME(62, "Timer expired"),
    ENOSR(63, "Out of streams resources"),
    ENOLINK(67, "Link has been severed"),
    EPROTO(71, "Protocol error"),
    EMULTIHOP(72, "Multihop attempted"),
    EBADMSG(74, "Bad message"),
    EOVERFLOW(75, "Value too large for defined data type"),
    EBADFD(77, "File descriptor in bad state"),
    EILSEQ(84, "Invalid or incomplete multibyte or wide character"),
    EUSERS(87, "Too many users"),
    ENOTSOCK(88, "Socket operation on non-socket"),
    EDESTADDRREQ(89, "Destination address required"),
    EMSGSIZE(90, "Message too long"),
    EPROTOTYPE(91, "Protocol wrong type for socket"),
    ENOPROTOOPT(92, "Protocol not available"),
    EPROTONOSUPPORT(93, "Protocol not supported"),
    ESOCKTNOSUPPORT(94, "Socket type not supported"),
    EOPNOTSUPP(95, "Operation not supported"),
    EPFNOSUPPORT(96, "Protocol family not supported"),
    EAFNOSUPPORT(97, "Address family not supported by protocol"),
    EADDRINUSE(98, "Address already in use"),
    EADDRNOTAVAIL(99, "Cannot assign requested address"),
    ENETDOWN(100, "Network is down"),
    ENETUNREACH(101, "Network is unreachable"),
    ENETRESET(102, "Network dropped connection on reset"),
    ECONNABORTED(103, "Software caused connection abort"),
    ECONNRESET(104, "Connection reset by peer"),
    ENOBUFS(105, "No buffer space available"),
    EISCONN(106, "Transport endpoint is already connected"),
    ENOTCONN(107, "Transport endpoint is not connected"),
    ESHUTDOWN(108, "Cannot send after transport endpoint shutdown"),
    ETOOMANYREFS(109, "Too many references: cannot splice"),
    ETIMEDOUT(110, "Connection timed out"),
    ECONNREFUSED(111, "Connection refused"),
    EHOSTDOWN(112, "Host is down"),
    EHOSTUNREACH(113, "No route to host"),
    EALREADY(114, "Operation already in progress"),
    EINPROGRESS(115, "Operation now in progress"),
    ESTALE(116, "Stale file handle"),
    EDQUOT(122, "Disk quota exceeded"),
    ENOMEDIUM(123, "No medium found"),
    ECANCELED(125, "Operation canceled"),
    ENOKEY(126, "Required key not available"),
    EKEYEXPIRED(127, "Key has expired"),
    EKEYREVOKED(128, "Key has been revoked"),
    EKEYREJECTED(129, "Key was rejected by service"),
    EOWNERDEAD(130, "Owner died"),
    ENOTRECOVERABLE(131, "State not recoverable"),
    ERFKILL(132, "Operation not possible due to RF-kill"),
    EHWPOISON(133, "Memory page has hardware error"),
    /**
     * The kernel-internal "operation is not supported" (524). It is not part of the userspace
     * ABI, yet some netlink families leak it; naming it beats reporting an unknown number.
     */
    ENOTSUPP(524, "Operation is not supported (kernel-internal)"),
    /** A number this enum does not know; the exception that carries it keeps the raw number. */
    UNKNOWN(-1, "Unknown error");

    /** Same number as {@link #EAGAIN}. */
    public static final Errno EWOULDBLOCK = EAGAIN;
    /** Same number as {@link #EOPNOTSUPP} on Linux. */
    public static final Errno ENOTSUP = EOPNOTSUPP;
    /** Same number as {@link #EDEADLK}. */
    public static final Errno EDEADLOCK = EDEADLK;

    private static final int LARGEST_NUMBER = 524;
    private static final Errno[] BY_NUMBER = indexByNumber();

    private final int number;
    private final String description;

    Errno(int number, String description) {
        this.number = number;
        this.description = description;
    }

    /** The positive errno value, or -1 for {@link #UNKNOWN}. */
    public int number() {
        return number;
    }

    /** The text {@code strerror(3)} gives for this errno in glibc. */
    public String description() {
        return description;
    }

    /**
     * The errno with this positive number, or {@link #UNKNOWN}. Kernel replies carry negative
     * numbers: use {@link #fromStatus(int)} for those.
     */
    public static Errno fromNumber(int number) {
        if (number <= 0 || number > LARGEST_NUMBER) {
            return UNKNOWN;
        }
        Errno errno = BY_NUMBER[number];
        return errno == null ? UNKNOWN : errno;
    }

    /**
     * The errno for a kernel status: a negative errno such as -22 gives {@link #EINVAL}.
     *
     * @throws IllegalArgumentException if {@code status} is not negative, because zero and positive
     *     statuses are successes and have no errno
     */
    public static Errno fromStatus(int status) {
        if (status >= 0) {
            throw new IllegalArgumentException("status " + status + " is not an error; errors are negative");
        }
        return status == Integer.MIN_VALUE ? UNKNOWN : fromNumber(-status);
    }

    /** The errno with this name, aliases such as {@code ENOTSUP} included, case-insensitive. */
    public static Optional<Errno> fromName(String name) {
        String upper = name.trim().toUpperCase(Locale.ROOT);
        switch (upper) {
            case "EWOULDBLOCK":
                return Optional.of(EWOULDBLOCK);
            case "ENOTSUP":
                return Optional.of(ENOTSUP);
            case "EDEADLOCK":
                return Optional.of(EDEADLOCK);
            default:
                for (Errno errno : values()) {
                    if (errno != UNKNOWN && errno.name().equals(upper)) {
                        return Optional.of(errno);
                    }
                }
                return Optional.empty();
        }
    }

    /**
     * How messages show an errno: {@code EINVAL (22)}, or {@code errno 600} when the number is not
     * one this enum knows.
     */
    public static String format(int number) {
        Errno errno = fromNumber(number);
        return errno == UNKNOWN ? "errno " + number : errno.name() + " (" + number + ")";
    }

    private static Errno[] indexByNumber() {
        Errno[] table = new Errno[LARGEST_NUMBER + 1];
        for (Errno errno : values()) {
            if (errno.number > 0) {
                table[errno.number] = errno;
            }
        }
        return table;
    }
}
