// Shared by every native file: argument checks that throw before any syscall,
// the saved per-thread errno, and the wrapper for calls that may block.
#pragma once

#include <napi.h>
#include <v8.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <signal.h>
#include <sys/types.h>

namespace sl {

// ---- errno --------------------------------------------------------------
// errno is read by TypeScript after the call returned, and V8 or Node may
// have run C library code in between. So every syscall stores its errno here,
// right after it fails, on the thread that made it: errno() reads this copy.
extern thread_local int saved_errno;
inline void save_errno() { saved_errno = errno; }

}  // namespace sl

#include "args.h"

namespace sl {

// ---- results --------------------------------------------------------------
inline Napi::Value Result(Napi::Env env, double r) { return Napi::Number::New(env, r); }

// -1 with errno set, for calls whose argument only the kernel can judge.
inline Napi::Value Fail(Napi::Env env, int err) {
  saved_errno = err;
  return Napi::Number::New(env, -1);
}

// ---- blocking calls -------------------------------------------------------
// The JS lock (v8::Locker) is held by the thread running TypeScript. A call
// that may block drops it for the syscall only, so that other threads can run
// TypeScript meanwhile, as CPython drops the GIL.
//
// jslock.cc: a thread about to take the lock back says so (JsLockWanted), so
// that a main thread idling in its event loop, which holds the lock there,
// hands it over; JsLockTaken once it has it.
// JsLockWanted returns whether it counted (only once threads exist); pass it on.
bool JsLockWanted();
void JsLockTaken(bool counted);
// Whether a pthread running TypeScript was ever created in this process.
// Until then nobody can be waiting for the lock, so dropping it would be
// unobservable, and costs about 0.3 us a call. Threads are created by a
// thread that holds the lock, so none can appear while one is dropped.
extern std::atomic<bool> g_threads_exist;  // thread.cc
inline bool JsThreadsExist() { return g_threads_exist.load(std::memory_order_relaxed); }

// Taking the JS lock goes through a token of ours first (thread.cc): a thread
// waits for the token, never inside v8::Locker, and releases V8's lock before
// the token. So V8's own mutex never has a waiter, which matters at fork: on
// Node 24 it is an Abseil mutex, and a waiter that does not exist in the
// child would be handed the lock there.
void TokenAcquire();
void TokenRelease();

class JsUnlock {
 public:
  JsUnlock() {
    if (!JsThreadsExist()) return;
    v8::Isolate* isolate = v8::Isolate::GetCurrent();
    if (isolate != nullptr && v8::Locker::IsLocked(isolate)) {
      unlocker_.emplace(isolate);
      TokenRelease();
    }
  }
  ~JsUnlock() {
    if (!unlocker_) return;
    bool counted = JsLockWanted();
    TokenAcquire();
    unlocker_.reset();
    JsLockTaken(counted);
  }

 private:
  std::optional<v8::Unlocker> unlocker_;
};

// Deferred cancellation (thread.cc). The blocking calls are cancellation
// points: TestCancel returns false, with the cancellation pending as a JS
// exception, when the calling thread was canceled. While a thread is inside
// a blocking syscall, pthread_cancel interrupts it with a signal (EINTR).
bool TestCancel(Napi::Env env);
// The same test, without the JS lock and without throwing: false when canceled.
bool TestCancelQuiet();
void BlockingEnter();
void BlockingLeave();
// Whether the calling thread is the process's main thread (not a pthread of
// ours, nor a Node Worker's thread).
bool OnMainThread();
// Whether it is one of the library's pthreads (pthread_create).
bool OnLibraryThread();
// In the child of fork: the other threads are gone.
void ThreadsAfterFork();

// Signals (signal.cc). The C handler only records the signal; TypeScript
// handlers run at safe points, here among them (PEP 475).
bool SignalsPending();
// Runs the TypeScript handlers of the pending signals. Returns false if a
// handler threw (the exception is pending in JS). *restart tells whether every
// signal handled asked for its interrupted call to be restarted (SA_RESTART);
// *ran, if given, whether any handler ran at all.
bool DispatchSignals(Napi::Env env, bool* restart = nullptr, bool* ran = nullptr);
// Runs the handlers of the signals pending now, if any: where C would have
// run them by this point (after kill or close, before fork...). False if one
// threw.
inline bool HandlePendingSignals(Napi::Env env) { return !SignalsPending() || DispatchSignals(env); }
// signal(7): which calls a handler with SA_RESTART restarts. On Linux a
// socket call is never restarted once its socket has a timeout: SO_RCVTIMEO
// for accept and the reads, SO_SNDTIMEO for connect and the writes. True for
// an fd that is not a socket. The BSDs (macOS) restart them, timeout and all,
// except connect (ConnectRestarts).
bool SocketCallRestarts(int fd, int timeout_opt);
bool ConnectRestarts(int fd);
// For Blocking's `again` and `restarts`: Never for the calls that a handler
// always ends (nanosleep, usleep, sleep).
inline bool Always() { return true; }
inline bool Never() { return false; }
// In the child of fork, with signals blocked: the forking thread is now the
// main one, and no signal is pending.
void SignalsAfterFork();
// kill(getpid(), sig), as a process of one thread has it: -1 with errno, or 0.
int KillSelf(int sig);
// Handlers during pure TypeScript (signal_interrupt.cc): a helper thread asks
// V8 to interrupt the JavaScript that runs, and the interrupt runs them
// (DispatchFromInterrupt) when it lands on the main thread. Start: from the
// main thread, with its isolate; Note: from the C handler.
void InterrupterStart(v8::Isolate* isolate);
void InterrupterNote();
void InterrupterStop();
void InterrupterAfterFork();
// fork holds the interrupt mutex across fork(2) (Prepare, then Parent in the
// parent; the child makes a fresh one in InterrupterAfterFork); every
// RequestInterrupt of the library goes through RequestInterruptForkSafe.
void InterrupterForkPrepare();
void InterrupterForkParent();
void RequestInterruptForkSafe(v8::Isolate* isolate, v8::InterruptCallback callback);
void DispatchFromInterrupt();
// On a thread that holds the JS lock while others wait for it: gives it up
// until one of them has had it (thread.cc; V8 interrupts call it).
void YieldToWaiters();
// safepoint.cc: whether an interrupt callback (which must call it directly)
// interrupted JavaScript at a stack check, the only place where it may hand
// the lock over or run JavaScript. Calibrate first, holding the JS lock, in a
// context (from a call of the addon); until then it is false.
bool AtJsSafePoint(v8::Isolate* isolate);
void SafePointCalibrate(v8::Isolate* isolate);
// Whether DispatchSignals can run handlers on this thread now: the main
// thread, handlers installed, not inside a handler already.
bool CanDispatchHere();

// A wait for a mutex, a condition, a semaphore or a thread is not ended by a
// signal in C either, but the handler runs during it. So the main thread,
// when it has handlers, cuts such waits in slices this long and runs the
// pending handlers between two (sync.cc, thread.cc).
constexpr long kSignalSliceNs = 5'000'000;
// Whether the waiting thread should stop to run handlers: `here` is
// CanDispatchHere(), asked before the JS lock was dropped.
inline bool HandlersToRun(bool here) { return here && SignalsPending(); }

// signal_gap.cc: the gap between a blocking call's last look for pending
// signals and its syscall. Open (given CanDispatchHere) returns -1 when a
// signal is pending (skip the syscall: EINTR), 1 when the gap is open, 0
// when there is none (not the main thread); Close takes that value.
// TakeSignalCameInGap tells, after EINTR, whether the signal came before the
// syscall started.
extern std::atomic<bool> g_signal_handlers;  // signal_gap.cc: set by SignalGapInstall
inline bool SignalHandlersInstalled() { return g_signal_handlers.load(std::memory_order_relaxed); }
int SignalGapOpen(bool can_dispatch);
void SignalGapClose(int opened);
bool TakeSignalCameInGap();
void SignalGapNote(const void* context);  // from the C handler, on the main thread, with its ucontext
void SignalGapInstall();    // once handlers are ours
void SignalGapAfterFork();
// The signal that breaks a canceled thread's syscall (thread.cc).
int CancelSignal();
// Takes the library's private signals (the kick, the cancellation, the mask) out of a
// mask to block: as glibc keeps its own out of sigprocmask's reach, so that a
// sigfillset mask cannot block them (Linux; on macOS the cancellation uses
// SIGURG, which stays the program's).
void KeepPrivateSignals(sigset_t* set);
// Whether sig is one of those: sigaction refuses them (EINVAL), as glibc does its own.
bool IsPrivateSignal(int sig);
// Before the main thread blocks signals (sigprocmask, sigsuspend, pselect's
// mask): every other thread blocks them all, so that the kernel keeps a
// blocked process-directed signal pending for the main thread, as for a C
// program of one thread (signal_mask.cc). Elsewhere than the main thread, or
// off Linux, nothing.
void KeepForMainThread(const sigset_t* blocking);
// The same, for a handler the main thread installs: its signals then come to
// the main thread only, as the C handler runs there, at the syscall's exit.
void KeepAllForMainThread();
// Starts a detached thread of the library's own (not a program's pthread)
// with every signal blocked from its first instruction: it never takes one
// of the main thread's. False if it could not start (EAGAIN, as under
// RLIMIT_NPROC), where std::thread would throw.
bool StartHelperThread(std::function<void()> fn);
void SignalMaskAfterFork();
// Whether the program chose sig's disposition itself (signal, sigaction),
// as against what Node set at its start (SIGPIPE ignored).
bool SignalChosenByProgram(int sig);
// The main thread's mask as the program last set it (sigprocmask).
void MainThreadMask(sigset_t* mask);
// exec.cc: fd 0-2 is the program's own from now on (it set its flags, or
// put another file there): exec leaves it as it is.
void StdioChangedByProgram(int fd);
#if defined(__linux__)
// The private signal that sets another thread's mask (signal_mask.cc).
int MaskSignal();
#endif

// One syscall with the JS lock dropped, interruptible by pthread_cancel;
// errno is read before anything else (the relock) can touch it.
template <typename Call>
long CallUnlocked(Call&& call, int* err) {
  JsUnlock unlock;
  BlockingEnter();
  long r = static_cast<long>(call());
  *err = errno;
  BlockingLeave();
  return r;
}

// The same, for a call that the TypeScript handlers must be able to break:
// a signal that comes after the last look for pending ones still gets the
// syscall out with EINTR (signal_gap.cc).
template <typename Call>
long CallInterruptible(Call&& call, int* err) {
  if (!SignalHandlersInstalled()) return CallUnlocked(call, err);  // no handler: no gap to close
  bool here = CanDispatchHere();  // asked with the JS lock still held
  JsUnlock unlock;
  BlockingEnter();
  long r = -1;
  int gap = SignalGapOpen(here);
  if (gap < 0) {
    *err = EINTR;
  } else {
    r = static_cast<long>(call());
    *err = errno;
  }
  SignalGapClose(gap);
  BlockingLeave();
  return r;
}

// A fast call (fastcall.h) whose syscall got EINTR marks it and hands the
// call to its Node-API version: Blocking then starts where the fast call
// stopped, with the handlers to run and the restart to decide.
extern thread_local bool interrupted_call;
inline void MarkInterrupted() { interrupted_call = true; }
inline bool TakeInterrupted() {
  bool was = interrupted_call;
  interrupted_call = false;
  return was;
}

// Runs `call` (which returns -1 and sets errno on failure) with the JS lock
// dropped. A signal that came as the call completed has its handler run
// before Blocking returns. On EINTR, the TypeScript handlers run; then the call restarts if
// they were installed with SA_RESTART and `restarts()` says that C's call
// would (signal(7)), else it returns -1 with errno EINTR. Returns false when a
// handler threw: the caller returns an empty value.
//
// `again` looks at the call's arguments once more after handlers ran, before
// the syscall (re)starts: a handler may have done anything to them, such as
// transfer the buffer the call reads into. It returns false with the
// exception thrown, as the first look would have.
//
// Two EINTRs always restart: one that no TypeScript handler caused (a signal
// of Node's own), and one from a signal that came before the syscall began:
// in C its handler would have run then, and the call gone on as usual.
template <typename Call, typename Again, typename Restarts>
bool Blocking(Napi::Env env, Call&& call, long* result, Again&& again, Restarts&& restarts) {
  bool restart = true;
  bool interrupted = TakeInterrupted();  // resume after the fast call's EINTR
  if (!TestCancel(env)) return false;
  if (!interrupted && SignalsPending() && (!DispatchSignals(env, &restart) || !again())) return false;
  for (;;) {
    if (!interrupted) {
      int err;
      long r = CallInterruptible(call, &err);
      if (r != -1 || err != EINTR) {
        *result = r;  // for a caller that must undo the call if a handler throws (accept)
        // A signal that came as the call completed: C ran its handler at the
        // syscall's exit, before the call returned and set errno.
        if (!HandlePendingSignals(env)) return false;
        if (r == -1) saved_errno = err;
        return true;
      }
      if (!TestCancel(env)) return false;
    }
    interrupted = false;
    bool before = TakeSignalCameInGap();
    bool ran = false;
    if (!DispatchSignals(env, &restart, &ran)) return false;
    if (!before && ran && !(restart && restarts())) {
      saved_errno = EINTR;
      *result = -1;
      return true;
    }
    if (!again()) return false;
  }
}

template <typename Call, typename Again>
bool Blocking(Napi::Env env, Call&& call, long* result, Again&& again) {
  return Blocking(env, call, result, again, Always);
}

template <typename Call>
bool Blocking(Napi::Env env, Call&& call, long* result) {
  return Blocking(env, call, result, Always, Always);
}

// Same, for calls that never block: only errno is saved.
template <typename Call>
Napi::Value Direct(Napi::Env env, Call&& call) {
  long r = static_cast<long>(call());
  if (r == -1) save_errno();
  return Napi::Number::New(env, static_cast<double>(r));
}

// ---- registration -----------------------------------------------------------
// One Init per native file, each adding its functions and constants.
void InitErrno(Napi::Env env, Napi::Object exports);
void InitConstants(Napi::Env env, Napi::Object exports);
void InitSocket(Napi::Env env, Napi::Object exports);
void InitIo(Napi::Env env, Napi::Object exports);
void InitFile(Napi::Env env, Napi::Object exports);
void InitEnv(Napi::Env env, Napi::Object exports);
void InitInet(Napi::Env env, Napi::Object exports);
void InitNetdb(Napi::Env env, Napi::Object exports);
void InitTcpInfo(Napi::Env env, Napi::Object exports);
void InitSignal(Napi::Env env, Napi::Object exports);
void InitTime(Napi::Env env, Napi::Object exports);
void InitSelect(Napi::Env env, Napi::Object exports);
void InitProcess(Napi::Env env, Napi::Object exports);
void InitExec(Napi::Env env, Napi::Object exports);
void InitThread(Napi::Env env, Napi::Object exports);
void InitSync(Napi::Env env, Napi::Object exports);

inline void SetFn(Napi::Env env, Napi::Object exports, const char* name, Napi::Function::Callback cb) {
  exports.Set(name, Napi::Function::New(env, cb, name));
}

}  // namespace sl
