// Demo: a process that does not reap its dead children keeps them as
// zombies (<defunct>): their exit status waits in the kernel for a waitpid
// that never comes. The echo server by processes without its SIGCHLD
// handler, then with it (waitpid(-1, WNOHANG) in a loop): none left.
import { printf } from '../csapp/index.js';
import { launch, cliCommand } from '../launch.js';
import { ps_children, print_children, echo_once, pause_ms } from './processes.js';

export async function zombies_demo(clients = 5): Promise<{ without: number; with: number }> {
  const counts = { without: 0, with: 0 };
  for (const reap of [false, true]) {
    const args = ['serve', 'echo-fork', '--port', '0', '--quiet', ...(reap ? [] : ['--no-reap'])];
    const server = await launch([...cliCommand(), ...args]);
    try {
      printf(`\necho-fork ${reap ? 'with its SIGCHLD handler' : 'without a SIGCHLD handler (--no-reap)'}, pid ${server.pid}: ${clients} clients, one after the other\n`);
      for (let i = 1; i <= clients; i++) echo_once(server.host, server.port, `client ${i}\n`);
      await pause_ms(300); // the children have exited by now
      print_children(server.pid);
      const zombies = ps_children(server.pid).filter((r) => r.includes('<defunct>') || / Z/.test(r)).length;
      if (reap) counts.with = zombies;
      else counts.without = zombies;
    } finally {
      await server.stop();
    }
  }
  printf(`\nWithout the handler, ${counts.without} zombies: each dead child keeps its slot in the process table until its ` +
    `parent calls wait. With it: ${counts.with}.\n`);
  return counts;
}
