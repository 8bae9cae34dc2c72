// A borderless text table: columns separated by two spaces, each padded to
// its widest cell, left- or right-aligned. The benchmark's default tables
// use it to fit 80 columns (cli-table3's borders cost three columns each).

export type Align = 'left' | 'right';

export function textTable(head: string[], aligns: Align[], rows: string[][]): string {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i] - [...(cell ?? '')].length);
        return aligns[i] === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}
