// Argument checks made in TypeScript, for the calls whose C half is written
// here: the same rules and the same messages as the addon's (native/args.h),
// so that a caller sees one form whichever side judged the argument.

/** What a bad argument was, for a message: "null", "an array", "a number". */
export function kind_of(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'an array';
  const t = typeof v;
  return t === 'object' ? 'an object' : `a ${t}`;
}

/**
 * A cell { value }, C's pointer to one value (`int *`, `void **`), checked
 * before the call so that its result is never lost to a cell it cannot be
 * stored in. `nullable`: null and undefined stand for C's NULL.
 */
export function check_cell(fn: string, name: string, ctype: string, v: unknown, nullable: boolean): void {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return;
  if (nullable && (v === null || v === undefined)) return;
  throw new TypeError(`${fn}: ${name} must be a cell { value }${nullable ? ' or null' : ''} (${ctype}), got ${kind_of(v)}`);
}
