# SPDX-License-Identifier: GPL-2.0
#
# hvx top-level Makefile.
#
#   make                build hvx.ko against KDIR and the user-space programs
#   make check          boot the emulated machines and run every selftest
#   make demo           boot the emulated machine and run sample guests on hvx
#   make bench          boot the emulated machine and compare hvx with KVM
#
# KDIR defaults to the running kernel's build tree; the harness passes the
# Debian 6.1 headers it installs.

KDIR ?= /lib/modules/$(shell uname -r)/build

.PHONY: all module userspace selftests check demo bench checkpatch clean

all: module userspace selftests

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	$(MAKE) -C userspace

selftests: userspace
	$(MAKE) -C selftests

check:
	./selftests/harness/check.sh

demo:
	./selftests/harness/demo.sh

bench:
	./selftests/harness/bench.sh

checkpatch:
	./selftests/harness/checkpatch.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C userspace clean
	-$(MAKE) -C selftests clean
