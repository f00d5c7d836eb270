/*
 * tlb.c - TLB shootdown by IPI: one request at a time, each target CPU
 * acknowledges by copying the request's generation.
 */
#include "tlb.h"
#include "apic.h"
#include "clock.h"
#include "cpu.h"
#include "panic.h"
#include "paging.h"
#include "percpu.h"
#include "sync.h"
#include "trap.h"

#define FLUSH_ALL_PAGES     32                  /* more pages than this: reload CR3 */
#define ANSWER_NS           2000000000ull       /* a CPU that does not answer is a bug */

static struct mutex request_lock;
static volatile uint64_t request_virt, request_size, request_gen;
static volatile uint64_t acked_gen[CPU_MAX];

static void flush_local(uint64_t virt, uint64_t size)
{
    if (size / PAGE_SIZE_4K > FLUSH_ALL_PAGES) {
        write_cr3(read_cr3());
        return;
    }
    for (uint64_t a = virt; a < virt + size; a += PAGE_SIZE_4K)
        invlpg(a);
}

static void tlb_interrupt(struct trap_frame *frame)
{
    (void)frame;
    uint64_t gen = __atomic_load_n(&request_gen, __ATOMIC_ACQUIRE);

    flush_local(request_virt, request_size);
    __atomic_store_n(&acked_gen[cpu_index()], gen, __ATOMIC_RELEASE);
    apic_eoi();
}

void tlb_init(void)
{
    mutex_init(&request_lock, MUTEX_NORMAL);
    trap_set_handler(VECTOR_TLB, tlb_interrupt);
}

void tlb_shootdown(uint64_t virt, uint64_t size)
{
    mutex_lock(&request_lock);
    /* Threads never migrate on their own: this CPU stays ours while we wait. */
    unsigned self = cpu_index();
    request_virt = virt;
    request_size = size;
    uint64_t gen = __atomic_add_fetch(&request_gen, 1, __ATOMIC_RELEASE);
    flush_local(virt, size);
    /* The xAPIC's two ICR writes must not interleave with a handler's IPI. */
    uint64_t sent = 0, irqs = irq_save();
    for (unsigned i = 0; i < CPU_MAX; i++) {
        if (i != self && cpus[i].online) {
            apic_send_ipi(cpus[i].apic_id, VECTOR_TLB);
            sent |= 1ull << i;
        }
    }
    irq_restore(irqs);
    uint64_t deadline = clock_ns() + ANSWER_NS;
    for (unsigned i = 0; i < CPU_MAX; i++) {
        if (!(sent >> i & 1))
            continue;
        while (__atomic_load_n(&acked_gen[i], __ATOMIC_ACQUIRE) != gen) {
            if (clock_ns() > deadline)
                panic("TLB shootdown: CPU %u did not answer in 2 s", i);
            cpu_relax();
        }
    }
    mutex_unlock(&request_lock);
}
