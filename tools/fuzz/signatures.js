// The parameter names of every exported function, read from the TypeScript
// sources (dist keeps no types, and the addon's functions have no names):
// `export function f(a: T, b: U)`, `export const f: (a: T) => R = ...`, and
// `export const f = native.f`, whose parameters are the declaration's in
// src/sys/native.ts (`  f(a: T): R;`).
// The fuzzer picks each argument's domain from its name (fd, buf, sig...).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// The text between the parenthesis at `open` and its match.
function balanced(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  return '';
}

// 'a: T, b?: (x: U) => V, ...rest: W[]' -> ['a', 'b', 'rest'], at depth 0 only.
function names(params) {
  const out = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= params.length; i++) {
    const ch = params[i];
    if (ch === '(' || ch === '<' || ch === '{' || ch === '[') depth++;
    else if (ch === ')' || ch === '>' || ch === '}' || ch === ']') depth--;
    if ((ch === ',' && depth === 0) || i === params.length) {
      const m = /^\s*(?:\.\.\.)?([A-Za-z_$][\w$]*)/.exec(params.slice(start, i));
      if (m) out.push(m[1]);
      start = i + 1;
    }
  }
  return out;
}

/** Map from exported name to its parameter names (the first overload wins). */
export function signatures(srcDirs) {
  const sigs = new Map();
  const fromAddon = [];
  let declared = '';
  for (const dir of srcDirs) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      if (file === 'native.ts') declared = text;
      const re = /export\s+(?:function\s+([A-Za-z_$][\w$]*)\s*(?:<[^(]*>)?\s*\(|const\s+([A-Za-z_$][\w$]*)\s*:\s*\()/g;
      for (let m; (m = re.exec(text));) {
        const name = m[1] ?? m[2];
        if (!sigs.has(name)) sigs.set(name, names(balanced(text, re.lastIndex - 1)));
      }
      const alias = /export\s+const\s+([A-Za-z_$][\w$]*)\s*(?::[^=;]*)?=\s*native\.([A-Za-z_$][\w$]*)/g;
      for (let m; (m = alias.exec(text));) if (m[1] === m[2]) fromAddon.push(m[1]);
    }
  }
  for (const name of fromAddon) {
    if (sigs.has(name)) continue;
    const m = new RegExp(`^ +${name.replace(/\$/g, '\\$')}\\(`, 'm').exec(declared);
    if (m) sigs.set(name, names(balanced(declared, m.index + m[0].length - 1)));
  }
  return sigs;
}
