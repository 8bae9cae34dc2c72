// C's formatted output: sprintf / snprintf against the C library itself. The
// cases are generated (conversions x flags x widths x precisions x values),
// compiled into a C program with cc at test time, and each output compared
// byte for byte. Then printf / fprintf on real fds, the errors, and sscanf.
import { describe, expect, it, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipe, read, close, errno, set_errno, EPIPE, STDERR_FILENO } from '../src/sys/index.js';
import { sprintf, snprintf, fprintf, dprintf, sscanf, cell, EOF } from '../src/index.js';
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
      for (const width of ['', '2', '12']) {
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
  const float_values = [0, -0, 0.5, 1.5, 2.5, 0.125, 0.1, 1e-5, 9.9999999, 123456.789, 1e21, 5e-324, 1.9999999999,
    -1.7976931348623157e308, NaN, Infinity, -Infinity, 100, 0.000123456];
  const float_fw = ['', '-14', '+', ' 14', '014', '#', '+014', '#14'];
  for (const conv of ['f', 'F', 'e', 'E', 'g', 'G', 'a', 'A']) {
    for (const fw of float_fw) {
      for (const prec of ['', '.0', '.3', '.17']) {
        for (const v of float_values) out.push({ fmt: `%${fw}${prec}${conv}`, args: [dbl(v)] });
      }
    }
  }
  // Long expansions: every digit of a huge or tiny double.
  for (const v of [1e300, 2 ** -1074, 1 / 3, 2 ** 60 + 2 ** 8, 0.1]) {
    for (const fmt of ['%.60f', '%.40e', '%.30g', '%#.0e', '%#.0f', '%#g', '%.0e', '%.99f', '%.1a', '%.20a', '%#.0a']) {
      out.push({ fmt, args: [dbl(v)] });
    }
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

/** Whether there is a C compiler: without one, the comparisons with the C library are skipped. */
function has_cc(): boolean {
  const probe = spawnSync('cc', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return !probe.error && probe.status === 0;
}
const cc_found = has_cc();

/** Compiles a C program that prints snprintf's bytes (in hex) for every case. */
function c_outputs(list: Case[]): string[] {
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
  it.skipIf(!cc_found)('byte for byte, for every generated case (needs cc)', () => {
    const list = cases();
    const c = c_outputs(list);
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
  }, 180_000);
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
  function run_c(): string[] {
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
  it.skipIf(!cc_found)('for every format and input of the table, the count and the values (needs cc)', () => {
    const c = run_c();
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
  }, 120_000);
});

describe('printf, fprintf and dprintf write to the fd', () => {
  const from_pipe = (fd: number) => {
    const buf = new Uint8Array(4096);
    const n = read(fd, buf, buf.length);
    return Buffer.from(buf.subarray(0, n)).toString('utf8');
  };
  it('fprintf and dprintf format into a pipe; the count is in bytes', () => {
    const p: number[] = [];
    expect(pipe(p)).toBe(0);
    fds.add(p[0]);
    fds.add(p[1]);
    expect(fprintf(p[1], '%s=%-4d|%5.2f|%c\n', 'né', 7, 2.345, 65)).toBe(17);
    expect(dprintf(p[1], '%x %%\n', 255)).toBe(5);
    expect(fprintf(p[1], 'as it is: 100%\n')).toBe(15); // no arguments: the text as it is
    expect(from_pipe(p[0])).toBe('né=7   | 2.35|A\nff %\nas it is: 100%\n');
  });
  it('printf writes the formatted text to fd 1; printf(text) alone writes text unchanged', () => {
    const code = `import { printf, sprintf } from './dist/src/index.js';
      printf('%d %s %5.1f|%-3c|%%\\n', 42, 'str', 3.14159, 'x');
      printf(\`\${'50%'} done, %d\\n\`);
      printf('%s\\n', sprintf('%08.3e', -12345.678));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('42 str   3.1|x  |%\n50% done, %d\n-1.235e+04\n');
  });
  it('a write error is -1 with errno, as in C', () => {
    const p: number[] = [];
    expect(pipe(p)).toBe(0);
    fds.add(p[1]);
    close(p[0]);
    set_errno(0);
    expect(dprintf(p[1], '%d\n', 1)).toBe(-1); // EPIPE: Node ignores SIGPIPE
    expect(errno()).toBe(EPIPE);
  });
  it('fprintf takes process.stderr as fd 2; other streams are a TypeError', () => {
    expect(fprintf(process.stderr, '')).toBe(0);
    expect(fprintf(STDERR_FILENO, '%s', '')).toBe(0);
    expect(() => fprintf({} as never, 'x')).toThrow(/fprintf: the stream must be an fd/);
  });
});

describe('sprintf and snprintf into a buffer', () => {
  it('snprintf writes at most size - 1 bytes and a 0 byte, and returns the whole length', () => {
    const buf = new Uint8Array(8).fill(0x2a);
    expect(snprintf(buf, 5, '%d-%s', 1234, 'abcdef')).toBe(11);
    expect([...buf]).toEqual([0x31, 0x32, 0x33, 0x34, 0, 0x2a, 0x2a, 0x2a]);
    expect(snprintf(buf, 0, '%s', 'xyz')).toBe(3); // size 0: nothing written
    expect(buf[0]).toBe(0x31);
    expect(() => snprintf(buf, 9, 'x')).toThrow(RangeError);
    expect(() => snprintf('buf' as never, 3, 'x')).toThrow(/snprintf: buf must be a Uint8Array/);
  });
  it('sprintf(buf, ...) is C\'s: the bytes and a 0 byte; a RangeError where C would overflow', () => {
    const buf = new Uint8Array(6);
    expect(sprintf(buf, '%03d%s', 7, 'é')).toBe(5);
    expect([...buf]).toEqual([0x30, 0x30, 0x37, 0xc3, 0xa9, 0]);
    expect(() => sprintf(buf, '%s', 'sixsix')).toThrow(/do not fit in buf \(6 bytes\)/);
  });
});

describe('a wrong argument is a TypeError that names the conversion', () => {
  it.each([
    [['%d and %s', 1], TypeError, /%s \(conversion 2 of the format\) has no argument/],
    [['%d', 'x'], TypeError, /%d \(argument 1\) wants an integer or a bigint, got a string \("x"\)/],
    [['%d', 1.5], TypeError, /%d \(argument 1\) wants an integer.*%f prints a fraction/],
    [['%s', 42], TypeError, /%s \(argument 1\) wants a string or a Uint8Array \(a char buffer\), got a number \(42\); %d prints a number/],
    [['%f', '1.0'], TypeError, /%f \(argument 1\) wants a number, got a string/],
    [['%c', 'ab'], TypeError, /%c \(argument 1\) wants a char code/],
    [['%p', -1], TypeError, /%p \(argument 1\) wants an address/],
    [['%*d', 'w', 1], TypeError, /the '\*' width of %\*d wants an integer/],
    [['%d', 1, 2], TypeError, /2 arguments after the format, which takes 1/],
    [['%d', 2 ** 40], RangeError, /does not fit in an int; use %ld/],
    [['%ld', 2n ** 64n], RangeError, /does not fit in a long/],
    [['100%'], TypeError, /"%" at the end is not a conversion/],
    [['%n', cell(0)], TypeError, /%n is not supported/],
    [['%a', 'x'], TypeError, /%a \(argument 1\) wants a number, got a string/],
    [['%y', 1], TypeError, /"%y" is not a conversion printf knows/],
  ])('sprintf case %#: %s', (args, type, message) => {
    const [fmt, ...rest] = args as [string, ...unknown[]];
    expect(() => sprintf(fmt, ...rest)).toThrow(type);
    expect(() => sprintf(fmt, ...rest)).toThrow(message);
  });
  it('bigints, and numbers past 2^53, print exactly with %ld; %hhd truncates as C', () => {
    expect(sprintf('%ld %lu %llx', 2n ** 62n, -1, 2 ** 60)).toBe('4611686018427387904 18446744073709551615 1000000000000000');
    expect(sprintf('%hhd %hu %d', 300, -1, -1)).toBe('44 65535 -1');
    expect(sprintf('%p %p', null, 0x7fff0000)).toBe('(nil) 0x7fff0000');
    expect(sprintf('%s|%.3s', new Uint8Array([104, 105, 0, 120]), new Uint8Array([97, 98, 99, 100]))).toBe('hi|abc');
  });
});

describe('sscanf: targets and errors', () => {
  it('reads Tiny\'s request line into cells, and into Uint8Arrays with a 0 byte', () => {
    const method = cell(''), uri = new Uint8Array(64), version = cell('');
    expect(sscanf('GET /cgi-bin/adder?1&2 HTTP/1.0\r\n', '%s %s %s', method, uri, version)).toBe(3);
    expect(method.value).toBe('GET');
    expect(Buffer.from(uri.subarray(0, uri.indexOf(0))).toString()).toBe('/cgi-bin/adder?1&2');
    expect(version.value).toBe('HTTP/1.0');
    const n1 = cell(0), n2 = cell(0);
    expect(sscanf('1&2', '%d&%d', n1, n2)).toBe(2);
    expect([n1.value, n2.value]).toEqual([1, 2]);
    expect(sscanf(new Uint8Array([0x25, 0x37, 0, 0x39]), '%%%d', n1)).toBe(1); // a C buffer: up to its 0 byte
    expect(n1.value).toBe(7);
    expect(sscanf('', '%d', n1)).toBe(EOF);
  });
  it('a target missing, left over, or not a cell is a TypeError that names the conversion', () => {
    expect(() => sscanf('1', '%d', 5 as never)).toThrow(/sscanf: %d \(argument 3\) stores into a cell/);
    expect(() => sscanf('1 2', '%d %d', cell(0))).toThrow(/%d \(argument 4\) has nothing to store into/);
    expect(() => sscanf('1', '%d', cell(0), cell(0))).toThrow(/2 targets after the format, which stores 1/);
    expect(() => sscanf('hello', '%s', new Uint8Array(3))).toThrow(RangeError);
    expect(() => sscanf(42 as never, '%d', cell(0))).toThrow(/sscanf: str must be a string or a Uint8Array/);
  });
});
