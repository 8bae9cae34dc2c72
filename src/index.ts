// syscall-lab: real POSIX calls from TypeScript (sys), the CSAPP wrappers
// over them (csapp), and the course servers, clients and demos.
export * from './sys/index.js';
export * from './csapp/index.js';
export { servers, daytime_server, echoserveri, echo, type ServerOptions } from './servers/index.js';
export { clients, daytime_client, echo_client } from './clients/index.js';
export { demos, tcp_states_demo, backlog_demo, time_wait_demo, lunch_demo } from './demos/index.js';
export { echoservers, echoservers_hardened, echoserver_epoll, server5, pool, init_pool, add_client, check_clients } from './servers/index.js';
export { client3 } from './clients/index.js';
export { keyboard_demo, select_dos_demo } from './demos/index.js';
export { launch, type Launched } from './launch.js';
