// The course clients by name, for `syscall-lab client <name> HOST PORT`.
import { daytime_client } from './daytime.js';
import { echo_client } from './echo.js';
import { client3 } from './client3.js';
import { echo_select_client } from './echo-select.js';

export { daytime_client } from './daytime.js';
export { echo_client } from './echo.js';
export { client3 } from './client3.js';
export { echo_select_client, str_cli } from './echo-select.js';

export interface ClientEntry {
  summary: string;
  original: string;
  /** Runs the client; the process exit status. */
  run(host: string, port: string): number;
}

export const clients: Record<string, ClientEntry> = {
  daytime: { summary: 'prints what a daytime server sends', original: "Stevens' daytimetcpcli", run: daytime_client },
  echo: { summary: 'sends stdin line by line to an echo server and prints each reply', original: "CSAPP's echoclient", run: echo_client },
  'echo-select': {
    summary: 'echo client with select over stdin and the socket: notices a server that ends at once; EOF on stdin: shutdown, then the last replies',
    original: "Stevens' str_cli (select, shutdown)",
    run: echo_select_client,
  },
  client3: { summary: "sends 'A' to server5 and prints the answer: char from server = B", original: "Beginning Linux Programming's client3", run: (host, port) => client3(host, port) },
};
