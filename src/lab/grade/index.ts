// `syscall-lab check [options] -- COMMAND...`: grades any echo server, in any
// language, against the lesson's properties of a concurrent server.
import { parseArgs } from 'node:util';
import { checks } from './checks.js';
import { labs, load_profile, ProfileError, type Profile } from './profiles.js';
import { run_battery } from './battery.js';
import { adopt_orphans } from './runner.js';
import { format_json, format_table } from './report.js';

export const USAGE = `usage: syscall-lab check [options] -- COMMAND...

Starts COMMAND (any server: {port} in it becomes a free port), waits until it
accepts, runs the checks, ends it and everything it started, and prints a
table (or JSON). Exit status: 0 every counted check as the profile wants,
1 not, 2 the server did not start, 64 bad usage or profile.

  --lab NAME        a built-in profile (default: concurrent)
  --profile FILE    a JSON profile (see docs/GRADING.md)
  --port N          use port N rather than a free one
  --host H          the address the server listens on (default 127.0.0.1)
  --json            JSON on stdout, for Autolab / GitHub Classroom / CI
  --quiet           no progress on stderr

labs:
${Object.entries(labs).map(([k, v]) => `  ${k.padEnd(21)} ${v.summary}`).join('\n')}

checks: ${checks.slice(0, 7).map((c) => c.id).join(', ')},
  ${checks.slice(7).map((c) => c.id).join(', ')}`;

function usage_error(message: string): number {
  process.stderr.write(`syscall-lab check: ${message}\n(see syscall-lab check --help)\n`);
  return 64;
}

export async function check_command(args: string[]): Promise<number> {
  const dash = args.indexOf('--');
  const opts = dash < 0 ? args : args.slice(0, dash);
  const command = dash < 0 ? [] : args.slice(dash + 1);
  let values;
  try {
    ({ values } = parseArgs({
      args: opts,
      allowPositionals: false,
      options: {
        lab: { type: 'string' },
        profile: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        json: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return usage_error((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command.length === 0) return usage_error('no server command (put it after --)');
  if (values.lab && values.profile) return usage_error('--lab or --profile, not both (a profile may "extends" a lab)');
  let profile: Profile;
  if (values.profile) {
    try {
      profile = load_profile(values.profile);
    } catch (err) {
      if (err instanceof ProfileError) return usage_error(err.message);
      throw err;
    }
  } else {
    const name = values.lab ?? 'concurrent';
    if (!labs[name]) return usage_error(`no lab ${JSON.stringify(name)} (${Object.keys(labs).join(', ')})`);
    profile = labs[name].profile;
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) return usage_error(`bad --port ${values.port}`);
  }
  if (process.platform !== 'linux') return usage_error('the checks read /proc: Linux only');
  const progress = values.quiet || values.json ? undefined : (v: { id: string; passed: boolean | null }) =>
    process.stderr.write(`  ${v.id}: ${v.passed === null ? 'skip' : v.passed ? 'pass' : 'FAIL'}\n`);
  adopt_orphans(); // a daemon that leaves the servers' tree comes back to us
  // Ctrl-C on the grader: the servers are ended by the runner's exit hook.
  const interrupted = () => process.exit(130);
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const report = await run_battery({ command, profile, host: values.host, port, progress });
  process.stdout.write(`${values.json ? format_json(report) : format_table(report)}\n`);
  return !report.started ? 2 : report.ok ? 0 : 1;
}
