// The macOS paths that no test of both systems reaches: kqueue and kevent,
// and environ through _NSGetEnviron (exec's own tests read /proc, so they run
// on Linux only). They run on a Mac (.github/workflows/ci.yml); on Linux each
// is listed, skipped with its reason, and test/macos-compile.test.ts compiles
// the same code against stand-in headers.
//
// The other macOS branches run in the tests of both systems: tcp_state
// (TCP_CONNECTION_INFO) and tcp_table (netstat) in tcp.test.ts, stat's
// st_atimespec in file.test.ts, sockaddr's ss_len in every socket test,
// pthread_main_np behind fork's ENOTSUP from a thread in threads.test.ts,
// sleep's rounding in signal.test.ts, fork without MADV_DOFORK in process.test.ts.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  kqueue, kevent, EV_SET, close, write, socketpair, errno, AF_UNIX, SOCK_STREAM, EBADF,
  EVFILT_READ, EV_ADD, EV_DELETE, type kevent as kevent_t,
} from '../src/sys/index.js';

const macos = process.platform === 'darwin';
const why = 'a macOS path: Linux has no kqueue nor _NSGetEnviron (macos-compile.test.ts compiles it here)';
const describe_macos = macos ? describe : (name: string) => describe(name, () => it('needs macOS', (ctx) => ctx.skip(why)));

describe_macos('kqueue and kevent', () => {
  it('an EVFILT_READ filter reports the bytes waiting, and nothing before them', () => {
    const sv = [-1, -1];
    expect(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)).toBe(0);
    const kq = kqueue();
    expect(kq).toBeGreaterThanOrEqual(0);
    try {
      const change = EV_SET({}, sv[0], EVFILT_READ!, EV_ADD!, 0, 0, 7);
      expect(kevent(kq, [change], 1, null, 0, null)).toBe(0);
      const events: kevent_t[] = [{} as kevent_t];
      expect(kevent(kq, null, 0, events, 1, { tv_sec: 0, tv_nsec: 0 })).toBe(0); // nothing to read yet
      expect(write(sv[1], new Uint8Array([1, 2, 3]))).toBe(3);
      expect(kevent(kq, null, 0, events, 1, { tv_sec: 5, tv_nsec: 0 })).toBe(1);
      expect(events[0]).toMatchObject({ ident: sv[0], filter: EVFILT_READ, data: 3, udata: 7 });
      expect(kevent(kq, [EV_SET({}, sv[0], EVFILT_READ!, EV_DELETE!, 0, 0, 0)], 1, null, 0, null)).toBe(0);
      expect(kevent(kq, null, 0, events, 1, { tv_sec: 0, tv_nsec: 0 })).toBe(0); // deleted: no event
    } finally {
      close(kq);
      close(sv[0]);
      close(sv[1]);
    }
  });

  it('a closed queue: -1 with EBADF', () => {
    const kq = kqueue();
    close(kq);
    expect(kevent(kq, null, 0, [{} as kevent_t], 1, { tv_sec: 0, tv_nsec: 0 })).toBe(-1);
    expect(errno()).toBe(EBADF);
  });
});

describe_macos('exec on macOS', () => {
  it('execv passes environ, as process.env set it, to the new program', () => {
    const sys = fileURLToPath(new URL('../dist/src/sys/index.js', import.meta.url));
    const script = `import { execv } from ${JSON.stringify(sys)};
      process.env.SYSCALL_LAB_MACOS = 'from process.env';
      execv('/usr/bin/env', ['env']);
      process.exit(1);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^SYSCALL_LAB_MACOS=from process\.env$/m);
  });
});
