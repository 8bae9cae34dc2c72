import { defineConfig } from 'vitest/config';

// Each test file runs in its own child process (pool 'forks'): the tests make
// real blocking syscalls, install signal handlers and count the fds of their
// process, which worker threads sharing one process would disturb.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    teardownTimeout: 10_000,
  },
});
