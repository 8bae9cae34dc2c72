// syscall-lab: real POSIX calls from TypeScript (sys), the CSAPP wrappers
// over them (csapp), and the course servers, clients and demos.
// The declarations use Node's types (Buffer, ChildProcess, util.inspect):
// a program that imports the package gets them (@types/node is a dependency).
/// <reference types="node" preserve="true" />
export * from './sys/index.js';
export * from './csapp/index.js';
export * from './servers/index.js';
export * from './clients/index.js';
export * from './demos/index.js';
export { launch, cliCommand, type Launched } from './launch.js';
