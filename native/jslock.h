// The JS lock: V8's lock (v8::Locker) on the isolate, held by the thread that
// runs TypeScript, as CPython's GIL. A call that may block drops it for its
// syscall (JsUnlock), so that other threads run TypeScript meanwhile; a
// pthread of the library holds it for its routine (JsLock). The main thread,
// idle in its event loop, holds it too, and hands it over when a thread
// wants it; a thread that has run for a switch interval gives it up at a safe
// point (switch_interval, off by default).
//
// Taking the lock goes through a token of ours first: a thread waits for the
// token, never inside v8::Locker, and releases V8's lock before the token. So
// V8's own mutex never has a waiter, which matters at fork: on Node 24 it is
// an Abseil mutex, and a waiter that does not exist in the child would be
// handed the lock there.
#pragma once

#include <napi.h>
#include <v8.h>

#include <atomic>
#include <optional>

namespace sl {

// Whether a pthread running TypeScript was ever created in this process.
// Until then nobody can be waiting for the lock, so dropping it would be
// unobservable, and costs about 0.3 us a call. Threads are created by a
// thread that holds the lock, so none can appear while one is dropped.
extern std::atomic<bool> g_threads_exist;
inline bool JsThreadsExist() { return g_threads_exist.load(std::memory_order_relaxed); }

// Before the first pthread is created (by the main thread, which holds the
// lock): from now on the lock is shared, and the main loop hands it over.
void JsLockShare(Napi::Env env);

// The token (above).
void TokenAcquire();
void TokenRelease();
// A thread about to take the lock back says so (JsLockWanted), so that a
// main thread idling in its event loop hands it over; JsLockTaken once it
// has it. JsLockWanted returns whether it counted (only once threads
// exist); pass that on.
bool JsLockWanted();
void JsLockTaken(bool counted);

// The JS lock dropped for this object's life, if this thread holds it.
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

// The JS lock held for this object's life, by a pthread of the library that
// runs a TypeScript routine: the token, then V8's lock; given back in the
// other order. The isolate is entered too: the heap's stack start is then
// this thread's (see MakeStackStartOurs in jslock.cc).
class JsLock {
 public:
  explicit JsLock(v8::Isolate* isolate);
  ~JsLock();

 private:
  std::optional<v8::Locker> locker_;
  std::optional<v8::Isolate::Scope> scope_;
};

// On a thread that holds the JS lock while others wait for it: gives it up
// until one of them has had it (V8 interrupts call it).
void YieldToWaiters();

// In the child of fork: nobody else waits for the lock there.
void JsLockAfterFork();

}  // namespace sl
