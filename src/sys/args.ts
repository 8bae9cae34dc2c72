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

/**
 * An integer in [lo, hi], as the addon's readers take one (native/args.cc,
 * ToInt64): a TypeError if not a number, a RangeError if not a whole number
 * in range, with the range and the value given.
 */
export function check_int(fn: string, name: string, v: unknown, lo: number, hi: number): asserts v is number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${name} must be a number`);
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${fn}: ${name} must be an integer in [${lo}, ${hi}], got ${v}`);
}
