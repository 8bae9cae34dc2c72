// The server under test, as a process tree the grader owns: started in its own
// session (setsid: its own process group), with a mark in its environment;
// every process that descends from it is tracked (by parent, by group and
// session, by the mark, which a double fork and setsid keep), and all of them
// are ended by pid at the end, even a server that hangs, ignores SIGTERM or
// forks away. The `check` command also makes the grader the servers'
// subreaper (PR_SET_CHILD_SUBREAPER): an orphan of theirs becomes the
// grader's child, so a daemon that leaves the tree, its session and its
// environment before the first look is seen all the same, and reaped.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { all_stats, environ_has, listening_ports, stat_of } from '../procfs.js';
import { PR_SET_CHILD_SUBREAPER, prctl, waitpid, WNOHANG } from '../../sys/index.js';

export const GRADE_MARK = 'SYSCALL_LAB_GRADE';

let subreaper = false;

/**
 * Makes this process the subreaper of the servers it starts from now on
 * (Linux): their orphans become its children. For the `check` command only:
 * in a process that runs other things (a test runner) it would adopt their
 * orphans too. False where prctl is missing; the other ways still track.
 */
export function adopt_orphans(): boolean {
  if (!subreaper) subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1) === 0;
  return subreaper;
}

/** Whether pid is an orphan this process adopted: its child, not one libuv spawned (whose status libuv waits for). */
function adopted(ppid: number, pid: number): boolean {
  if (!subreaper || ppid !== process.pid) return false;
  for (const s of live) if (s.pid === pid) return false;
  return true;
}

export type StartFailure =
  | { kind: 'spawn'; detail: string } // no such program, not executable
  | { kind: 'exited'; detail: string } // ended before accepting
  | { kind: 'never-listens'; detail: string }
  | { kind: 'wrong-port'; detail: string; ports: number[] };

/** A port nobody listens on now (the kernel's choice, then closed). */
export function free_port(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One connect attempt, bounded: true when the server accepted (then closed at once). */
export function can_connect(host: string, port: number, ms = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

export class ServerUnderTest {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly mark: string;
  /** Every process seen descending from the server: pid -> starttime. */
  readonly tracked = new Map<number, number>();
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  spawnError: string | null = null;
  /** The last 4 KiB of what the server wrote (stdout and stderr are drained, so it never blocks on them). */
  output = '';
  private readonly startTime: number;
  private readonly timer: NodeJS.Timeout;
  private exited: Promise<void>;

  constructor(readonly command: string[], readonly host: string, readonly port: number) {
    this.mark = `${GRADE_MARK}=${randomBytes(8).toString('hex')}`;
    const [name, value] = this.mark.split('=');
    this.child = spawn(command[0], command.slice(1), {
      detached: true, // setsid(): its own session and process group
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, [name]: value },
    });
    this.pid = this.child.pid ?? -1;
    const keep = (d: Buffer) => { this.output = (this.output + d.toString('utf8')).slice(-4096); };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => { this.spawnError = err.message; resolve(); });
      this.child.on('exit', (code, signal) => { this.exit = { code, signal }; resolve(); });
    });
    const root = this.pid > 0 ? stat_of(this.pid) : null;
    this.startTime = root?.starttime ?? 0;
    if (root) this.tracked.set(this.pid, root.starttime);
    live.add(this);
    this.timer = setInterval(() => this.scan(), 100);
    this.timer.unref();
  }

  get alive(): boolean {
    return this.exit === null && this.spawnError === null;
  }

  /** Adds the processes that descend from the server, by any of the ways a process may leave it. */
  scan(): void {
    if (this.pid <= 0) return;
    const stats = all_stats();
    let grew = true;
    while (grew) {
      grew = false;
      for (const s of stats) {
        if (this.tracked.has(s.pid) || s.starttime < this.startTime) continue;
        if (this.tracked.has(s.ppid) || s.pgrp === this.pid || s.session === this.pid || environ_has(s.pid, this.mark) ||
            adopted(s.ppid, s.pid)) {
          this.tracked.set(s.pid, s.starttime);
          grew = true;
        }
      }
    }
  }

  /**
   * The tracked processes still running (zombies are dead: only their
   * parent's wait is missing). The adopted ones that are zombies are reaped
   * here: their parent is this process.
   */
  living(): number[] {
    const out: number[] = [];
    for (const [pid, start] of this.tracked) {
      const s = stat_of(pid);
      if (!s || s.starttime !== start) continue;
      if (s.state !== 'Z' && s.state !== 'X') out.push(pid);
      else if (adopted(s.ppid, pid)) waitpid(pid, null, WNOHANG);
    }
    return out;
  }

  /** Waits until the server accepts a connection on its port, or says why it never will. */
  async accepting(timeoutMs: number): Promise<StartFailure | null> {
    const deadline = performance.now() + timeoutMs;
    await sleep(20);
    while (performance.now() < deadline) {
      if (this.spawnError !== null) return { kind: 'spawn', detail: `cannot start ${this.command[0]}: ${this.spawnError}` };
      if (this.exit) return { kind: 'exited', detail: `exited (${this.exit.code ?? this.exit.signal}) before accepting a connection` };
      if (await can_connect(this.host, this.port, 300)) return null;
      await sleep(100);
    }
    if (this.exit) return { kind: 'exited', detail: `exited (${this.exit.code ?? this.exit.signal}) before accepting a connection` };
    this.scan();
    const ports = listening_ports(this.living()).filter((p) => p !== this.port);
    if (ports.length) return { kind: 'wrong-port', ports, detail: `listens on port ${ports.join(', ')}, not on ${this.port} (is {port} in the command?)` };
    return { kind: 'never-listens', detail: `not accepting on ${this.host}:${this.port} after ${(timeoutMs / 1000).toFixed(0)} s` };
  }

  /** Sends sig to the server's process group (as Ctrl-C or `kill -- -PGID` does). */
  signalGroup(sig: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, sig);
    } catch {
      // the group is empty already
    }
  }

  /** Waits until the server itself has exited, at most ms; true if it has. */
  async waitExit(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise<void>((r) => { timer = setTimeout(r, ms); })]);
    clearTimeout(timer);
    return !this.alive;
  }

  /** Ends the server and everything it started, by pid, with SIGKILL; bounded. */
  async end(): Promise<number[]> {
    clearInterval(this.timer);
    const deadline = performance.now() + 5000;
    let left: number[] = [];
    do {
      this.scan();
      this.kill_all();
      await sleep(50);
      left = this.living();
    } while (left.length && performance.now() < deadline);
    await this.waitExit(1000);
    live.delete(this);
    return left;
  }

  /** SIGKILL to the group and to every tracked pid that is still the process we saw. */
  kill_all(): void {
    if (this.pid <= 0) return;
    this.signalGroup('SIGKILL');
    for (const [pid, start] of this.tracked) {
      if (stat_of(pid)?.starttime !== start) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

// Servers still running when the grader exits (an error, a Ctrl-C) are ended too.
const live = new Set<ServerUnderTest>();
process.on('exit', () => {
  for (const s of live) {
    s.scan();
    s.kill_all();
  }
});
