// A source map for code whose every statement stays on its line and that
// differs from its source by what was taken out (types): Sucrase's output.
// Sucrase's own map maps lines only; this one maps each token of a line to
// its column in the source, found by walking both lines together (each
// character of the code is the next equal character of the source), so a
// stack trace names the line and the column of the .ts file.

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** One base64 VLQ number, as source maps (v3) write them. */
function vlq(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += B64[digit];
  } while (v > 0);
  return out;
}

/** For each column of code, the column in source it came from (the last match for inserted text). */
export function alignColumns(code: string, source: string): number[] {
  const cols: number[] = [];
  let s = 0;
  for (let c = 0; c < code.length; c++) {
    const found = source.indexOf(code[c], s);
    if (found === -1) {
      cols.push(Math.min(s, source.length));
    } else {
      cols.push(found);
      s = found + 1;
    }
  }
  return cols;
}

const word = (ch: string) => /[\w$]/.test(ch);

/** The mappings of a v3 source map from code to source (one source, same lines). */
export function lineMap(code: string, source: string): string {
  const codeLines = code.split('\n');
  const sourceLines = source.split('\n');
  let prevSourceLine = 0, prevSourceCol = 0;
  const lines: string[] = [];
  codeLines.forEach((line, i) => {
    const cols = alignColumns(line, sourceLines[i] ?? '');
    const segments: string[] = [];
    let prevCol = 0;
    for (let c = 0; c < line.length; c++) {
      const ch = line[c];
      if (/\s/.test(ch)) continue;
      if (c > 0 && !/\s/.test(line[c - 1]) && word(ch) && word(line[c - 1])) continue; // inside a word
      segments.push(vlq(c - prevCol) + vlq(0) + vlq(i - prevSourceLine) + vlq(cols[c] - prevSourceCol));
      prevCol = c;
      prevSourceLine = i;
      prevSourceCol = cols[c];
    }
    lines.push(segments.join(','));
  });
  return lines.join(';');
}
