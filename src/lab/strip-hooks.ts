// Module hooks that do for Node 20 what Node 22.6+ does itself: load a .ts
// or .mts file by removing its types. Sucrase (pure JavaScript, no native
// binary) does the transform and keeps every statement on its line; the
// source map of line-map.ts (inline, read with --enable-source-maps) maps
// the columns too, so a stack trace names the line and column of the .ts file.
// As Node's own stripping: imports are kept as written (a type imported
// without `import type` fails at run time), and the file is an ES module.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'sucrase';
import { lineMap } from './line-map.js';

interface LoadContext { format?: string | null }
interface LoadResult { format: string; source: string | Uint8Array; shortCircuit?: boolean }
type NextLoad = (url: string, context: LoadContext) => Promise<LoadResult>;

const TS = /\.m?ts$/;

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  if (!url.startsWith('file:')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  if (path.endsWith('.cts')) {
    throw new Error(`${path}: syscall-lab run on Node 20 loads ES modules only (.ts, .mts); a .cts file needs Node 22 or later`);
  }
  if (!TS.test(path)) return nextLoad(url, context);
  const source = await readFile(path, 'utf8');
  const out = transform(source, {
    transforms: ['typescript'],
    disableESTransforms: true,
    keepUnusedImports: true,
    filePath: path,
  });
  const map = { version: 3, sources: [url], sourcesContent: [source], names: [], mappings: lineMap(out.code, source) };
  const inline = Buffer.from(JSON.stringify(map)).toString('base64');
  return {
    format: 'module',
    source: `${out.code}\n//# sourceMappingURL=data:application/json;base64,${inline}\n`,
    shortCircuit: true,
  };
}
