#!/usr/bin/env bash
# Builds the resetbot firmware for an ATmega328P (Uno/Nano, 16 MHz) with Debian's avr-gcc and arduino-core-avr.
#
#   firmware/build.sh                 writes firmware/resetbot.hex (the committed file) and firmware/toolchain.txt
#   firmware/build.sh OUT.hex         writes OUT.hex only (used by the test that checks the committed .hex is current)
#
# Reproducible: no timestamps, no paths and no debug information reach the .hex, and the core is linked from object
# files in a fixed order, so the same sources and toolchain give the same bytes. The core's WString.cpp is left
# out: it does not compile with Debian's avr-gcc, and the sketch uses no String.
# Environment: ARDUINO_AVR (default /usr/share/arduino/hardware/arduino/avr), BUILD_DIR (default: a temporary dir).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
arduino="${ARDUINO_AVR:-/usr/share/arduino/hardware/arduino/avr}"
core="$arduino/cores/arduino"
variant="$arduino/variants/standard"
out_hex="${1:-$here/resetbot.hex}"
build="${BUILD_DIR:-$(mktemp -d)}"
[ -n "${BUILD_DIR:-}" ] || trap 'rm -rf "$build"' EXIT
mkdir -p "$build/core"

for tool in avr-gcc avr-g++ avr-objcopy avr-size; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool not found (apt install gcc-avr avr-libc binutils-avr arduino-core-avr)" >&2; exit 1; }
done
[ -f "$core/Arduino.h" ] || { echo "build.sh: no Arduino core at $core (apt install arduino-core-avr, or set ARDUINO_AVR)" >&2; exit 1; }

mcu=atmega328p
# 128-byte serial buffers (the core default is 64): a whole command line fits while the board is busy printing, and
# a long event (`! limit` of 32 channels) is queued without making the main loop wait.
defs=(-mmcu=$mcu -DF_CPU=16000000L -DARDUINO=10807 -DARDUINO_AVR_UNO -DARDUINO_ARCH_AVR -DSERIAL_RX_BUFFER_SIZE=128 -DSERIAL_TX_BUFFER_SIZE=128)
incs=(-I"$core" -I"$variant")
cflags=(-Os -ffunction-sections -fdata-sections -flto -fno-fat-lto-objects)
cxxflags=("${cflags[@]}" -std=gnu++11 -fpermissive -fno-exceptions -fno-threadsafe-statics -Wno-error=narrowing)

objects=()
# The core, minus WString.cpp; sorted so the link order never depends on the file system.
while IFS= read -r src; do
  name="$(basename "$src")"
  obj="$build/core/$name.o"
  case "$name" in
    WString.cpp) continue ;;
    *.c) avr-gcc -c -w -std=gnu11 "${cflags[@]}" "${defs[@]}" "${incs[@]}" "$src" -o "$obj" ;;
    *.cpp) avr-g++ -c -w "${cxxflags[@]}" "${defs[@]}" "${incs[@]}" "$src" -o "$obj" ;;
    *.S) avr-gcc -c -x assembler-with-cpp -flto "${defs[@]}" "${incs[@]}" "$src" -o "$obj" ;;
  esac
  objects+=("$obj")
done < <(find "$core" -maxdepth 1 \( -name '*.c' -o -name '*.cpp' -o -name '*.S' \) | LC_ALL=C sort)

# The sketch: compiled as C++ (it includes Arduino.h itself), with warnings on.
avr-g++ -c -x c++ -Wall -Wextra "${cxxflags[@]}" "${defs[@]}" "${incs[@]}" "$here/resetbot/resetbot.ino" -o "$build/resetbot.o"

avr-gcc -Os -flto -fuse-linker-plugin -Wl,--gc-sections -mmcu=$mcu -o "$build/resetbot.elf" \
  "$build/resetbot.o" "${objects[@]}" -lm
avr-objcopy -O ihex -R .eeprom "$build/resetbot.elf" "$out_hex"

avr-size -C --mcu=$mcu "$build/resetbot.elf" | sed -n 's/^\(Program\|Data\):/&/p'
if [ $# -eq 0 ]; then
  {
    echo "# Toolchain that built resetbot.hex (firmware/build.sh writes this file)."
    echo "avr-gcc: $(avr-gcc --version | head -n1)"
    echo "arduino-core-avr: $(sed -n 's/^version=//p' "$arduino/platform.txt")"
  } >"$here/toolchain.txt"
fi
echo "wrote $out_hex"
