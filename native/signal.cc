// Signals, as CPython does them (PEP 475): the C handler only records the
// signal and wakes the event loop; the TypeScript handler runs at the next
// safe point: on the loop when it is idle, or inside the blocking call that
// the signal interrupted (see Blocking in common.h), which then restarts or
// returns -1 with EINTR.
#include "common.h"

#include <signal.h>
#include <uv.h>

#include <atomic>
#include <cstring>

namespace sl {
namespace {

constexpr int kMaxSignal = 64;

std::atomic<uint64_t> g_pending{0};  // bit (sig - 1): caught, not yet handled
std::atomic<uint64_t> g_restart{0};  // bit (sig - 1): its handler asked for SA_RESTART
uv_async_t* g_async = nullptr;       // wakes the loop; owned by g_env's loop
napi_env g_env = nullptr;
Napi::FunctionReference g_dispatcher;  // TypeScript: (signals: number[]) => void

inline uint64_t Bit(int sig) { return uint64_t{1} << (sig - 1); }

void OnSignal(int sig) {
  int saved = errno;  // async-signal-safe: an atomic or and uv_async_send only
  g_pending.fetch_or(Bit(sig));
  if (g_async != nullptr) uv_async_send(g_async);
  errno = saved;
}

// Takes the pending signals.
uint64_t Take() { return g_pending.exchange(0); }

Napi::Array SignalList(Napi::Env env, uint64_t set) {
  Napi::Array list = Napi::Array::New(env);
  uint32_t n = 0;
  for (int sig = 1; sig <= kMaxSignal; sig++) {
    if (set & Bit(sig)) list.Set(n++, sig);
  }
  return list;
}

void OnAsync(uv_async_t*) {
  uint64_t set = Take();
  if (set == 0 || g_dispatcher.IsEmpty()) return;
  Napi::Env env(g_env);
  Napi::HandleScope scope(env);
  // MakeCallback: an exception here is an uncaught exception of the process,
  // and microtasks queued by the handler run after it.
  g_dispatcher.MakeCallback(env.Global(), {SignalList(env, set)});
}

void Cleanup(void*) {
  if (g_async != nullptr) {
    uv_async_t* a = g_async;
    g_async = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(a), [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
  }
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
    napi_add_env_cleanup_hook(env, Cleanup, nullptr);
  }
  g_dispatcher = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

// signal_install(signum, disposition, restart): 0 = SIG_DFL, 1 = SIG_IGN,
// 2 = the TypeScript handler. The kernel handler never has SA_RESTART, so that
// the blocking call returns EINTR and the handler can run before the restart.
Napi::Value Install(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sig, disposition;
  if (!GetInt(info, 0, "signal", "signum", &sig) || !GetInt(info, 1, "signal", "disposition", &disposition)) {
    return Napi::Value();
  }
  bool restart = info[2].ToBoolean();
  if (sig < 1 || sig > kMaxSignal || sig >= NSIG) return Fail(env, EINVAL);
  if (disposition == 2 && g_dispatcher.IsEmpty()) {
    Napi::Error::New(env, "signal: no dispatcher installed").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = disposition == 0 ? SIG_DFL : disposition == 1 ? SIG_IGN : OnSignal;
  if (sigaction(sig, &sa, nullptr) == -1) return Fail(env, errno);
  if (restart) {
    g_restart.fetch_or(Bit(sig));
  } else {
    g_restart.fetch_and(~Bit(sig));
  }
  return Result(env, 0);
}

}  // namespace

bool SignalsPending() { return g_pending.load(std::memory_order_relaxed) != 0; }

bool DispatchSignals(Napi::Env env, bool* restart) {
  *restart = true;
  // Only the main thread's instance runs handlers; elsewhere the signals stay pending.
  if (g_dispatcher.IsEmpty() || static_cast<napi_env>(env) != g_env) return true;
  uint64_t set = Take();
  *restart = (set & ~g_restart.load()) == 0;
  if (set == 0) return true;
  g_dispatcher.Call(env.Global(), {SignalList(env, set)});
  return !env.IsExceptionPending();
}

void InitSignal(Napi::Env env, Napi::Object exports) {
  SetFn(env, exports, "signal_dispatcher", SetDispatcher);
  SetFn(env, exports, "signal_install", Install);
}

}  // namespace sl
