#!/usr/bin/env bash
# bench/afl_path.sh DIR: a copy of Debian's AFL++ runtime (/usr/lib/afl) in DIR, for AFL_PATH, with
# the GCC plugin's version check taken out. Why: Debian 12's afl++ 4.04c plugin was built against
# gcc 12.2.0-14, the machines now have 12.2.0-14+deb12u1, and plugin_default_version_check compares
# the whole configuration string: afl-g++-fast aborts ("GCC and plugin have incompatible versions,
# expected GCC 12.2.0, is 12.2.0") although both are the same upstream GCC. AFL++ 4.09 added
# AFL_GCC_DISABLE_VERSION_CHECK for exactly this; for 4.04c, the call is replaced by "mov $1, %eax"
# in the copy (found with objdump, not at a fixed offset). Nothing outside DIR is changed.
set -euo pipefail
dir=${1:?usage: bench/afl_path.sh DIR}
mkdir -p "$dir"
cp -a /usr/lib/afl/. "$dir"/
plugin="$dir/afl-gcc-pass.so"
call=$(objdump -d --no-show-raw-insn "$plugin" | awk '/call.*<plugin_default_version_check@plt>/ {sub(":", "", $1); print $1; exit}')
[ -n "$call" ] || { echo "afl_path.sh: no call to plugin_default_version_check in $plugin" >&2; exit 1; }
python3 - "$plugin" "$call" <<'PY'
import sys
path, address = sys.argv[1], int(sys.argv[2], 16)
data = bytearray(open(path, 'rb').read())
# In this shared object .text's file offsets equal its addresses (checked: a call opcode is there).
if data[address] != 0xE8:
    sys.exit(f'afl_path.sh: no call at {address:#x}')
data[address:address + 5] = bytes([0xB8, 1, 0, 0, 0])  # mov $1, %eax: "the versions match"
open(path, 'wb').write(data)
PY
