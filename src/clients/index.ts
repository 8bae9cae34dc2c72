// The course clients by name, for `syscall-lab client <name> HOST PORT`.
import { daytime_client } from './daytime.js';
import { echo_client } from './echo.js';
import { client3 } from './client3.js';

export { daytime_client } from './daytime.js';
export { echo_client } from './echo.js';
export { client3 } from './client3.js';

export interface ClientEntry {
  summary: string;
  original: string;
  /** Runs the client; the process exit status. */
  run(host: string, port: string): number;
}

export const clients: Record<string, ClientEntry> = {
  daytime: { summary: 'prints what a daytime server sends', original: "Stevens' daytimetcpcli", run: daytime_client },
  echo: { summary: 'sends stdin line by line to an echo server and prints each reply', original: "CSAPP's echoclient", run: echo_client },
  client3: { summary: "sends 'A' to server5 and prints the answer: char from server = B", original: "Beginning Linux Programming's client3", run: (host, port) => client3(host, port) },
};
