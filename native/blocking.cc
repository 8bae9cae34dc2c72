// The blocking-call contract's steps other than the call itself (see
// blocking.h): cancellation, the handlers before and after the syscall, and
// the EINTR and restart rules.
#include "blocking.h"

#include "signal.h"
#include "thread.h"

namespace sl {
namespace {

thread_local std::atomic<bool>* t_blocking_flag = nullptr;  // a pthread's in_blocking (thread.cc)
thread_local bool t_interrupted = false;                    // MarkInterrupted

}  // namespace

void BlockingFlagIs(std::atomic<bool>* flag) { t_blocking_flag = flag; }

void BlockingEnter() {
  if (std::atomic<bool>* f = t_blocking_flag) f->store(true);
}

void BlockingLeave() {
  if (std::atomic<bool>* f = t_blocking_flag) f->store(false);
}

void MarkInterrupted() { t_interrupted = true; }

bool TakeInterrupted() {
  bool was = t_interrupted;
  t_interrupted = false;
  return was;
}

bool BlockingFirst(Napi::Env env) { return TestCancel(env) && HandlePendingSignals(env); }

Start BlockingStart(Napi::Env env, bool resumed) {
  if (!TestCancel(env)) return Start::kThrew;
  if (resumed || !SignalsPending()) return Start::kGo;
  return DispatchSignals(env) ? Start::kHandled : Start::kThrew;
}

bool BlockingDone(Napi::Env env, long r, int err, long* result) {
  *result = r;  // for a caller that must undo the call if a handler throws (accept)
  // A signal that came as the call completed: C ran its handler at the
  // syscall's exit, before the call returned and set errno.
  if (!HandlePendingSignals(env)) return false;
  if (r == -1) saved_errno = err;
  return true;
}

AfterEintr OnEintr(Napi::Env env, Restarting how, bool cancel_checked) {
  // pthread_cancel breaks the syscall with a signal: the cancellation unwinds.
  if (!cancel_checked && !TestCancel(env)) return AfterEintr::kThrew;
  if (how == Restarting::kNever) {
    if (!SignalsPending()) return AfterEintr::kAgain;  // not the program's signal
    return DispatchSignals(env) ? AfterEintr::kFail : AfterEintr::kThrew;
  }
  bool before = TakeSignalCameInGap();
  bool restart, ran;
  if (!DispatchSignals(env, &restart, &ran)) return AfterEintr::kThrew;
  if (before || !ran) return AfterEintr::kAgain;
  return restart ? AfterEintr::kAgainIfCallRestarts : AfterEintr::kFail;
}

bool BlockingEintr(long* result) {
  saved_errno = EINTR;
  *result = -1;
  return true;
}

bool HandlersToRun(bool here) { return here && SignalsPending(); }

}  // namespace sl
