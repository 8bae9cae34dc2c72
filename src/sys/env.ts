// The environment, as in C. On the main thread (and in pthreads) these and
// process.env are one environment: each sees what the other set. A Node
// Worker's process.env is its own copy, which these do not see (its setenv
// changes the process's environment).
import { native } from './native.js';

/** getenv(name): the value, or null when the variable is not set. */
export const getenv = native.getenv;

/** setenv(name, value, overwrite): 0, or -1 with EINVAL (an empty name, or '=' in it). Nonzero overwrite replaces a value. */
export const setenv = native.setenv;

/** unsetenv(name): 0 (also when it was not set), or -1 with EINVAL. */
export const unsetenv = native.unsetenv;
