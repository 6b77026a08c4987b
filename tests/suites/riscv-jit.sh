# riscv-jit: the ISA suite again with the RISC-V JIT off (-accel tcg,jit=off), so
# the interpreter, the reference and fallback, stays compared with QEMU too.
# Sourced by tests/run-all.sh (uses EMU, LOGS, suite).
RV_NOJIT=build/test-logs/baremu-nojit
mkdir -p "$(dirname "$RV_NOJIT")"
printf '#!/bin/sh\nexec "%s" "$@" -accel tcg,jit=off\n' "$(cd "$(dirname "$EMU")" && pwd)/$(basename "$EMU")" >"$RV_NOJIT"
chmod +x "$RV_NOJIT"
if command -v qemu-system-riscv64 >/dev/null; then
    suite isa-nojit bash tests/scripts/riscv-isa.sh --emu "$RV_NOJIT" --qemu
else
    suite isa-nojit bash tests/scripts/riscv-isa.sh --emu "$RV_NOJIT"
fi
