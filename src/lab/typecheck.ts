// `syscall-lab typecheck [FILE...]`: type-checks a program with the TypeScript
// that syscall-lab depends on, and prints the errors as `tsc` does
// (FILE(LINE,COL): error TSnnnn: ...). The options are those of the nearest
// tsconfig.json; without one, those `syscall-lab init` writes (one home:
// templates/lab/tsconfig.json). Nothing is emitted.
import { dirname, join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { packageRoot } from '../launch.js';

export const TYPECHECK_USAGE = `usage: syscall-lab typecheck [FILE...]

Type-checks with syscall-lab's TypeScript and prints the errors as tsc
does: FILE(LINE,COL): error TSnnnn: message. With no FILE, the project of
./tsconfig.json; with files, those files, with the options of the nearest
tsconfig.json (or the ones \`syscall-lab init\` writes). Exit status 1 on
errors, 0 if none. Nothing is written.`;

type TS = typeof import('typescript');

/** Type-checks; writes the diagnostics to out; returns the number of errors. */
export function check(files: string[], out: NodeJS.WritableStream, cwd = process.cwd()): number {
  const ts = createRequire(import.meta.url)('typescript') as TS;
  const host: import('typescript').FormatDiagnosticsHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => cwd,
    getNewLine: () => '\n',
  };
  const report = (diags: readonly import('typescript').Diagnostic[]): number => {
    if (diags.length) out.write(ts.formatDiagnostics(diags, host));
    return diags.filter((d) => d.category === ts.DiagnosticCategory.Error).length;
  };

  const start = files.length ? dirname(resolve(cwd, files[0])) : cwd;
  const configPath = ts.findConfigFile(start, ts.sys.fileExists);
  let options: import('typescript').CompilerOptions;
  let rootNames: string[];
  if (configPath) {
    const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => report([d]),
    });
    if (!parsed) return 1;
    if (parsed.errors.length) return report(parsed.errors) || 1;
    options = parsed.options;
    rootNames = files.length ? files.map((f) => resolve(cwd, f)) : parsed.fileNames;
  } else {
    if (!files.length) {
      out.write(`syscall-lab typecheck: no tsconfig.json here (${cwd}) nor above; name the files to check\n`);
      return 1;
    }
    const template = join(packageRoot(), 'templates', 'lab', 'tsconfig.json');
    const json = ts.parseConfigFileTextToJson(template, readFileSync(template, 'utf8'));
    options = ts.convertCompilerOptionsFromJson(json.config.compilerOptions, cwd).options;
    rootNames = files.map((f) => resolve(cwd, f));
  }
  const program = ts.createProgram(rootNames, { ...options, noEmit: true });
  return report(ts.getPreEmitDiagnostics(program));
}

export function checkCommand(args: string[]): number {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${TYPECHECK_USAGE}\n`);
    return 0;
  }
  const bad = args.find((a) => a.startsWith('-'));
  if (bad) {
    process.stderr.write(`syscall-lab typecheck: unknown option ${bad}\n\n${TYPECHECK_USAGE}\n`);
    return 64;
  }
  return check(args, process.stdout) > 0 ? 1 : 0;
}
