#!/usr/bin/env node
// Replays a finding of the fuzzer in this process: calls [from, call] of a
// seed, as the child that found it made them, printing the last one (every
// one with --verbose). Run from the package root:
//   node tools/fuzz/replay.js --seed S --from F --call N [--modes a,b] [--skip f] [--verbose]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ALL_MODES } from './modes.js';

// The free mode calls gc(): come back with it exposed.
if (typeof globalThis.gc !== 'function') {
  // A hang is one of the findings: bounded, and said.
  const r = spawnSync(process.execPath, ['--expose-gc', '--single-threaded-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit', timeout: 20_000, killSignal: 'SIGKILL' });
  if (r.error?.code === 'ETIMEDOUT') console.error('replay: no end within 20 s (a hang), killed');
  else if (r.signal) console.error(`replay: ended by ${r.signal}`);
  process.exit(r.status ?? 1);
}
const o = { seed: 1, from: 0, call: 0, modes: ALL_MODES, skip: [], verbose: false };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--verbose') o.verbose = true;
  else if (a === '--modes') o.modes = argv[++i].split(',').filter(Boolean);
  else if (a === '--skip') o.skip = argv[++i].split(',').filter(Boolean);
  else if (['--seed', '--from', '--call'].includes(a)) o[a.slice(2)] = Number(argv[++i]);
  else throw new Error(`replay: unknown option ${a}`);
}
const { run } = await import('./worker.js');
await run({ seed: o.seed, from: o.from, to: o.call + 1, modes: new Set(o.modes), skip: new Set(o.skip), verbose: o.verbose, progress: false, last: o.call });
console.error('replay: all calls returned');
