// read, write, send and recv have two paths (native/fastcall.h): a V8 callback for the
// common case and the Node-API version for everything else. Both must give
// the same bytes, the same results and the same errors, whatever is passed.
import { afterEach, describe, expect, it } from 'vitest';
import {
  read, write, send, recv, errno, socketpair, AF_UNIX, SOCK_STREAM, EBADF, EAGAIN, ENOTSOCK, MSG_PEEK, MSG_DONTWAIT, pipe,
} from '../src/sys/index.js';
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

describe('send / recv: the fast and the Node-API path agree', () => {
  it('bytes, counts and flags: absent, undefined or an int go the fast way; the rest is refused as before', () => {
    const [a, b] = pair();
    const buf = new Uint8Array(16).map((_, i) => i);
    expect(send(a, buf)).toBe(16);
    expect(send(a, buf, undefined)).toBe(16);
    expect(send(a, buf, 4, undefined)).toBe(4);
    expect(send(a, buf, 4, 0)).toBe(4);
    expect(send(a, new Uint16Array(2) as unknown as Uint8Array, 4, 0)).toBe(4); // the Node-API path
    const into = new Uint8Array(64);
    expect(recv(b, into, 4, MSG_PEEK)).toBe(4); // MSG_PEEK: the bytes stay
    expect([...into.subarray(0, 4)]).toEqual([0, 1, 2, 3]);
    expect(recv(b, into, 64, 0)).toBe(44); // 16 + 16 + 4 + 4 + 4
    expect([...into.subarray(32, 40)]).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    expect(recv(b, into, 64, MSG_DONTWAIT)).toBe(-1); // nothing left, and no wait
    expect(errno()).toBe(EAGAIN);
    expect(recv(b, into)).toBe(-1); // a bound_io fd: the wait ends with EAGAIN too, after 2 s at most
    expect(() => send(a, buf, 17, 0)).toThrow(RangeError);
    expect(() => send(a, buf, 4, '0' as unknown as number)).toThrow(TypeError);
    expect(() => recv(b, into, 4, 1.5)).toThrow(RangeError);
    expect(() => recv(b, 'abc' as unknown as Uint8Array, 3, 0)).toThrow(/encode it first/);
  }, 10_000);

  it('errno as in C: EBADF for a closed fd, ENOTSOCK for a pipe', () => {
    expect(send(-1, new Uint8Array(4), 4, 0)).toBe(-1);
    expect(errno()).toBe(EBADF);
    const p: number[] = [];
    expect(pipe(p)).toBe(0);
    for (const fd of p) fds.add(fd);
    expect(recv(p[0], new Uint8Array(4), 4, 0)).toBe(-1);
    expect(errno()).toBe(ENOTSOCK);
  });

  it('they are plain functions named as in C', () => {
    expect(send.name).toBe('send');
    expect(recv.name).toBe('recv');
    expect(() => new (send as unknown as new () => object)()).toThrow(TypeError);
  });
});
