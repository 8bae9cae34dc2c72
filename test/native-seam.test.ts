// The seam between the addon and TypeScript: src/sys/native.ts declares each
// export of the addon once (NativeCalls, and EpollCalls / KqueueCalls where
// the platform has them). The declaration is read here with the TypeScript
// compiler and compared with what the addon really exports, both ways: a
// function registered in native/ without its declaration fails, and so does a
// declaration of a function the addon does not have.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { native } from '../src/sys/native.js';
import * as sys from '../src/sys/index.js';

const source = fileURLToPath(new URL('../src/sys/native.ts', import.meta.url));

interface Declared { calls: Set<string>; values: Set<string>; anys: string[] }

// The members of one interface of native.ts: methods, and the other properties.
function declared(name: string): Declared {
  const file = ts.createSourceFile(source, readFileSync(source, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found = file.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
  if (!found) throw new Error(`src/sys/native.ts has no interface ${name}`);
  const out: Declared = { calls: new Set(), values: new Set(), anys: [] };
  for (const m of found.members) {
    const key = m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) ? m.name.text : null;
    if (key === null) throw new Error(`${name}: a member without a plain name: ${m.getText(file)}`);
    if (out.calls.has(key) || out.values.has(key)) throw new Error(`${name}: ${key} is declared twice`);
    if (ts.isMethodSignature(m)) out.calls.add(key);
    else if (ts.isPropertySignature(m) && m.type && !ts.isFunctionTypeNode(m.type)) out.values.add(key);
    else throw new Error(`${name}: declare ${key} as a method or a data property: ${m.getText(file)}`);
    const visit = (n: ts.Node): void => {
      if (n.kind === ts.SyntaxKind.AnyKeyword) out.anys.push(key);
      ts.forEachChild(n, visit);
    };
    visit(m);
  }
  return out;
}

const kqueuePlatform = ['darwin', 'freebsd', 'openbsd', 'netbsd'].includes(process.platform);

describe('the addon and its declaration (src/sys/native.ts)', () => {
  const calls = declared('NativeCalls');
  const epoll = declared('EpollCalls');
  const prctl = declared('PrctlCalls');
  const kq = declared('KqueueCalls');
  // What this platform's addon must export: every platform's calls, and
  // epoll's and prctl on Linux or kqueue's on macOS and the BSDs.
  const linuxCalls = process.platform === 'linux' ? [...epoll.calls, ...prctl.calls] : [];
  const expected = new Set([...calls.calls, ...linuxCalls, ...(kqueuePlatform ? kq.calls : [])]);

  it('every function the addon exports is declared, and every declared one exported', () => {
    const exported = Object.keys(native).filter((k) => typeof (native as unknown as Record<string, unknown>)[k] === 'function');
    expect(expected.size).toBeGreaterThan(100);
    expect(exported.filter((k) => !expected.has(k)).sort(), 'exported by the addon, not declared in NativeCalls').toEqual([]);
    expect([...expected].filter((k) => !exported.includes(k)).sort(), 'declared, not exported by the addon').toEqual([]);
  });

  it('its other exports (constants, errno_names, sizeof) are declared as data, both ways', () => {
    const values = Object.keys(native).filter((k) => typeof (native as unknown as Record<string, unknown>)[k] !== 'function');
    expect(values.sort()).toEqual([...calls.values].sort());
    expect(epoll.values.size + prctl.values.size + kq.values.size).toBe(0);
  });

  it('declares each once, with a type: no any, no name in two interfaces', () => {
    expect([...calls.anys, ...epoll.anys, ...prctl.anys, ...kq.anys]).toEqual([]);
    const all = [...calls.calls, ...calls.values, ...epoll.calls, ...prctl.calls, ...kq.calls];
    expect(all.length).toBe(new Set(all).size);
  });

  it('is not part of the package: syscall-lab/sys exports the typed functions, not the raw addon', () => {
    expect('native' in sys).toBe(false);
    expect(sys.socket).toBe(native.socket);
    expect(sys.sizeof).toBe(native.sizeof);
  });
});
