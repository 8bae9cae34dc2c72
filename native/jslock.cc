// The JS lock (jslock.h): the token, the count of threads waiting for the
// lock, the main loop's hand-over, and the switch interval.
#include "jslock.h"

#include "common.h"
#include "safepoint.h"
#include "signal.h"  // RequestInterruptForkSafe, StartHelperThread

#include <sched.h>  // sched_getaffinity
#include <uv.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace sl {

std::atomic<bool> g_threads_exist{false};

namespace {

std::mutex g_token;  // held with V8's lock, taken before it
std::atomic<int> g_waiters{0};  // threads waiting to take the lock
// (g_threads_exist: until the first thread is created nobody else can want
// the lock, and the counting is skipped. It starts under the lock, so a
// "wanted" skipped before it is never paired with a counted "taken".)
std::mutex g_yield_mutex;
std::condition_variable g_yield_cv;
uv_async_t* g_yield_async = nullptr;  // wakes the main loop to hand the lock over
v8::Isolate* g_isolate = nullptr;

// Whether this thread is one of the library's pthreads (it took the lock
// with JsLock), and which thread held the lock last (see MakeStackStartOurs):
// a pthread by the address of its t_pthread, the main thread by null.
thread_local bool t_pthread = false;
const void* g_last_holder = nullptr;
const void* Me() { return t_pthread ? &t_pthread : nullptr; }

// The main thread, idle in its event loop, holds the lock: when a thread
// wants it, this runs on the main loop and lets the waiters have it.
void OnYield(uv_async_t*) {
  if (g_waiters.load() == 0 || g_isolate == nullptr) return;
  // Taking the lock back after another thread had it restores this thread's
  // V8 state, which may make handles (V8 13's debugger walks the stack): it
  // needs a scope of its own, as the loop has only Node's SealHandleScope.
  v8::HandleScope scope(g_isolate);
  JsUnlock unlock;  // taking it back counts as waiting for it, like any thread
  std::unique_lock<std::mutex> lock(g_yield_mutex);
  // Until every waiter got it, or 20 ms: then the loop gets its turn again.
  g_yield_cv.wait_for(lock, std::chrono::milliseconds(20), [] { return g_waiters.load() == 0; });
}

// ---- the switch interval ---------------------------------------------------
// Off by default. When on, a watchdog asks the thread that runs TypeScript to
// give the lock up at its next safe point (a call or a loop's back edge) once
// it has run for an interval while others wait, as CPython's switch interval.
std::atomic<int64_t> g_switch_us{0};
std::atomic<uint64_t> g_lock_epoch{0};  // bumped whenever a thread takes the lock
std::atomic<bool> g_watchdog{false};

// Not at a JavaScript stack check (inside a regexp, say): the watchdog asks
// again after another interval.
__attribute__((noinline)) void YieldInterrupt(v8::Isolate* isolate, void*) {
  if (AtJsSafePoint(isolate)) YieldToWaiters();
}

void Watchdog() {
  uint64_t seen = g_lock_epoch.load();
  auto since = std::chrono::steady_clock::now();
  for (;;) {
    int64_t us = g_switch_us.load();
    if (us <= 0) us = 5000;
    std::this_thread::sleep_for(std::chrono::microseconds(us / 2 > 100 ? us / 2 : 100));
    if (g_switch_us.load() <= 0 || g_isolate == nullptr) continue;
    uint64_t epoch = g_lock_epoch.load();
    auto now = std::chrono::steady_clock::now();
    if (epoch != seen) {
      seen = epoch;
      since = now;
      continue;
    }
    if (g_waiters.load() > 0 && now - since >= std::chrono::microseconds(g_switch_us.load())) {
      RequestInterruptForkSafe(g_isolate, YieldInterrupt);
      since = now;
    }
  }
}

// switch_interval(us): 0 turns preemption off.
Napi::Value SwitchInterval(const Napi::CallbackInfo& info) {
  int64_t us;
  if (!GetInt64(info, 0, "switch_interval", "microseconds", 0, 10'000'000, &us)) return Napi::Value();
  int64_t old = g_switch_us.exchange(us);
  if (us > 0) SafePointCalibrate(v8::Isolate::GetCurrent());
  if (us > 0 && !g_watchdog.exchange(true)) {
    g_isolate = v8::Isolate::GetCurrent();
    if (!StartHelperThread(Watchdog)) {
      g_watchdog.store(false);
      g_switch_us.store(old);
      return Fail(info.Env(), EAGAIN);
    }
  }
  return Result(info.Env(), static_cast<double>(old));
}

// Whether this thread holds the JS lock (v8::Locker) that blocking calls drop.
Napi::Value JsLockHeld(const Napi::CallbackInfo& info) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  return Napi::Boolean::New(info.Env(), isolate != nullptr && v8::Locker::IsLocked(isolate));
}

// V8's heap records the stack of the thread that entered the isolate, and
// scans from the stack pointer to it for pointers (cppgc's conservative scan
// in a major GC): a thread taking the lock from another must make it its
// own, or a GC on it walks off its stack. Isolate::Enter sets it (public API;
// a nested Enter/Exit leaves the isolate as it was); only when the holder
// changes, since finding the main thread's stack start reads /proc/self/maps.
void MakeStackStartOurs() {
  if (g_last_holder == Me() || g_isolate == nullptr) return;
  g_isolate->Enter();
  g_isolate->Exit();
  g_last_holder = Me();
}

// ---- the token's spin (TokenAcquire) ----------------------------------------
constexpr int kTokenSpins = 100;  // tries before it sleeps: a few µs

// Tells the CPU this is a spin-wait (it lets the other hyperthread run).
inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

// The CPUs this process may run on (its affinity: taskset).
int UsableCpus() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
#endif
  return static_cast<int>(std::thread::hardware_concurrency());
}

}  // namespace

void JsLockShare(Napi::Env env) {
  if (!g_threads_exist) {
    // The first thread: the caller (the main thread, the only one running
    // TypeScript so far) holds V8's lock; from now on it holds the token too.
    g_token.lock();
    g_threads_exist = true;
  }
  if (g_yield_async != nullptr) return;
  g_isolate = v8::Isolate::GetCurrent();
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  g_yield_async = new uv_async_t;
  uv_async_init(loop, g_yield_async, OnYield);
  uv_unref(reinterpret_cast<uv_handle_t*>(g_yield_async));
}

// A thread that wants the lock usually finds it held for a few microseconds
// of another thread's TypeScript between two of its blocking calls. Sleeping
// on the mutex then costs a futex wait, a wake-up and two context switches
// (about 5 µs each here), so it spins a little first, as glibc's adaptive
// mutexes do. Measured 2026-12-07, 2 CPUs, ping-pong of 50 connections,
// 6-8 alternating pairs: echo-threads 1.14x and echo-prethreaded 1.17x the
// rate without the spin.
void TokenAcquire() {
  // On one CPU the holder cannot run while this thread spins.
  static const int spins = UsableCpus() > 1 ? kTokenSpins : 0;
  for (int i = 0; i < spins; i++) {
    if (g_token.try_lock()) return;
    CpuRelax();
  }
  g_token.lock();
}
void TokenRelease() { g_token.unlock(); }

bool JsLockWanted() {
  if (!g_threads_exist.load(std::memory_order_relaxed)) return false;
  g_waiters.fetch_add(1);
  // The main thread may be idle in its event loop, holding the lock: wake it.
  if (t_pthread && g_yield_async != nullptr) uv_async_send(g_yield_async);
  return true;
}

void JsLockTaken(bool counted) {
  if (!counted) return;
  MakeStackStartOurs();
  g_lock_epoch.fetch_add(1);
  if (g_waiters.fetch_sub(1) == 1) {
    std::lock_guard<std::mutex> lock(g_yield_mutex);
    g_yield_cv.notify_all();
  }
}

JsLock::JsLock(v8::Isolate* isolate) {
  t_pthread = true;
  bool counted = JsLockWanted();
  TokenAcquire();
  locker_.emplace(isolate);
  JsLockTaken(counted);
  scope_.emplace(isolate);  // Enter: the heap's stack start is this thread's now
  g_last_holder = Me();
}

JsLock::~JsLock() {
  scope_.reset();
  locker_.reset();
  TokenRelease();  // after V8's lock: never the other way round
}

void YieldToWaiters() {
  if (g_waiters.load() == 0) return;
  uint64_t epoch = g_lock_epoch.load();
  JsUnlock unlock;
  std::unique_lock<std::mutex> lock(g_yield_mutex);
  g_yield_cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return g_lock_epoch.load() != epoch; });
}

void JsLockAfterFork() {
  new (&g_yield_mutex) std::mutex();
  g_waiters = 0;
  g_watchdog = false;  // the watchdog thread stayed in the parent
}

void InitJsLock(Napi::Env env, Napi::Object exports) {
  SetFn(env, exports, "switch_interval", SwitchInterval);
  SetFn(env, exports, "js_lock_held", JsLockHeld);
}

}  // namespace sl
