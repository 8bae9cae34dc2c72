// `syscall-lab init DIR`: a folder a student starts from: server.ts (CSAPP's
// iterative echo server), client.ts, a strict tsconfig.json, package.json
// (syscall-lab as its dependency; `npm start`, `npm run check`) and a short
// README. The files are in templates/lab/ of the package.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../launch.js';

export const INIT_USAGE = `usage: syscall-lab init DIR [--from PATH]

Makes DIR (new, or empty) a lab folder: server.ts (CSAPP's iterative echo
server), client.ts, package.json, tsconfig.json (strict), README.md.
Then: cd DIR && npm install && npm start

  --from PATH   depend on the syscall-lab checkout at PATH (a file:
                dependency) instead of syscall-lab@VERSION from the registry`;

/** Template files and the names they get (npm would drop a .gitignore from the package). */
const FILES: Record<string, string> = {
  'server.ts': 'server.ts',
  'client.ts': 'client.ts',
  'tsconfig.json': 'tsconfig.json',
  'README.md': 'README.md',
  gitignore: '.gitignore',
};

function readPackage(dir: string): { name?: string; version?: string } {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

/** package.json's name: the folder's name, as npm allows it. */
function packageName(dir: string): string {
  const name = basename(dir).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '');
  return name || 'lab';
}

/** Writes the lab folder; returns the paths written, relative to dir. */
export function init(dir: string, from?: string): string[] {
  dir = resolve(dir);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new InitError(`${dir} is not empty: give a new folder`);
  }
  let dependency: string;
  if (from !== undefined) {
    const checkout = resolve(from);
    if (!existsSync(join(checkout, 'package.json')) || readPackage(checkout).name !== 'syscall-lab') {
      throw new InitError(`--from ${from}: not a syscall-lab folder (no package.json named syscall-lab)`);
    }
    dependency = `file:${relative(dir, checkout) || '.'}`;
  } else {
    dependency = `^${readPackage(packageRoot()).version}`;
  }
  mkdirSync(dir, { recursive: true });
  const templates = join(packageRoot(), 'templates', 'lab');
  for (const [from, to] of Object.entries(FILES)) copyFileSync(join(templates, from), join(dir, to));
  const pkg = {
    name: packageName(dir),
    private: true,
    type: 'module',
    scripts: {
      start: 'syscall-lab run server.ts',
      client: 'syscall-lab run client.ts',
      check: 'syscall-lab typecheck',
    },
    dependencies: { 'syscall-lab': dependency },
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  return ['package.json', ...Object.values(FILES)];
}

export class InitError extends Error {}

export function initCommand(args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { from: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${INIT_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`syscall-lab init: which folder?\n\n${INIT_USAGE}\n`);
    return 64;
  }
  const dir = positionals[0];
  try {
    const written = init(dir, values.from);
    process.stdout.write(`made ${dir}: ${written.join(', ')}\n\nnext:\n  cd ${dir}\n  npm install\n  npm start          (CSAPP's echo server on port 8080)\n  npm run client     (in another terminal)\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof InitError)) throw err;
    process.stderr.write(`syscall-lab init: ${err.message}\n`);
    return 1;
  }
}
