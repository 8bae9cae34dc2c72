// Sleeping and the time of day, as in C. The sleeps are real (the thread
// sleeps in the kernel, with the JS lock dropped) and signals interrupt them.
import { native } from './native.js';

/** struct timespec. */
export interface timespec {
  tv_sec: number;
  tv_nsec: number;
}

/**
 * sleep(seconds): 0, or the seconds left when a signal handler ended it
 * (SA_RESTART or not, as in C): whole seconds on Linux, as glibc counts them;
 * rounded up on macOS.
 */
export const sleep = native.sleep;

/** usleep(usec): 0, or -1 with EINTR when a signal handler ended it (SA_RESTART or not). */
export const usleep = native.usleep;

/** nanosleep(req, rem?): 0, or -1 with errno (EINTR, SA_RESTART or not: rem holds the time left; EINVAL). */
export const nanosleep = native.nanosleep;

/** time(): seconds since the epoch (C's time(NULL)). */
export function time(): number {
  return Math.floor(Date.now() / 1000);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ctime(t): "Sat Nov 21 10:47:14 2026\n", in local time, as C's ctime. */
export function ctime(t: number): string {
  const d = new Date(t * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}\n`;
}
