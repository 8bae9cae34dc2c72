#!/usr/bin/env node
// The fuzzer's parent: runs each seed's calls in batches, each batch in a
// child (worker.js), and watches the child's progress file. A child that
// dies by a signal, exits with an error or stops making progress is a
// finding: its seed, batch and call, printed as a replay command; the next
// child goes on after that call. See tools/fuzz/README.md.
//
//   node tools/fuzz/run.js [--seeds 1,2,3] [--random] [--calls N] [--batch B]
//     [--jobs J] [--modes swap,free,...] [--skip f,native.g] [--hang-ms MS]
//     [--max-seconds S] [--json FILE] [--out DIR]
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomInt } from 'node:crypto';
import { ALL_MODES } from './modes.js';
import { FUZZER_ERROR } from './worker.js';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXED_SEEDS = [1, 2, 3, 19, 4242];

function parse(argv) {
  const o = {
    seeds: [], random: false, calls: 4000, batch: 500, jobs: 1, hangMs: 10_000, json: null, out: null, maxSeconds: Infinity,
    modes: (process.env.SYSCALL_LAB_FUZZ_MODES ?? ALL_MODES.join(',')).split(',').filter(Boolean),
    skip: (process.env.SYSCALL_LAB_FUZZ_SKIP ?? '').split(',').filter(Boolean),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--seeds') o.seeds.push(...v().split(',').map(Number));
    else if (a === '--fixed') o.seeds.push(...FIXED_SEEDS);
    else if (a === '--random') o.random = true;
    else if (a === '--calls') o.calls = Number(v());
    else if (a === '--batch') o.batch = Number(v());
    else if (a === '--jobs') { const j = v(); o.jobs = j === 'auto' ? availableParallelism() : Number(j); }
    else if (a === '--modes') o.modes = v().split(',').filter(Boolean);
    else if (a === '--skip') o.skip = v().split(',').filter(Boolean);
    else if (a === '--hang-ms') o.hangMs = Number(v());
    else if (a === '--max-seconds') o.maxSeconds = Number(v());
    else if (a === '--json') o.json = v();
    else if (a === '--out') o.out = v();
    else if (a === '--selftest') o.selftest = v(); // segv | hang: checks that the fuzzer catches them
    else throw new Error(`fuzz: unknown option ${a}`);
  }
  for (const m of o.modes) if (!ALL_MODES.includes(m)) throw new Error(`fuzz: unknown mode ${m} (modes: ${ALL_MODES.join(',')})`);
  if (o.random) {
    const seed = randomInt(1, 2 ** 31 - 1);
    console.log(`fuzz: random seed ${seed} (replay: --seeds ${seed})`);
    o.seeds.push(seed);
  }
  if (o.seeds.length === 0) o.seeds.push(...FIXED_SEEDS);
  return o;
}

// The children running now: ended (by pid) if this process is told to stop.
const live = new Set();
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    for (const p of live) p.kill('SIGKILL');
    process.exit(1);
  });
}

function childEnv(o) {
  return o.selftest ? { ...process.env, SYSCALL_LAB_FUZZ_SELFTEST: o.selftest } : process.env;
}

// One child for calls [from, to) of seed: resolves with how it ended and the
// last call it started (to: it finished them all; from - 1: none).
function child(o, seed, from, to, work) {
  return new Promise((resolve) => {
    const progress = join(work, `progress-${seed}-${from}`);
    writeFileSync(progress, ''.padEnd(16));
    // gc() for the free mode; its sweeping on this thread, so that a freed
    // buffer is gone when the getter returns.
    const args = ['--expose-gc', '--single-threaded-gc', join(here, 'worker.js'), String(seed), String(from), String(to), o.modes.join(','), progress, o.skip.join(',')];
    // Own process group, stdin from /dev/null: a read of fd 0 ends at once.
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: childEnv(o) });
    live.add(p);
    let stderr = '';
    p.stderr.on('data', (d) => { stderr = (stderr + d).slice(-64_000); });
    const last = () => {
      const s = readFileSync(progress, 'latin1').trim();
      return s === '' ? from - 1 : s === 'done' ? to : Number(s);
    };
    let seen = from - 1;
    let since = Date.now();
    let hung = false;
    const timer = setInterval(() => {
      const now = last();
      if (now !== seen) { seen = now; since = Date.now(); return; }
      if (Date.now() - since > o.hangMs) { hung = true; p.kill('SIGKILL'); }
    }, 200);
    p.on('close', (code, signal) => {
      live.delete(p);
      clearInterval(timer);
      const at = last();
      rmSync(progress, { force: true });
      resolve({ code, signal, hung, at, stderr });
    });
  });
}

export async function fuzz(o) {
  const work = mkdtempSync(join(tmpdir(), 'syscall-lab-fuzzrun-'));
  if (o.out) mkdirSync(o.out, { recursive: true });
  const started = Date.now();
  const findings = [];
  let calls = 0;
  let children = 0;
  // Work items: [seed, from]; a finding puts the rest of its batch back.
  const queue = [];
  for (const seed of o.seeds) for (let f = 0; f < o.calls; f += o.batch) queue.push([seed, f, Math.min(f + o.batch, o.calls)]);
  const modes = (o.modes.length ? o.modes.join(',') : "''") + (o.skip.length ? ` --skip ${o.skip.join(',')}` : '');
  const deadline = started + o.maxSeconds * 1000;
  async function lane() {
    while (queue.length && Date.now() < deadline) {
      const [seed, from, to] = queue.shift();
      const r = await child(o, seed, from, to, work);
      children++;
      if (r.code === 0 && !r.hung && r.at === to) { calls += to - from; continue; }
      const atExit = r.at >= to;
      const atStart = r.at < from; // before its first call: the set-up (fds, handles) is the suspect
      const call = atExit ? to - 1 : atStart ? from : r.at;
      const what = r.hung ? `hang (no progress for ${o.hangMs} ms)` : r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`;
      const replay = `node tools/fuzz/replay.js --seed ${seed} --from ${from} --call ${call} --modes ${modes}`;
      const f = { seed, from, call, atExit, atStart, what, replay, stderr: r.stderr.slice(-4000) };
      if (r.code === FUZZER_ERROR) {
        // It died before its first call: the fuzzer itself is broken.
        console.log(r.stderr);
        throw new Error(`fuzz: the child for calls ${from}..${to - 1} of seed ${seed} failed outside a call (${what}, last call started: ${r.at})`);
      }
      findings.push(f);
      const when = atExit ? ' (at exit, after the batch)' : atStart ? ' (before its first call)' : '';
      console.log(`fuzz: FINDING ${what} at call ${call}${when} of seed ${seed}\n  ${replay}`);
      const tail = r.stderr.trim().split('\n').slice(-6).join('\n    ');
      if (tail) console.log(`    ${tail}`);
      if (o.out) writeFileSync(join(o.out, `finding-${seed}-${call}.txt`), `${what}\n${replay}\n\n${r.stderr}`);
      calls += Math.min(call + 1, to) - from;
      const next = atStart ? from + 1 : call + 1;
      if (next < to) queue.unshift([seed, next, to]);
    }
  }
  try {
    await Promise.all(Array.from({ length: o.jobs }, lane));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  const complete = queue.length === 0;
  const summary = { seeds: o.seeds, modes: o.modes, skip: o.skip, calls, complete, children, seconds, rate: Math.round(calls / seconds), findings };
  console.log(`fuzz: ${calls} calls in ${children} children, ${seconds.toFixed(1)} s (${summary.rate} calls/s), ${findings.length} findings${complete ? '' : ` (stopped at --max-seconds ${o.maxSeconds}, ${queue.length} batches left)`}`);
  if (o.json) writeFileSync(o.json, JSON.stringify(summary, null, 2));
  return summary;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const summary = await fuzz(parse(process.argv.slice(2)));
  // 1: findings; 2: none, but --max-seconds stopped the run short.
  process.exitCode = summary.findings.length ? 1 : summary.complete ? 0 : 2;
}
