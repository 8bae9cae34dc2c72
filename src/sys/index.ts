// The raw layer: C names, C argument order, C results (-1 and errno()).
export * from './native.js';
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
