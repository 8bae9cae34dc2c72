// The timeline as a self-contained SVG: the notes' figure (client 1, the
// server, its children or threads, client 2) drawn from a real run. Columns
// are <g class="column" data-label>, calls are <rect class="span"> (a
// blocking call, from its entry to its return) or <circle class="point">,
// links are <line class="link KIND">; every call carries data-call and
// data-column, so a test (or a curious student) can find them.
import type { Timeline } from './model.js';

const COL = 200;
const ROW = 20;
const TOP = 56;
const LEFT = 64;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const x = (column: number) => LEFT + column * COL + COL / 2;
const y = (row: number) => TOP + row * ROW + ROW / 2;

export function render_svg(t: Timeline, title: string): string {
  const width = LEFT + t.columns.length * COL + 20;
  const height = TOP + t.rows * ROW + 30;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="11">`);
  out.push(`<title>${esc(title)}</title>`);
  out.push(`<style>
  .lifeline { stroke: #999; stroke-dasharray: 2 3; }
  .head rect { fill: #eef; stroke: #336; }
  .span { fill: #fc9; stroke: #c60; }
  .point { fill: #369; }
  .signal { fill: #c00; }
  .link { stroke-width: 1.5; fill: none; }
  .connection { stroke: #393; stroke-dasharray: 6 3; }
  .fork, .thread { stroke: #639; }
  .data { stroke: #36c; }
  .time { fill: #777; }
  .label { fill: #000; }
  .result { fill: #555; }
</style>`);
  out.push(`<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="context-stroke"/></marker></defs>`);
  out.push(`<text x="8" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`);
  // time, every few rows
  const every = Math.max(1, Math.ceil(t.rows / 40));
  for (let row = 0; row < t.rows; row += every) {
    out.push(`<text class="time" x="4" y="${y(row) + 4}">${(t.times[row] ?? 0).toFixed(3)}s</text>`);
  }
  t.columns.forEach((c, i) => {
    const rows = t.marks.filter((m) => m.column === i);
    const first = Math.min(...rows.map((m) => m.row));
    const last = Math.max(...rows.map((m) => m.endRow ?? t.rows - 1));
    out.push(`<g class="column" data-label="${esc(c.label)}" data-pid="${c.pid}" data-tid="${c.tid}">`);
    out.push(`<g class="head"><rect x="${x(i) - COL / 2 + 10}" y="26" width="${COL - 20}" height="22" rx="4"/><text x="${x(i)}" y="41" text-anchor="middle">${esc(c.label)} (${c.pid}${c.tid > 1 ? `/${c.tid}` : ''})</text></g>`);
    out.push(`<line class="lifeline" x1="${x(i)}" y1="${y(first)}" x2="${x(i)}" y2="${y(last)}"/>`);
    out.push('</g>');
  });
  for (const m of t.marks) {
    const col = t.columns[m.column].label;
    const data = `data-call="${esc(m.call.name)}" data-column="${esc(col)}" data-row="${m.row}"${m.endRow !== undefined ? ` data-end-row="${m.endRow}"` : ''}`;
    if (m.blocking) {
      const end = m.endRow ?? t.rows - 1;
      out.push(`<rect class="span" ${data} x="${x(m.column) - 5}" y="${y(m.row) - 4}" width="10" height="${(end - m.row) * ROW + 8}"/>`);
      out.push(`<text class="label" x="${x(m.column) + 9}" y="${y(m.row) + 4}">${esc(m.label)}</text>`);
      if (m.endRow !== undefined) out.push(`<text class="result" x="${x(m.column) + 9}" y="${y(m.endRow) + 4}">= ${esc(m.result ?? '?')}</text>`);
    } else if (m.call.kind === 'signal') {
      out.push(`<circle class="point signal" ${data} cx="${x(m.column)}" cy="${y(m.row)}" r="5"/>`);
      out.push(`<text class="label" x="${x(m.column) + 9}" y="${y(m.row) + 4}" fill="#c00">--- ${esc(m.label)} ---</text>`);
    } else {
      out.push(`<circle class="point" ${data} cx="${x(m.column)}" cy="${y(m.row)}" r="4"/>`);
      out.push(`<text class="label" x="${x(m.column) + 9}" y="${y(m.row) + 4}">${esc(m.label)} = ${esc(m.result ?? '?')}</text>`);
    }
  }
  for (const l of t.links) {
    const from = t.columns[l.from.column].label;
    const to = t.columns[l.to.column].label;
    const arrow = l.kind === 'connection' ? ' marker-start="url(#arrow)" marker-end="url(#arrow)"' : ' marker-end="url(#arrow)"';
    out.push(`<line class="link ${l.kind}" data-from="${esc(from)}" data-to="${esc(to)}" data-label="${esc(l.label)}" x1="${x(l.from.column)}" y1="${y(l.from.row)}" x2="${x(l.to.column)}" y2="${y(l.to.row)}"${arrow}><title>${esc(`${l.kind} ${l.label}`)}</title></line>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
