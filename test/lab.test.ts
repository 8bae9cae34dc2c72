// syscall-lab run / check / init: a student's program runs as under `node`
// (its pid, stdio, signals, exit status), type errors come out as tsc
// prints them, and `init` makes a folder that installs, type-checks and
// serves a client written in Python.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliCommand, launch, packageRoot, type Launched } from '../src/launch.js';
import { nodeStrips, parseRunArgs } from '../src/lab/run.js';
import { closed_port, linux, python, python_available, round_trip, settle, it_linux, NEEDS_LINUX } from './helpers.js';

const fixtures = join(packageRoot(), 'test', 'fixtures', 'lab');
const [node, cli] = cliCommand();

/** `syscall-lab run ARGS` in the fixtures folder, to completion, bounded. */
function run(args: string[], input = '', timeout = 20_000) {
  const t0 = performance.now();
  const r = spawnSync(node, [cli, 'run', ...args], { cwd: fixtures, input, encoding: 'utf8', timeout });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, pid: r.pid, ms: performance.now() - t0 };
}

/** The live children of pid (Linux). */
function children(pid: number): number[] {
  const path = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

/** A Python client: one line to 127.0.0.1:port (retried while nobody listens yet), prints the reply. */
function python_echo(port: number, line: string) {
  return python(`
import socket, time
deadline = time.time() + 20
while True:
    try:
        s = socket.create_connection(('127.0.0.1', ${port}), timeout=5)
        break
    except ConnectionRefusedError:
        if time.time() > deadline: raise
        time.sleep(0.1)
s.sendall(${JSON.stringify(line)}.encode() + b'\\n')
data = b''
while not data.endswith(b'\\n'):
    chunk = s.recv(4096)
    if not chunk: break
    data += chunk
s.close()
print(data.decode(), end='')
`, 30_000);
}

describe('syscall-lab run', () => {
  it('picks how this Node removes types: its own (22.6+) or the hooks (20)', () => {
    expect(nodeStrips('20.20.2', {})).toBe('no');
    expect(nodeStrips('22.5.1', {})).toBe('no');
    expect(nodeStrips('22.6.0', {})).toBe('flag');
    expect(nodeStrips('23.1.0', {})).toBe('flag');
    expect(nodeStrips('22.18.0', { typescript: 'strip' })).toBe('default');
    expect(nodeStrips('26.0.0', { typescript: 'strip' })).toBe('default');
  });

  it('options come before the file; everything after it is the program\'s', () => {
    expect(parseRunArgs(['--check', 'a.ts', '--check', '-x'])).toEqual({ check: true, stack: false, file: 'a.ts', args: ['--check', '-x'] });
    expect(parseRunArgs(['--', '-odd.ts', '1'])).toEqual({ check: false, stack: false, file: '-odd.ts', args: ['1'] });
    expect(parseRunArgs(['--bogus', 'a.ts'])).toMatch(/unknown option --bogus/);
    expect(parseRunArgs([])).toMatch(/which program/);
  });

  it('the program is the process: its pid, argv, stdin, stdout and exit status', () => {
    const r = run(['stdio.ts', '3', 'two words'], 'hello\nworld\n');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`pid ${r.pid} args ["3","two words"]\nHELLO\nWORLD\n`);
    expect(r.status).toBe(3);
  });

  it('an uncaught error exits 1 and its stack names the .ts file, line and column', () => {
    const r = run(['stdio.ts', 'throw'], 'x\n');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('X\n');
    // Line 13, column 69: `new Error` after a type annotation on the same line.
    expect(r.stderr).toMatch(/Error: raised 0\n\s+at .*stdio\.ts:13:69\)/);
  });

  it('SYSCALL_LAB_RUN is set for the library; --stack sets SYSCALL_LAB_STACK', () => {
    const script = join(mkdtempSync(join(tmpdir(), 'lab-env-')), 'env.mjs');
    try {
      writeFileSync(script, 'console.log(process.env.SYSCALL_LAB_RUN, process.env.SYSCALL_LAB_STACK);\n');
      expect(run([script]).stdout).toBe('1 undefined\n');
      expect(run(['--stack', script]).stdout).toBe('1 1\n');
    } finally {
      rmSync(join(script, '..'), { recursive: true, force: true });
    }
  });

  it('usage errors: no file exits 64, a missing file 66', () => {
    const none = run([]);
    expect(none.status).toBe(64);
    expect(none.stderr).toMatch(/which program/);
    const missing = run(['nope.ts']);
    expect(missing.status).toBe(66);
    expect(missing.stderr).toBe('syscall-lab run: nope.ts: no such file\n');
  });

  it('--check prints type errors as tsc does and does not run the program', () => {
    // No tsconfig.json in a temporary folder: the options are those of `init`.
    const dir = mkdtempSync(join(tmpdir(), 'lab-check-'));
    try {
      writeFileSync(join(dir, 'bad.ts'), "export {};\n\nconst port: number = 'eighty';\nthrow new Error(`ran ${port}`);\n");
      const r = spawnSync(node, [cli, 'run', '--check', 'bad.ts'], { cwd: dir, encoding: 'utf8', timeout: 90_000 });
      expect(r.stderr).toBe("bad.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.\n" +
        'syscall-lab run: type errors: not run\n');
      expect(r.status).toBe(1);
      writeFileSync(join(dir, 'good.ts'), "export {};\n\nconst port: number = 80;\nthrow new Error(`ran ${port}`);\n");
      const good = spawnSync(node, [cli, 'run', '--check', 'good.ts'], { cwd: dir, encoding: 'utf8', timeout: 90_000 });
      expect(good.stderr).toMatch(/Error: ran 80\n\s+at .*good\.ts:4:7/);
      expect(good.status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  const servers: Launched[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop('SIGKILL');
  });

  /** `syscall-lab run FILE` of a server fixture that prints its pid, then "listening on". */
  async function start(file: string): Promise<Launched> {
    const s = await launch([node, cli, 'run', join(fixtures, file), '0'], { timeoutMs: 30_000, keepOutput: true });
    servers.push(s);
    expect(s.output[0]).toBe(`pid ${s.pid}`); // exec in place: the program has the pid we started
    return s;
  }

  it('a fork server in TypeScript: serves our client and Python\'s, reaps its children, dies of SIGINT', async () => {
    const s = await start('fork-server.ts');
    for (let i = 0; i < 5; i++) expect(round_trip(s.port, `line ${i}\n`)).toBe(`line ${i}\n`);
    if (python_available()) expect(python_echo(s.port, 'from python').stdout).toBe('from python\n');
    if (linux) {
      await settle(() => children(s.pid).length === 0);
      expect(children(s.pid)).toEqual([]); // the SIGCHLD handler reaped them all
    }
    // No handler for SIGINT: as under node, the process is killed by it.
    expect(await s.stop('SIGINT')).toEqual({ code: null, signal: 'SIGINT' });
  }, 60_000);

  it('a thread server in TypeScript: concurrent clients, then SIGINT', async () => {
    const s = await start('thread-server.ts');
    const clients = await Promise.all([1, 2, 3, 4].map((i) => new Promise<string>((resolve, reject) => {
      const child = spawn('python3', ['-c', `
import socket
s = socket.create_connection(('127.0.0.1', ${s.port}), timeout=10)
s.sendall(b'client ${i}\\n')
print(s.recv(100).decode(), end='')
s.close()`], { timeout: 30_000 });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('exit', () => resolve(out));
    })));
    if (python_available()) expect(clients).toEqual(['client 1\n', 'client 2\n', 'client 3\n', 'client 4\n']);
    expect(round_trip(s.port, 'ours\n')).toBe('ours\n');
    expect(await s.stop('SIGINT')).toEqual({ code: null, signal: 'SIGINT' });
  }, 60_000);

  it('SIGTERM too is the program\'s: its handler runs, the exit status is its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-sig-'));
    const file = join(dir, 'term.ts');
    writeFileSync(file, [
      'const ticks: number[] = [];',
      "process.on('SIGTERM', () => { console.log(`SIGTERM after ${ticks.length > 0}`); process.exit(42); });",
      'setInterval(() => ticks.push(1), 10);',
      "console.log('ready');",
    ].join('\n'));
    const child = spawn(node, [cli, 'run', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out === 'ready\n') setTimeout(() => child.kill('SIGTERM'), 100);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
      expect(out).toBe('ready\nSIGTERM after true\n');
      expect({ code, signal }).toEqual({ code: 42, signal: null });
    } finally {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('the CLI answers fast', () => {
  // At exit, says whether the addon or TypeScript was loaded (Linux: the maps).
  const probe = 'data:text/javascript,' + encodeURIComponent(`
    import { readFileSync } from 'node:fs';
    import { createRequire } from 'node:module';
    const require = createRequire(process.cwd() + '/');
    process.on('exit', () => {
      const addon = readFileSync('/proc/self/maps', 'utf8').includes('syscall_lab.node');
      const ts = Object.keys(require.cache).some((f) => f.endsWith('typescript.js'));
      process.stderr.write(JSON.stringify({ addon, ts }));
    });`);

  it_linux(NEEDS_LINUX.proc)('no help loads TypeScript; run, typecheck and init help load no addon either', () => {
    for (const args of [['--help'], ['run', '--help'], ['typecheck', '--help'], ['init', '--help'], ['serve', '--help'], ['demo', '--help'], ['list']]) {
      const r = spawnSync(node, ['--import', probe, cli, ...args], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status, args.join(' ')).toBe(0);
      const loaded = JSON.parse(r.stderr);
      expect(loaded.ts, args.join(' ')).toBe(false);
      // --help, serve, demo and list name the servers and demos, whose modules load the addon.
      if (['run', 'typecheck', 'init'].includes(args[0])) expect(loaded.addon, args.join(' ')).toBe(false);
    }
  });
});

describe('the install script', () => {
  it('does not rebuild an addon that loads in this Node, and says so', () => {
    const addon = join(packageRoot(), 'build', 'Release', 'syscall_lab.node');
    const before = statSync(addon).mtimeMs;
    const r = spawnSync(node, [join(packageRoot(), 'scripts', 'install.js')], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe(`syscall-lab: the native addon is built for node ${process.version}; not rebuilt\n`);
    expect(r.status).toBe(0);
    expect(statSync(addon).mtimeMs).toBe(before);
  });
});

describe('syscall-lab init', () => {
  let dir = '', lab = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lab-init-'));
    lab = join(dir, 'lab');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function npm(args: string[], timeout = 120_000) {
    const r = spawnSync('npm', args, { cwd: lab, encoding: 'utf8', timeout });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('makes a lab folder; refuses a folder that is not empty', () => {
    const r = spawnSync(node, [cli, 'init', lab, '--from', packageRoot()], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('npm install');
    const pkg = JSON.parse(readFileSync(join(lab, 'package.json'), 'utf8'));
    expect(pkg.dependencies['syscall-lab']).toMatch(/^file:/);
    expect(pkg.scripts.start).toBe('syscall-lab run server.ts');
    for (const f of ['server.ts', 'client.ts', 'tsconfig.json', 'README.md', '.gitignore']) expect(existsSync(join(lab, f)), f).toBe(true);
    const again = spawnSync(node, [cli, 'init', lab], { encoding: 'utf8', timeout: 20_000 });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/is not empty/);
  });

  it('without --from the dependency is the version that ran init', () => {
    const other = join(dir, 'other');
    expect(spawnSync(node, [cli, 'init', other], { timeout: 20_000 }).status).toBe(0);
    const version = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version;
    expect(JSON.parse(readFileSync(join(other, 'package.json'), 'utf8')).dependencies['syscall-lab']).toBe(`^${version}`);
  });

  it('npm install, then npm start serves an echo client written in Python', async () => {
    // The checkout is linked (file:); its own install scripts are its business.
    const install = npm(['install', '--ignore-scripts', '--offline', '--no-audit', '--no-fund']);
    expect(install.stderr).not.toMatch(/ERR!/);
    expect(install.status).toBe(0);
    const port = closed_port();
    // A group of its own, so that SIGINT goes to npm, sh and the server, as Ctrl-C does.
    const child = spawn('npm', ['start', '--', String(port)], { cwd: lab, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await settle(() => out.includes(`echo server listening on port ${port}`), 30_000);
      expect(out).toContain(`echo server listening on port ${port}`);
      if (python_available()) {
        const r = python_echo(port, 'hello from python');
        expect(r.stderr).toBe('');
        expect(r.stdout).toBe('hello from python\n');
      } else {
        expect(round_trip(port, 'hello\n')).toBe('hello\n');
      }
      await settle(() => out.includes('server received'), 5000);
      expect(out).toMatch(/Connected to \(.*\)\nserver received \d+ bytes\n/);
    } finally {
      process.kill(-child.pid!, 'SIGINT');
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  }, 180_000);

  it('npm run check passes, even without skipLibCheck: the published declarations compile under --strict', () => {
    // Only syscall-lab is installed: whatever types its .d.ts need come with it.
    const tsconfig = join(lab, 'tsconfig.json');
    const original = readFileSync(tsconfig, 'utf8');
    try {
      writeFileSync(tsconfig, original.replace('"skipLibCheck": true', '"skipLibCheck": false'));
      const r = npm(['run', '-s', 'check']);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    } finally {
      writeFileSync(tsconfig, original);
    }
  }, 180_000);

  it('a type error in server.ts is reported with its file and line', () => {
    const server = join(lab, 'server.ts');
    const source = readFileSync(server, 'utf8');
    try {
      writeFileSync(server, source.replace('const MAXLINE = 8192;', 'const MAXLINE: string = 8192;'));
      const line = source.split('\n').findIndex((l) => l.startsWith('const MAXLINE')) + 1;
      const bad = npm(['run', '-s', 'check']);
      // The first error is the line changed (MAXLINE's other uses follow).
      expect(bad.stdout.split('\n')[0]).toBe(`server.ts(${line},7): error TS2322: Type 'number' is not assignable to type 'string'.`);
      expect(bad.status).not.toBe(0);
    } finally {
      writeFileSync(server, source);
    }
  }, 120_000);
});
