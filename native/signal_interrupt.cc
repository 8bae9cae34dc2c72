// Handlers during pure TypeScript.
//
// The TypeScript handlers run at safe points (signal.cc): in a blocking call
// the signal interrupted, at the next call into the addon, or on the idle
// event loop. A main thread that only computes reaches none of them, and
// CSAPP's `while (!pid) ;` (figure 8.41, waiting for a SIGCHLD handler to set
// pid) would spin for good. C runs the handler between any two instructions,
// CPython between two bytecodes; here, between two JavaScript calls or loop
// turns: a helper thread, woken by the C handler through a pipe (write(2) is
// async-signal-safe), asks V8 to interrupt the JavaScript that runs
// (Isolate::RequestInterrupt), and the interrupt runs the handlers when it
// lands on the main thread. V8 does that at its stack checks: a call's entry,
// a loop's back edge. Its inspector runs JavaScript from the same interrupts.
//
// Until the handlers have run, the helper asks again every millisecond: the
// interrupt may land on a pthread that holds the JS lock, where handlers do
// not run; that pthread then lets the main thread have the lock, if it waits
// for it. A forked child starts without the helper (no thread crosses fork),
// and makes its own when it installs a handler.
#include "signal.h"

#include "jslock.h"     // YieldToWaiters
#include "safepoint.h"
#include "thread.h"     // OnMainThread

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <thread>

namespace sl {
namespace {

// Held around every RequestInterrupt, and by fork across fork(2): V8 takes an
// isolate mutex of its own in RequestInterrupt, and a child that inherited it
// locked would deadlock at its first stack check. Also keeps the isolate alive
// while the helper uses it.
std::mutex g_mutex;
v8::Isolate* g_isolate = nullptr;  // null: no helper, or stopped
std::atomic<int> g_wake_fd{-1};    // the pipe's write end, for the C handler
int g_read_fd = -1;

__attribute__((noinline)) void OnInterrupt(v8::Isolate* isolate, void*) {
  // Only at a stack check of JavaScript (safepoint.cc): inside a regexp, say,
  // neither another thread nor a handler may run; the helper asks again.
  if (!AtJsSafePoint(isolate)) return;
  // On a pthread that holds the JS lock: the main thread may be waiting for
  // it, to run the handlers (in pthread_join, say), as CPython's main thread
  // waits for the GIL. Let it have the lock.
  if (!OnMainThread()) return YieldToWaiters();
  DispatchFromInterrupt();
}

void Helper(int fd) {
  char buf[64];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EINTR)) break;  // closed: stopped
    // A main thread blocked in a call has run the handlers by now (EINTR):
    // only one that computes needs the interrupt. (Most signals, SIGCHLD in
    // a fork server's accept, are of the first kind.)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    while (SignalsPending()) {
      {
        std::lock_guard<std::mutex> lock(g_mutex);
        if (g_isolate == nullptr) break;
        g_isolate->RequestInterrupt(OnInterrupt, nullptr);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  close(fd);
}

}  // namespace

void RequestInterruptForkSafe(v8::Isolate* isolate, v8::InterruptCallback callback) {
  std::lock_guard<std::mutex> lock(g_mutex);
  isolate->RequestInterrupt(callback, nullptr);
}

void InterrupterForkPrepare() { g_mutex.lock(); }
void InterrupterForkParent() { g_mutex.unlock(); }

void InterrupterStart(v8::Isolate* isolate) {
  SafePointCalibrate(isolate);
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_isolate != nullptr) return;
  int fds[2];
  if (pipe(fds) != 0) return;  // then handlers wait for a safe point, as before
  for (int fd : fds) fcntl(fd, F_SETFD, FD_CLOEXEC);
  fcntl(fds[1], F_SETFL, O_NONBLOCK);  // a full pipe has woken the helper already
  if (!StartHelperThread([fd = fds[0]] { Helper(fd); })) {
    close(fds[0]);
    close(fds[1]);
    return;
  }
  g_isolate = isolate;
  g_read_fd = fds[0];
  g_wake_fd.store(fds[1]);
}

void InterrupterNote() {
  int fd = g_wake_fd.load(std::memory_order_relaxed);
  if (fd < 0) return;
  int saved = errno;
  char c = 0;
  (void)!write(fd, &c, 1);
  errno = saved;
}

void InterrupterStop() {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_isolate = nullptr;
  int fd = g_wake_fd.exchange(-1);
  if (fd >= 0) close(fd);  // the helper reads end-of-file, closes its end and returns
  g_read_fd = -1;
}

void InterrupterAfterFork() {
  // The helper stayed in the parent; its pipe must not carry the child's
  // wakeups. (fork held the mutex: a fresh one.)
  new (&g_mutex) std::mutex();
  int fd = g_wake_fd.exchange(-1);
  if (fd >= 0) close(fd);
  if (g_read_fd >= 0) close(g_read_fd);
  g_read_fd = -1;
  g_isolate = nullptr;
}

}  // namespace sl
