#!/usr/bin/env bash
# Runs a command (node, vitest, the fuzzer) with the sanitizer build of the
# addon (tools/asan/build.sh): Node itself is not built with ASan, so its
# runtime is preloaded; V8 keeps memory to the end by design, so leaks are
# not reported. A report ends the process with abort(), which the fuzzer and
# the tests see as a crash.
#   tools/asan/env.sh node tools/fuzz/run.js --fixed --calls 2000
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
addon="$root/build-asan/build/Release/syscall_lab.node"
[ -f "$addon" ] || { echo "no sanitizer build: run tools/asan/build.sh first" >&2; exit 1; }
export SYSCALL_LAB_ADDON="$addon"
export LD_PRELOAD="$(gcc -print-file-name=libasan.so)${LD_PRELOAD:+:$LD_PRELOAD}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:allow_user_segv_handler=1:detect_stack_use_after_return=0:print_summary=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
exec "$@"
