// Threads that run TypeScript: real pthreads, each taking V8's lock
// (v8::Locker) to run its routine, as CPython's threads take the GIL. Only
// one thread runs TypeScript at a time; every blocking call drops the lock,
// so syscalls overlap. Also the hand-over of the lock by a main thread that
// idles in its event loop, deferred cancellation, and the switch interval.
#include "common.h"
#include "fastcall.h"  // ToV8, ToNapi: the thread code needs V8's API to run functions off the main thread

#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace sl {

std::atomic<bool> g_threads_exist{false};  // JsThreadsExist (common.h)

#if defined(SIGRTMAX)
int CancelSignal() { return SIGRTMAX - 3; }  // glibc keeps the first RT signals for itself
#else
int CancelSignal() { return SIGURG; }
#endif

namespace {

// V8 limits a thread's stack to about 1 MiB of JS frames; the thread's own
// stack must be larger than that (macOS gives 512 KiB by default).
constexpr size_t kDefaultStackSize = 8u << 20;

struct Thread {
  uint32_t id = 0;
  pthread_t os{};
  v8::Isolate* isolate = nullptr;
  v8::Global<v8::Context> context;
  v8::Global<v8::Function> routine;
  v8::Global<v8::Value> arg;
  v8::Global<v8::Value> result;
  std::atomic<bool> cancel_requested{false};
  std::atomic<bool> in_blocking{false};
  bool cancel_enabled = true;
  bool finished = false;
  bool detached = false;
  bool joining = false;
  std::condition_variable done;  // with g_mutex
};

std::mutex g_mutex;  // guards g_threads and every Thread's plain fields
std::unordered_map<uint32_t, Thread*> g_threads;
uint32_t g_next_id = 2;  // 1 is the main thread
std::atomic<int> g_running{0};
std::condition_variable g_all_done;  // with g_mutex: g_running reached 0
thread_local Thread* t_self = nullptr;  // null on the main thread
Thread* g_last_holder = nullptr;        // the thread that took the JS lock last (see MakeStackStartOurs)
size_t g_stack_size = kDefaultStackSize;

// The markers the TypeScript side throws and recognizes (thread_init).
// Reset by the env's cleanup hook: a v8::Global must not outlive its isolate.
v8::Global<v8::Function>& g_thread_exit = *new v8::Global<v8::Function>;    // class ThreadExit { value }
v8::Global<v8::Function>& g_thread_cancel = *new v8::Global<v8::Function>;  // class ThreadCancel
v8::Global<v8::Value>& g_canceled = *new v8::Global<v8::Value>;            // PTHREAD_CANCELED

// ---- the JS lock's hand-over --------------------------------------------
std::mutex g_token;  // see TokenAcquire in common.h: held with V8's lock, taken before it
std::atomic<int> g_waiters{0};  // threads waiting to take the lock
// (g_threads_exist, above: until the first thread is created nobody else can
// want the lock, and the counting is skipped. It starts under the lock, so a
// "wanted" skipped before it is never paired with a counted "taken".)
std::mutex g_yield_mutex;
std::condition_variable g_yield_cv;
uv_async_t* g_yield_async = nullptr;  // wakes the main loop to hand the lock over
v8::Isolate* g_isolate = nullptr;

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

}  // namespace

void YieldToWaiters() {
  if (g_waiters.load() == 0) return;
  uint64_t epoch = g_lock_epoch.load();
  JsUnlock unlock;
  std::unique_lock<std::mutex> lock(g_yield_mutex);
  g_yield_cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return g_lock_epoch.load() != epoch; });
}

namespace {

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

// ---- threads -------------------------------------------------------------------

Thread* Find(uint32_t id) {
  auto it = g_threads.find(id);
  return it == g_threads.end() ? nullptr : it->second;
}

// Called with g_mutex held, and the JS lock (the Globals are reset).
void Free(Thread* t) {
  g_threads.erase(t->id);
  t->context.Reset();
  t->routine.Reset();
  t->arg.Reset();
  t->result.Reset();
  delete t;
}

void ReportUncaught(v8::Isolate* isolate, v8::Local<v8::Context> ctx, v8::Local<v8::Value> exc, uint32_t id) {
  v8::String::Utf8Value text(isolate, exc);
  std::string message = *text ? *text : "(an exception that cannot be printed)";
  if (exc->IsObject()) {
    v8::Local<v8::Value> stack;
    if (exc.As<v8::Object>()->Get(ctx, v8::String::NewFromUtf8Literal(isolate, "stack")).ToLocal(&stack) &&
        stack->IsString()) {
      v8::String::Utf8Value s(isolate, stack);
      if (*s) message = *s;
    }
  }
  fprintf(stderr, "Exception in thread %u:\n%s\n", id, message.c_str());
  fflush(stderr);
}

void BlockSignalsInThread() {
  // Process-directed signals go to the main thread, whose handlers run them;
  // faults stay deliverable (V8 handles some), and the private cancel signal.
  sigset_t set;
  sigfillset(&set);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, CancelSignal()}) sigdelset(&set, sig);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void* ThreadMain(void* p) {
  Thread* t = static_cast<Thread*>(p);
  t_self = t;
  BlockSignalsInThread();
  v8::Isolate* isolate = t->isolate;
  bool counted = JsLockWanted();
  g_token.lock();
  {
    v8::Locker locker(isolate);
    JsLockTaken(counted);
    v8::Isolate::Scope isolate_scope(isolate);  // Enter: the heap's stack start is this thread's now
    g_last_holder = t;
    v8::HandleScope handle_scope(isolate);
    v8::Local<v8::Context> ctx = t->context.Get(isolate);
    v8::Context::Scope context_scope(ctx);
    v8::Local<v8::Value> result = v8::Undefined(isolate);
    {
      v8::TryCatch try_catch(isolate);
      v8::Local<v8::Value> arg = t->arg.Get(isolate);
      v8::MaybeLocal<v8::Value> r = t->routine.Get(isolate)->Call(ctx, v8::Undefined(isolate), 1, &arg);
      if (try_catch.HasCaught()) {
        v8::Local<v8::Value> exc = try_catch.Exception();
        bool is_exit = false, is_cancel = false;
        if (exc->IsObject()) {
          is_exit = exc->InstanceOf(ctx, g_thread_exit.Get(isolate)).FromMaybe(false);
          is_cancel = exc->InstanceOf(ctx, g_thread_cancel.Get(isolate)).FromMaybe(false);
        }
        if (is_exit) {
          if (!exc.As<v8::Object>()->Get(ctx, v8::String::NewFromUtf8Literal(isolate, "value")).ToLocal(&result)) {
            result = v8::Undefined(isolate);
          }
        } else if (is_cancel) {
          result = g_canceled.Get(isolate);
        } else if (!try_catch.HasTerminated()) {
          ReportUncaught(isolate, ctx, exc, t->id);
        }
      } else if (!r.ToLocal(&result)) {
        result = v8::Undefined(isolate);
      } else if (result->IsPromise()) {
        fprintf(stderr,
                "Exception in thread %u:\nTypeError: the thread's routine returned a Promise: a thread runs "
                "synchronous code; promises and timers belong to the main thread's event loop\n",
                t->id);
        fflush(stderr);
        result = v8::Undefined(isolate);
      }
    }
    std::lock_guard<std::mutex> lock(g_mutex);
    t->routine.Reset();
    t->arg.Reset();
    t->result.Reset(isolate, result);
    t->finished = true;
    if (t->detached) {
      Free(t);  // nobody will join it: its record goes now, under the JS lock
    } else {
      t->done.notify_all();
    }
    if (--g_running == 0) g_all_done.notify_all();
  }
  g_token.unlock();  // after V8's lock (the Locker's scope): never the other way round
  return nullptr;
}

void EnsureHandOver(Napi::Env env) {
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
  // The private signal that interrupts a canceled thread's syscall (EINTR).
  struct sigaction sa{};
  sa.sa_handler = [](int) {};
  sigemptyset(&sa.sa_mask);
  sigaction(CancelSignal(), &sa, nullptr);
}

bool GetThreadId(const Napi::CallbackInfo& info, size_t i, const char* fn, uint32_t* id) {
  int64_t v;
  if (!GetInt64(info, i, fn, "thread", 0, UINT32_MAX, &v)) return false;
  *id = static_cast<uint32_t>(v);
  return true;
}

// thread_init(ThreadExit, ThreadCancel, PTHREAD_CANCELED): the markers.
Napi::Value ThreadInit(const Napi::CallbackInfo& info) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  v8::Local<v8::Value> v0 = ToV8(info[0]), v1 = ToV8(info[1]), v2 = ToV8(info[2]);
  if (!v0->IsFunction() || !v1->IsFunction()) return ThrowType(info.Env(), "thread_init", "markers"), Napi::Value();
  g_thread_exit.Reset(isolate, v0.As<v8::Function>());
  g_thread_cancel.Reset(isolate, v1.As<v8::Function>());
  g_canceled.Reset(isolate, v2);
  napi_add_env_cleanup_hook(info.Env(), [](void*) {
    g_thread_exit.Reset();
    g_thread_cancel.Reset();
    g_canceled.Reset();
    // Threads ended and never joined still hold their results.
    std::lock_guard<std::mutex> lock(g_mutex);
    for (auto& [id, t] : g_threads) {
      if (t->finished) t->result.Reset();
    }
  }, nullptr);
  return info.Env().Undefined();
}

// pthread_create(routine, arg): the new thread's id (its pthread_t), or -errno.
Napi::Value PthreadCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) return ThrowType(env, "pthread_create", "start_routine must be a function"), Napi::Value();
  if (g_thread_exit.IsEmpty()) return ThrowType(env, "pthread_create", "thread_init first"), Napi::Value();
  EnsureHandOver(env);
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  auto* t = new Thread;
  t->isolate = isolate;
  t->context.Reset(isolate, isolate->GetCurrentContext());
  t->routine.Reset(isolate, ToV8(info[0]).As<v8::Function>());
  t->arg.Reset(isolate, ToV8(info[1]));
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, g_stack_size);
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    t->id = g_next_id++;
    g_threads[t->id] = t;
    g_running++;
  }
  int rc = pthread_create(&t->os, &attr, ThreadMain, t);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_running--;
    Free(t);
    return Result(env, -rc);
  }
  return Result(env, t->id);
}

// pthread_join(thread): { rc, value } — rc 0 and the routine's value, or an
// error number (ESRCH: no such thread or already joined; EINVAL: detached or
// already being joined; EDEADLK: itself).
Napi::Value PthreadJoin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t id;
  if (!GetThreadId(info, 0, "pthread_join", &id)) return Napi::Value();
  if (!TestCancel(env)) return Napi::Value();
  if (id == 1) return Result(env, t_self == nullptr ? EDEADLK : EINVAL);  // the main thread is not joinable
  Thread* t;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    t = Find(id);
    if (t == nullptr) return Result(env, ESRCH);
    if (t == t_self) return Result(env, EDEADLK);
    if (t->detached || t->joining) return Result(env, EINVAL);
    t->joining = true;
  }
  // The main thread's handlers run during the wait, which then goes on
  // (pthread_join never fails with EINTR).
  bool here = CanDispatchHere();
  for (bool signaled = true; signaled;) {
    signaled = false;
    {
      JsUnlock unlock;
      BlockingEnter();
      std::unique_lock<std::mutex> lock(g_mutex);
      while (!t->finished && !(signaled = HandlersToRun(here))) {
        t->done.wait_for(lock, std::chrono::nanoseconds(here ? kSignalSliceNs : 50'000'000));
        if (t_self != nullptr && t_self->cancel_requested.load() && t_self->cancel_enabled) break;
      }
      // One that came as the thread ended: in C its handler ran inside the wait.
      if (!signaled) signaled = HandlersToRun(here);
      BlockingLeave();
    }
    if (signaled && !DispatchSignals(env)) {  // a handler threw: no longer joining
      std::lock_guard<std::mutex> lock(g_mutex);
      t->joining = false;
      return Napi::Value();
    }
  }
  if (!t->finished) {  // this thread was canceled while it waited
    std::lock_guard<std::mutex> lock(g_mutex);
    t->joining = false;
    TestCancel(env);
    return Napi::Value();
  }
  pthread_join(t->os, nullptr);  // the OS thread has returned or is returning: its stack goes now
  v8::Local<v8::Value> value = t->result.Get(t->isolate);
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    Free(t);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("rc", 0);
  out.Set("value", Napi::Value(env, ToNapi(value)));
  return out;
}

// pthread_detach(thread): 0, ESRCH, or EINVAL (already detached).
Napi::Value PthreadDetach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t id;
  if (!GetThreadId(info, 0, "pthread_detach", &id)) return Napi::Value();
  std::lock_guard<std::mutex> lock(g_mutex);
  Thread* t = Find(id);
  if (t == nullptr) return Result(env, ESRCH);
  if (t->detached || t->joining) return Result(env, EINVAL);
  t->detached = true;
  pthread_detach(t->os);
  if (t->finished) Free(t);  // nobody is joining it (checked above)
  return Result(env, 0);
}

Napi::Value PthreadSelf(const Napi::CallbackInfo& info) {
  return Result(info.Env(), t_self == nullptr ? 1 : t_self->id);
}

// pthread_cancel(thread): 0 or ESRCH. Deferred: the thread ends at its next
// cancellation point; one blocked in a syscall is interrupted (EINTR).
Napi::Value PthreadCancel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t id;
  if (!GetThreadId(info, 0, "pthread_cancel", &id)) return Napi::Value();
  std::lock_guard<std::mutex> lock(g_mutex);
  Thread* t = Find(id);
  if (t == nullptr || t->finished) return Result(env, ESRCH);
  t->cancel_requested = true;
  // A signal sent just before the thread enters its syscall would be lost:
  // keep sending until it has left its blocking call or finished.
  pthread_t os = t->os;
  bool kicker = StartHelperThread([id, os] {
    for (int i = 0; i < 6000; i++) {  // at most a minute
      {
        std::lock_guard<std::mutex> lock(g_mutex);
        Thread* t = Find(id);
        if (t == nullptr || t->finished) return;
        if (t->in_blocking.load()) pthread_kill(os, CancelSignal());
        else if (i > 0) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  if (!kicker && t->in_blocking.load()) pthread_kill(os, CancelSignal());  // no thread to be had: one kick
  return Result(env, 0);
}

// pthread_setcancelstate(enable): the previous state (1 enabled, 0 disabled).
Napi::Value PthreadSetcancelstate(const Napi::CallbackInfo& info) {
  bool enable = info[0].ToBoolean();
  if (t_self == nullptr) return Result(info.Env(), 1);
  bool old = t_self->cancel_enabled;
  t_self->cancel_enabled = enable;
  return Result(info.Env(), old ? 1 : 0);
}

Napi::Value PthreadTestcancel(const Napi::CallbackInfo& info) {
  if (!TestCancel(info.Env())) return Napi::Value();
  return info.Env().Undefined();
}

// threads_wait_all(): the main thread's pthread_exit waits for every thread.
// Signals are still handled meanwhile (in C another thread would take them).
Napi::Value ThreadsWaitAll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool here = CanDispatchHere();
  for (;;) {
    bool signaled = false;
    {
      JsUnlock unlock;
      std::unique_lock<std::mutex> lock(g_mutex);
      while (g_running.load() != 0 && !(signaled = HandlersToRun(here))) {
        if (here) {
          g_all_done.wait_for(lock, std::chrono::nanoseconds(kSignalSliceNs));
        } else {
          g_all_done.wait(lock);
        }
      }
      if (!signaled) signaled = HandlersToRun(here);  // one that came as the last ended
    }
    if (!signaled) return env.Undefined();
    if (!DispatchSignals(env)) return Napi::Value();
  }
}

// thread_count(): threads running TypeScript routines now.
Napi::Value ThreadsRunning(const Napi::CallbackInfo& info) { return Result(info.Env(), g_running.load()); }

// pthread_stacksize(bytes?): sets (if given) and returns the stack size of new threads.
Napi::Value StackSize(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && !info[0].IsUndefined()) {
    int64_t v;
    if (!GetInt64(info, 0, "pthread_attr_setstacksize", "stacksize", 2 << 20, int64_t{1} << 32, &v)) return Napi::Value();
    g_stack_size = static_cast<size_t>(v);
  }
  return Result(info.Env(), static_cast<double>(g_stack_size));
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

}  // namespace

// ---- hooks used by every blocking call (common.h) ------------------------

void TokenAcquire() { g_token.lock(); }
void TokenRelease() { g_token.unlock(); }

bool JsLockWanted() {
  if (!g_threads_exist.load(std::memory_order_relaxed)) return false;
  g_waiters.fetch_add(1);
  // The main thread may be idle in its event loop, holding the lock: wake it.
  if (t_self != nullptr && g_yield_async != nullptr) uv_async_send(g_yield_async);
  return true;
}

// The thread that held the JS lock last is g_last_holder. V8's heap
// records the stack of the thread that entered the isolate, and scans from
// the stack pointer to it for pointers (cppgc's conservative scan in a major
// GC): a thread taking the lock from another must make it its own, or a GC
// on it walks off its stack. Isolate::Enter sets it (public API; a nested
// Enter/Exit leaves the isolate as it was); only when the holder changes,
// since finding the main thread's stack start reads /proc/self/maps.
void MakeStackStartOurs() {
  if (g_last_holder == t_self || g_isolate == nullptr) return;
  g_isolate->Enter();
  g_isolate->Exit();
  g_last_holder = t_self;
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

bool TestCancel(Napi::Env env) {
  Thread* t = t_self;
  if (t == nullptr || !t->cancel_requested.load() || !t->cancel_enabled) return true;
  t->cancel_enabled = false;  // it acts once
  v8::Isolate* isolate = t->isolate;
  v8::Local<v8::Function> ctor = g_thread_cancel.Get(isolate);
  v8::Local<v8::Object> exc;
  if (ctor->NewInstance(isolate->GetCurrentContext()).ToLocal(&exc)) isolate->ThrowException(exc);
  return false;
}

bool TestCancelQuiet() {
  Thread* t = t_self;
  return t == nullptr || !t->cancel_requested.load() || !t->cancel_enabled;
}

void BlockingEnter() {
  if (t_self != nullptr) t_self->in_blocking = true;
}
void BlockingLeave() {
  if (t_self != nullptr) t_self->in_blocking = false;
}

// In the child of a fork: the other threads do not exist there.
void ThreadsAfterFork() {
  new (&g_mutex) std::mutex();
  new (&g_yield_mutex) std::mutex();
  for (auto& [id, t] : g_threads) {
    if (t == t_self) continue;
    t->finished = true;
    t->detached = true;  // joining it: EINVAL, as for a thread that is not joinable
  }
  g_running = t_self != nullptr ? 1 : 0;
  g_waiters = 0;
  g_watchdog = false;  // the watchdog thread stayed in the parent
}

bool OnLibraryThread() { return t_self != nullptr; }

bool OnMainThread() {
  if (t_self != nullptr) return false;
  // Nor a Node Worker's thread: the process's first thread only.
#ifdef __APPLE__
  return pthread_main_np() != 0;
#else
  return syscall(SYS_gettid) == getpid();
#endif
}

void InitThread(Napi::Env env, Napi::Object exports) {
  SetFn(env, exports, "thread_init", ThreadInit);
  SetFn(env, exports, "pthread_create", PthreadCreate);
  SetFn(env, exports, "pthread_join", PthreadJoin);
  SetFn(env, exports, "pthread_detach", PthreadDetach);
  SetFn(env, exports, "pthread_self", PthreadSelf);
  SetFn(env, exports, "pthread_cancel", PthreadCancel);
  SetFn(env, exports, "pthread_setcancelstate", PthreadSetcancelstate);
  SetFn(env, exports, "pthread_testcancel", PthreadTestcancel);
  SetFn(env, exports, "threads_wait_all", ThreadsWaitAll);
  SetFn(env, exports, "threads_running", ThreadsRunning);
  SetFn(env, exports, "thread_stacksize", StackSize);
  SetFn(env, exports, "switch_interval", SwitchInterval);
}

}  // namespace sl
