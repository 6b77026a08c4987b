#!/usr/bin/env bash
# -machine dumpdtb=FILE writes the device tree of the machine that was built;
# it must decode with dtc, describe that machine, and agree with QEMU's virt
# on every node both have (compatible, reg, interrupts).
set -u
EMU=${1:-build/host/baremu}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
status=0
check() { # description expected actual
    if [ "$2" == "$3" ]; then
        echo "ok: $1"
    else
        echo "MISMATCH: $1: expected '$2', got '$3'"
        status=1
    fi
}

"$EMU" -M virt,dumpdtb="$dir/a.dtb" -m 256M -smp 2 -nographic || { echo "dumpdtb failed"; exit 1; }
dtc -I dtb -O dts -o "$dir/a.dts" "$dir/a.dtb" || { echo "dtc cannot decode"; exit 1; }

check "memory reg (256 MiB)" "0 80000000 0 10000000" "$(fdtget -t x "$dir/a.dtb" /memory@80000000 reg)"
check "two cpus" "2" "$(grep -c 'device_type = "cpu"' "$dir/a.dts")"
check "timebase" "10000000" "$(fdtget -t u "$dir/a.dtb" /cpus timebase-frequency)"
check "uart" "ns16550a" "$(fdtget "$dir/a.dtb" /soc/serial@10000000 compatible)"
check "virtio-mmio slots" "8" "$(grep -c 'compatible = "virtio,mmio"' "$dir/a.dts")"
check "plic present" "1" "$(grep -c 'plic@c000000 {' "$dir/a.dts")"
check "clint present" "1" "$(grep -c 'clint@2000000 {' "$dir/a.dts")"
check "stdout-path" "/soc/serial@10000000" "$(fdtget "$dir/a.dtb" /chosen stdout-path)"

# A different size and one hart must show in the tree.
"$EMU" -M virt -machine dumpdtb="$dir/b.dtb" -m 1G -nographic || { echo "dumpdtb (1G) failed"; exit 1; }
check "memory reg (1 GiB)" "0 80000000 0 40000000" "$(fdtget -t x "$dir/b.dtb" /memory@80000000 reg)"
check "one cpu" "1" "$(dtc -I dtb -O dts "$dir/b.dtb" 2>/dev/null | grep -c 'device_type = "cpu"')"

# Differential: the nodes we share with QEMU's virt look the same.
if command -v qemu-system-riscv64 >/dev/null; then
    qemu-system-riscv64 -M virt,dumpdtb="$dir/q.dtb" -m 256M -smp 2 -nographic >/dev/null 2>&1
    for node in /soc/serial@10000000 /soc/plic@c000000 /soc/clint@2000000 /soc/rtc@101000 \
        /soc/test@100000 /soc/virtio_mmio@10001000 /soc/virtio_mmio@10008000 /cpus/cpu@1; do
        for prop in compatible reg interrupts riscv,ndev; do
            q=$(fdtget -t x "$dir/q.dtb" "$node" "$prop" 2>/dev/null)
            [ -n "$q" ] || continue
            check "$node $prop as QEMU" "$q" "$(fdtget -t x "$dir/a.dtb" "$node" "$prop" 2>&1)"
        done
    done
fi
exit $status
