// Demo: processes share nothing but what the kernel shares. A global changed
// in the child is unchanged in the parent (the child has a copy of the
// memory); an fd opened before fork is shared: both write to the same open
// file, at the same offset, so their writes follow each other.
import { openSync, readFileSync, closeSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cell, write, getpid, exit, WEXITSTATUS } from '../sys/index.js';
import { Fork, Waitpid, printf } from '../csapp/index.js';

let counter = 0; // a global

export function no_sharing_demo(): { parentCounter: number; childCounter: number; file: string } {
  const path = join(tmpdir(), `syscall-lab-no-sharing-${getpid()}.txt`);
  const fd = openSync(path, 'w+'); // opened before fork: one open file, two fds
  const say = (who: string) => new TextEncoder().encode(`${who} (pid ${getpid()}) wrote this line\n`);
  try {
    printf(`before fork: counter = ${counter}, file ${path} open on fd ${fd}\n`);
    const pid = Fork();
    if (pid === 0) {
      counter++;
      printf(`child:  counter = ${counter} (incremented in the child)\n`);
      write(fd, say('child'));
      exit(counter); // tell the parent what the child saw
    }
    const status = cell(0);
    Waitpid(pid, status, 0);
    const childCounter = WEXITSTATUS(status.value);
    printf(`parent: counter = ${counter} (the child's increment is not here: it changed its own copy)\n`);
    write(fd, say('parent'));
    const file = readFileSync(path, 'utf8');
    printf(`the file, written through the shared fd by both:\n${file.trimEnd().replace(/^/gm, '    ')}\n`);
    printf('The parent\'s line comes after the child\'s: they share one open file and its offset.\n');
    return { parentCounter: counter, childCounter, file };
  } finally {
    closeSync(fd);
    unlinkSync(path);
  }
}
