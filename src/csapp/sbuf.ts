// CSAPP's sbuf: a bounded buffer of fds shared by a producer (the main
// thread, accepting) and consumers (the worker threads), guarded by a
// semaphore used as a mutex, and two counting semaphores: free slots and
// available items.
import { sem_t } from '../sys/index.js';
import { Sem_init, P, V } from './thread.js';
import { kind } from './kind.js';

export class sbuf_t {
  buf: Int32Array = new Int32Array(0);
  n = 0; // the number of slots
  front = 0; // buf[(front + 1) % n] is the first item
  rear = 0; // buf[rear % n] is the last item
  mutex = new sem_t(); // protects the accesses to buf
  slots = new sem_t(); // counts the available slots
  items = new sem_t(); // counts the available items
}

function check_sbuf(fn: string, sp: unknown): void {
  if (!(sp instanceof sbuf_t)) throw new TypeError(`${fn}: sp must be an sbuf_t: const sp = new sbuf_t(); sbuf_init(sp, n), got ${kind(sp)}`);
}

/** sbuf_init(sp, n): an empty buffer of n slots. */
export function sbuf_init(sp: sbuf_t, n: number): void {
  check_sbuf('sbuf_init', sp);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`sbuf_init: n must be a positive integer, got ${String(n)}`);
  sp.buf = new Int32Array(n);
  sp.n = n;
  sp.front = sp.rear = 0;
  Sem_init(sp.mutex, 0, 1); // binary semaphore for locking
  Sem_init(sp.slots, 0, n); // initially, buf has n empty slots
  Sem_init(sp.items, 0, 0); // initially, buf has zero data items
}

/** sbuf_insert(sp, item): waits for a free slot, then adds item at the rear. */
export function sbuf_insert(sp: sbuf_t, item: number): void {
  check_sbuf('sbuf_insert', sp);
  P(sp.slots); // wait for an available slot
  P(sp.mutex); // lock the buffer
  sp.buf[++sp.rear % sp.n] = item; // insert the item
  V(sp.mutex); // unlock the buffer
  V(sp.items); // announce an available item
}

/** sbuf_remove(sp): waits for an item, then removes and returns the first one. */
export function sbuf_remove(sp: sbuf_t): number {
  check_sbuf('sbuf_remove', sp);
  P(sp.items); // wait for an available item
  P(sp.mutex); // lock the buffer
  const item = sp.buf[++sp.front % sp.n]; // remove the item
  V(sp.mutex); // unlock the buffer
  V(sp.slots); // announce an available slot
  return item;
}
