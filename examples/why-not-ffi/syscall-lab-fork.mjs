// The same program with syscall-lab's fork: the child is a working Node
// process (its heap is there, Node's threads are accounted for), allocates,
// prints, and exits with its own status.
//
//   node examples/why-not-ffi/syscall-lab-fork.mjs
import { fork, waitpid, exit, cell, WIFEXITED, WEXITSTATUS, WTERMSIG } from 'syscall-lab';

const pid = fork();
if (pid === 0) {
  const objects = [];
  for (let i = 0; i < 200_000; i++) objects.push({ i });
  console.log(`child: allocated ${objects.length} objects`);
  exit(7);
}
console.log(`parent: fork() = ${pid > 0 ? 'a pid' : pid}`);
const status = cell(0);
if (waitpid(pid, status, 0) !== pid) throw new Error('waitpid failed');
console.log(WIFEXITED(status.value)
  ? `parent: the child exited with status ${WEXITSTATUS(status.value)}`
  : `parent: the child was killed by signal ${WTERMSIG(status.value)}`);
