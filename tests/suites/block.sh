# Block layer and baremu-img (sourced by tests/run-all.sh: uses suite/result/$LOGS).
# Interop with qemu-img/qemu-io both ways, hostile images, SIGKILL crash
# safety in every cache mode, and a bounded run of the qcow2 parsing fuzzer.
suite block-interop bash tests/block/interop.sh
suite block-hostile bash tests/block/hostile.sh
suite block-crash bash tests/block/crash.sh
mkdir -p "$LOGS/block-fuzz"
build/host/tests/block/blk-fuzz "$LOGS/block-fuzz" "${BLOCK_FUZZ_SECONDS:-20}" >"$LOGS/block-fuzz.log" 2>&1
result $? block-fuzz
suite block-uboot-virtio bash tests/block/uboot-virtio.sh
