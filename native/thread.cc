// Threads that run TypeScript: real pthreads, each taking the JS lock
// (jslock.h) to run its routine, as CPython's threads take the GIL. Only one
// thread runs TypeScript at a time; every blocking call drops the lock, so
// syscalls overlap. Also deferred cancellation.
#include "thread.h"

#include "blocking.h"
#include "common.h"
#include "jslock.h"
#include "napi_v8.h"  // ToV8, ToNapi: the thread code needs V8's API to run functions off the main thread
#include "signal.h"

#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace sl {

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
  std::atomic<bool> in_blocking{false};  // BlockingEnter (blocking.h)
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
size_t g_stack_size = kDefaultStackSize;

// The markers the TypeScript side throws and recognizes (thread_init).
// Reset by the env's cleanup hook: a v8::Global must not outlive its isolate.
v8::Global<v8::Function>& g_thread_exit = *new v8::Global<v8::Function>;    // class ThreadExit { value }
v8::Global<v8::Function>& g_thread_cancel = *new v8::Global<v8::Function>;  // class ThreadCancel
v8::Global<v8::Value>& g_canceled = *new v8::Global<v8::Value>;            // PTHREAD_CANCELED

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
  BlockingFlagIs(&t->in_blocking);
  BlockSignalsInThread();
  v8::Isolate* isolate = t->isolate;
  {
    JsLock js_lock(isolate);
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
  return nullptr;
}

void EnsureHandOver(Napi::Env env) {
  static bool once = false;
  JsLockShare(env);
  if (once) return;
  once = true;
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
      Unlocked unlocked;  // a cancellation point: its slices end on pthread_cancel
      std::unique_lock<std::mutex> lock(g_mutex);
      signaled = WaitInSlices(t->done, lock, here, 50'000'000, [t] { return t->finished; },
                              [] { return !TestCancelQuiet(); });
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
      JsUnlock unlock;  // not a cancellation point
      std::unique_lock<std::mutex> lock(g_mutex);
      signaled = WaitInSlices(g_all_done, lock, here, 0, [] { return g_running.load() == 0; }, [] { return false; });
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

}  // namespace

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

// In the child of a fork: the other threads do not exist there.
void ThreadsAfterFork() {
  new (&g_mutex) std::mutex();
  for (auto& [id, t] : g_threads) {
    if (t == t_self) continue;
    t->finished = true;
    t->detached = true;  // joining it: EINVAL, as for a thread that is not joinable
  }
  g_running = t_self != nullptr ? 1 : 0;
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
}

}  // namespace sl
