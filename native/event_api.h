// Which kernel event interface this platform has, for the calls (select.cc)
// and their constants (constants.cc) alike: epoll on Linux, kqueue on macOS
// and the BSDs. And fd_set's word size where the C library does not say it.
#pragma once

#include <sys/select.h>

#if defined(__linux__)
#include <sys/epoll.h>
#define SL_HAVE_EPOLL 1
#endif
#if defined(__APPLE__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__) || \
    defined(__DragonFly__)
#include <sys/event.h>
#define SL_HAVE_KQUEUE 1
#endif

#ifndef NFDBITS
#define NFDBITS (8 * static_cast<int>(sizeof(long)))
#endif
