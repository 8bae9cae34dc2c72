// The CSAPP / Stevens layer: checked Capitalized wrappers, RIO,
// open_clientfd / open_listenfd, and C-style output.
export * from './wrappers.js';
export * from './rio.js';
export * from './open.js';
export * from './stdio.js';
export * from './sscanf.js';
export * from './string.js';
export * from './select.js';
export * from './process.js';
export * from './thread.js';
export * from './sbuf.js';
export * from './sio.js';
export * from './unix_error.js';
