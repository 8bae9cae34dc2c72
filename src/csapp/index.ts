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
// The error section: csapp.c's unix_error, posix_error, gai_error, app_error
// and what an uncaught one prints (check, the wrappers' own, stays inside).
export {
  UnixError, AppError, unix_error, posix_error, gai_error, app_error, gai_strerror, unix_error_message,
  uncaught_stack_wanted, install_unix_error_report,
} from './errors.js';
