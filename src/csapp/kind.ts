// What a value is, in the words of a TypeError: "got a number". Internal to
// the CSAPP layer (not exported by the package).

/** 'a number', 'a string', 'null', 'a Uint8Array', 'an object'... */
export function kind(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'an array';
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
