# net.mk - guest networks: -netdev user (hosted) is libslirp, QEMU's own
# user-mode network stack, from Debian's libslirp-dev; its back end runs on a
# thread of its own (host/net-slirp.c).
LDLIBS += -lslirp -lpthread
