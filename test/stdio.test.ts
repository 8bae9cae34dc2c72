// C's formatted output: sprintf / snprintf against the C library itself. The
// cases are generated (conversions x flags x widths x precisions x values),
// compiled into a C program with cc at test time, and each output compared
// byte for byte. Then printf / fprintf on real fds, the errors, and sscanf.
import { describe, expect, it, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipe, read, close, set_errno, EPIPE, STDERR_FILENO } from '../src/sys/index.js';
import { sprintf, snprintf, fprintf, dprintf, sscanf, cell } from '../src/index.js';
import { FdScope } from './helpers.js';

const fds = new FdScope();
afterEach(() => fds.closeAll());

/** An argument: its C expression and its TypeScript value. */
interface Arg { c: string; js: unknown }
interface Case { fmt: string; args: Arg[] }

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
function dbl(x: number): Arg {
  f64[0] = x;
  return { c: `d(0x${u64[0].toString(16)}ULL)`, js: x };
}
const cstr = (s: string) => JSON.stringify(s); // ASCII and UTF-8 text: the same literal in C

function cases(): Case[] {
  const out: Case[] = [];
  // Integers: conversions x flags x widths x precisions x values.
  const int_flags = ['', '-', '+', ' ', '0', '#', '-#', '+0', ' 0'];
  const int_values = [0, 7, -7, 2147483647, -2147483648, 305419896];
  for (const conv of ['d', 'i', 'u', 'o', 'x', 'X']) {
    for (const flags of int_flags) {
      for (const width of ['', '1', '12']) {
        for (const prec of ['', '.', '.0', '.5']) {
          for (const v of int_values) {
            const signed = conv === 'd' || conv === 'i';
            out.push({ fmt: `%${flags}${width}${prec}${conv}`, args: [{ c: `(${signed ? 'int' : 'unsigned'})(${v}LL)`, js: v }] });
          }
        }
      }
    }
  }
  // Length modifiers: what C truncates (hh, h) and 64-bit values (l, ll, j, z), numbers and bigints.
  const wide: Array<number | bigint> = [300, -129, 70000, -70000, 2 ** 40, -(2 ** 40), 2 ** 53 + 2, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n];
  for (const len of ['hh', 'h', 'l', 'll', 'j', 'z']) {
    for (const conv of ['d', 'u', 'x', 'o']) {
      for (const v of wide) {
        const fits = len === 'hh' || len === 'h' ? typeof v === 'number' && Math.abs(v) < 2 ** 31 : true;
        if (!fits) continue;
        const signed = conv === 'd';
        if (signed && typeof v === 'bigint' && v >= 2n ** 63n) continue;
        const ctype = len === 'hh' || len === 'h' ? 'int' : signed ? 'long long' : 'unsigned long long';
        const lit = typeof v === 'bigint' && v >= 2n ** 63n ? `${v}ULL` : `(${v}LL)`;
        out.push({ fmt: `%${len}${conv}|%-+22${len}${conv}|`, args: [{ c: `(${ctype})${lit}`, js: v }, { c: `(${ctype})${lit}`, js: v }] });
      }
    }
  }
  // Floating point: conversions x flag/width pairs x precisions x values (rounding ties, tiny, huge, nan, inf).
  const float_values = [0, -0, 0.5, 1.5, 2.5, 0.125, 0.1, 1e-5, 9.9999999, 123456.789, 1e21, 5e-324,
    -1.7976931348623157e308, NaN, Infinity, -Infinity, 100, 0.000123456];
  const float_fw = ['', '-14', '+', ' 14', '014', '#', '+014', '#14'];
  for (const conv of ['f', 'F', 'e', 'E', 'g', 'G']) {
    for (const fw of float_fw) {
      for (const prec of ['', '.0', '.3', '.17']) {
        for (const v of float_values) out.push({ fmt: `%${fw}${prec}${conv}`, args: [dbl(v)] });
      }
    }
  }
  // Long expansions: every digit of a huge or tiny double.
  for (const v of [1e300, 2 ** -1074, 1 / 3, 2 ** 60 + 2 ** 8, 0.1]) {
    for (const fmt of ['%.60f', '%.40e', '%.30g', '%#.0e', '%#.0f', '%#g', '%.0e', '%.99f']) out.push({ fmt, args: [dbl(v)] });
  }
  // Strings: widths, precisions, a long one, UTF-8 (precision counts bytes), null.
  const strings = ['', 'a', 'hello', 'x'.repeat(300), 'héllo wörld'];
  for (const flags of ['', '-']) {
    for (const width of ['', '3', '20']) {
      for (const prec of ['', '.0', '.2', '.9']) {
        for (const s of strings) out.push({ fmt: `[%${flags}${width}${prec}s]`, args: [{ c: cstr(s), js: s }] });
      }
    }
  }
  // Characters, pointers, '*' widths and precisions, %%, text around.
  for (const c of [65, 122, 48]) {
    for (const fmt of ['%c', '%5c', '%-5c|']) out.push({ fmt, args: [{ c: String(c), js: c }] });
  }
  for (const p of [0, 1, 0x1000, 0xdeadbeef, 2 ** 47]) {
    for (const fmt of ['%p', '%20p|', '%-20p|']) out.push({ fmt, args: [{ c: `(void *)${p}ULL`, js: p }] });
  }
  for (const w of [-8, 0, 8, 30]) {
    for (const p of [-1, 0, 3]) {
      out.push({ fmt: '[%*d]', args: [{ c: String(w), js: w }, { c: '42', js: 42 }] });
      out.push({ fmt: '[%*.*f]', args: [{ c: String(w), js: w }, { c: String(p), js: p }, dbl(3.14159)] });
      out.push({ fmt: '[%-*.*s]', args: [{ c: String(w), js: w }, { c: String(p), js: p }, { c: '"abcdef"', js: 'abcdef' }] });
      out.push({ fmt: '[%.*d]', args: [{ c: String(p), js: p }, { c: '0', js: 0 }] });
    }
  }
  out.push({ fmt: '100%% of %s, %d%%\n', args: [{ c: '"it"', js: 'it' }, { c: '5', js: 5 }] });
  out.push({ fmt: '%5%|%-5%|', args: [] });
  out.push({ fmt: 'GET %s HTTP/1.0\r\nHost: %s:%d\r\n\r\n', args: [{ c: '"/index.html"', js: '/index.html' }, { c: '"localhost"', js: 'localhost' }, { c: '8080', js: 8080 }] });
  return out;
}

/** Compiles a C program that prints snprintf's bytes (in hex) for every case; null without a C compiler. */
function c_outputs(list: Case[]): string[] | null {
  const probe = spawnSync('cc', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error || probe.status !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'syscall-lab-printf-'));
  try {
    const calls = list.map(({ fmt, args }) =>
      `  out(snprintf(buf, sizeof buf, ${cstr(fmt)}${args.map((a) => `, ${a.c}`).join('')}));`);
    const src = [
      '#include <stdio.h>', '#include <string.h>', '#include <math.h>',
      'static char buf[8192];',
      'static double d(unsigned long long b) { double x; memcpy(&x, &b, 8); return x; }',
      'static void out(int n) { for (int i = 0; i < n; i++) printf("%02x", (unsigned char)buf[i]); printf(" %d\\n", n); }',
      'int main(void) {', ...calls, '  return 0;', '}', '',
    ].join('\n');
    writeFileSync(join(dir, 'cases.c'), src);
    const cc = spawnSync('cc', ['-w', '-O0', '-o', join(dir, 'cases'), join(dir, 'cases.c')], { encoding: 'utf8', timeout: 120_000 });
    if (cc.status !== 0) throw new Error(`cc failed: ${cc.stderr}`);
    const run = spawnSync(join(dir, 'cases'), [], { encoding: 'utf8', timeout: 30_000, maxBuffer: 64 << 20 });
    if (run.status !== 0) throw new Error(`the C program failed: ${run.stderr}`);
    return run.stdout.trimEnd().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('sprintf and snprintf agree with the C library', () => {
  const list = cases();
  const c = c_outputs(list);
  it.skipIf(c === null)('byte for byte, for every generated case (needs cc)', () => {
    expect(list.length).toBeGreaterThan(2000);
    expect(c!.length).toBe(list.length);
    const buf = new Uint8Array(8192);
    const wrong: string[] = [];
    list.forEach(({ fmt, args }, i) => {
      const values = args.map((a) => a.js);
      const n = snprintf(buf, buf.length, fmt, ...values);
      const ours = `${hex(buf.subarray(0, n))} ${n}`;
      const theirs = c![i];
      // sprintf's string is the same bytes read as UTF-8.
      const cbytes = Buffer.from(theirs.split(' ')[0], 'hex');
      const str = sprintf(fmt, ...values);
      if (ours !== theirs || str !== cbytes.toString('utf8')) {
        wrong.push(`${JSON.stringify(fmt)} ${JSON.stringify(values, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}: ` +
          `C ${JSON.stringify(cbytes.toString('latin1'))}, ours ${JSON.stringify(Buffer.from(buf.subarray(0, n)).toString('latin1'))}`);
      }
    });
    expect(wrong.slice(0, 10)).toEqual([]);
  });
});

describe('sscanf agrees with the C library', () => {
  // formats x inputs; each format's targets are ints ('i') or text ('s', 64 bytes).
  const formats: Array<[string, string]> = [
    ['%d', 'i'], ['%i', 'i'], ['%x', 'i'], ['%o', 'i'], ['%u', 'i'], ['%hhd', 'i'], ['%s', 's'], ['%c', 's'],
    ['%3c', 's'], ['%[a-z]', 's'], ['%[^\\n]', 's'], ['%d %s', 'is'], ['%2d%3s', 'is'], ['%*d %d', 'i'],
    ['%s %s %s', 'sss'], ['x=%d,y=%d', 'ii'], ['%d%%', 'i'], ['%[0-9a-f]:%d', 'si'],
  ];
  const inputs = ['42', '  -17 abc', '0x1F', '077', 'abc', '', 'hello world\n', '12345678', 'x=3,y=-4', '300%',
    'GET /home.html HTTP/1.1', 'beef:9'];
  function c_program(): string {
    const lines: string[] = [];
    formats.forEach(([fmt, types], f) => {
      inputs.forEach((input, k) => {
        // each target in C has the type its conversion writes
        const convs = [...fmt.matchAll(/%(\*?)[0-9]*(hh)?([diuxoc]|s|\[[^\]]*\])/g)].filter((m) => m[1] !== '*');
        const ctype = convs.map((m) => (m[3].length > 1 || 'cs'.includes(m[3]) ? 'char' : m[2] ? 'signed char' : 'di'.includes(m[3]) ? 'int' : 'unsigned'));
        const decl = [...types].map((t, j) => `${ctype[j]} v${j}${t === 's' ? '[64]' : ''}`).join('; ');
        const cfmt = fmt;
        const ptrs = [...types].map((t, j) => (t === 's' ? `v${j}` : `&v${j}`)).join(', ');
        const show = [...types].map((t, j) => (t === 's' ? `hex(n > ${j} ? v${j} : "")` :
          `printf(" %lld", n > ${j} ? (long long)v${j} : 0LL)`)).join('; ');
        lines.push(`  { ${decl}; memset(&v0, 0, sizeof v0); ${types.length > 1 ? 'memset(&v1, 0, sizeof v1);' : ''}` +
          ` ${types.length > 2 ? 'memset(&v2, 0, sizeof v2);' : ''} int n = sscanf(${cstr(input)}, ${cstr(cfmt)}, ${ptrs});` +
          ` printf("%d", n); ${show}; printf("\\n"); } /* ${f} ${k} */`);
      });
    });
    return ['#include <stdio.h>', '#include <string.h>',
      'static void hex(const char *s) { printf(" ["); for (; *s; s++) printf("%02x", (unsigned char)*s); printf("]"); }',
      'int main(void) {', ...lines, 'return 0; }', ''].join('\n');
  }
  function run_c(): string[] | null {
    const probe = spawnSync('cc', ['--version'], { timeout: 10_000 });
    if (probe.error || probe.status !== 0) return null;
    const dir = mkdtempSync(join(tmpdir(), 'syscall-lab-sscanf-'));
    try {
      writeFileSync(join(dir, 's.c'), c_program());
      const cc = spawnSync('cc', ['-w', '-o', join(dir, 's'), join(dir, 's.c')], { encoding: 'utf8', timeout: 120_000 });
      if (cc.status !== 0) throw new Error(cc.stderr);
      return spawnSync(join(dir, 's'), [], { encoding: 'utf8', timeout: 30_000 }).stdout.trimEnd().split('\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const c = run_c();
  it.skipIf(c === null)('for every format and input of the table, the count and the values (needs cc)', () => {
    const ours: string[] = [];
    for (const [fmt, types] of formats) {
      for (const input of inputs) {
        const cells = [...types].map((t) => cell<unknown>(t === 's' ? '' : 0));
        const n = sscanf(input, fmt, ...cells);
        const shown = [...types].map((t, j) => (t === 's' ? ` [${n > j ? Buffer.from(cells[j].value as string).toString('hex') : ''}]` : ` ${n > j ? cells[j].value : 0}`));
        ours.push(`${n}${shown.join('')}`);
      }
    }
    expect(c!.length).toBe(formats.length * inputs.length);
    const wrong = ours.map((o, k) => [o, c![k], formats[Math.floor(k / inputs.length)][0], inputs[k % inputs.length]])
      .filter(([o, theirs]) => o !== theirs);
    expect(wrong.slice(0, 10)).toEqual([]);
  });
});
