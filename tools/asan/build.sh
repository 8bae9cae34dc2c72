#!/usr/bin/env bash
# Builds the addon with AddressSanitizer and UndefinedBehaviorSanitizer into
# build-asan/ (the normal build/ stays as it is). The gyp file there is the
# project's binding.gyp with its sources one level up and the sanitizer
# flags added, so the two builds never drift apart in their source list.
# Usage: tools/asan/build.sh   (then tools/asan/env.sh CMD... to run under it)
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p build-asan
node -e '
  const fs = require("fs");
  const gyp = JSON.parse(fs.readFileSync("binding.gyp", "utf8"));
  const t = gyp.targets[0];
  t.sources = t.sources.map((s) => "../" + s);
  // -O1 and frame pointers: readable stacks at a tolerable speed. vptr needs
  // RTTI, which node-gyp turns off. A UB report ends the process (halt), so
  // that the fuzzer sees it as a crash with its reproducer.
  const san = ["-fsanitize=address,undefined", "-fno-sanitize=vptr", "-fno-sanitize-recover=undefined",
               "-fno-omit-frame-pointer", "-g", "-O1"];
  t.cflags_cc = [...t.cflags_cc, ...san];
  t["cflags_cc!"] = [...(t["cflags_cc!"] || []), "-O3", "-O2"];
  t.cflags = [...(t.cflags || []), ...san];
  t["cflags!"] = ["-O3", "-O2"];
  t.ldflags = [...(t.ldflags || []), "-fsanitize=address,undefined"];
  t.conditions = [["OS==\"linux\"", { ldflags: ["-Wl,-z,now"] }]];
  fs.writeFileSync("build-asan/binding.gyp", JSON.stringify(gyp, null, 2) + "\n");'
cd build-asan
npx --no-install node-gyp rebuild "$@" >/dev/null
echo "built $(pwd)/build/Release/syscall_lab.node"
