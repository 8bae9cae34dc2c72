// The raw layer: C names, C argument order, C results (-1 and errno()).
// The declarations use Node's types (Buffer, ChildProcess, util.inspect):
// a program that imports the package gets them (@types/node is a dependency).
/// <reference types="node" preserve="true" />
// Not the raw addon (native): its typed functions are the modules' exports.
export { cell, sizeof, js_lock_held, type Cell, type SizeofName } from './native.js';
export * from './constants.js';
export * from './errno.js';
export * from './sockaddr.js';
export * from './socket.js';
export * from './io.js';
export * from './file.js';
export * from './env.js';
export * from './netdb.js';
export * from './tcp.js';
export * from './signal.js';
export * from './time.js';
export * from './process.js';
export * from './exec.js';
export * from './select.js';
export * from './thread.js';
export * from './sync.js';
