// SPDX-License-Identifier: GPL-2.0
/*
 * hvx x86: KVM_CREATE_IRQCHIP and the VM ioctls of the in-kernel
 * interrupt controllers (api.rst): KVM_IRQ_LINE(_STATUS),
 * KVM_GET/SET_IRQCHIP, KVM_SET_GSI_ROUTING, KVM_SIGNAL_MSI; the GSI
 * routing table that joins a GSI to PIC and I/O APIC pins or to an MSI.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/apicdef.h>

#include "x86.h"

struct x86_irqchip *x86_irqchip(struct hvx_vm *vm)
{
	/* NULL until KVM_CREATE_IRQCHIP; pairs with its release. */
	return smp_load_acquire(&((struct x86_vm *)vm->arch)->chip);
}

static struct x86_routes *routes_alloc(u32 nr)
{
	struct x86_routes *t;

	return hvx_fault_alloc() ? NULL : kvzalloc(struct_size(t, r, nr),
					      GFP_KERNEL_ACCOUNT);
}

/* KVM's default table: GSI 0-15 to both PICs and the I/O APIC, 16-23 to it. */
static struct x86_routes *routes_default(void)
{
	struct x86_routes *t = routes_alloc(X86_IOAPIC_PINS);
	u32 gsi;

	if (!t)
		return NULL;
	t->nr = X86_IOAPIC_PINS;
	for (gsi = 0; gsi < X86_IOAPIC_PINS; gsi++) {
		t->r[gsi][0] = (struct x86_route) {
			.type = KVM_IRQ_ROUTING_IRQCHIP,
			.chip = KVM_IRQCHIP_IOAPIC, .pin = gsi };
		if (gsi < X86_PIC_PINS)
			t->r[gsi][1] = (struct x86_route) {
				.type = KVM_IRQ_ROUTING_IRQCHIP,
				.chip = gsi / 8, .pin = gsi % 8 };
	}
	return t;
}

/*
 * An MSI (SDM Vol. 3A 11.11.1): address 0xfeeXXXXX with the destination
 * in bits 19:12 and logical mode in bit 2; data with the vector in bits
 * 7:0, the delivery mode in 10:8 and level trigger in bit 15.
 */
static int irqchip_msi(struct hvx_vm *vm, u32 lo, u32 data)
{
	return x86_apic_deliver(vm, (lo >> 12) & 0xff, lo & BIT(2),
				data & APIC_MODE_MASK, data & 0xff,
				data & BIT(15));
}

/*
 * Drive GSI @gsi to @level through its routes (chip lock held).  The
 * result is KVM's: -1 if no route took it, else the sum of what each
 * controller answered (0 coalesced, 1 or more delivered).
 */
int x86_irqchip_set_irq(struct x86_irqchip *c, u32 gsi, int level)
{
	struct x86_routes *t = c->routes;
	int i, r, ret = -1;

	if (gsi >= t->nr)
		return -1;
	for (i = 0; i < X86_ROUTES_PER_GSI; i++) {
		struct x86_route *e = &t->r[gsi][i];

		if (e->type == KVM_IRQ_ROUTING_MSI)
			r = level ? irqchip_msi(c->vm, e->msi.address_lo,
						e->msi.data) : -1;
		else if (e->type != KVM_IRQ_ROUTING_IRQCHIP)
			continue;
		else if (e->chip == KVM_IRQCHIP_IOAPIC)
			r = x86_ioapic_set_irq(c, e->pin, level);
		else
			r = x86_pic_set_irq(c, e->chip * 8 + e->pin, level);
		if (r >= 0)
			ret = (ret < 0 ? 0 : ret) + r;
	}
	return ret;
}

/*
 * Drive @gsi from a device in the kernel: to @level (a resampling irqfd),
 * or, with X86_GSI_EDGE, up and down (the 8254's IRQ 0, an irqfd), an
 * edge that the PIC and the I/O APIC's edge pins latch.  KVM keeps one
 * level per source and GSI; hvx has one, so an edge lowers a GSI that
 * user space holds high with KVM_IRQ_LINE.
 */
void x86_irqchip_set_gsi(struct hvx_vm *vm, u32 gsi, int level)
{
	struct x86_irqchip *c = x86_irqchip(vm);
	unsigned long flags;

	if (!c)
		return;
	spin_lock_irqsave(&c->lock, flags);
	x86_irqchip_set_irq(c, gsi, level != 0);
	if (level == X86_GSI_EDGE)
		x86_irqchip_set_irq(c, gsi, 0);
	spin_unlock_irqrestore(&c->lock, flags);
}

/* Whether @gsi has a route to one of @pins of @chip; the chip's lock held. */
bool x86_irqchip_routed(struct x86_irqchip *c, u32 gsi, u32 chip, u32 pins)
{
	const struct x86_route *e;
	int i;

	if (gsi >= c->routes->nr)
		return false;
	for (i = 0; i < X86_ROUTES_PER_GSI; i++) {
		e = &c->routes->r[gsi][i];
		if (e->type == KVM_IRQ_ROUTING_IRQCHIP && e->chip == chip &&
		    (pins & BIT(e->pin)))
			return true;
	}
	return false;
}

/* KVM_IRQ_LINE(_STATUS): -ENXIO without an irqchip, as KVM. */
static long irqchip_irq_line(struct x86_irqchip *c, void __user *argp,
			     bool status)
{
	struct kvm_irq_level ev;
	unsigned long flags;

	if (copy_from_user(&ev, argp, sizeof(ev)))
		return -EFAULT;
	spin_lock_irqsave(&c->lock, flags);
	ev.status = x86_irqchip_set_irq(c, ev.irq, !!ev.level);
	spin_unlock_irqrestore(&c->lock, flags);
	if (status && copy_to_user(argp, &ev, sizeof(ev)))
		return -EFAULT;
	return 0;
}

/* KVM_SIGNAL_MSI: how many local APICs took it (0: none addressed). */
static long irqchip_signal_msi(struct hvx_vm *vm, void __user *argp)
{
	struct kvm_msi msi;

	if (copy_from_user(&msi, argp, sizeof(msi)))
		return -EFAULT;
	if (msi.flags & ~KVM_MSI_VALID_DEVID)
		return -EINVAL;
	return irqchip_msi(vm, msi.address_lo, msi.data);
}

/*
 * One entry of KVM_SET_GSI_ROUTING into @t, with KVM's checks; with the
 * split irqchip there is no controller here to route to, only MSIs.
 */
static int routes_add(struct x86_routes *t, const struct kvm_irq_routing_entry *u,
		      bool split)
{
	struct x86_route *e = t->r[u->gsi];
	bool chip = u->type == KVM_IRQ_ROUTING_IRQCHIP;
	u32 pins = u->u.irqchip.irqchip == KVM_IRQCHIP_IOAPIC ?
		   X86_IOAPIC_PINS : 8;
	int i;

	if (chip ? split || u->flags || u->u.irqchip.pin >= pins ||
		   u->u.irqchip.irqchip > KVM_IRQCHIP_IOAPIC :
		   u->type != KVM_IRQ_ROUTING_MSI ||
		   (u->flags & ~KVM_MSI_VALID_DEVID))
		return -EINVAL;
	/*
	 * Only irqchip routes share a GSI, one per controller; a GSI's
	 * routes fill its slots in order, so a free slot is always found.
	 */
	for (i = 0; e[i].type; i++)
		if (!chip || e[i].type != KVM_IRQ_ROUTING_IRQCHIP ||
		    e[i].chip == u->u.irqchip.irqchip)
			return -EINVAL;
	e[i] = (struct x86_route) { .type = u->type,
		.chip = u->u.irqchip.irqchip, .pin = u->u.irqchip.pin };
	if (!chip)
		e[i].msi = u->u.msi;
	return 0;
}

/*
 * KVM_SET_GSI_ROUTING: the whole table is replaced.  Without an irqchip,
 * -EINVAL after reading the header, as KVM.
 */
static long irqchip_set_routing(struct hvx_vm *vm, void __user *argp)
{
	struct kvm_irq_routing __user *ur = argp;
	struct kvm_irq_routing_entry *ue = NULL;
	struct x86_irqchip *c = x86_irqchip(vm);
	struct x86_routes *t = NULL;
	struct kvm_irq_routing hdr;
	unsigned long flags;
	u32 i, nr = 0;
	long r;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (!c || hdr.nr > X86_MAX_ROUTES || hdr.flags)
		return -EINVAL;
	if (hdr.nr) {
		ue = hvx_fault_alloc() ? ERR_PTR(-ENOMEM) :
		     vmemdup_user(ur->entries, array_size(sizeof(*ue), hdr.nr));
		if (IS_ERR(ue))
			return PTR_ERR(ue);
	}
	for (i = 0; i < hdr.nr; i++)
		nr = max(nr, min_t(u32, ue[i].gsi, X86_MAX_ROUTES) + 1);
	r = nr > X86_MAX_ROUTES ? -EINVAL : -ENOMEM;
	t = nr > X86_MAX_ROUTES ? NULL : routes_alloc(nr);
	if (!t)
		goto out;
	t->nr = nr;
	for (r = 0, i = 0; i < hdr.nr && !r; i++)
		r = routes_add(t, &ue[i], c->split);
	if (!r) {
		spin_lock_irqsave(&c->lock, flags);
		swap(c->routes, t);	/* the old table is freed below */
		spin_unlock_irqrestore(&c->lock, flags);
	}
out:
	kvfree(t);
	kvfree(ue);
	return r;
}

/* KVM_GET/SET_IRQCHIP: chip 0 and 1 the PICs, 2 the I/O APIC. */
static long irqchip_state(struct x86_irqchip *c, bool set, void __user *argp)
{
	struct kvm_irqchip *k;
	unsigned long flags;
	long r = 0;

	k = hvx_fault_alloc() ? ERR_PTR(-ENOMEM) : memdup_user(argp, sizeof(*k));
	if (IS_ERR(k))
		return PTR_ERR(k);
	if (k->chip_id > KVM_IRQCHIP_IOAPIC) {
		kfree(k);
		return -EINVAL;
	}
	spin_lock_irqsave(&c->lock, flags);
	if (set && k->chip_id == KVM_IRQCHIP_IOAPIC)
		c->ioapic = k->chip.ioapic;
	else if (set)
		c->pic[k->chip_id] = k->chip.pic;
	else if (k->chip_id == KVM_IRQCHIP_IOAPIC)
		k->chip.ioapic = c->ioapic;
	else
		k->chip.pic = c->pic[k->chip_id];
	if (set)
		x86_pic_update(c);
	spin_unlock_irqrestore(&c->lock, flags);
	if (!set && copy_to_user(argp, k, sizeof(*k)))
		r = -EFAULT;
	kfree(k);
	return r;
}

/*
 * KVM_CREATE_IRQCHIP: the PICs, the I/O APIC and the default routes;
 * the local APICs come with the vCPUs, so, as KVM, only before the first
 * vCPU (-EINVAL) and once (-EEXIST).  With @split, KVM_ENABLE_CAP
 * (KVM_CAP_SPLIT_IRQCHIP, split_irqchip.c): the same chip with its PIC
 * and I/O APIC left to user space, an empty routing table, -EEXIST after
 * the first vCPU too, and at most KVM's MAX_NR_RESERVED_IOAPIC_PINS
 * (one per route) for user space's I/O APIC.
 */
long x86_irqchip_create(struct hvx_vm *vm, bool split, u64 pins)
{
	struct x86_vm *xvm = vm->arch;
	struct x86_irqchip *c;
	long r = -EEXIST;

	if (pins > X86_MAX_ROUTES)
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (xvm->chip)
		goto out;
	r = split ? -EEXIST : -EINVAL;
	if (vm->nr_vcpus)
		goto out;
	r = -ENOMEM;
	c = hvx_fault_alloc() ? NULL : kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (c)
		c->routes = split ? routes_alloc(0) : routes_default();
	if (!c || !c->routes) {
		kfree(c);
		goto out;
	}
	c->vm = vm;
	c->split = split;
	c->split_pins = pins;
	spin_lock_init(&c->lock);
	x86_pic_reset(c);
	x86_ioapic_reset(c);
	/* Fully set up before any vCPU or ioctl can see it. */
	smp_store_release(&xvm->chip, c);
	r = 0;
out:
	mutex_unlock(&vm->lock);
	return r;
}

long x86_irqchip_vm_ioctl(struct hvx_vm *vm, unsigned int ioctl,
			  void __user *argp)
{
	struct x86_irqchip *c = x86_irqchip(vm);

	switch (ioctl) {
	case KVM_CREATE_IRQCHIP:
		return x86_irqchip_create(vm, false, 0);
	case KVM_SET_GSI_ROUTING:
		return irqchip_set_routing(vm, argp);
	}
	if (!c)
		return -ENXIO;
	/*
	 * The PIC's and I/O APIC's state: KVM's ENXIO when they are not
	 * here.  KVM_IRQ_LINE stays: with the split irqchip its GSIs have
	 * MSI routes only.
	 */
	if (c->split && (ioctl == KVM_GET_IRQCHIP || ioctl == KVM_SET_IRQCHIP))
		return -ENXIO;
	switch (ioctl) {
	case KVM_IRQ_LINE:
		return irqchip_irq_line(c, argp, false);
	case KVM_IRQ_LINE_STATUS:
		return irqchip_irq_line(c, argp, true);
	case KVM_GET_IRQCHIP:
		return irqchip_state(c, false, argp);
	case KVM_SET_IRQCHIP:
		return irqchip_state(c, true, argp);
	case KVM_SIGNAL_MSI:
		return irqchip_signal_msi(vm, argp);
	}
	return -ENOTTY;
}

/* The xAPIC page, then the I/O APIC's: 1 if the access was theirs. */
int x86_irqchip_mmio(struct x86_vcpu *x, u64 gpa, int size, bool write,
		     u64 *val)
{
	struct x86_irqchip *c = x86_irqchip(x86_vm(x));

	return c && (x86_apic_mmio(x, gpa, size, write, val) ||
		     (!c->split && x86_ioapic_mmio(c, gpa, size, write, val)));
}

/* The PIC's ports, byte accesses; 1 if it took the access. */
int x86_irqchip_pio(struct x86_vcpu *x, u16 port, bool in, int size)
{
	struct x86_irqchip *c = x86_irqchip(x86_vm(x));
	u8 v = x->gpr[GPR_RAX];

	if (!c || c->split || size != 1 || !x86_pic_pio(c, port, in, &v))
		return 0;
	if (in)
		x86_reg_write(x, GPR_RAX, 1, v);
	return 1;
}

void x86_irqchip_free(struct hvx_vm *vm)
{
	struct x86_vm *xvm = vm->arch;

	if (xvm->chip)
		kvfree(xvm->chip->routes);
	kfree(xvm->chip);
	xvm->chip = NULL;
}
