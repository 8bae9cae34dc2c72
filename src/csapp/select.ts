// The Capitalized wrappers of the event calls: CSAPP's Select, and the same
// for pselect, poll, epoll and kqueue. The same arguments as the raw call; a
// UnixError where the raw call returns -1 (EINTR included, as CSAPP's Select:
// a server that installs handlers and wants to go on catches it, or calls
// the raw select and tests errno() === EINTR).
import {
  type fd_set, type timeval, type timespec, type pollfd, type epoll_event, type epoll_data, type kevent, type Cell,
  type sigmask_t, select, pselect, poll, epoll_create1, epoll_ctl, epoll_wait, kqueue, kevent as kevent_,
  ioctl,
} from '../sys/index.js';
import { check } from './errors.js';


/** Select (CSAPP): the number of ready fds; the sets are rewritten in place. */
export function Select(nfds: number, readfds: fd_set | null, writefds: fd_set | null, exceptfds: fd_set | null,
  timeout: timeval | null): number {
  return check(select(nfds, readfds, writefds, exceptfds, timeout), 'select');
}

export function Pselect(nfds: number, readfds: fd_set | null, writefds: fd_set | null, exceptfds: fd_set | null,
  timeout: timespec | null, sigmask: sigmask_t): number {
  return check(pselect(nfds, readfds, writefds, exceptfds, timeout, sigmask), 'pselect');
}

export function Poll(fds: pollfd[], nfds: number, timeout: number): number {
  return check(poll(fds, nfds, timeout), 'poll');
}

export function Ioctl(fd: number, request: number, argp: Cell<number> | number): number {
  return check(ioctl(fd, request, argp), 'ioctl');
}

export function Epoll_create1(flags = 0): number {
  return check(epoll_create1(flags), 'epoll_create1');
}

export function Epoll_ctl(epfd: number, op: number, fd: number,
  event: epoll_event | { events: number; data?: epoll_data | number } | null): void {
  check(epoll_ctl(epfd, op, fd, event), 'epoll_ctl');
}

export function Epoll_wait(epfd: number, events: epoll_event[], maxevents: number, timeout: number): number {
  return check(epoll_wait(epfd, events, maxevents, timeout), 'epoll_wait');
}

export function Kqueue(): number {
  return check(kqueue(), 'kqueue');
}

export function Kevent(kq: number, changelist: kevent[] | null, nchanges: number, eventlist: kevent[] | null, nevents: number,
  timeout: timespec | null): number {
  return check(kevent_(kq, changelist, nchanges, eventlist, nevents, timeout), 'kevent');
}
