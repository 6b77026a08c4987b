# lwip.mk - lwIP (Debian's source package, fetched and unpacked by
# scripts/setup-lwip.sh into build/metal/lwip-src) compiled NO_SYS with our
# kernel/lwip/lwipopts.h into build/metal/liblwip.a for the appliance.
# mk/metal.mk links LWIP_LIB and adds LWIP_INCLUDES to its flags; this file is
# read before it (mk/*.mk in order), so only plain paths are used here.

LWIP_OUT := build/metal
LWIP_SRC := $(LWIP_OUT)/lwip-src/src
LWIP_STAMP := $(LWIP_OUT)/.lwip-ok
LWIP_LIB := $(LWIP_OUT)/liblwip.a
LWIP_INCLUDES := -Ikernel/lwip -I$(LWIP_SRC)/include

# Core, IPv4 and Ethernet: no sockets, netconn, IPv6, PPP or apps.
LWIP_FILES := core/init.c core/def.c core/inet_chksum.c core/ip.c core/mem.c core/memp.c \
    core/netif.c core/pbuf.c core/stats.c core/sys.c core/tcp.c core/tcp_in.c core/tcp_out.c \
    core/timeouts.c core/udp.c core/ipv4/dhcp.c core/ipv4/etharp.c core/ipv4/icmp.c \
    core/ipv4/ip4.c core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c netif/ethernet.c api/err.c
LWIP_C := $(addprefix $(LWIP_SRC)/,$(LWIP_FILES))
LWIP_OBJS := $(LWIP_FILES:%.c=$(LWIP_OUT)/lwip-obj/%.o)

# Third-party code: its own warnings are not ours to fix (-w), but the ABI
# flags are the kernel's (METAL_CFLAGS, expanded when the recipe runs).
$(LWIP_STAMP): scripts/setup-lwip.sh
	bash scripts/setup-lwip.sh $(LWIP_OUT)
$(LWIP_C) $(LWIP_SRC)/include/lwip/opt.h: $(LWIP_STAMP) ;

# newlib's headers come from mk/metal.mk's stamp rule (named here: its variables come later).
$(LWIP_OUT)/lwip-obj/%.o: $(LWIP_SRC)/%.c kernel/lwip/lwipopts.h kernel/lwip/arch/cc.h \
    | $(LWIP_STAMP) $(LWIP_OUT)/.newlib-ok
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -Werror -Wall -Wextra,$(METAL_CFLAGS)) -w -c $< -o $@

$(LWIP_LIB): $(LWIP_OBJS)
	@rm -f $@
	ar rcs $@ $^

.PHONY: lwip-deps
lwip-deps: $(LWIP_STAMP)
