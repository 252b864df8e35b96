#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# /init of the kernel lab's initramfs (busybox). Loads the virtio and 9p
# modules, mounts the host's root read-only and the results folder writable
# at the same path it has on the host, then chroots into the host's files
# and runs the script kchan-lab wrote for this run. Powers off at the end,
# whatever happened, so qemu exits.
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

fail() {
	echo "kchan-lab guest: $*" >/dev/console
	poweroff -f
}

for m in $(cat /modules/order); do
	insmod "/modules/$m" || fail "insmod $m failed"
done

results=""
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	kchanlab.results=*) results=${arg#kchanlab.results=} ;;
	esac
done
[ -n "$results" ] || fail "no kchanlab.results= on the kernel command line"

opts=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o "$opts,ro,cache=loose" hostroot /mnt || fail "cannot mount the host root over 9p"

# A second view of the host's root that no tmpfs below covers, so folders the
# run needs (the checkout, the cwd) stay visible even when they live in /tmp.
mkdir -p /hostfs
mount -o bind /mnt /hostfs

# What the chrooted programs need to write or look at.
mount -t proc proc /mnt/proc
mount -t sysfs sys /mnt/sys
mount -t devtmpfs dev /mnt/dev
mkdir -p /mnt/dev/pts /mnt/dev/shm
mount -t devpts devpts /mnt/dev/pts
mount -t tmpfs tmpfs /mnt/dev/shm
mount -t tmpfs tmpfs /mnt/tmp
mount -t tmpfs tmpfs /mnt/run
mount -t tmpfs tmpfs /mnt/var/tmp
[ -d /mnt/sys/kernel/debug ] && mount -t debugfs debugfs /mnt/sys/kernel/debug

# Put back the host folders the run needs that a tmpfs above now hides.
if [ -f "/hostfs$results/guest-keep" ]; then
	while read -r keep; do
		case "$keep" in
		/tmp | /tmp/* | /run | /run/* | /var/tmp | /var/tmp/*)
			mkdir -p "/mnt$keep"
			mount -o bind "/hostfs$keep" "/mnt$keep" || fail "cannot expose $keep"
			;;
		esac
	done <"/hostfs$results/guest-keep"
fi

# Last, so no tmpfs above hides it; the folder may live under /tmp.
mkdir -p "/mnt$results"
mount -t 9p -o "$opts" results "/mnt$results" || fail "cannot mount the results folder"

chroot /mnt /bin/bash "$results/guest-run.sh" </dev/console >/dev/console 2>&1
sync
poweroff -f
