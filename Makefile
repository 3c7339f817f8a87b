# SPDX-License-Identifier: GPL-2.0
#
# hvx top-level Makefile.
#
#   make                build hvx.ko against KDIR and the user-space programs
#   make check          boot the QEMU machines (SVM, arm64 EL2) and run every
#                       selftest, and the QEMU boots of check-qemu and
#                       check-qemu-el2
#   make check-vmx      the same on the Bochs/VMX machine (HVX_BOCHS_FULL=1:
#                       also mmu_test and robust_test)
#   make check-qemu     only the qemu stage of make check: Debian's QEMU
#                       (-accel kvm) boots Linux, and migrates it through a
#                       file, on KVM and on hvx inside the QEMU/SVM machine
#                       (HVX_QEMU_DEVICES=hvx: on hvx only)
#   make bench-qemu     the same with three boots per device, alternating,
#                       and the ratio of the median boot times
#   make check-qemu-el2 only the qemu-el2 stage: Debian's arm64 QEMU boots the
#                       arm64 Linux guest (virt board, GICv3, 2 vCPUs) on
#                       KVM and on hvx inside the QEMU/EL2 machine
#   make check-qemu-vmx the QEMU boots on the Bochs/VMX machine (without the
#                       migration round trip unless HVX_BOCHS_FULL=1)
#   make check-kvm-selftests  the kernel's own KVM selftests (linux-source-6.1,
#                       unmodified) on KVM and on hvx, x86 (SVM) and arm64
#   make stress         the ioctl fuzzer at scale (selftests/common/fuzz_test.c):
#                       1,000,000 calls on hvx and a KVM slice, and 10,000
#                       random guests, in the SVM and EL2 machines
#                       (HVX_STRESS_STAGES=stress-vmx: the Bochs machine,
#                       hvx alone); guest/stress.sh
#   make demo           boot the emulated machine and run sample guests on hvx
#   make bench          boot the emulated machine and compare hvx with KVM
#                       (HVX_ARCH=arm64 make demo|bench: the arm64 machine)
#   make install        after make: hvx.ko, the hvx tool, its man page and
#                       the udev rule of /dev/hvx (README.md, "Installing");
#                       make uninstall removes them
#   make dkms-source    the module's sources and dkms.conf into
#                       /usr/src/hvx-VERSION, for dkms add/build/install
#
# KDIR defaults to the running kernel's build tree; the harness passes the
# Debian 6.1 headers it installs.
#
# arm64 (cross-built, for the EL2 backend):
#
#   make ARCH=arm64     hvx.ko, user space and selftests for arm64; also
#                       make module|userspace|selftests ARCH=arm64, or
#                       make module-arm64, userspace-arm64, selftests-arm64
#
# hvx.ko for arm64 is built in a copy of the sources, build/arm64/src/ (the
# module lands there), so that x86 and arm64 objects never mix; ARM64_KDIR
# is Debian's arm64 headers as selftests/harness/setup.sh unpacks them
# (under HVX_ARM64_DIR, default /opt/hvx-arm64). The user-space programs go
# to userspace/build-arm64/ and selftests/build-arm64/.

KDIR ?= /lib/modules/$(shell uname -r)/build
HVX_ARM64_DIR ?= /opt/hvx-arm64
ARM64_KDIR ?= $(lastword $(wildcard $(HVX_ARM64_DIR)/root/usr/src/linux-headers-*-arm64))
ARM64_SRC := $(CURDIR)/build/arm64/src
ARM64_MAKE := ARCH=arm64 CC=aarch64-linux-gnu-gcc OUT=build-arm64
# The debug kernel's build tree (selftests/harness/debug-kernel.sh), and
# hvx's copy of the sources built for it (make check-debug).
DEBUG_KDIR ?= $(CURDIR)/build/debug-kernel/obj
DEBUG_SRC := $(CURDIR)/build/debug/src

.PHONY: all module userspace selftests check check-vmx check-qemu check-qemu-el2 check-qemu-vmx check-kvm-selftests bench-qemu \
	stress demo bench \
	checkpatch clean install uninstall dkms-source \
	module-arm64 userspace-arm64 selftests-arm64 \
	module-debug userspace-debug selftests-debug check-debug

all: module userspace selftests

ifeq ($(ARCH),arm64)
module: module-arm64
userspace: userspace-arm64
selftests: selftests-arm64
else
module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	$(MAKE) -C userspace

selftests: userspace
	$(MAKE) -C selftests
endif

module-arm64:
	@test -f "$(ARM64_KDIR)/Makefile" || { echo "no arm64 kernel headers" \
		"(ARM64_KDIR=$(ARM64_KDIR)): run selftests/harness/setup.sh arm64 as root" >&2; exit 1; }
	./selftests/harness/copy-sources.sh $(ARM64_SRC)
	$(MAKE) -C $(ARM64_KDIR) M=$(ARM64_SRC) ARCH=arm64 \
		CROSS_COMPILE=aarch64-linux-gnu- modules

module-debug:
	@test -f "$(DEBUG_KDIR)/Makefile" || { echo "no debug kernel build" \
		"(DEBUG_KDIR=$(DEBUG_KDIR)): make check-debug builds it" >&2; exit 1; }
	./selftests/harness/copy-sources.sh $(DEBUG_SRC)
	$(MAKE) -C $(DEBUG_KDIR) M=$(DEBUG_SRC) modules

# The debug stage runs x86's programs.
userspace-debug: userspace
selftests-debug: selftests

userspace-arm64:
	$(MAKE) -C userspace $(ARM64_MAKE)

selftests-arm64: userspace-arm64
	$(MAKE) -C selftests $(ARM64_MAKE)

check:
	./selftests/harness/check.sh

# The vmx stage (Bochs), apart from the default list: README, "The two commands".
# HVX_BOCHS_FULL=1 runs mmu_test and robust_test there too
# (selftests/harness/guest/lib.sh, bochs_defers).
check-vmx:
	HVX_STAGES=vmx ./selftests/harness/check.sh

# The selftests and a fuzzer slice under a KASAN/lockdep/kmemleak/UBSAN
# kernel built from linux-source-6.1 (selftests/harness/debug-kernel.sh;
# the first run builds it, some 40 minutes).
check-debug:
	./selftests/harness/check.sh --stages debug

check-qemu:
	./selftests/harness/check.sh --stages qemu

check-qemu-el2:
	./selftests/harness/check.sh --stages qemu-el2

check-qemu-vmx:
	./selftests/harness/check.sh --stages qemu-vmx

check-kvm-selftests:
	HVX_KST_ALL=$${HVX_KST_ALL:-1} ./selftests/harness/check.sh --stages "kselftest kselftest-arm64"

bench-qemu:
	HVX_QEMU_BOOTS=3 ./selftests/harness/check.sh --stages qemu

stress:
	HVX_TIMEOUT=$${HVX_TIMEOUT:-14400} ./selftests/harness/check.sh \
		--stages "$${HVX_STRESS_STAGES:-stress-svm stress-el2}"

demo:
	./selftests/harness/demo.sh

bench:
	./selftests/harness/bench.sh

checkpatch:
	./selftests/harness/checkpatch.sh

# Installing, as other out-of-tree modules do. KVER is the release of the
# kernel KDIR builds for (UTS_RELEASE, which the module's vermagic carries:
# Debian's headers hold the upstream version, 6.1.x, in
# include/config/kernel.release). DESTDIR stages the whole tree elsewhere
# (for a package, or the test machine's initramfs), and then depmod is left
# to whoever installs that tree. With ARCH=arm64 the arm64 module and tool
# go in (give KVER, the arm64 kernel's release).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
UDEVDIR ?= /etc/udev/rules.d
KVER ?= $(or $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null),$(shell uname -r))
MODDIR ?= /lib/modules/$(KVER)/updates
HVX_VERSION := $(shell sed -n 's/^\#define HVX_VERSION[[:space:]]*\([0-9]*\).*/\1/p' uapi/linux/hvx.h)
DKMS_SRC ?= /usr/src/hvx-$(HVX_VERSION)
ifeq ($(ARCH),arm64)
INSTALL_KO := $(ARM64_SRC)/hvx.ko
INSTALL_TOOL := userspace/build-arm64/hvx
else
INSTALL_KO := hvx.ko
INSTALL_TOOL := userspace/build/hvx
endif
INSTALL_FILES := $(DESTDIR)$(MODDIR)/hvx.ko $(DESTDIR)$(BINDIR)/hvx \
	$(DESTDIR)$(MANDIR)/man1/hvx.1 $(DESTDIR)$(UDEVDIR)/65-hvx.rules

install:
	@for f in $(INSTALL_KO) $(INSTALL_TOOL); do test -f $$f || \
		{ echo "no $$f: run make$(if $(ARCH), ARCH=$(ARCH)) first" >&2; exit 1; }; done
	install -D -m 0644 $(INSTALL_KO) $(DESTDIR)$(MODDIR)/hvx.ko
	install -D -m 0755 $(INSTALL_TOOL) $(DESTDIR)$(BINDIR)/hvx
	install -D -m 0644 userspace/hvx.1 $(DESTDIR)$(MANDIR)/man1/hvx.1
	install -D -m 0644 userspace/65-hvx.rules $(DESTDIR)$(UDEVDIR)/65-hvx.rules
ifeq ($(DESTDIR),)
	depmod -a $(KVER)
	-udevadm control --reload-rules 2>/dev/null
endif

uninstall:
	rm -f $(INSTALL_FILES)
ifeq ($(DESTDIR),)
	depmod -a $(KVER)
	-udevadm control --reload-rules 2>/dev/null
endif

# What DKMS builds from: Kbuild, module/, arch/, uapi/ and dkms.conf.
dkms-source:
	./selftests/harness/copy-sources.sh $(DESTDIR)$(DKMS_SRC)
	install -m 0644 dkms.conf $(DESTDIR)$(DKMS_SRC)/dkms.conf

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C userspace clean
	-$(MAKE) -C selftests clean
	-$(MAKE) -C userspace $(ARM64_MAKE) clean
	-$(MAKE) -C selftests $(ARM64_MAKE) clean
	rm -rf build/arm64
