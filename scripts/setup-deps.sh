#!/usr/bin/env bash
# Installs the Debian packages baremu's build and tests need (see DESIGN.md).
# Idempotent: packages already present are skipped, so `make test` can call it
# on every run and a fresh machine needs nothing else.
set -euo pipefail

pkgs=(
  build-essential pkg-config libfdt-dev device-tree-compiler zlib1g-dev libslirp-dev
  gcc-riscv64-unknown-elf acpica-tools
  opensbi u-boot-qemu
  qemu-system-misc qemu-utils
  socat python3 bc
  tmux gdb-multiarch clang
  newlib-source gnu-efi dpkg-dev qemu-system-x86 ovmf seabios ipxe-qemu
  grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools dosfstools
  bochs bochsbios vgabios
  pciutils
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
