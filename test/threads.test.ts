// pthreads running TypeScript, their synchronization, and the thread servers.
// Threads run in fixture scripts (test/fixtures/threads.mjs) started with
// this Node binary, so that CI's Node 24 run tests them on Node 24.
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Open_clientfd, Rio_writen, rio_t, Rio_readinitb, Rio_readlineb, Close } from '../src/csapp/index.js';
import { type Launched } from '../src/launch.js';
import { serve, fd_count, bound_io, linux, round_trip, settle, it_linux, NEEDS_LINUX } from './helpers.js';
import {
  ETIMEDOUT, EBUSY, EINVAL, ENOTSUP, pthread_mutex_t, pthread_cond_t, sem_t, pthread_mutex_init, pthread_mutex_lock,
  pthread_mutex_unlock, pthread_mutex_destroy, pthread_cond_signal, pthread_cond_destroy, pthread_cond_init, sem_post,
  PTHREAD_MUTEX_DEFAULT, errno,
} from '../src/sys/index.js';
import { native } from '../src/sys/native.js';

function run(name: string, env: NodeJS.ProcessEnv = {}, timeout = 60_000) {
  const script = fileURLToPath(new URL('./fixtures/threads.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [script, name], { encoding: 'utf8', timeout, env: { ...process.env, ...env } });
  const lines = r.stdout.trim().split('\n');
  let json: any = null;
  try { json = JSON.parse(lines[lines.length - 1]); } catch { /* the test shows stdout */ }
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, json, lines };
}

describe('pthreads', () => {
  it('join returns the routine\'s value; the errors of C for joins and detaches', () => {
    const r = run('join');
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toMatchObject({
      values: [{ k: 1 }, { k: 2 }, { k: 3 }], again: 'ESRCH', detach: 0, joinDetached: 'EINVAL', detachTwice: 'EINVAL',
      self: 'EDEADLK', rc: 0, cform: 'C form', notFn: 'TypeError', asyncFn: 'TypeError', main: 1, equal: 1,
    });
    expect(r.json.values.map((v: any) => v.self)).toEqual(r.json.ids);
  });

  it('200 threads alive at once, all joined; the task count goes back', () => {
    const r = run('many');
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toEqual({ alive: 200, sum: 39800, after: 0, running: 0 });
  });

  it('cancel ends a thread blocked in read (its finally runs), in a condition wait, a semaphore wait, pause, sigsuspend', () => {
    const r = run('cancel');
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toMatchObject({
      rc: 0, canceled: true, cleaned: true, cond: true, sem: true, mutexFree: true, pause: true, sigsuspend: true, cancelGone: 'ESRCH',
    });
    expect(r.json.ms).toBeLessThan(2000);
  });

  it('mutexes: error-checking (EPERM, EDEADLK), recursive, busy destroy; a waiter never freezes the process; no lost update', () => {
    const r = run('mutex');
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toMatchObject({
      notHeld: 'EPERM', relock: 'EDEADLK', other: ['EPERM', 'EBUSY'], destroyBusy: 'EBUSY', destroy: 0, afterDestroy: 'EINVAL',
      recursive: [0, 0, 0, 0, 'EPERM'], counter: 20000, badType: 'TypeError',
    });
    expect(r.json.mainRan).toBeGreaterThan(10); // the main thread ran while one thread waited for another's mutex
    expect(r.json.waited).toBeGreaterThan(150);
  });

  it('the rules of use are the addon\'s, for any caller: initialized on first use, EINVAL once destroyed', () => {
    // Straight to the addon, as no TypeScript check stands in between any more.
    const m = native.mutex_new(), c = native.cond_new(), s = native.sem_new();
    expect(native.mutex_lock(m)).toBe(0); // as PTHREAD_MUTEX_INITIALIZER
    expect(native.mutex_unlock(m)).toBe(0);
    expect(native.cond_signal(c)).toBe(0); // as PTHREAD_COND_INITIALIZER
    expect(native.mutex_destroy(m)).toBe(0);
    expect(native.cond_destroy(c)).toBe(0);
    for (const [name, rc] of Object.entries({
      lock: native.mutex_lock(m), trylock: native.mutex_trylock(m), unlock: native.mutex_unlock(m),
      destroy: native.mutex_destroy(m), signal: native.cond_signal(c), broadcast: native.cond_broadcast(c),
      wait: native.cond_wait(c, native.mutex_new()), cdestroy: native.cond_destroy(c),
    })) expect([name, rc]).toEqual([name, EINVAL]);
    expect([native.sem_post(s), errno()]).toEqual([-1, EINVAL]); // never sem_init'ed
    expect(native.mutex_init(m, PTHREAD_MUTEX_DEFAULT)).toBe(0); // initialized again: usable
    expect(native.mutex_lock(m)).toBe(0);
    expect(native.mutex_unlock(m)).toBe(0);
    // The TypeScript functions say the same.
    const tm = new pthread_mutex_t(), tc = new pthread_cond_t();
    expect(pthread_mutex_lock(tm)).toBe(0);
    expect(pthread_mutex_unlock(tm)).toBe(0);
    expect(pthread_mutex_init(tm, null)).toBe(EBUSY);
    expect(pthread_mutex_destroy(tm)).toBe(0);
    expect([pthread_mutex_lock(tm), pthread_mutex_destroy(tm)]).toEqual([EINVAL, EINVAL]);
    expect(pthread_mutex_init(tm, null)).toBe(0);
    expect(pthread_mutex_lock(tm)).toBe(0);
    expect(pthread_mutex_unlock(tm)).toBe(0);
    expect(pthread_cond_destroy(tc)).toBe(0);
    expect(pthread_cond_signal(tc)).toBe(EINVAL);
    expect(pthread_cond_init(tc, null)).toBe(0);
    expect(pthread_cond_signal(tc)).toBe(0);
    expect([sem_post(new sem_t()), errno()]).toEqual([-1, EINVAL]);
  });

  it('condition variables: broadcast wakes all, signal one, timedwait ends in ETIMEDOUT', () => {
    const r = run('cond');
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ before: 0, got: [1, 2, 3], timed: 'ETIMEDOUT', invalid: 'EINVAL', woke: 1 });
    expect(r.json.ms).toBeGreaterThanOrEqual(190);
  });

  it('condition variables: no broadcast is lost when it comes as a wait slice ends', () => {
    const r = run('condSlices', {}, 30_000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toEqual({ seen: [8, 8, 8] });
  });

  it('semaphores: trywait EAGAIN, timedwait ETIMEDOUT, P waits for V', () => {
    const r = run('sem');
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ init: 0, a: [0, 0, -1], eagain: 'EAGAIN', timed: -1, etimedout: 'ETIMEDOUT', value: 2, shared: 'ENOSYS', neg: 'EINVAL', uninit: 'EINVAL' });
    expect(r.json.ms).toBeGreaterThanOrEqual(190);
    expect(r.json).toMatchObject({ past: 'ETIMEDOUT', far: 'ok' });
    expect(r.json.pastMs).toBeLessThan(1000); // not a slice's wait, let alone the deadline's
  });

  it('threads run while the main thread idles in its event loop, whose timers run between them', () => {
    const r = run('idleMain', {}, 30_000);
    expect({ status: r.status, signal: r.signal }, r.stderr.slice(0, 600)).toEqual({ status: 0, signal: null });
    expect(r.json).toEqual({ values: [400, 400, 400, 400], ticked: true });
  });

  it('an exception in a thread is reported with its stack; the process goes on', () => {
    const r = run('exceptions');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Exception in thread \d+:\nError: boom in a thread\n\s+at /);
    expect(r.stderr).toMatch(/returned a Promise/);
    expect(r.json).toEqual({ rc: 0, value: null, promise: null, exitValue: 'early', finallyRan: true, ok: 'still fine' });
  });

  it('fork with live threads: the child has one thread and works; the parent\'s threads go on', () => {
    const r = run('fork');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.lines[0])).toEqual({ child: true, childTasks: 1, thread: 'a thread in the child', joinParentThread: 'EINVAL' });
    expect(r.json).toEqual({ parentTasksAtLeast3: true, childStatus: 0, threadsWentOn: true });
  });

  it('raise from a pthread reaches the main thread: its handler runs there; SIGTERM ends the process', () => {
    const r = run('raiseFromThread', {}, 30_000);
    expect(r.signal, r.stderr).toBe('SIGTERM');
    expect(JSON.parse(r.lines[0])).toEqual({ rc: 0, ran: 1, bad: [-1, 'EINVAL'] });
    expect(r.stdout).not.toMatch(/still here/);
  });

  it('fork from a pthread or a Worker thread: -1 with ENOTSUP, and no child', () => {
    const r = run('forkOffMain', {}, 30_000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toEqual({ thread: { pid: -1, errno: ENOTSUP }, worker: { pid: -1, errno: ENOTSUP }, children: -1, err: 'ECHILD' });
  });

  it('the main script ends with a thread still running: the process exits, no hang, no crash', () => {
    const r = run('exitWithThreads', {}, 20_000);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('main done\n');
  });

  it('pthread_exit in the main thread waits for the others', () => {
    const r = run('mainExit', {}, 20_000);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('thread finished\n');
  });

  it('while pthread_exit in the main thread waits, a signal handler still runs (and may end the process)', () => {
    const r = run('mainExitSignal', {}, 20_000);
    expect(r.status, r.stderr).toBe(3);
    const ms = Number(/handler after (\d+) ms/.exec(r.stdout)?.[1]);
    expect(ms).toBeGreaterThanOrEqual(150);
    expect(ms).toBeLessThan(3000); // not after the thread's 5 s
  });

  it('GC under 8 busy threads for a minute: no crash', () => {
    const r = run('gc', { GC_SECONDS: '60' }, 120_000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.seconds).toBe(60);
    expect(r.json.total).toBeGreaterThan(1_000_000);
  }, 150_000);
});

const task_count = (pid: number) => readdirSync(`/proc/${pid}/task`).length;

describe('signals during the waits of the main thread', () => {
  it('the handler runs during pthread_join, sem_wait, pthread_mutex_lock, pthread_cond_wait; each wait goes on as in C', () => {
    const script = fileURLToPath(new URL('./fixtures/sync-signals.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    // The signal comes at 150 ms (later on a busy machine); each wait ends at
    // about 500 ms. A handler left until the wait returned would run less than
    // a millisecond before `returned` is taken.
    const during = (c: { handled: number; returned: number }) => {
      expect(c.handled).toBeGreaterThanOrEqual(100);
      expect(c.returned - c.handled, JSON.stringify(c)).toBeGreaterThan(30);
      expect(c.returned).toBeGreaterThanOrEqual(450);
    };
    during(out.join);
    expect(out.join.value).toEqual([0, 'done']);
    during(out.sem_wait);
    expect(out.sem_wait.value).toBe(0); // SA_RESTART: the wait went on
    expect(out.sem_wait_eintr.value).toEqual([-1, 'EINTR']); // without: it ended with the handler
    expect(out.sem_wait_eintr.returned - out.sem_wait_eintr.handled).toBeLessThan(100);
    // Linux waits with pthread_mutex_timedlock; macOS, without it, runs the
    // handler once the mutex is taken.
    if (linux) during(out.mutex_lock);
    expect(out.mutex_lock.value).toBe(0);
    during(out.cond_wait);
    expect(out.cond_wait.value).toEqual([0, 0]); // woken by the signal, the mutex held again
    expect(out.cond_wait.handler_locked).toBe(0); // the handler ran without the mutex: it could take it
    expect(out.cond_wait_throw.value).toBe('threw: out of the wait');
    expect(out.cond_wait_throw.unlock).toBe(0); // thrown out with the mutex held, as cancellation leaves it
    expect(out.cond_after).toBe(ETIMEDOUT); // no waiter left behind to take a wakeup
    // A handler that destroys what the wait needs: an error, not a hang.
    expect(out.destroyed_mutex.destroy_cond).toBe(EBUSY); // the condition has a waiter
    expect(out.destroyed_mutex.value).toBe(EINVAL);
    expect(out.destroyed_mutex.returned - out.destroyed_mutex.handled).toBeLessThan(100);
    expect(out.destroyed_sem.value).toEqual([-1, 'EINVAL']);
    expect(out.destroyed_sem.returned - out.destroyed_sem.handled).toBeLessThan(100);
  });

  // Before, a signal sent as the wait ended had its handler run after the
  // wait returned: 96 rounds in 100 for pthread_cond_wait, 95 to 100 for
  // select and poll (which returned 1 with the signal pending), and under a
  // busy loop a few for pthread_mutex_lock (the signal came before the call,
  // the lock was free by then) and pthread_join.
  it_linux(NEEDS_LINUX.slices)('a signal that comes as the wait ends has its handler run before the wait returns, as C runs it at the syscall\'s exit', () => {
    const script = fileURLToPath(new URL('./fixtures/sync-signal-at-completion.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [script, '100'], { encoding: 'utf8', timeout: 40_000 });
    expect(r.signal, 'hung: killed by the timeout').toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      n: 100, got: 600, late: { join: 0, sem_wait: 0, mutex_lock: 0, cond_wait: 0, select: 0, poll: 0 },
    });
  });
});

describe('the thread servers', () => {
  let server: Launched | undefined;
  afterEach(async () => {
    if (server) await server.stop('SIGKILL');
    server = undefined;
  });

  for (const name of ['echo-threads', 'echo-prethreaded']) {
    it_linux(NEEDS_LINUX.proc)(`${name}: 1000 connections, the thread count back to its baseline, no fd leaked`, async () => {
      server = await serve(name, '--quiet');
      expect(round_trip(server.port, 'warm\n')).toBe('warm\n');
      await settle(() => false, 200);
      const tasks = task_count(server.pid);
      const fds = fd_count(server.pid);
      for (let i = 0; i < 1000; i++) expect(round_trip(server.port, `t${i}\n`)).toBe(`t${i}\n`);
      await settle(() => task_count(server!.pid) === tasks && fd_count(server!.pid) === fds);
      expect(task_count(server.pid)).toBe(tasks);
      expect(fd_count(server.pid)).toBe(fds);
    });

    // The prethreaded server serves 4 clients at a time: the 5th is served
    // when one of the first leaves, so each client leaves after its echo.
    it(`${name}: 50 clients at once are all served, and the thread count comes back to its baseline`, async () => {
      server = await serve(name, '--quiet');
      expect(round_trip(server.port, 'warm\n')).toBe('warm\n');
      await settle(() => false, 200);
      const tasks = task_count(server.pid);
      const fds: number[] = [];
      try {
        for (let i = 0; i < 50; i++) fds.push(bound_io(Open_clientfd('127.0.0.1', server.port), 10_000));
        for (const fd of fds) Rio_writen(fd, new TextEncoder().encode(`c${fd}\n`), `c${fd}\n`.length);
        while (fds.length > 0) {
          const fd = fds[0];
          const rio = new rio_t();
          Rio_readinitb(rio, fd);
          const buf = new Uint8Array(64);
          expect(new TextDecoder().decode(buf.subarray(0, Rio_readlineb(rio, buf, 64)))).toBe(`c${fd}\n`);
          Close(fds.shift()!);
        }
      } finally {
        for (const fd of fds) Close(fd);
      }
      // echo-threads: every client's thread has ended; echo-prethreaded: its pool is as it was.
      await settle(() => task_count(server!.pid) === tasks);
      expect(task_count(server.pid)).toBe(tasks);
      expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      server = undefined;
    });
  }

  it('echo-prethreaded stops on SIGINT while its main thread waits for a free slot (sbuf_insert)', async () => {
    server = await serve('echo-prethreaded', '--quiet');
    const fds: number[] = [];
    try {
      // 4 workers busy with a client each, 16 more in the buffer, one more
      // accepted: the main thread waits in sbuf_insert's P(&slots).
      for (let i = 0; i < 22; i++) fds.push(Open_clientfd('127.0.0.1', server.port));
      await settle(() => false, 300);
      const t0 = performance.now();
      expect(await server.stop('SIGINT', 5000)).toEqual({ code: 0, signal: null });
      expect(performance.now() - t0).toBeLessThan(2000);
      server = undefined;
    } finally {
      for (const fd of fds) Close(fd);
    }
  });
});
