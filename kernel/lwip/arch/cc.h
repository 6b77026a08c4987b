/*
 * arch/cc.h - lwIP's compiler and platform definitions for the appliance
 * (newlib, x86_64, one CPU). lwIP includes it through lwip/arch.h.
 */
#ifndef KERNEL_LWIP_ARCH_CC_H
#define KERNEL_LWIP_ARCH_CC_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

/* newlib has ssize_t but no SSIZE_MAX, which lwIP takes as "no ssize_t". */
#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX
#endif

/* For TCP initial sequence numbers, DHCP transaction ids and ephemeral ports. */
uint32_t kern_net_rand(void);
#define LWIP_RAND() kern_net_rand()

/* lwIP's diagnostics are rare (asserts, debug off): the console, as the kernel's lines. */
#define LWIP_PLATFORM_DIAG(x)                                                                      \
    do {                                                                                           \
        printf x;                                                                                  \
    } while (0)

/*
 * An lwIP assertion means its own state is corrupt: stopping with a report
 * beats carrying on with a broken stack.
 */
_Noreturn void kern_net_assert(const char *msg, int line, const char *file);
#define LWIP_PLATFORM_ASSERT(x) kern_net_assert((x), __LINE__, __FILE__)

#endif
