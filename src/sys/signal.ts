// Signals with TypeScript handlers, as CPython does them (PEP 475): the C
// handler records the signal; the handler below runs at the next safe point,
// on the event loop when it is idle, or inside the blocking call that the
// signal interrupted. That call then restarts (the handler was installed
// with restart, like SA_RESTART) or returns -1 with errno EINTR.
import { native } from './native.js';

export type sighandler_t = ((signum: number) => void) | typeof SIG_DFL | typeof SIG_IGN;

/** The default action. */
export const SIG_DFL = Symbol('SIG_DFL');
/** Ignore the signal. */
export const SIG_IGN = Symbol('SIG_IGN');
/** What signal() returns on failure, as C's SIG_ERR. */
export const SIG_ERR = Symbol('SIG_ERR');

const handlers = new Map<number, (signum: number) => void>();
// SIG_DFL / SIG_IGN as set through signal(), for its return value.
const dispositions = new Map<number, typeof SIG_DFL | typeof SIG_IGN>();
let dispatcherInstalled = false;

function dispatch(signals: number[]): void {
  for (const signum of signals) handlers.get(signum)?.(signum);
}

/**
 * Installs a handler for signum and returns the previous one (or SIG_ERR with
 * errno EINVAL, for SIGKILL or SIGSTOP say). `restart` (the default, as with
 * glibc's signal()) makes an interrupted blocking call resume after the
 * handler; without it the call returns -1 with EINTR.
 */
export function signal(signum: number, handler: sighandler_t, restart = true): sighandler_t | typeof SIG_ERR {
  if (typeof handler !== 'function' && handler !== SIG_DFL && handler !== SIG_IGN) {
    throw new TypeError('signal: handler must be a function, SIG_DFL or SIG_IGN');
  }
  if (!dispatcherInstalled) {
    native.signal_dispatcher(dispatch);
    dispatcherInstalled = true;
  }
  const disposition = handler === SIG_DFL ? 0 : handler === SIG_IGN ? 1 : 2;
  if (native.signal_install(signum, disposition, restart) === -1) return SIG_ERR;
  const previous = handlers.get(signum) ?? dispositions.get(signum) ?? SIG_DFL;
  if (typeof handler === 'function') {
    handlers.set(signum, handler);
    dispositions.delete(signum);
  } else {
    handlers.delete(signum);
    dispositions.set(signum, handler);
  }
  return previous;
}
