// The blocking-call contract: what every call that may block does, written
// once, here and in blocking.cc (as CPython's sock_call_ex in socketmodule.c).
//
// A call that may block (accept, read, connect, waitpid, nanosleep, select,
// poll, sigwait, a mutex, a condition, a semaphore, pthread_join) runs so:
//
//  1. Cancellation. It is a cancellation point: a pthread_cancel that came
//     before it throws the cancellation (thread.h), and no syscall is made.
//  2. Signals first. A signal that came while TypeScript ran has its
//     TypeScript handler run now, before the syscall: C would have run it
//     when it came. A handler may do anything to the call's arguments (such
//     as transfer the buffer the call reads into), so the call looks at them
//     again (`again`) before the syscall; the waits of select.cc take theirs
//     only after this step (BlockingFirst).
//  3. The syscall, with the JS lock dropped (JsUnlock, jslock.h) so that other
//     threads run TypeScript meanwhile, and the thread marked as inside a
//     blocking call, so that pthread_cancel's kick (a private signal) breaks
//     it with EINTR. errno is read at once, before the lock is taken back.
//     On the main thread with handlers installed, the gap between the last
//     look for signals and the syscall is marked (signal_gap.h): a signal that
//     lands there breaks the syscall too, or keeps it from starting.
//  4. Completion (a result, or an error other than EINTR). A signal that came
//     as the syscall completed has its handler run before the call returns:
//     C ran it at the syscall's exit. If it throws, the exception goes up and
//     *result still says what the syscall did, for a caller that must undo
//     it (accept closes the connection it took).
//  5. EINTR. A cancellation throws. Otherwise the pending handlers run, then
//     a restartable call (Blocking) goes on
//     - if no handler of the program ran (the signal was one of Node's own:
//       SIGCHLD for child_process, SIGWINCH),
//     - or if the signal came before the syscall began (in C its handler ran
//       then, and the call went on as usual),
//     - or if every handler that ran asked for it (SA_RESTART) and the kernel
//       would restart this call (`restarts`, signal(7): not a socket with a
//       timeout, never a sleep),
//     and otherwise returns -1 with errno EINTR. The other rules:
//     - a wait (Wait: select, pselect, poll, epoll_wait, kevent) returns -1
//       with EINTR once a signal of the program is pending, SA_RESTART or
//       not, as the kernel does; after any other EINTR it is re-armed with
//       the time left (`rearm`) and goes on;
//     - a wait that only a signal ends (sigsuspend, pause) returns -1 with
//       EINTR once the handlers ran (signal.cc);
//     - a wait in slices (below) goes on after the handlers ran between two
//       slices, as C's does: it never fails with EINTR, but sem_wait when a
//       handler had no SA_RESTART, as on Linux (sync.cc).
//  6. A handler that throws ends the call: false is returned, the exception
//     is pending in JS, and the caller returns an empty value.
//
// The forms, each a thin use of the pieces below: Blocking (every step),
// Wait (select's waits), FastBlocking (fastcall.h: step 3 only; on EINTR it
// hands the call to its Node-API version, whose Blocking resumes at step 5),
// CallUnlocked (step 3 only: close, sigsuspend, pause), and the waits that a
// signal never ends in C (a mutex, a condition, a semaphore, a thread's end:
// sync.cc, thread.cc), which run step 3 in slices (Unlocked, SliceNs,
// WaitInSlices) and the main thread's handlers between two slices.
//
// blocking.cc holds every part that is not the call itself; the templates
// here only call it, jslock.h and signal_gap.h.
#pragma once

#include "common.h"
#include "jslock.h"
#include "signal_gap.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace sl {

// ---- step 3: the syscall without the JS lock ------------------------------
// Marks the calling thread as inside a blocking call, for pthread_cancel's
// kick. A pthread of the library gives its flag once, at its start
// (BlockingFlagIs); on other threads these do nothing.
void BlockingFlagIs(std::atomic<bool>* flag);
void BlockingEnter();
void BlockingLeave();

// The JS lock dropped and the thread inside a blocking call, for this
// object's life.
class Unlocked {
 public:
  Unlocked() { BlockingEnter(); }
  ~Unlocked() { BlockingLeave(); }
  Unlocked(const Unlocked&) = delete;
  Unlocked& operator=(const Unlocked&) = delete;

 private:
  JsUnlock unlock_;  // dropped before BlockingEnter, taken back after BlockingLeave
};

// One syscall with the JS lock dropped; errno is read before anything else
// (the relock) can touch it.
template <typename Call>
long CallUnlocked(Call&& call, int* err) {
  Unlocked unlocked;
  long r = static_cast<long>(call());
  *err = errno;
  return r;
}

// The same, for a call that the TypeScript handlers must be able to break:
// a signal that comes after the last look for pending ones still gets the
// syscall out with EINTR (signal_gap.h).
template <typename Call>
long CallInterruptible(Call&& call, int* err) {
  if (!SignalHandlersInstalled()) return CallUnlocked(call, err);  // no handler: no gap to close
  bool here = SignalGapHere();  // asked with the JS lock still held
  Unlocked unlocked;
  long r = -1;
  int gap = SignalGapOpen(here);
  if (gap < 0) {
    *err = EINTR;
  } else {
    r = static_cast<long>(call());
    *err = errno;
  }
  SignalGapClose(gap);
  return r;
}

// ---- steps 1, 2, 4, 5 (blocking.cc) -----------------------------------------
// Steps 1 and 2 for a call that takes its arguments after them (the waits of
// select.cc): false when it threw.
bool BlockingFirst(Napi::Env env);

// Steps 1 and 2 for Blocking, whose arguments were taken already. `resumed`:
// a fast call got EINTR and handed the call over (TakeInterrupted).
enum class Start { kThrew, kGo, kHandled /* handlers ran: look at the arguments again */ };
Start BlockingStart(Napi::Env env, bool resumed);

// Step 4: the syscall returned r, with errno err. False if a handler threw.
bool BlockingDone(Napi::Env env, long r, int err, long* result);

// Step 5: what follows an EINTR.
enum class Restarting { kAsHandlersAsk /* Blocking */, kNever /* Wait */ };
enum class AfterEintr { kThrew, kFail, kAgain, kAgainIfCallRestarts };
AfterEintr OnEintr(Napi::Env env, Restarting how, bool cancel_checked);

// The call's result is -1 with errno EINTR.
bool BlockingEintr(long* result);

// A fast call (fastcall.h) whose syscall got EINTR marks it and hands the
// call to its Node-API version: Blocking then starts where the fast call
// stopped, with the handlers to run and the restart to decide.
void MarkInterrupted();
bool TakeInterrupted();

// ---- the forms ----------------------------------------------------------------
// Runs `call` (which returns -1 and sets errno on failure) as above. Returns
// false when it threw: the caller returns an empty value. `again` looks at
// the call's arguments once more after handlers ran (false with the
// exception thrown, as the first look would have); `restarts` is the
// kernel's restart rule for this call.
template <typename Call, typename Again, typename Restarts>
bool Blocking(Napi::Env env, Call&& call, long* result, Again&& again, Restarts&& restarts) {
  bool resumed = TakeInterrupted();  // resume after the fast call's EINTR
  switch (BlockingStart(env, resumed)) {
    case Start::kThrew:
      return false;
    case Start::kHandled:
      if (!again()) return false;
      break;
    case Start::kGo:
      break;
  }
  for (;;) {
    if (!resumed) {
      int err;
      long r = CallInterruptible(call, &err);
      if (r != -1 || err != EINTR) return BlockingDone(env, r, err, result);
    }
    AfterEintr next = OnEintr(env, Restarting::kAsHandlersAsk, resumed);
    resumed = false;
    if (next == AfterEintr::kThrew) return false;
    if (next == AfterEintr::kFail || (next == AfterEintr::kAgainIfCallRestarts && !restarts())) {
      return BlockingEintr(result);
    }
    if (!again()) return false;
  }
}

// For Blocking's `again` and `restarts`: Never for the calls that a handler
// always ends (nanosleep, usleep, sleep).
inline bool Always() { return true; }
inline bool Never() { return false; }

template <typename Call, typename Again>
bool Blocking(Napi::Env env, Call&& call, long* result, Again&& again) {
  return Blocking(env, call, result, again, Always);
}

template <typename Call>
bool Blocking(Napi::Env env, Call&& call, long* result) {
  return Blocking(env, call, result, Always, Always);
}

// A wait (select, pselect, poll, epoll_wait, kevent): never restarted once a
// signal the program handles is pending; after any other EINTR, `rearm` restores
// the input the kernel rewrote (the time left) and the wait goes on, or
// returns false with an exception thrown when that input is gone. The caller
// ran BlockingFirst before taking its arguments.
template <typename Call, typename Rearm>
bool Wait(Napi::Env env, Call&& call, Rearm&& rearm, long* result) {
  for (;;) {
    int err;
    long r = CallInterruptible(call, &err);
    if (r != -1 || err != EINTR) return BlockingDone(env, r, err, result);
    AfterEintr next = OnEintr(env, Restarting::kNever, false);
    if (next == AfterEintr::kThrew) return false;
    if (next == AfterEintr::kFail) return BlockingEintr(result);
    if (!rearm()) return false;
  }
}

// ---- waits that a signal does not end -------------------------------------------
// A wait for a mutex, a condition, a semaphore or a thread is not ended by a
// signal in C either, but the handler runs during it. So the main thread,
// when it has handlers, cuts such waits in slices this long and runs the
// pending handlers between two (sync.cc, thread.cc). Other threads cut them
// too, in longer slices (`otherwise`), to notice a cancellation.
constexpr long kSignalSliceNs = 5'000'000;
inline long SliceNs(bool here, long otherwise) { return here ? kSignalSliceNs : otherwise; }
// Whether the waiting thread should stop to run handlers: `here` is
// CanDispatchHere() (signal.h), asked before the JS lock was dropped.
bool HandlersToRun(bool here);

// A wait in slices on a condition variable, `lock` held and the JS lock
// dropped (Unlocked): until done(), or handlers to run, or stop() after a
// slice (a cancellation), or the deadline (CLOCK_REALTIME, as POSIX's
// timed waits take it; *timed_out set). Slices of SliceNs(here,
// otherwise_ns); with otherwise_ns 0, a thread that runs no handlers waits
// without a limit but the deadline. Returns whether it stopped for
// handlers, counting a signal that came as the wait ended: C ran its
// handler inside the wait. The caller runs them (DispatchSignals) with the
// JS lock back, and waits again.
template <typename Done, typename Stop>
bool WaitInSlices(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, bool here, long otherwise_ns,
                  Done&& done, Stop&& stop, const timespec* deadline = nullptr, bool* timed_out = nullptr) {
  using clock = std::chrono::system_clock;
  // A deadline past what the clock can count (about the year 2262 in
  // nanoseconds) is no deadline: converting it would overflow.
  constexpr time_t kFar = std::chrono::duration_cast<std::chrono::seconds>(clock::duration::max()).count() - 1;
  if (deadline != nullptr && deadline->tv_sec >= kFar) deadline = nullptr;
  const clock::time_point end =
      deadline == nullptr ? clock::time_point::max()
                          : clock::time_point(std::chrono::duration_cast<clock::duration>(
                                std::chrono::seconds(deadline->tv_sec) + std::chrono::nanoseconds(deadline->tv_nsec)));
  bool signaled = false;
  while (!done() && !(signaled = HandlersToRun(here))) {
    bool sliced = here || otherwise_ns > 0;
    auto slice = std::chrono::nanoseconds(SliceNs(here, otherwise_ns));
    if (deadline != nullptr && (!sliced || end <= clock::now() + slice)) {
      if (cv.wait_until(lock, end) == std::cv_status::timeout && !done()) {
        if (timed_out != nullptr) *timed_out = true;
        break;
      }
    } else if (sliced) {
      cv.wait_for(lock, slice);
    } else {
      cv.wait(lock);
    }
    if (stop()) break;
  }
  return signaled || HandlersToRun(here);
}

}  // namespace sl
