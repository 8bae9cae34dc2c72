// Signals, as CPython does them (PEP 475): the C handler only records the
// signal and wakes the event loop; the TypeScript handler runs at the next
// safe point: on the loop when it is idle, or inside the blocking call that
// the signal interrupted (see blocking.h), which then restarts or
// returns -1 with EINTR.
//
// Living with libuv: libuv installs its own handlers (SIGCHLD for
// child_process, any signal Node's process.on watches) and replaces or resets
// the disposition when its first handle for a signal starts or its last one
// stops. So before installing ours, a handle of ours makes libuv register its
// handler and never touch the signal again while we have it; ours then chains
// to libuv's, and child_process and process.on('SIGINT') keep working.
#include "signal.h"

#include "blocking.h"
#include "common.h"
#include "signal_gap.h"
#include "thread.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#ifdef __linux__
#include <ucontext.h>  // macOS has ucontext_t from <signal.h>; its <ucontext.h> wants _XOPEN_SOURCE
#endif
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace sl {
namespace {

constexpr int kMaxSignal = 64;

std::atomic<uint64_t> g_pending{0};  // bit (sig - 1): caught, not yet handled
std::atomic<uint64_t> g_restart{0};  // bit (sig - 1): its handler asked for SA_RESTART
std::atomic<int> g_forwarding{0};    // handlers on other threads, sending their signal to the main one
uv_async_t* g_async = nullptr;       // wakes the loop; owned by g_env's loop
napi_env g_env = nullptr;
pthread_t g_main_thread;             // the thread that runs the TypeScript handlers
Napi::FunctionReference g_dispatcher;  // TypeScript: (signals: number[]) => void
bool g_dispatching = false;  // the main thread runs a handler (only it ever does)
// Set at process 'exit' and by the env's cleanup: from then on Node may be
// tearing the environment down (FreeEnvironment runs the loop once more to
// close handles), where calling into JavaScript is a fatal error. Pending
// signals are dropped, as a C process's are when it exits.
std::atomic<bool> g_ended{false};
// The main thread's mask as the program set it (sigprocmask), for an exec
// from a pthread. Written and read with the JS lock held.
sigset_t g_main_mask;

// Per signal: what was installed before ours (to chain to), and our libuv handle.
struct Slot {
  struct sigaction previous;
  bool ours = false;
  bool chosen = false;  // the program set a disposition (exec keeps it)
  uv_signal_t* uv = nullptr;
};
Slot g_slots[kMaxSignal + 1];

inline uint64_t Bit(int sig) { return uint64_t{1} << (sig - 1); }

// What the kernel said of a signal (its siginfo_t), for SA_SIGINFO handlers.
// Standard signals do not queue: a pending signal keeps the siginfo of the
// delivery that made it pending, and a second one while it waits is merged.
// state: 0 empty, 1 being written (by a handler, on any thread), 2 full.
struct Info {
  int code, pid, uid, status, err;
};
struct InfoSlot {
  std::atomic<int> state{0};
  Info info;
};
InfoSlot g_info[kMaxSignal + 1];

// Async-signal-safe: a lock-free atomic and plain stores.
void RecordInfo(int sig, const siginfo_t* si) {
  InfoSlot& slot = g_info[sig];
  int empty = 0;
  if (si == nullptr || !slot.state.compare_exchange_strong(empty, 1, std::memory_order_acquire)) return;
  Info i{si->si_code, 0, 0, 0, si->si_errno};
  // si_pid and si_uid mean something for a signal a process sent (si_code
  // <= 0: SI_USER, SI_QUEUE, SI_TKILL) and for SIGCHLD, which also has
  // si_status; elsewhere those bytes are other members of a union.
  if (si->si_code <= 0 || sig == SIGCHLD) {
    i.pid = si->si_pid;
    i.uid = static_cast<int>(si->si_uid);
  }
  if (sig == SIGCHLD) i.status = si->si_status;
  slot.info = i;
  slot.state.store(2, std::memory_order_release);
}

void OnSignal(int sig, siginfo_t* info, void* context) {
  int saved = errno;
  // A process-directed signal may land on any thread that does not block it
  // (V8's workers, libuv's pool). The thread blocked in a syscall that the
  // signal must interrupt is the main one: send it there.
  if (!pthread_equal(pthread_self(), g_main_thread)) {
    g_forwarding.fetch_add(1);
    RecordInfo(sig, info);  // pthread_kill's own siginfo would name this process
    pthread_kill(g_main_thread, sig);
    g_forwarding.fetch_sub(1);
    // And this thread blocks sig from now on (the mask the kernel restores
    // as the handler returns): the kernel then gives the next one straight to
    // the main thread, or, if that blocks it too, keeps it pending for the
    // process, as for a C program with one thread.
    if (context != nullptr) sigaddset(&static_cast<ucontext_t*>(context)->uc_sigmask, sig);
    errno = saved;
    return;
  }
  RecordInfo(sig, info);
  g_pending.fetch_or(Bit(sig));
  SignalGapNote(context);  // the main thread may be about to block without seeing it
  InterrupterNote();  // or it may be computing, in TypeScript (signal_interrupt.cc)
  if (g_async != nullptr) uv_async_send(g_async);
  const struct sigaction& prev = g_slots[sig].previous;
  if (prev.sa_flags & SA_SIGINFO) {
    if (prev.sa_sigaction != nullptr) prev.sa_sigaction(sig, info, context);
  } else if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN && prev.sa_handler != nullptr) {
    prev.sa_handler(sig);
  }
  errno = saved;
}

// The pending signals, with their siginfo, cleared. Signals stay blocked
// meanwhile, so that a handler on this thread cannot come between taking a
// signal and taking its siginfo (a second delivery would lose its own).
struct Taken {
  uint64_t set = 0;
  Info info[kMaxSignal + 1];
  bool known[kMaxSignal + 1];
};

bool Take(Taken* t) {
  if (g_pending.load(std::memory_order_relaxed) == 0) return false;
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  t->set = g_pending.exchange(0);
  for (int sig = 1; sig <= kMaxSignal; sig++) {
    if (!(t->set & Bit(sig))) continue;
    InfoSlot& slot = g_info[sig];
    int state;
    while ((state = slot.state.load(std::memory_order_acquire)) == 1) sched_yield();  // a handler elsewhere, mid-write
    t->known[sig] = state == 2;
    if (state == 2) t->info[sig] = slot.info;
    slot.state.store(0, std::memory_order_release);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return t->set != 0;
}

// The dispatcher's arguments: the signals, and per signal its siginfo as
// [si_code, si_pid, si_uid, si_status, si_errno], or null if none was kept.
std::vector<napi_value> DispatchArgs(Napi::Env env, const Taken& t) {
  Napi::Array list = Napi::Array::New(env);
  Napi::Array infos = Napi::Array::New(env);
  uint32_t n = 0;
  for (int sig = 1; sig <= kMaxSignal; sig++) {
    if (!(t.set & Bit(sig))) continue;
    list.Set(n, sig);
    if (t.known[sig]) {
      const Info& i = t.info[sig];
      Napi::Array a = Napi::Array::New(env, 5);
      a.Set(0u, i.code);
      a.Set(1u, i.pid);
      a.Set(2u, i.uid);
      a.Set(3u, i.status);
      a.Set(4u, i.err);
      infos.Set(n, a);
    } else {
      infos.Set(n, env.Null());
    }
    n++;
  }
  return {list, infos};
}

void OnAsync(uv_async_t*) {
  if (g_dispatcher.IsEmpty() || g_dispatching || g_ended.load()) return;
  Taken t;
  if (!Take(&t)) return;
  Napi::Env env(g_env);
  Napi::HandleScope scope(env);
  // MakeCallback: an exception here is an uncaught exception of the process,
  // and microtasks queued by the handler run after it.
  g_dispatching = true;
  g_dispatcher.MakeCallback(env.Global(), DispatchArgs(env, t));
  g_dispatching = false;
}

void CloseHandle(uv_signal_t* h) {
  uv_close(reinterpret_cast<uv_handle_t*>(h), [](uv_handle_t* p) { delete reinterpret_cast<uv_signal_t*>(p); });
}

void Cleanup(void*) {
  g_ended = true;
  for (int sig = 1; sig <= kMaxSignal; sig++) {
    Slot& s = g_slots[sig];
    if (s.ours) sigaction(sig, &s.previous, nullptr);
    s.ours = false;
    if (s.uv != nullptr) CloseHandle(s.uv);
    s.uv = nullptr;
  }
  if (g_async != nullptr) {
    uv_async_t* a = g_async;
    g_async = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(a), [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
  }
  InterrupterStop();
  g_dispatcher.Reset();
  g_env = nullptr;
}

// signal_dispatcher(fn): the TypeScript function that runs handlers. Once,
// from the main thread of the process.
Napi::Value SetDispatcher(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) return ThrowType(env, "signal_dispatcher", "fn must be a function"), Napi::Value();
  if (g_env != nullptr && g_env != static_cast<napi_env>(env)) {
    Napi::Error::New(env, "signals are handled by the main thread's instance of the addon").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  if (g_env == nullptr) {
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      Napi::Error::New(env, "no event loop").ThrowAsJavaScriptException();
      return Napi::Value();
    }
    auto* a = new uv_async_t;
    uv_async_init(loop, a, OnAsync);
    uv_unref(reinterpret_cast<uv_handle_t*>(a));  // never keeps the process alive
    g_async = a;
    g_env = env;
    g_main_thread = pthread_self();
    napi_add_env_cleanup_hook(env, Cleanup, nullptr);
  }
  g_dispatcher = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

// signal_dispatch_end(): the process is exiting ('exit'): no handler runs
// from now on.
Napi::Value DispatchEnd(const Napi::CallbackInfo& info) {
  g_ended = true;
  return info.Env().Undefined();
}

bool ValidSignal(int sig) { return sig >= 1 && sig <= kMaxSignal && sig < NSIG; }

// Makes libuv register its handler for sig (if it has none yet) and keeps it
// from ever re-installing or resetting it while ours is in place.
bool HoldLibuv(Napi::Env env, int sig) {
  Slot& s = g_slots[sig];
  if (s.uv != nullptr) return true;
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  auto* h = new uv_signal_t;
  if (uv_signal_init(loop, h) != 0) {
    delete h;
    return false;
  }
  if (uv_signal_start(h, [](uv_signal_t*, int) {}, sig) != 0) {
    CloseHandle(h);
    return false;
  }
  uv_unref(reinterpret_cast<uv_handle_t*>(h));
  s.uv = h;
  return true;
}

// signal_install(signum, disposition, flags): disposition 0 = SIG_DFL,
// 1 = SIG_IGN, 2 = the TypeScript handler. flags are sigaction's (SA_RESTART,
// SA_NOCLDSTOP, SA_NOCLDWAIT, SA_NODEFER, SA_RESETHAND). SA_RESTART is done
// here, not by the kernel, so that the handler can run before the call restarts.
Napi::Value Install(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sig, disposition;
  int64_t bits;  // sa_flags as C's int, or as its unsigned bit pattern: Linux's SA_RESETHAND is 0x80000000
  if (!GetInt(info, 0, "sigaction", "signum", &sig) || !GetInt(info, 1, "sigaction", "disposition", &disposition) ||
      !GetInt64(info, 2, "sigaction", "sa_flags", INT32_MIN, UINT32_MAX, &bits)) {
    return Napi::Value();
  }
  int flags = static_cast<int>(static_cast<uint32_t>(bits));
  if (!ValidSignal(sig) || disposition < 0 || disposition > 2) return Fail(env, EINVAL);
  if (sig == SIGKILL || sig == SIGSTOP || IsPrivateSignal(sig)) return Fail(env, EINVAL);
  if (disposition == 2 && g_dispatcher.IsEmpty()) {
    Napi::Error::New(env, "sigaction: no dispatcher installed").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  Slot& s = g_slots[sig];
  if (disposition == 2) {
    if (!s.ours && !HoldLibuv(env, sig)) return Fail(env, EINVAL);
    SignalGapInstall();
    if (OnMainThread()) InterrupterStart(v8::Isolate::GetCurrent());
    if (!s.ours) KeepAllForMainThread();  // once per signal: it reads /proc
    // Every signal is blocked while the C handler runs, as libuv does for
    // its own: the handler chained to (libuv's) takes a lock that a nested
    // libuv handler would wait for forever. The program's sa_mask concerns
    // its TypeScript handler, which never nests (DispatchSignals).
    sigfillset(&sa.sa_mask);
    sa.sa_sigaction = OnSignal;
    sa.sa_flags = SA_SIGINFO | (flags & ~SA_RESTART & ~SA_SIGINFO);
    struct sigaction old;
    if (sigaction(sig, &sa, &old) == -1) return Fail(env, errno);
    if (!s.ours) s.previous = old;  // chain to what was there before us
    s.ours = true;
  } else {
    // Our libuv handle goes first: if it was libuv's last one for sig, libuv
    // resets the signal to SIG_DFL as it stops, which must not undo ours below.
    if (s.uv != nullptr) {
      CloseHandle(s.uv);
      s.uv = nullptr;
    }
    sa.sa_handler = disposition == 0 ? SIG_DFL : SIG_IGN;
    sa.sa_flags = flags & ~SA_RESTART;
    const struct sigaction* act = &sa;
    if (disposition == 0 && s.ours) {
      // SIG_DFL gives the signal back to what was there before us (libuv's
      // handler while Node watches the signal), unless libuv just reset it.
      struct sigaction cur;
      sigaction(sig, nullptr, &cur);
      bool still_ours = (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == OnSignal;
      act = still_ours ? &s.previous : nullptr;
    }
    if (act != nullptr && sigaction(sig, act, nullptr) == -1) return Fail(env, errno);
    s.ours = false;
    g_info[sig].state.store(0);  // a siginfo kept for a signal that never reached the main thread
  }
  s.chosen = true;
  if (flags & SA_RESTART) {
    g_restart.fetch_or(Bit(sig));
  } else {
    g_restart.fetch_and(~Bit(sig));
  }
  return Result(env, 0);
}

// The current disposition as the kernel has it: 0 SIG_DFL, 1 SIG_IGN, 2 ours,
// 3 another handler (libuv's, say).
Napi::Value Disposition(const Napi::CallbackInfo& info) {
  int sig;
  if (!GetInt(info, 0, "sigaction", "signum", &sig)) return Napi::Value();
  if (!ValidSignal(sig)) return Fail(info.Env(), EINVAL);
  struct sigaction cur;
  if (sigaction(sig, nullptr, &cur) == -1) return Fail(info.Env(), errno);
  // The handler first, the flags after: a one-shot handler (SA_RESETHAND)
  // that the kernel reset to SIG_DFL keeps SA_SIGINFO in sa_flags.
  if (cur.sa_handler == SIG_DFL) return Result(info.Env(), 0);
  if (cur.sa_handler == SIG_IGN) return Result(info.Env(), 1);
  bool ours = (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == OnSignal;
  return Result(info.Env(), ours ? 2 : 3);
}

Napi::Array FromSigset(Napi::Env env, const sigset_t& set) {
  Napi::Array a = Napi::Array::New(env);
  uint32_t n = 0;
  for (int sig = 1; sig <= kMaxSignal && sig < NSIG; sig++) {
    if (sigismember(&set, sig) == 1) a.Set(n++, sig);
  }
  return a;
}

// sigprocmask(how, set | null): the old mask as an array of signals, or -1.
// It is pthread_sigmask: the mask of the calling thread, as C's sigprocmask
// in a single-threaded process.
Napi::Value Sigprocmask(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int how;
  if (!GetInt(info, 0, "sigprocmask", "how", &how)) return Napi::Value();
  sigset_t set, old;
  bool has = !info[1].IsNull() && !info[1].IsUndefined();
  if (has && !GetSignalSet(info, 1, "sigprocmask", "set", &set)) return Napi::Value();
  if (has) KeepPrivateSignals(&set);
  if (has && how != SIG_UNBLOCK) KeepForMainThread(&set);
  int r = pthread_sigmask(how, has ? &set : nullptr, &old);
  if (r != 0) return Fail(env, r);
  if (has && OnMainThread()) pthread_sigmask(SIG_BLOCK, nullptr, &g_main_mask);
  // Unblocking may have let a pending signal in: its handler runs now, as in C.
  if (!HandlePendingSignals(env)) return Napi::Value();
  return FromSigset(env, old);
}

// Runs a wait that only a signal ends (sigsuspend, pause): the JS lock is
// dropped, the handlers run, and the result is -1 with EINTR, never restarted.
// Both are cancellation points: pthread_cancel ends a thread waiting in them.
template <typename Wait>
Napi::Value WaitForSignal(Napi::Env env, Wait wait) {
  if (!TestCancel(env)) return Napi::Value();
  if (SignalsPending()) {
    if (!DispatchSignals(env)) return Napi::Value();
    return Fail(env, EINTR);
  }
  int err;
  CallUnlocked(wait, &err);
  if (!TestCancel(env)) return Napi::Value();
  if (!DispatchSignals(env)) return Napi::Value();
  return Fail(env, err);
}

// sigsuspend(mask): waits with the mask in place until a handler has run.
// The mask cannot block the library's private signals (as sigprocmask's).
Napi::Value Sigsuspend(const Napi::CallbackInfo& info) {
  sigset_t mask;
  if (!GetSignalSet(info, 0, "sigsuspend", "mask", &mask)) return Napi::Value();
  KeepPrivateSignals(&mask);
  KeepForMainThread(&mask);
  return WaitForSignal(info.Env(), [&] { return sigsuspend(&mask); });
}

Napi::Value Pause(const Napi::CallbackInfo& info) {
  return WaitForSignal(info.Env(), [] { return pause(); });
}

// sigpending(): the signals blocked and pending, as an array. Handlers of
// signals already caught run first: in C they ran as the signals came.
Napi::Value Sigpending(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!HandlePendingSignals(env)) return Napi::Value();
  // A signal another thread has just taken is on its way here: a few
  // microseconds (bounded, should that thread be descheduled).
  for (int i = 0; i < 1000 && g_forwarding.load() > 0; i++) sched_yield();
  sigset_t set, mask;
  if (sigpending(&set) == -1) return Fail(env, errno);
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  uint64_t caught = g_pending.load();
  for (int sig = 1; sig <= kMaxSignal && sig < NSIG; sig++) {
    // Caught while a handler runs (called from one): it waits for that one.
    if (caught & Bit(sig)) sigaddset(&set, sig);
    // Blocked here, and on its way from the thread the kernel gave it to.
    else if (g_info[sig].state.load() != 0 && sigismember(&mask, sig) == 1) sigaddset(&set, sig);
  }
  return FromSigset(env, set);
}

// sigwait(set): waits until a signal of set is pending (the caller blocks
// set first, as in C), takes it without running its handler, and returns its
// number; -1 with errno. On a pthread too. POSIX's sigwait never fails with
// EINTR: a handler of another signal runs meanwhile and the wait goes on.
Napi::Value Sigwait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sigset_t set;
  if (!GetSignalSet(info, 0, "sigwait", "set", &set)) return Napi::Value();
  KeepPrivateSignals(&set);
  auto wait = [&]() -> long {
#ifdef __linux__
    return sigwaitinfo(&set, nullptr);  // EINTR, so that handlers run (glibc's sigwait retries inside)
#else
    int sig;
    int err = sigwait(&set, &sig);
    if (err != 0) errno = err;
    return err != 0 ? -1 : sig;
#endif
  };
  long r;
  do {
    if (!Blocking(env, wait, &r)) return Napi::Value();
  } while (r == -1 && saved_errno == EINTR);
  if (r == -1) return Result(env, -1);
  if (r >= 1 && r <= kMaxSignal) g_info[r].state.store(0);  // a siginfo kept for it is spent
  return Result(env, static_cast<double>(r));
}

// strsignal(sig): the C library's description ("Interrupt", "Unknown signal 99").
Napi::Value Strsignal(const Napi::CallbackInfo& info) {
  int sig;
  if (!GetInt(info, 0, "strsignal", "sig", &sig)) return Napi::Value();
  const char* text = strsignal(sig);  // its buffer is per thread in glibc; the JS lock serializes ours
  return Napi::String::New(info.Env(), text != nullptr ? text : "Unknown signal");
}

// raise(sig): the handler has run when raise returns, as in C. From another
// thread (a pthread, which blocks signals) the signal goes to the main
// thread, where handlers run and whose default actions end the process; it
// would otherwise wait, pending on the pthread, for good.
Napi::Value Raise(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sig;
  if (!GetInt(info, 0, "raise", "sig", &sig)) return Napi::Value();
  if (!OnMainThread() && sig != 0) {
    if (!ValidSignal(sig)) return Fail(env, EINVAL);
    // Before any handler the main thread is not known here: the process then
    // (the other threads block signals, so the kernel picks the main one).
    int err = g_env != nullptr ? pthread_kill(g_main_thread, sig) : (kill(getpid(), sig) == 0 ? 0 : errno);
    if (err != 0) return Fail(env, err);
    return Result(env, 0);
  }
  if (raise(sig) != 0) return Fail(env, errno);
  if (!HandlePendingSignals(env)) return Napi::Value();
  return Result(env, 0);
}

}  // namespace

bool GetSignalSet(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* what, sigset_t* set) {
  sigemptyset(set);
  if (!info[i].IsArray()) return ThrowType(info.Env(), fn, (std::string(what) + " must be an array of signal numbers").c_str());
  Napi::Array a = info[i].As<Napi::Array>();
  uint32_t n = a.Length();
  for (uint32_t k = 0; k < n; k++) {
    Napi::Value v = a.Get(k);  // a getter may run, and throw
    if (v.IsEmpty()) return false;
    if (!v.IsNumber()) return ThrowType(info.Env(), fn, (std::string(what) + ": every signal must be a number").c_str());
    double d = v.As<Napi::Number>().DoubleValue();
    if (d != std::trunc(d) || d < 1 || d > kMaxSignal || d >= NSIG) {
      return ThrowRange(info.Env(), fn, (std::string(what) + ": no signal " + v.ToString().Utf8Value() +
                                         " (signals are 1 to " + std::to_string(std::min(kMaxSignal, NSIG - 1)) + ")").c_str());
    }
    sigaddset(set, static_cast<int>(d));
  }
  return true;
}

bool SignalsPending() { return g_pending.load(std::memory_order_relaxed) != 0; }

bool DispatchSignals(Napi::Env env, bool* restart, bool* ran) {
  if (restart != nullptr) *restart = true;
  if (ran != nullptr) *ran = false;
  // Only the main thread's instance runs handlers, one at a time (a signal
  // that comes during a handler waits for it, as the kernel blocks it).
  if (g_dispatcher.IsEmpty() || static_cast<napi_env>(env) != g_env || g_dispatching || g_ended.load()) return true;
  if (!pthread_equal(pthread_self(), g_main_thread)) return true;  // handlers run on the main thread
  uint64_t all = 0;
  for (Taken t; Take(&t);) {
    all |= t.set;
    g_dispatching = true;
    g_dispatcher.Call(env.Global(), DispatchArgs(env, t));
    g_dispatching = false;
    if (env.IsExceptionPending()) return false;
  }
  if (restart != nullptr) *restart = (all & ~g_restart.load()) == 0;
  if (ran != nullptr) *ran = all != 0;
  return true;
}

bool SocketCallRestarts(int fd, int timeout_opt) {
#ifdef __linux__
  // The kernel itself decides so (sock_intr_errno): EINTR, not a restart,
  // once the call has a time limit.
  timeval tv{};
  socklen_t len = sizeof tv;
  if (getsockopt(fd, SOL_SOCKET, timeout_opt, &tv, &len) == -1) return true;  // not a socket: a pipe, a terminal
  return tv.tv_sec == 0 && tv.tv_usec == 0;
#else
  (void)fd;
  (void)timeout_opt;
  return true;
#endif
}

bool ConnectRestarts(int fd) {
#ifdef __linux__
  return SocketCallRestarts(fd, SO_SNDTIMEO);
#else
  (void)fd;
  return false;  // the BSDs: EINTR, and the connection goes on without the caller
#endif
}

bool CanDispatchHere() {
  return !g_dispatcher.IsEmpty() && pthread_equal(pthread_self(), g_main_thread) && !g_dispatching && !g_ended.load();
}

void DispatchFromInterrupt() {
  if (g_env == nullptr || !SignalsPending() || !CanDispatchHere()) return;
  Napi::Env env(g_env);
  Napi::HandleScope scope(env);
  if (!DispatchSignals(env)) {
    // A handler threw, and no call of ours is there to unwind out of: an
    // uncaught exception of the process, as on the idle event loop.
    Napi::Value err = env.GetAndClearPendingException().Value();
    napi_fatal_exception(env, err);
  }
}

int KillSelf(int sig) {
#ifdef __linux__
  // A signal with a handler of ours, from the main thread: to the main thread
  // itself, with kill's siginfo (SI_USER, our pid and uid; the kernel lets a
  // process say so of itself). For a C program of one thread that is all the
  // same; here it keeps the kernel from handing the signal, while the main
  // thread blocks it, to one of V8's or libuv's threads, from which it would
  // be on its way for a moment instead of pending (sigpending).
  // The main thread is the process's first one, whose tid is the pid.
  if (ValidSignal(sig) && g_slots[sig].ours && pthread_equal(pthread_self(), g_main_thread) && OnMainThread()) {
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = sig;
    si.si_code = SI_USER;
    si.si_pid = getpid();
    si.si_uid = getuid();
    return static_cast<int>(syscall(SYS_rt_tgsigqueueinfo, getpid(), getpid(), sig, &si));
  }
#endif
  return kill(getpid(), sig);
}

bool SignalChosenByProgram(int sig) { return ValidSignal(sig) && g_slots[sig].chosen; }

void MainThreadMask(sigset_t* mask) { *mask = g_main_mask; }

void SignalsAfterFork() {
  // The child has one thread: the one that forked, which runs TypeScript.
  g_main_thread = pthread_self();
  g_pending.store(0);  // the parent's pending signals are not the child's
  SignalMaskAfterFork();
  InterrupterAfterFork();
  for (InfoSlot& slot : g_info) slot.state.store(0);
  SignalGapAfterFork();
}

void InitSignal(Napi::Env env, Napi::Object exports) {
  if (OnMainThread()) pthread_sigmask(SIG_BLOCK, nullptr, &g_main_mask);
  SetFn(env, exports, "signal_dispatcher", SetDispatcher);
  SetFn(env, exports, "signal_install", Install);
  SetFn(env, exports, "signal_dispatch_end", DispatchEnd);
  SetFn(env, exports, "signal_disposition", Disposition);
  SetFn(env, exports, "sigprocmask", Sigprocmask);
  SetFn(env, exports, "sigsuspend", Sigsuspend);
  SetFn(env, exports, "pause", Pause);
  SetFn(env, exports, "raise", Raise);
  SetFn(env, exports, "sigpending", Sigpending);
  SetFn(env, exports, "sigwait", Sigwait);
  SetFn(env, exports, "strsignal", Strsignal);
}

}  // namespace sl
