// The timeline for the terminal, in 80 columns: a row per event, time on the
// left, a column per process or thread. `|` is a lifeline, `:` a thread
// asleep in a blocking call; a call's return shows as `... = RESULT`.
import type { Timeline } from './model.js';

export function render_text(t: Timeline, width = 80): string {
  const n = Math.max(t.columns.length, 1);
  const timeWidth = 7;
  const w = Math.max(8, Math.floor((width - timeWidth) / n));
  const cut = (s: string) => (s.length > w - 1 ? s.slice(0, w - 2) + '~' : s);
  const first = t.columns.map((_, i) => Math.min(...t.marks.filter((m) => m.column === i).map((m) => m.row)));
  const last = t.columns.map((_, i) => Math.max(...t.marks.filter((m) => m.column === i).map((m) => m.endRow ?? t.rows)));
  const lines: string[] = [];
  lines.push(' '.repeat(timeWidth) + t.columns.map((c) => cut(c.label).padEnd(w)).join('').trimEnd());
  for (let row = 0; row < t.rows; row++) {
    const cells: string[] = t.columns.map((_, i) => {
      if (row < first[i] || row > last[i]) return '';
      const asleep = t.marks.some((m) => m.column === i && m.blocking && m.row < row && (m.endRow ?? Infinity) > row);
      return asleep ? ':' : '|';
    });
    for (const m of t.marks) {
      if (m.row === row) cells[m.column] = m.blocking ? `${m.label} ...` : m.call.kind === 'signal' ? `--- ${m.label} ---` : `${m.label} = ${m.result ?? '?'}`;
      if (m.blocking && m.endRow === row) cells[m.column] = `... = ${m.result ?? '?'}`;
    }
    const time = (t.times[row] ?? 0).toFixed(3).padStart(timeWidth - 1) + ' ';
    lines.push(time + cells.map((c) => cut(c).padEnd(w)).join('').trimEnd());
  }
  return lines.join('\n') + '\n';
}
