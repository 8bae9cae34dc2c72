// The grader's clients: node:net sockets on loopback, where every wait has a
// bound (a server that never answers costs a timeout, never a hang).
import { connect, type Socket } from 'node:net';

export class Client {
  private chunks: Buffer[] = [];
  private received = 0;
  eof = false;
  error: string | null = null;
  private wake: (() => void) | null = null;

  private constructor(readonly sock: Socket) {
    sock.on('data', (d: Buffer) => { this.chunks.push(d); this.received += d.length; this.poke(); });
    sock.on('end', () => { this.eof = true; this.poke(); });
    sock.on('error', (e: NodeJS.ErrnoException) => { this.error = e.code ?? e.message; this.poke(); });
    sock.on('close', () => this.poke());
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Resolves true when cond() holds, false after ms. */
  private async until(cond: () => boolean, ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (!cond()) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((r) => {
        this.wake = r;
        timer = setTimeout(r, left);
      });
      clearTimeout(timer);
    }
    return true;
  }

  /** Connects to host:port within ms, or throws. */
  static open(host: string, port: number, ms = 3000): Promise<Client> {
    return new Promise((resolve, reject) => {
      const sock = connect({ host, port });
      sock.setNoDelay(true);
      const timer = setTimeout(() => { sock.destroy(); reject(new Error(`connect to ${host}:${port}: no answer in ${ms} ms`)); }, ms);
      sock.once('connect', () => { clearTimeout(timer); resolve(new Client(sock)); });
      sock.once('error', (e: NodeJS.ErrnoException) => { clearTimeout(timer); reject(new Error(`connect to ${host}:${port}: ${e.code ?? e.message}`)); });
    });
  }

  /** Queues bytes for the kernel (does not wait for the server). */
  write(bytes: Uint8Array | string): void {
    if (!this.sock.destroyed) this.sock.write(bytes);
  }

  /** The bytes received so far (all of them, concatenated). */
  data(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  get bytes(): number {
    return this.received;
  }

  /** Waits until at least n bytes came in total; false after ms (or if the connection ended first). */
  has(n: number, ms: number): Promise<boolean> {
    return this.until(() => this.received >= n || this.eof || this.error !== null || this.sock.destroyed, ms)
      .then(() => this.received >= n);
  }

  /** Waits for the server's FIN (read returns 0); false after ms. */
  end_seen(ms: number): Promise<boolean> {
    return this.until(() => this.eof || this.error !== null, ms).then(() => this.eof);
  }

  /** Stops reading: the kernel's buffers fill and the server's writes block. */
  stop_reading(): void {
    this.sock.pause();
  }

  /** shutdown(SHUT_WR): the server reads EOF; we can still read. */
  half_close(): void {
    this.sock.end();
  }

  /** close() with SO_LINGER 0: the server gets an RST. */
  reset(): void {
    if (!this.sock.destroyed) this.sock.resetAndDestroy();
  }

  close(): void {
    this.sock.destroy();
  }
}

/** Sends `lines` (as one buffer, or in `pieces` writes apart by gapMs) and checks every byte comes back. */
export async function echo_exchange(c: Client, payload: Buffer, ms: number, pieces = 1, gapMs = 0): Promise<{ ok: boolean; got: number }> {
  const start = c.bytes;
  const size = Math.ceil(payload.length / pieces);
  for (let i = 0; i < payload.length; i += size) {
    c.write(payload.subarray(i, i + size));
    if (gapMs && i + size < payload.length) await new Promise((r) => setTimeout(r, gapMs));
  }
  await c.has(start + payload.length, ms);
  const got = c.data().subarray(start, start + payload.length);
  return { ok: got.length === payload.length && got.equals(payload), got: got.length };
}
