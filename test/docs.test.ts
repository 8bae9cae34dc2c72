// The docs: every relative link in README.md and docs/*.md names a file that
// exists (and, for a link into a Markdown file, a heading it has); the
// README stays an introduction whose first screen says how to start; its
// tables and terminal blocks fit 80 columns.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const docs = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (file: string) => readFileSync(join(root, file), 'utf8');

// Fenced code is not Markdown: a `[x](y)` there is code.
function prose(text: string): string {
  return text.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '');
}

// GitHub's anchor for a heading: lower case, punctuation out, spaces to '-'.
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(read(file)).matchAll(/^#{1,6}\s+(.*)$/gm)) {
    const s = slug(m[1]);
    const n = seen.get(s) ?? 0;
    seen.set(s, n + 1);
    out.add(n === 0 ? s : `${s}-${n}`);
  }
  return out;
}

// Inline links [text](target) and reference definitions [label]: target.
function links(file: string): string[] {
  const text = prose(read(file));
  const inline = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  const refs = [...text.matchAll(/^\[[^\]]+\]:\s+(\S+)/gm)].map((m) => m[1]);
  return [...inline, ...refs].filter((t) => !/^[a-z]+:/i.test(t));
}

describe('links', () => {
  for (const file of docs) {
    it(`${file}: every relative link names a file and a heading that exist`, () => {
      const broken: string[] = [];
      for (const target of links(file)) {
        const [path, anchor] = target.split('#');
        const to = path === '' ? file : join(dirname(file), decodeURI(path));
        if (!existsSync(join(root, to))) {
          broken.push(`${target}: no file ${to}`);
        } else if (anchor && to.endsWith('.md') && !anchors(to).has(anchor)) {
          broken.push(`${target}: no heading #${anchor} in ${to}`);
        }
      }
      expect(broken).toEqual([]);
    });
  }

  it('a link to a missing file or heading is caught', () => {
    expect(anchors('docs/ARCHITECTURE.md').has('the-signal-gap')).toBe(true);
    expect(anchors('docs/ARCHITECTURE.md').has('no-such-heading')).toBe(false);
    expect(slug('Events: select, poll, epoll, kqueue')).toBe('events-select-poll-epoll-kqueue');
  });
});

describe('README', () => {
  const readme = read('README.md');
  const lines = readme.split('\n');

  it('is an introduction: about 150 lines, no line of prose over 80 columns', () => {
    expect(lines.length).toBeLessThanOrEqual(180);
    const long = lines.filter((l) => [...l].length > 80);
    expect(long).toEqual([]);
  });

  it('its first screen says how to install, how to run a program, and where to go next', () => {
    const first = lines.slice(0, 50).join('\n');
    expect(first).toMatch(/npx syscall-lab init/);
    expect(first).toMatch(/npm install/);
    expect(first).toMatch(/npx syscall-lab run prog\.ts/);
    expect(first).toMatch(/## Where to go next/);
    expect(first).toMatch(/docs\/GUIDE\.md/);
  });

  it('links every file of docs/', () => {
    const missing = docs.filter((f) => f !== 'README.md' && !readme.includes(f));
    expect(missing).toEqual([]);
  });
});

// The ARCHITECTURE diagram must read in a terminal too; C-beside-TypeScript
// tables (GUIDE, PORTING) are read rendered, and are wider.
describe('terminal blocks and student-facing tables fit 80 columns', () => {
  const cases: [string, boolean][] = [
    ['docs/CLI.md', true], ['docs/BENCHMARKS.md', true], ['docs/ARCHITECTURE.md', false], ['docs/REFERENCE.md', false],
  ];
  for (const [file, tables] of cases) {
    it(`${file}: ${tables ? 'tables and ' : ''}code blocks`, () => {
      const text = read(file);
      const wide: string[] = [];
      for (const block of text.matchAll(/^```[a-z]*\n([\s\S]*?)^```/gm)) {
        for (const l of block[1].split('\n')) if ([...l].length > 80) wide.push(l);
      }
      if (tables) for (const l of prose(text).split('\n')) if (l.startsWith('|') && [...l].length > 80) wide.push(l);
      expect(wide).toEqual([]);
    });
  }
});
