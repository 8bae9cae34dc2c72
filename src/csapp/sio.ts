// CSAPP's SIO package: the output its signal handlers use, because printf is
// not async-signal-safe. Each call is one write(2) to stdout, unbuffered, so
// that it comes out where it happens, before anything printf or console.log
// still holds. (TypeScript handlers run at safe points, so printf would be
// safe here; these are for code ported from the book.)
import { write, _exit } from '../sys/index.js';

const encoder = new TextEncoder();

/** sio_puts(s): writes s to stdout with one write; its count, or -1 with errno. */
export function sio_puts(s: string): number {
  const bytes = encoder.encode(s);
  return write(1, bytes, bytes.length);
}

/** sio_putl(v): writes the integer v in decimal. */
export function sio_putl(v: number | bigint): number {
  if (typeof v === 'number' && !Number.isInteger(v)) throw new RangeError(`sio_putl: ${v} is not an integer`);
  return sio_puts(String(v));
}

/** sio_error(s): writes s, then ends the process with _exit(1). */
export function sio_error(s: string): never {
  sio_puts(s);
  _exit(1);
}

/** Sio_puts: sio_puts, or sio_error("Sio_puts error"). */
export function Sio_puts(s: string): number {
  const n = sio_puts(s);
  if (n < 0) sio_error('Sio_puts error');
  return n;
}

/** Sio_putl: sio_putl, or sio_error("Sio_putl error"). */
export function Sio_putl(v: number | bigint): number {
  const n = sio_putl(v);
  if (n < 0) sio_error('Sio_putl error');
  return n;
}

/** Sio_error: sio_error. */
export function Sio_error(s: string): never {
  sio_error(s);
}
