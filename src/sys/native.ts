// Loads the addon built by node-gyp. The compiled files live in dist/src/sys
// and the sources in src/sys, so the package root is found by walking up.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// SYSCALL_LAB_ADDON=path loads another build of the addon instead (the
// sanitizer build of tools/asan/build.sh).
function findAddon(): string {
  const chosen = process.env.SYSCALL_LAB_ADDON;
  if (chosen) return chosen;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    for (const kind of ['Release', 'Debug']) {
      const candidate = join(dir, 'build', kind, 'syscall_lab.node');
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error('syscall-lab: the native addon is not built (build/Release/syscall_lab.node); run `npm install` or `npx node-gyp rebuild`');
    }
    dir = parent;
  }
}

/** The raw addon. Use the typed functions of the sys modules instead. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const native: any = createRequire(import.meta.url)(findAddon());

/** A C out-parameter (`int *`, `socklen_t *`, `struct addrinfo **`): the callee writes `value`. */
export interface Cell<T> {
  value: T;
}

/** Makes a cell, the TypeScript spelling of C's `&x`. */
export function cell<T>(value: T): Cell<T> {
  return { value };
}

/** The sizes of C types on this platform (sizeof.sockaddr_in, sizeof.int, ...). */
export const sizeof: Readonly<Record<
  'sockaddr' | 'sockaddr_in' | 'sockaddr_in6' | 'sockaddr_un' | 'sockaddr_storage' | 'linger' | 'timeval' |
  'timespec' | 'int' | 'socklen_t' | 'sun_path' | 'fd_set', number>> = native.sizeof;

/** Whether this thread holds the JS lock (V8's Locker), which blocking calls drop for their syscall once a pthread exists. */
export const js_lock_held: () => boolean = native.js_lock_held;
