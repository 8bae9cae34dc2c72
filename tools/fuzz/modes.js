// The fuzzer's modes: kinds of calls that can be switched off one by one
// (--modes, or SYSCALL_LAB_FUZZ_MODES), e.g. while the bug they find is
// being fixed. The default is all of them. See tools/fuzz/README.md.
export const ALL_MODES = [
  'swap', // a mutex, cond, semaphore, rio_t or sbuf_t handle where another kind is expected
  'free', // a getter or Proxy, read during the call, that transfers (or shrinks) a buffer of the same call, then gc()
  'threads', // pthread_create with short routines, threads_wait_all, pthread_once
  'switch', // switch_interval (how often a running thread hands over the JS lock)
  'signals', // TypeScript handlers (signal, sigaction, Signal) for SIGUSR1/2, SIGALRM, SIGHUP, raised and left pending
  'fork', // fork and Fork (the child _exits at once), waited for with WNOHANG
  'rio', // the RIO functions (rio_readn, rio_readlineb...) on non-blocking fds
  'servers', // the servers' per-connection helpers: echo, echo_warm, set_nonblocking, init_pool, add_client, check_clients
];
