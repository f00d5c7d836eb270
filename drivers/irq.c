/*
 * irq.c - device vectors and their handlers, and GSI routing through the
 * I/O APIC to the boot CPU.
 */
#include "irq.h"
#include "apic.h"
#include "console.h"
#include "cpu.h"
#include "ioapic.h"
#include "percpu.h"
#include "trap.h"

#include <stddef.h>

#define GSI_NONE 0xFFFFFFFFu

struct irq_vector {
    bool used;
    unsigned nhandlers;
    irq_handler_fn fn[IRQ_SHARED_MAX];
    void *ctx[IRQ_SHARED_MAX];
    uint32_t gsi;               /* the I/O APIC input routed here, or GSI_NONE */
    uint16_t inti_flags;
    bool level;
};

static struct irq_vector vectors[256];

static void irq_dispatch(struct trap_frame *frame)
{
    struct irq_vector *v = &vectors[frame->vector & 0xFF];

    for (unsigned i = 0; i < v->nhandlers; i++)
        v->fn[i](v->ctx[i]);
    apic_eoi();
}

uint32_t irq_target_apic_id(void)
{
    return cpus[0].apic_id;
}

int irq_alloc(irq_handler_fn fn, void *ctx)
{
    for (int n = IRQ_VECTOR_FIRST; n <= IRQ_VECTOR_LAST; n++) {
        struct irq_vector *v = &vectors[n];
        if (v->used)
            continue;
        v->used = true;
        v->nhandlers = 1;
        v->fn[0] = fn;
        v->ctx[0] = ctx;
        v->gsi = GSI_NONE;
        /* Publish the handler before the device can be told the vector. */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        trap_set_handler((unsigned)n, irq_dispatch);
        return n;
    }
    klog(LOG_WARN, "irq: no free vector in %#x-%#x\n", IRQ_VECTOR_FIRST, IRQ_VECTOR_LAST);
    return -1;
}

void irq_free(int vector)
{
    if (vector < IRQ_VECTOR_FIRST || vector > IRQ_VECTOR_LAST)
        return;
    struct irq_vector *v = &vectors[vector];
    if (v->gsi != GSI_NONE)
        ioapic_mask(v->gsi);
    trap_set_handler((unsigned)vector, NULL);
    *v = (struct irq_vector){ .gsi = GSI_NONE };
}

static struct irq_vector *vector_of_gsi(uint32_t gsi, int *number)
{
    for (int n = IRQ_VECTOR_FIRST; n <= IRQ_VECTOR_LAST; n++)
        if (vectors[n].used && vectors[n].gsi == gsi) {
            *number = n;
            return &vectors[n];
        }
    return NULL;
}

int irq_route_gsi(uint32_t gsi, uint16_t inti_flags, bool level, irq_handler_fn fn, void *ctx)
{
    int n;
    struct irq_vector *v = vector_of_gsi(gsi, &n);

    if (v) {
        if (v->nhandlers == IRQ_SHARED_MAX)
            return -1;
        /* The line is live: the new handler must be complete before it counts. */
        v->fn[v->nhandlers] = fn;
        v->ctx[v->nhandlers] = ctx;
        __atomic_store_n(&v->nhandlers, v->nhandlers + 1, __ATOMIC_RELEASE);
        return n;
    }
    n = irq_alloc(fn, ctx);
    if (n < 0)
        return -1;
    v = &vectors[n];
    v->gsi = gsi;
    v->inti_flags = inti_flags;
    v->level = level;
    if (ioapic_route(gsi, (uint8_t)n, irq_target_apic_id(), inti_flags, level)) {
        klog(LOG_WARN, "irq: no I/O APIC serves GSI %u\n", gsi);
        irq_free(n);
        return -1;
    }
    return n;
}

void irq_mask_gsi(uint32_t gsi, bool masked)
{
    int n;
    struct irq_vector *v = vector_of_gsi(gsi, &n);

    if (!v)
        return;
    if (masked)
        ioapic_mask(gsi);
    else
        ioapic_route(gsi, (uint8_t)n, irq_target_apic_id(), v->inti_flags, v->level);
}

uint64_t irq_count(int vector)
{
    uint64_t sum = 0;

    if (vector < 0 || vector > 255)
        return 0;
    for (unsigned c = 0; c < CPU_MAX; c++)
        sum += trap_count(c, (unsigned)vector);
    return sum;
}
