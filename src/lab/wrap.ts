// Text for an 80-column terminal, in one place: the CLI's help, the
// benchmark's notes and summary, the grader's hints, watch's lists, the
// timeline's reading.

/**
 * Words (a text split at its spaces, or a list) into lines of at most
 * `width` columns, the first line after `first`, the others after `rest`.
 * A word longer than a line has a line of its own (it is not cut).
 */
export function wrap(text: string | readonly string[], width: number, first = '', rest = first): string[] {
  const words = typeof text === 'string' ? text.split(' ').filter((w) => w !== '') : text;
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of words) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest;
      empty = true;
    }
    line += (empty ? '' : ' ') + word;
    empty = false;
  }
  if (!empty) lines.push(line);
  return lines;
}
