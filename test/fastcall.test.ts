// read and write have two paths (native/fastcall.h): a V8 callback for the
// common case and the Node-API version for everything else. Both must give
// the same bytes, the same results and the same errors, whatever is passed.
import { afterEach, describe, expect, it } from 'vitest';
import { read, write, errno, socketpair, AF_UNIX, SOCK_STREAM, EBADF } from '../src/sys/index.js';
import { FdScope, bound_io } from './helpers.js';

const fds = new FdScope();
afterEach(() => fds.closeAll());

function pair(): [number, number] {
  const sv: number[] = [];
  expect(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)).toBe(0);
  for (const fd of sv) bound_io(fds.add(fd), 2000);
  return [sv[0], sv[1]];
}

describe('read / write: the fast and the Node-API path agree', () => {
  it('every kind of buffer moves the same bytes', () => {
    const [a, b] = pair();
    const big = new Uint8Array(new ArrayBuffer(4096), 100, 64); // off-heap, with an offset
    const kinds: Array<[string, () => ArrayBufferView]> = [
      ['Buffer', () => Buffer.alloc(8)],
      ['small Uint8Array (on the V8 heap)', () => new Uint8Array(8)],
      ['subarray with an offset', () => big.subarray(3, 11)],
      ['Uint16Array (Node-API path)', () => new Uint16Array(4)],
      ['DataView (Node-API path)', () => new DataView(new ArrayBuffer(8))],
    ];
    for (const [name, make] of kinds) {
      const out = make();
      new Uint8Array(out.buffer, out.byteOffset, 8).set([1, 2, 3, 4, 5, 6, 7, name.length]);
      expect(write(a, out as Uint8Array), name).toBe(8);
      const into = make();
      expect(read(b, into as Uint8Array), name).toBe(8);
      expect([...new Uint8Array(into.buffer, into.byteOffset, 8)], name).toEqual([1, 2, 3, 4, 5, 6, 7, name.length]);
    }
  });

  it('the count: absent, undefined, 0 and exact work; the rest is refused before the call', () => {
    const [a, b] = pair();
    const buf = new Uint8Array(16).fill(7);
    expect(write(a, buf)).toBe(16);
    expect(write(a, buf, undefined)).toBe(16);
    expect(write(a, buf, 0)).toBe(0);
    expect(write(a, buf, 4)).toBe(4);
    expect(read(b, new Uint8Array(64), 36)).toBe(36);
    expect(() => write(a, buf, 17)).toThrow(RangeError);
    expect(() => write(a, buf, -1)).toThrow(RangeError);
    expect(() => write(a, buf, 1.5)).toThrow(RangeError);
    expect(() => write(a, buf, 2 ** 40)).toThrow(RangeError);
    expect(() => read(b, buf, '4' as unknown as number)).toThrow(TypeError);
    expect(() => read(1.5, buf)).toThrow(RangeError);
    expect(() => read('0' as unknown as number, buf)).toThrow(TypeError);
    expect(() => read(b, 'abc' as unknown as Uint8Array)).toThrow(/encode it first/);
    expect(() => (read as unknown as () => number)()).toThrow(TypeError);
  });

  it('a failed fast call sets errno as in C', () => {
    expect(read(-1, new Uint8Array(4))).toBe(-1);
    expect(errno()).toBe(EBADF);
    expect(write(1 << 30, Buffer.alloc(4), 4)).toBe(-1);
    expect(errno()).toBe(EBADF);
  });

  it('they are plain functions named as in C, not constructors', () => {
    expect(read.name).toBe('read');
    expect(write.name).toBe('write');
    expect(() => new (read as unknown as new () => object)()).toThrow(TypeError);
  });
});
