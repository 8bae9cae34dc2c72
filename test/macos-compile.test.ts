// The macOS paths of the addon, compiled on Linux: every native/*.cc with
// __APPLE__ defined and __linux__ not, against glibc plus the stand-ins of
// test/fixtures/macos-shim (kqueue, TCP_CONNECTION_INFO, st_atimespec,
// _NSGetEnviron, pthread_main_np...). CI has no Mac, so this is what keeps the
// `#ifdef __APPLE__` branches from rotting unseen: a syntax check, not a run
// (.github/workflows/ci.yml runs the suite on macOS where a Mac is at hand).
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it_linux, NEEDS_LINUX } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const shim = join(root, 'test', 'fixtures', 'macos-shim');
const sources = readdirSync(join(root, 'native')).filter((f) => f.endsWith('.cc')).sort();

// Node's headers: beside this node binary, else where node-gyp keeps them.
const nodeInclude = [
  join(dirname(dirname(process.execPath)), 'include', 'node'),
  join(homedir(), '.cache', 'node-gyp', process.versions.node, 'include', 'node'),
].find((d) => existsSync(join(d, 'node_api.h')));

// The flags binding.gyp gives clang on macOS (xcode_settings), as errors.
const gyp = JSON.parse(readFileSync(join(root, 'binding.gyp'), 'utf8').replace(/^\s*#.*$/gm, ''));
const target = gyp.targets[0];
const macFlags: string[] = target.xcode_settings.OTHER_CPLUSPLUSFLAGS;
const defines: string[] = target.defines;

function syntaxCheck(files: string[]): Promise<{ status: number | null; stderr: string }> {
  const addonApi = dirname(createRequire(import.meta.url).resolve('node-addon-api/package.json'));
  const args = [
    '-std=c++20', '-fsyntax-only', ...macFlags, '-Werror',
    '-U__linux__', '-U__linux', '-Ulinux', '-U__gnu_linux__', '-D__APPLE__', '-D__MACH__',
    '-include', join(shim, 'apple.h'),
    ...defines.map((d) => `-D${d}`),
    '-I', shim, '-I', nodeInclude!, '-I', addonApi,
    ...files.map((f) => join(root, 'native', f)),
  ];
  return new Promise((resolve) => {
    const child = spawn('g++', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', (e) => { clearTimeout(timer); resolve({ status: -1, stderr: String(e) }); });
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stderr }); });
  });
}

describe('the macOS code paths', () => {
  it('every file with an #ifdef __APPLE__ branch is compiled by the check: a .cc itself, a header through a .cc', () => {
    const read = (f: string) => readFileSync(join(root, 'native', f), 'utf8');
    const apple = readdirSync(join(root, 'native')).filter((f) => /\.(cc|h)$/.test(f) && /__APPLE__/.test(read(f)));
    // exec (environ), file (st_atimespec), sockaddr (ss_len), tcp_info
    // (TCP_CONNECTION_INFO), thread (pthread_main_np), time (sleep's rounding),
    // event_api.h (kqueue, for select.cc and constants.cc).
    expect(apple.length).toBeGreaterThanOrEqual(7);
    for (const f of apple.filter((h) => h.endsWith('.h'))) {
      expect(sources.some((cc) => read(cc).includes(`#include "${f}"`)), `${f} is included by a .cc`).toBe(true);
    }
  });

  // Two compilers at once (2 cores): the whole addon takes about a minute alone,
  // several on a loaded machine.
  it_linux(NEEDS_LINUX.compile)('every native file compiles as macOS would see it (-Werror, the macOS flags)', async () => {
    expect(nodeInclude, 'Node headers').toBeDefined();
    const half = Math.ceil(sources.length / 2);
    const results = await Promise.all([syntaxCheck(sources.slice(0, half)), syntaxCheck(sources.slice(half))]);
    for (const r of results) expect(r.status, r.stderr).toBe(0);
  }, 320_000);
});
