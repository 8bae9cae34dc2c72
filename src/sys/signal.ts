// Signals with TypeScript handlers, as CPython does them (PEP 475): the C
// handler records the signal; the handler below runs at the next safe point,
// inside the blocking call that the signal interrupted, or on the event loop
// when it is idle. The interrupted call then restarts (SA_RESTART, for the
// calls that C restarts: signal(7)) or returns -1 with errno EINTR. A handler
// that throws unwinds out of that call.
import { writeSync } from 'node:fs';
import { native, type Cell } from './native.js';
import { set_errno } from './errno.js';
import { EINVAL, NSIG, SA_RESETHAND, SA_RESTART, SA_SIGINFO } from './constants.js';
import { check_cell, check_int } from './args.js';

/** The default action. */
export const SIG_DFL = Symbol('SIG_DFL');
/** Ignore the signal. */
export const SIG_IGN = Symbol('SIG_IGN');
/** What signal() returns on failure, as C's SIG_ERR. */
export const SIG_ERR = Symbol('SIG_ERR');

export type sighandler_t = ((signum: number) => void) | typeof SIG_DFL | typeof SIG_IGN;

/**
 * siginfo_t: what the kernel says of a signal, for an SA_SIGINFO handler.
 * Standard signals do not queue: a signal that comes again while it is
 * pending is merged, and the handler sees the first one's siginfo.
 */
export class siginfo_t {
  si_signo = 0;
  si_errno = 0;
  /**
   * Who sent it: SI_USER (kill), SI_TKILL (raise, pthread_kill; Linux),
   * SI_QUEUE, SI_KERNEL (Linux); for SIGCHLD, what the child did: CLD_EXITED,
   * CLD_KILLED, CLD_DUMPED, CLD_STOPPED, CLD_CONTINUED.
   */
  si_code = 0;
  /** The process that sent the signal, or for SIGCHLD the child; 0 for the kernel's own. */
  si_pid = 0;
  /** The real user id of that process. */
  si_uid = 0;
  /** SIGCHLD: the exit status (CLD_EXITED), else the signal that stopped or ended the child. */
  si_status = 0;
}

/** An SA_SIGINFO handler, as C's sa_sigaction (there is no ucontext: it is null). */
export type sigaction_t = ((signum: number, info: siginfo_t, ucontext: null) => void) | typeof SIG_DFL | typeof SIG_IGN;

/** sigset_t: a set of signals. Use sigemptyset / sigaddset... as in C. */
export class sigset_t {
  readonly signals = new Set<number>();
}

const valid = (signum: number) => Number.isInteger(signum) && signum >= 1 && signum < Math.min(NSIG, 65);

/** sigemptyset(set): 0. */
export function sigemptyset(set: sigset_t): number {
  set.signals.clear();
  return 0;
}
/** sigfillset(set): every signal; 0. */
export function sigfillset(set: sigset_t): number {
  for (let s = 1; valid(s); s++) set.signals.add(s);
  return 0;
}
/** sigaddset(set, signum): 0, or -1 with EINVAL. */
export function sigaddset(set: sigset_t, signum: number): number {
  if (!valid(signum)) return (set_errno(EINVAL), -1);
  set.signals.add(signum);
  return 0;
}
/** sigdelset(set, signum): 0, or -1 with EINVAL. */
export function sigdelset(set: sigset_t, signum: number): number {
  if (!valid(signum)) return (set_errno(EINVAL), -1);
  set.signals.delete(signum);
  return 0;
}
/** sigismember(set, signum): 1, 0, or -1 with EINVAL. */
export function sigismember(set: sigset_t, signum: number): number {
  if (!valid(signum)) return (set_errno(EINVAL), -1);
  return set.signals.has(signum) ? 1 : 0;
}

/** struct sigaction (named so because TypeScript cannot have a type and a function of one name). */
export class struct_sigaction {
  #handler: sighandler_t | sigaction_t = SIG_DFL;
  /** The handler, called as (signum). One member of a union with sa_sigaction, as in C: setting one sets both. */
  get sa_handler(): sighandler_t {
    return this.#handler as sighandler_t;
  }
  set sa_handler(h: sighandler_t) {
    this.#handler = h;
  }
  /** The handler, called as (signum, info, null) when sa_flags has SA_SIGINFO. */
  get sa_sigaction(): sigaction_t {
    return this.#handler as sigaction_t;
  }
  set sa_sigaction(h: sigaction_t) {
    this.#handler = h;
  }
  /** Kept and reported by sigaction; TypeScript handlers never nest, so every other signal waits for the one running. */
  sa_mask = new sigset_t();
  /** SA_RESTART, SA_SIGINFO, SA_NOCLDSTOP, SA_NOCLDWAIT, SA_NODEFER, SA_RESETHAND. */
  sa_flags = 0;
}

interface Installed {
  handler: sighandler_t | sigaction_t;
  mask: sigset_t;
  flags: number;
}
const installed = new Map<number, Installed>();
let dispatcher = false;

/** The addon calls this with the signals taken, and per signal its siginfo (or null). */
function dispatch(signals: number[], infos: Array<number[] | null>): void {
  for (let k = 0; k < signals.length; k++) {
    const signum = signals[k];
    const h = installed.get(signum);
    if (!h || typeof h.handler !== 'function') continue;
    if (h.flags & SA_RESETHAND) {
      // One shot: the kernel reset it to SIG_DFL already; so does the table.
      installed.delete(signum);
      native.signal_install(signum, 0, 0);
    }
    if (h.flags & SA_SIGINFO) {
      (h.handler as (signum: number, info: siginfo_t, ucontext: null) => void)(signum, to_siginfo(signum, infos[k]), null);
    } else {
      (h.handler as (signum: number) => void)(signum);
    }
  }
}

function to_siginfo(signum: number, info: number[] | null): siginfo_t {
  const si = new siginfo_t();
  si.si_signo = signum;
  if (info) [si.si_code, si.si_pid, si.si_uid, si.si_status, si.si_errno] = info;
  return si;
}

/** Makes set hold exactly these signals (the addon's arrays, another set's members). */
function fill(set: sigset_t, signals: Iterable<number>): void {
  set.signals.clear();
  for (const s of signals) set.signals.add(s);
}

function snapshot(signum: number, into: struct_sigaction): void {
  const h = installed.get(signum);
  if (h) {
    into.sa_handler = h.handler as sighandler_t;
    into.sa_flags = h.flags;
    fill(into.sa_mask, h.mask.signals);
    return;
  }
  const d: number = native.signal_disposition(signum);
  into.sa_handler = d === 1 ? SIG_IGN : SIG_DFL; // a handler of Node's own shows as SIG_DFL
  into.sa_flags = 0;
  sigemptyset(into.sa_mask);
}

/**
 * sigaction(signum, act, oldact): installs act (if not null) and fills oldact
 * (if not null) with what was there. 0, or -1 with EINVAL (SIGKILL, SIGSTOP,
 * a bad number).
 */
export function sigaction(signum: number, act: struct_sigaction | null, oldact: struct_sigaction | null): number {
  if (act !== null && !(act instanceof struct_sigaction)) throw new TypeError('sigaction: act must be a struct_sigaction or null');
  if (oldact !== null && !(oldact instanceof struct_sigaction)) throw new TypeError('sigaction: oldact must be a struct_sigaction or null');
  const handler = act?.sa_handler;
  if (act) {
    if (typeof handler !== 'function' && handler !== SIG_DFL && handler !== SIG_IGN) {
      throw new TypeError('sigaction: sa_handler / sa_sigaction must be a function, SIG_DFL or SIG_IGN');
    }
    check_int('sigaction', 'act.sa_flags', act.sa_flags, -0x80000000, 0xffffffff); // an int, or its bits unsigned
  }
  if (!valid(signum)) return (set_errno(EINVAL), -1);
  const before = new struct_sigaction();
  snapshot(signum, before);
  if (act) {
    if (!dispatcher) {
      native.signal_dispatcher(dispatch);
      dispatcher = true;
      // After 'exit', Node tears the environment down and may no longer run
      // JavaScript: a signal still pending then is dropped, never dispatched
      // (a handler called from the teardown was a fatal error).
      process.once('exit', () => native.signal_dispatch_end());
    }
    const disposition = handler === SIG_DFL ? 0 : handler === SIG_IGN ? 1 : 2;
    if (native.signal_install(signum, disposition, act.sa_flags) === -1) return -1;
    if (disposition === 2) {
      installed.set(signum, { handler: handler!, mask: act.sa_mask, flags: act.sa_flags });
    } else {
      installed.delete(signum);
    }
  }
  if (oldact) {
    oldact.sa_handler = before.sa_handler;
    oldact.sa_mask = before.sa_mask;
    oldact.sa_flags = before.sa_flags;
  }
  return 0;
}

/**
 * signal(signum, handler): installs handler and returns the previous one, or
 * SIG_ERR with errno EINVAL (SIGKILL, SIGSTOP). As glibc's signal and CSAPP's
 * Signal wrapper, the handler has SA_RESTART: an interrupted blocking call
 * resumes after it, if C's would (not the sleeps, nor select or poll, nor on
 * Linux a socket call with SO_RCVTIMEO / SO_SNDTIMEO set). `restart = false`
 * makes every call return -1 with EINTR.
 */
export function signal(signum: number, handler: sighandler_t, restart = true): sighandler_t | typeof SIG_ERR {
  if (typeof handler !== 'function' && handler !== SIG_DFL && handler !== SIG_IGN) {
    throw new TypeError('signal: handler must be a function, SIG_DFL or SIG_IGN');
  }
  const act = new struct_sigaction();
  act.sa_handler = handler;
  act.sa_flags = restart ? SA_RESTART : 0;
  const old = new struct_sigaction();
  if (sigaction(signum, act, old) === -1) return SIG_ERR;
  return old.sa_handler;
}

/**
 * volatile sig_atomic_t: a variable that a handler sets and the program
 * waits on, as CSAPP's `while (!pid) ;` (figure 8.41). A plain `let` is not
 * enough, as in C a variable without volatile is not: V8's optimizing
 * compilers (Node 24's; Node 20's did not in our runs) load it once before
 * the loop, as gcc -O2 does, and never see the handler's store. `value`
 * goes through Atomics, which they do not hoist. Like C's, it holds an int.
 */
export class sig_atomic_t {
  readonly #cell = new Int32Array(new SharedArrayBuffer(4));
  constructor(value = 0) {
    this.value = value;
  }
  get value(): number {
    return Atomics.load(this.#cell, 0);
  }
  set value(v: number) {
    check_int('sig_atomic_t', 'value', v, -0x80000000, 0x7fffffff); // an int, as C's
    Atomics.store(this.#cell, 0, v);
  }
}

/**
 * sigprocmask(how, set, oldset): SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK the
 * calling thread's mask; oldset (if not null) gets the previous mask. A
 * signal unblocked here that was pending has its handler run before this returns.
 */
export function sigprocmask(how: number, set: sigset_t | null, oldset: sigset_t | null): number {
  if (set !== null && !(set instanceof sigset_t)) throw new TypeError('sigprocmask: set must be a sigset_t or null');
  if (oldset !== null && !(oldset instanceof sigset_t)) throw new TypeError('sigprocmask: oldset must be a sigset_t or null');
  const old = native.sigprocmask(how, set ? [...set.signals] : null);
  if (old === -1) return -1;
  if (oldset) fill(oldset, old as number[]);
  return 0;
}

/** sigsuspend(mask): waits, with mask as the thread's mask, until a handler ran; always -1 with EINTR. */
export function sigsuspend(mask: sigset_t): number {
  if (!(mask instanceof sigset_t)) throw new TypeError('sigsuspend: mask must be a sigset_t');
  return native.sigsuspend([...mask.signals]);
}

/** pause(): waits until a handler ran; always -1 with EINTR. */
export const pause = native.pause;

/** raise(sig): sends sig to this thread; its handler has run when raise returns. */
export const raise = native.raise;

/**
 * sigpending(set): fills set with the signals blocked and pending; 0. (The
 * handlers of signals already caught run first: in C they ran as they came.)
 */
export function sigpending(set: sigset_t): number {
  if (!(set instanceof sigset_t)) throw new TypeError('sigpending: set must be a sigset_t');
  const pending = native.sigpending();
  if (pending === -1) return -1;
  fill(set, pending as number[]);
  return 0;
}

/**
 * sigwait(set, sig): waits until a signal of set is pending (block set first,
 * with sigprocmask, as in C), takes it without running its handler and
 * stores its number in sig. 0, or an error number (EINVAL), as POSIX's
 * sigwait returns. Works on a pthread too: the classic thread that waits for
 * the signals the others block.
 */
export function sigwait(set: sigset_t, sig: Cell<number>): number {
  if (!(set instanceof sigset_t)) throw new TypeError('sigwait: set must be a sigset_t');
  check_cell('sigwait', 'sig', 'int *', sig, false);
  const r: number = native.sigwait([...set.signals]);
  if (r === -1) return native.errno();
  sig.value = r;
  return 0;
}

/**
 * pthread_sigmask(how, set, oldset): sigprocmask for the calling thread, with
 * the pthread convention: 0 or an error number (EINVAL), not -1 and errno.
 */
export function pthread_sigmask(how: number, set: sigset_t | null, oldset: sigset_t | null): number {
  return sigprocmask(how, set, oldset) === 0 ? 0 : native.errno();
}

/** strsignal(sig): the C library's description of sig ("Interrupt", "Killed", "Unknown signal 99"). */
export const strsignal = native.strsignal;

/** psignal(sig, s): writes "s: description" and a newline to stderr, unbuffered, as C's (no "s: " if s is empty or null). */
export function psignal(sig: number, s: string | null): void {
  if (s !== null && typeof s !== 'string') throw new TypeError('psignal: s must be a string or null');
  const text = `${s ? `${s}: ` : ''}${strsignal(sig)}\n`;
  try {
    writeSync(2, text);
  } catch {
    // stderr is gone: as C's psignal, nothing to report it to
  }
}
