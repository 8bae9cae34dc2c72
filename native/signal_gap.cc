// The gap before a blocking syscall.
//
// TypeScript handlers run at safe points (signal.cc): a blocking call looks
// for pending signals, then enters its syscall. A signal that comes between
// the look and the syscall's start has its C handler run at once, but the
// syscall then blocks as if nothing had happened, and the TypeScript handler
// waits for whatever ends the syscall: a SIGCHLD that comes just before accept
// leaves its zombie until the next connection. C has no such gap, its handler
// is the one that runs.
//
// So the main thread marks the gap (SignalGapOpen .. SignalGapClose, which
// spans the syscall too), looks for pending signals once more inside it, and
// a signal that lands in it before the syscall arms a one-shot kick: a
// private signal, sent to the main thread 100 us later (and every
// millisecond after, in case a kick lands in the gap too), that breaks the
// syscall with EINTR. The call then runs the handler and goes on as it would
// have in C, where the handler ran before the syscall (blocking.h).
// Leaving the gap disarms the kick, so that it never interrupts a syscall
// that is not ours.
//
// A signal that broke the syscall itself came during it, not before: the
// context it interrupted is the syscall's return with -EINTR. It arms no
// kick, and the call fails with EINTR, as in C. (Telling them apart by the
// kick alone was wrong under load: a main thread kept off the CPU after the
// signal broke its syscall got the kick as it came back, still in the gap.)
//
// The kick is a POSIX timer that targets a thread (SIGEV_THREAD_ID), created
// with the raw system call the first time a signal lands in a gap, from the
// C handler (the timer calls are async-signal-safe as system calls). Linux
// only: elsewhere the gap stays, as it does in CPython.
#include "signal_gap.h"

#include "signal.h"  // SignalsPending, CanDispatchHere

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#if defined(__linux__)
#include <sys/syscall.h>
#include <ucontext.h>
#if !defined(sigev_notify_thread_id)  // glibc before 2.41 names it only in its union
#define sigev_notify_thread_id _sigev_un._tid
#endif
#endif

namespace sl {

std::atomic<bool> g_signal_handlers{false};

namespace {

// Written by the main thread and read by its own signal handlers, which
// interrupt it: plain atomics and compiler fences are enough.
std::atomic<bool> g_in_gap{false};
std::atomic<bool> g_came_in_gap{false};  // a signal came in the gap of the current call

#if defined(__linux__)
int g_kick_timer = -1;                     // kernel timer id, per process (fork does not copy timers)
std::atomic<bool> g_kick_armed{false};

void OnKick(int) {
  // Only the EINTR matters: the signal it stands for was marked as it came.
}

// Whether the signal whose handler interrupted `context` had broken a system
// call: the context is then at the call's return, with -EINTR as its result
// (our handlers have no SA_RESTART). Elsewhere the answer is no, and a
// signal in the gap is taken as before the syscall, as it was always.
bool BrokeASyscall(const void* context) {
  if (context == nullptr) return false;
  const ucontext_t* uc = static_cast<const ucontext_t*>(context);
#if defined(__x86_64__)
  return uc->uc_mcontext.gregs[REG_RAX] == -EINTR;
#elif defined(__aarch64__)
  return static_cast<long>(uc->uc_mcontext.regs[0]) == -EINTR;
#else
  (void)uc;
  return false;
#endif
}

void ArmKick() {
  if (g_kick_armed.load(std::memory_order_relaxed)) return;
  int saved = errno;
  if (g_kick_timer < 0) {
    struct sigevent sev {};
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = KickSignal();
    sev.sigev_notify_thread_id = static_cast<pid_t>(syscall(SYS_gettid));  // the handler runs on the main thread
    int id;
    if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id) != 0) {
      errno = saved;
      return;  // no timer (RLIMIT_SIGPENDING): the gap stays, as before
    }
    g_kick_timer = id;
  }
  struct itimerspec its {};
  its.it_value.tv_nsec = 100 * 1000;
  its.it_interval.tv_nsec = 1000 * 1000;
  if (syscall(SYS_timer_settime, g_kick_timer, 0, &its, nullptr) == 0) g_kick_armed.store(true, std::memory_order_relaxed);
  errno = saved;
}

void DisarmKick() {
  if (!g_kick_armed.load(std::memory_order_relaxed)) return;
  struct itimerspec off {};
  syscall(SYS_timer_settime, g_kick_timer, 0, &off, nullptr);
  g_kick_armed.store(false, std::memory_order_relaxed);
}
#endif

}  // namespace

#if defined(__linux__)
int KickSignal() { return SIGRTMAX - 2; }  // thread.cc's cancellation uses SIGRTMAX - 3
#endif

bool SignalGapHere() { return CanDispatchHere(); }

int SignalGapOpen(bool here) {
  if (!here) return 0;
  g_came_in_gap.store(false, std::memory_order_relaxed);
  g_in_gap.store(true, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  if (SignalsPending()) {
    SignalGapClose(1);  // a signal that came since the store may have armed the kick
    g_came_in_gap.store(true, std::memory_order_relaxed);
    return -1;
  }
  return 1;
}

void SignalGapClose(int opened) {
  if (opened != 1) return;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  g_in_gap.store(false, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
#if defined(__linux__)
  DisarmKick();
#endif
}

bool TakeSignalCameInGap() { return g_came_in_gap.exchange(false, std::memory_order_relaxed); }

void SignalGapNote(const void* context) {
#if defined(__linux__)
  if (!g_in_gap.load(std::memory_order_relaxed) || BrokeASyscall(context)) return;
  g_came_in_gap.store(true, std::memory_order_relaxed);
  ArmKick();
#else
  (void)context;
#endif
}

void SignalGapInstall() {
  g_signal_handlers.store(true, std::memory_order_relaxed);
#if defined(__linux__)
  static bool installed = false;
  if (installed) return;
  struct sigaction sa {};
  sa.sa_handler = OnKick;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: the kick is there to break the syscall
  if (sigaction(KickSignal(), &sa, nullptr) == 0) installed = true;
#endif
}

void SignalGapAfterFork() {
  g_in_gap.store(false, std::memory_order_relaxed);
  g_came_in_gap.store(false, std::memory_order_relaxed);
#if defined(__linux__)
  g_kick_timer = -1;  // the parent's timer is not the child's
  g_kick_armed.store(false, std::memory_order_relaxed);
#endif
}

}  // namespace sl
