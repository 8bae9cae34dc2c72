// Runs a profile's checks against a server command: starts it, runs each
// check in order with a bound, restarts the server if a check took it down,
// and ends every process it started.
import { checks, type Context } from './checks.js';
import type { Profile } from './profiles.js';
import { free_port, ServerUnderTest } from './runner.js';
import type { Report, Verdict } from './report.js';

export interface BatteryOptions {
  command: string[];
  profile: Profile;
  host?: string;
  /** A fixed port (--port); otherwise a free one for every start. */
  port?: number;
  /** Called after each verdict (progress on stderr). */
  progress?: (v: Verdict) => void;
}

async function start(opts: BatteryOptions, host: string): Promise<{ server: ServerUnderTest; failure: string | null }> {
  const port = opts.port ?? await free_port(host);
  const command = opts.command.map((a) => a.replaceAll('{port}', String(port)));
  const server = new ServerUnderTest(command, host, port);
  const failure = await server.accepting(opts.profile.settings.startMs);
  return { server, failure: failure?.detail ?? null };
}

export async function run_battery(opts: BatteryOptions): Promise<Report> {
  const t0 = performance.now();
  const host = opts.host ?? '127.0.0.1';
  const { profile } = opts;
  const all: ServerUnderTest[] = [];
  const verdicts: Verdict[] = [];
  let leftRunning: number[] = [];
  const first = await start(opts, host);
  all.push(first.server);
  const report = (started: boolean, failure?: string): Report => {
    let score = 0, max = 0;
    for (const v of verdicts) {
      if (v.expect === 'pass' || v.expect === 'fail') {
        max += v.weight;
        if (v.ok) score += v.weight;
      }
    }
    return {
      command: opts.command, profile: profile.name, port: first.server.port, started, start_failure: failure,
      verdicts, score, max, ok: started && verdicts.every((v) => v.ok), seconds: (performance.now() - t0) / 1000, left_running: [],
    };
  };
  try {
    if (first.failure) {
      for (const c of checks) {
        const rule = profile.rules[c.id];
        verdicts.push({ id: c.id, title: c.title, expect: rule.expect, weight: rule.weight, passed: null, ok: rule.expect === 'any' || rule.expect === 'skip', measured: 'not run: the server did not start', ms: 0 });
      }
    } else {
    const ctx: Context = {
      settings: profile.settings,
      server: first.server,
      fresh: async () => {
        const s = await start(opts, host);
        all.push(s.server);
        return s.failure ? null : s.server;
      },
    };
    for (const c of checks) {
      const rule = profile.rules[c.id];
      const t = performance.now();
      let passed: boolean | null = null;
      let measured = 'skipped by the profile';
      if (rule.expect !== 'skip') {
        if (!ctx.server.alive) {
          // A check took the server down (reported there): the next ones get a fresh one.
          const s = await start(opts, host);
          all.push(s.server);
          ctx.server = s.server;
          ctx.cycles = undefined;
        }
        const bound = 20_000 + 4 * profile.settings.replyMs + 2 * profile.settings.stopMs + profile.settings.startMs;
        let timer: NodeJS.Timeout | undefined;
        try {
          const outcome = await Promise.race([
            c.run(ctx),
            new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no verdict within ${bound / 1000} s`)), bound); }),
          ]);
          passed = outcome.passed;
          measured = outcome.measured;
        } catch (err) {
          passed = false;
          measured = (err as Error).message;
        } finally {
          clearTimeout(timer);
        }
      }
      const ok = rule.expect === 'any' || rule.expect === 'skip' || (rule.expect === 'pass') === passed;
      const v: Verdict = { id: c.id, title: c.title, expect: rule.expect, weight: rule.weight, passed, ok, measured, hint: ok ? undefined : c.hint, ms: Math.round(performance.now() - t) };
      verdicts.push(v);
      opts.progress?.(v);
    }
    }
  } finally {
    const left: number[] = [];
    for (const s of all) left.push(...await s.end());
    if (left.length) verdicts.push({ id: 'cleanup', title: 'everything it started ended', expect: 'pass', weight: 0, passed: false, ok: false, measured: `pids still running: ${left.join(' ')}`, ms: 0 });
    leftRunning = left;
  }
  const r = first.failure ? report(false, first.failure) : report(true);
  r.left_running = leftRunning;
  return r;
}
