// syscall-lab: real POSIX calls from TypeScript (sys), the CSAPP wrappers
// over them (csapp), and the course servers, clients and demos.
export * from './sys/index.js';
export * from './csapp/index.js';
export * from './servers/index.js';
export * from './clients/index.js';
export * from './demos/index.js';
export { launch, cliCommand, type Launched } from './launch.js';
