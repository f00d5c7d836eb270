/*
 * apic.c - local APIC access for xAPIC (MMIO) and x2APIC (MSR) modes.
 *
 * Registers are named by their xAPIC offsets; in x2APIC mode offset o is
 * MSR 0x800 + o/16, and the two ICR halves become one 64-bit MSR.
 */
#include "apic.h"
#include "cpu.h"

#define REG_ID          0x020
#define REG_TPR         0x080
#define REG_EOI         0x0B0
#define REG_SVR         0x0F0
#define REG_ESR         0x280
#define REG_ICR_LOW     0x300
#define REG_ICR_HIGH    0x310
#define REG_LVT_TIMER   0x320
#define REG_LVT_LINT0   0x350
#define REG_LVT_LINT1   0x360
#define REG_LVT_ERROR   0x370
#define REG_TIMER_INIT  0x380
#define REG_TIMER_CUR   0x390
#define REG_TIMER_DIV   0x3E0

#define APIC_BASE_ENABLE    (1u << 11)
#define APIC_BASE_X2APIC    (1u << 10)
#define SVR_ENABLE          (1u << 8)
#define LVT_MASKED          (1u << 16)
#define ICR_PENDING         (1u << 12)
#define ICR_INIT            0x00000500u
#define ICR_STARTUP         0x00000600u
#define ICR_ASSERT          0x00004000u
#define TIMER_DIV_16        0x3
/*
 * The timer only decides when a sleeper is woken; the scheduler checks
 * deadlines against the TSC, so a small rate error costs lateness, never an
 * early wake-up. A window of 200 us gives ~12,500 counts at QEMU's
 * 62.5 MHz (after the divider). Each end of the window is bracketed by
 * TSC reads: a vCPU preempted between loading the count and reading the
 * TSC (routine with several VMs per host CPU) would otherwise count the
 * preemption as timer ticks and make every sleep that many times longer
 * (a 1 ms preemption: 6x). A window whose brackets exceed 1 % of it is
 * measured again (an idle vCPU's span ~700 TSC ticks, 0.15 %; a
 * preempted one's tens of percent); after CALIBRATE_TRIES the best one
 * counts.
 */
#define CALIBRATE_NS        200000ull
#define CALIBRATE_TRIES     50
#define CALIBRATE_PER_MILLE 10

static enum apic_mode mode;
static volatile uint32_t *mmio;
static uint64_t timer_hz;           /* timer input after the divider */

static uint32_t apic_read(uint32_t reg)
{
    if (mode == APIC_X2APIC)
        return (uint32_t)rdmsr(0x800 + (reg >> 4));
    return mmio[reg / 4];
}

static void apic_write(uint32_t reg, uint32_t value)
{
    if (mode == APIC_X2APIC)
        wrmsr(0x800 + (reg >> 4), value);
    else
        mmio[reg / 4] = value;
}

int apic_init_boot(uint64_t lapic_phys, bool allow_x2apic,
                   uintptr_t (*map_mmio)(uint64_t phys, uint64_t size))
{
    struct cpuid_regs r = cpuid(1, 0);

    if (!(r.edx & (1u << 9)))
        return -1;                          /* no local APIC at all */
    mode = (allow_x2apic && (r.ecx & (1u << 21))) ? APIC_X2APIC : APIC_XAPIC;
    if (mode == APIC_XAPIC) {
        mmio = (volatile uint32_t *)map_mmio(lapic_phys, 0x1000);
        if (!mmio)
            return -1;
    }
    return 0;
}

void apic_init_cpu(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;

    if (mode == APIC_X2APIC)
        base |= APIC_BASE_X2APIC;
    wrmsr(MSR_APIC_BASE, base);

    apic_write(REG_TPR, 0);
    apic_write(REG_LVT_TIMER, LVT_MASKED);
    apic_write(REG_LVT_LINT0, LVT_MASKED);      /* the 8259s are masked too */
    apic_write(REG_LVT_LINT1, LVT_MASKED);
    apic_write(REG_LVT_ERROR, APIC_VECTOR_ERROR);
    apic_write(REG_ESR, 0);
    apic_write(REG_SVR, SVR_ENABLE | APIC_VECTOR_SPURIOUS);
    apic_write(REG_EOI, 0);
}

enum apic_mode apic_mode(void)
{
    return mode;
}

const char *apic_mode_name(void)
{
    return mode == APIC_X2APIC ? "x2APIC" : "xAPIC";
}

uint32_t apic_id(void)
{
    if (mode == APIC_X2APIC)
        return (uint32_t)rdmsr(0x802);
    return apic_read(REG_ID) >> 24;
}

void apic_eoi(void)
{
    apic_write(REG_EOI, 0);
}

static void send_icr(uint32_t dest, uint32_t low)
{
    if (mode == APIC_X2APIC) {
        wrmsr(0x830, ((uint64_t)dest << 32) | low);
        return;
    }
    apic_write(REG_ICR_HIGH, dest << 24);
    apic_write(REG_ICR_LOW, low);
    while (apic_read(REG_ICR_LOW) & ICR_PENDING)
        cpu_relax();
}

void apic_send_ipi(uint32_t dest, uint8_t vector)
{
    send_icr(dest, ICR_ASSERT | vector);
}

void apic_send_init(uint32_t dest)
{
    send_icr(dest, ICR_INIT | ICR_ASSERT);
}

void apic_send_startup(uint32_t dest, uint8_t page)
{
    send_icr(dest, ICR_STARTUP | ICR_ASSERT | page);
}

uint64_t apic_timer_calibrate(uint64_t tsc_hz)
{
    uint64_t wait = tsc_hz * CALIBRATE_NS / 1000000000ull, best_slack = ~0ull;

    apic_write(REG_TIMER_DIV, TIMER_DIV_16);
    apic_write(REG_LVT_TIMER, LVT_MASKED);
    timer_hz = 0;
    for (int i = 0; i < CALIBRATE_TRIES; i++) {
        uint64_t t0 = rdtsc();
        apic_write(REG_TIMER_INIT, 0xFFFFFFFFu);
        uint64_t t1 = rdtsc();
        while (rdtsc() - t1 < wait)
            cpu_relax();
        uint64_t t2 = rdtsc();
        uint32_t elapsed = 0xFFFFFFFFu - apic_read(REG_TIMER_CUR);
        uint64_t t3 = rdtsc();
        uint64_t span = (t2 + t3) / 2 - (t0 + t1) / 2, slack = (t1 - t0) + (t3 - t2);
        /* elapsed < 2^28 and tsc_hz < 2^35 keep the product in 64 bits (no
         * 128-bit division in the kernel); a longer window was preempted. */
        if (slack < best_slack && span && elapsed < (1u << 28)) {
            best_slack = slack;
            timer_hz = (uint64_t)elapsed * tsc_hz / span;
        }
        if (slack * 1000 <= span * CALIBRATE_PER_MILLE)
            break;
    }
    apic_write(REG_TIMER_INIT, 0);
    if (!timer_hz)
        timer_hz = 1000000000ull;       /* no usable timer: assume 1 GHz */
    return timer_hz;
}

void apic_timer_oneshot(uint8_t vector, uint64_t ns)
{
    uint64_t ticks = ns / 1000 * timer_hz / 1000000 + 1;

    if (ticks > 0xFFFFFFFFu)
        ticks = 0xFFFFFFFFu;
    apic_write(REG_TIMER_DIV, TIMER_DIV_16);
    apic_write(REG_LVT_TIMER, vector);          /* one-shot, unmasked */
    apic_write(REG_TIMER_INIT, (uint32_t)ticks);
}

void apic_timer_stop(void)
{
    apic_write(REG_LVT_TIMER, LVT_MASKED);
    apic_write(REG_TIMER_INIT, 0);
}
