// Hostile input (issue 19): a buffer given up while the call that took it
// runs (a getter of another argument transfers it, or a pthread does during
// the wait), and handles of one kind given where another is expected. Each
// fixture runs in its own process, since the old code crashed or corrupted
// the heap there: it must exit 0, every call must end in the TypeError (or
// the result) below, and no byte of memory the caller gave up may change.
// Under an ASan build of the addon the same fixtures must run without a
// report (docs/REFERENCE.md: Buffers).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ETIMEDOUT } from '../src/sys/index.js';

function fixture(name: string): Record<string, unknown> {
  const script = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const r = spawnSync(process.execPath, ['--expose-gc', script], { encoding: 'utf8', timeout: 30_000 });
  expect(r.signal, r.stderr).toBe(null);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const detached = (fn: string, name: string) => `TypeError: ${fn}: ${name}'s ArrayBuffer is detached (it was transferred)`;

describe('a buffer given up during its call', () => {
  it('is never read or written after: the call throws, the new owner and freed memory keep their bytes', () => {
    const out = fixture('hostile-buffers.mjs');
    const expected: Record<string, unknown> = {
      'select getter': detached('select', 'readfds'), 'select getter intact': true,
      'pselect getter': detached('pselect', 'readfds'), 'pselect getter intact': true,
    };
    for (const how of ['kept', 'freed']) {
      expected[`recvfrom ${how}`] = detached('recvfrom', 'buf');
      expected[`recvfrom ${how} intact`] = true;
      for (const field of ['sin_port', 's_addr']) {
        expected[`sendto ${field} ${how}`] = detached('sendto', 'buf');
        expected[`sendto ${field} ${how} intact`] = true;
        expected[`sendto ${field} ${how} received`] = -1; // nothing was sent
      }
      expected[`getsockopt ${how}`] = detached('getsockopt', 'optval');
      expected[`getsockopt ${how} intact`] = true;
      for (const fn of ['select', 'pselect']) {
        expected[`${fn} ${how}`] = detached(fn, 'readfds');
        expected[`${fn} ${how} intact`] = true;
      }
      expected[`epoll_wait ${how}`] = expect.stringMatching(/^TypeError: epoll_wait: .*transferred/);
      expected[`epoll_wait ${how} intact`] = true;
    }
    expect(out).toEqual(expected);
  });
});

describe('a handle of another kind', () => {
  it('is a TypeError, or cannot be swapped in at all', () => {
    const out = fixture('hostile-handles.mjs');
    const expected: Record<string, unknown> = {
      // .h is no property of theirs: assigning one changes nothing, and each
      // object goes on with its own handle.
      'assign h': 'returned 0',
      'cond_signal after assign': 'returned 0',
      'cond_broadcast after assign': 'returned 0',
      'mutex_lock after assign': 'returned 0',
      'cond_timedwait after assign': `returned ${ETIMEDOUT}`,
      'mutex_unlock after assign': 'returned 0',
      'sem_post after assign': 'returned 0',
      'sem_trywait after assign': 'returned 0',
      'cond_destroy after assign': 'returned 0',
      'mutex_destroy after assign': 'returned 0',
      'sem_destroy after assign': 'returned 0',
      'mutex_lock Object.create': 'TypeError: pthread_mutex_lock: mutex must be a pthread_mutex_t',
      'cond_signal Object.create': 'TypeError: pthread_cond_signal: cond must be a pthread_cond_t',
      'sem_post Object.create': 'TypeError: sem_post: sem must be a sem_t',
      'cond_wait with a cond as mutex': 'TypeError: pthread_cond_wait: mutex must be a pthread_mutex_t',
      'cond_wait(cond, cond)': 'TypeError: pthread_cond_wait: mutex must be a pthread_mutex_t',
      'cond_timedwait(cond, sem)': 'TypeError: pthread_cond_timedwait: mutex must be a pthread_mutex_t',
    };
    const kinds: Record<string, [string, string[]]> = {
      mutex: ['mutex must be a pthread_mutex_t', ['init', 'lock', 'trylock', 'unlock', 'destroy'].map((f) => `mutex_${f}`)],
      cond: ['cond must be a pthread_cond_t', ['init', 'signal', 'broadcast', 'destroy', 'timedwait'].map((f) => `cond_${f}`)],
      sem: ['sem must be a sem_t', ['init', 'post', 'wait', 'trywait', 'timedwait', 'getvalue', 'destroy'].map((f) => `sem_${f}`)],
    };
    for (const [kind, [what, fns]] of Object.entries(kinds)) {
      for (const fn of fns) {
        const cname = fn.startsWith('sem_') ? fn : `pthread_${fn}`;
        for (const other of [...Object.keys(kinds).filter((k) => k !== kind), '{}']) {
          expected[`${fn}(${other})`] = `TypeError: ${cname}: ${what}`;
        }
      }
    }
    expect(out).toEqual(expected);
  });
});
