// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.transport.chardev.raw;

/**
 * ioctl request numbers as the kernel's {@code _IO}, {@code _IOR}, {@code _IOW} and {@code _IOWR}
 * macros build them ({@code include/uapi/asm-generic/ioctl.h}, used by x86, arm64, riscv and most
 * other architectures): bits 0-7 the number, 8-15 the type, 16-29 the argument's size, 30-31 the
 * direction as seen from user space ({@code _IOC_WRITE} 1: user space writes, the kernel reads;
 * {@code _IOC_READ} 2: the kernel writes back).
 *
 * <p>{@code IoctlRequest.iowr(0xBA, 1, 32)} is {@code KCHAN_IOC_CALL}; the request for a device
 * of the kernel's own, such as {@code RNDGETENTCNT = _IOR('R', 0x00, int)}, is
 * {@code IoctlRequest.ior('R', 0, 4)}.
 */
public final class IoctlRequest {

    static final int NR_BITS = 8;
    static final int TYPE_BITS = 8;
    static final int SIZE_BITS = 14;
    static final int NR_SHIFT = 0;
    static final int TYPE_SHIFT = NR_SHIFT + NR_BITS;
    static final int SIZE_SHIFT = TYPE_SHIFT + TYPE_BITS;
    static final int DIR_SHIFT = SIZE_SHIFT + SIZE_BITS;
    static final int DIR_NONE = 0;
    static final int DIR_WRITE = 1;
    static final int DIR_READ = 2;
    /** The largest argument size the 14 size bits hold. */
    public static final int MAX_SIZE = (1 << SIZE_BITS) - 1;

    private IoctlRequest() {
    }

    /** {@code _IO(type, nr)}: no argument, or an integer passed by value. */
    public static long io(int type, int nr) {
        return encode(DIR_NONE, type, nr, 0);
    }

    /** {@code _IOR(type, nr, size)}: the kernel writes {@code size} bytes at the argument. */
    public static long ior(int type, int nr, int size) {
        return encode(DIR_READ, type, nr, size);
    }

    /** {@code _IOW(type, nr, size)}: the kernel reads {@code size} bytes at the argument. */
    public static long iow(int type, int nr, int size) {
        return encode(DIR_WRITE, type, nr, size);
    }

    /** {@code _IOWR(type, nr, size)}: the kernel reads and writes back {@code size} bytes. */
    public static long iowr(int type, int nr, int size) {
        return encode(DIR_READ | DIR_WRITE, type, nr, size);
    }

    /** The argument size encoded in {@code request}. */
    public static int size(long request) {
        return (int) ((request >>> SIZE_SHIFT) & MAX_SIZE);
    }

    /**
     * {@code _IOC(dir, type, nr, size)}.
     *
     * @throws IllegalArgumentException if type or nr is not a byte, or size does not fit 14 bits
     */
    static long encode(int dir, int type, int nr, int size) {
        if (type < 0 || type > 0xff) {
            throw new IllegalArgumentException("ioctl type " + type + " is not 0..255");
        }
        if (nr < 0 || nr > 0xff) {
            throw new IllegalArgumentException("ioctl number " + nr + " is not 0..255");
        }
        if (size < 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("ioctl argument size " + size + " is not 0.." + MAX_SIZE);
        }
        return ((long) dir << DIR_SHIFT) | ((long) size << SIZE_SHIFT) | ((long) type << TYPE_SHIFT)
                | ((long) nr << NR_SHIFT);
    }
}
