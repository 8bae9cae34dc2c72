// libc's fork() called through node:ffi (Node 26.1 and later), then
// JavaScript in the child: V8 marked its heap MADV_DONTFORK, so the child
// has no heap and dies at its first access to it (SIGSEGV, SEGV_MAPERR).
// The parent reaps it and prints how it ended.
//
//   node --no-warnings examples/why-not-ffi/ffi-fork.mjs
import { dlopen, getRawPointer } from 'node:ffi';

const { functions: libc } = dlopen(null, {
  fork: { arguments: [], return: 'int32' },
  waitpid: { arguments: ['int32', 'pointer', 'int32'], return: 'int32' },
  _exit: { arguments: ['int32'], return: 'void' },
});

const pid = libc.fork();
if (pid === 0) {
  const objects = [];
  for (let i = 0; i < 200_000; i++) objects.push({ i });
  console.log(`child: allocated ${objects.length} objects`);  // never printed
  libc._exit(7);
}
console.log(`parent: fork() = ${pid > 0 ? 'a pid' : pid}`);
const status = new Int32Array(1);
if (libc.waitpid(pid, getRawPointer(status), 0) !== pid) throw new Error('waitpid failed');
const s = status[0];
console.log((s & 0x7f) === 0
  ? `parent: the child exited with status ${(s >> 8) & 0xff}`
  : `parent: the child was killed by signal ${s & 0x7f}`);
