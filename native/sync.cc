// Synchronization between threads: mutexes, condition variables, POSIX-style
// semaphores. Every wait drops the JS lock (or two threads would deadlock:
// one waiting for the mutex with the JS lock, the other for the JS lock with
// the mutex). The pthread functions return an error number, as in C; the
// sem_ functions return -1 and set errno.
#include "blocking.h"
#include "common.h"
#include "signal.h"
#include "thread.h"

#include <pthread.h>
#include <time.h>

#include <chrono>
#include <climits>
#include <condition_variable>
#include <list>
#include <mutex>

namespace sl {
namespace {

// A wait is cut in slices so that a canceled thread notices (a condition
// variable or a semaphore does not return on a signal); the main thread's,
// in shorter ones (kSignalSliceNs) while it has handlers to run.
constexpr long kSliceNs = 50'000'000;

// A handle reaches TypeScript as an External, which JS can neither make nor
// look into, but can pass where a handle of another kind is expected (or
// another addon's External). So each is marked with Node-API's type tag of
// its kind when it is made, and every call checks the tag before the cast
// (Handle, below): the check reads nothing of the pointed-to memory.
struct Mutex {
  static constexpr napi_type_tag kTag = {0x73797363616c6c2dULL, 0x6d75746578000001ULL};
  static constexpr const char* kWhat = "mutex must be a pthread_mutex_t";
  pthread_mutex_t m;
  bool live = false;
  bool destroyed = false;  // and not initialized since (Usable)
};

// A condition variable. The waits are cut in slices (above), and a slice that
// times out just as a signal comes would lose it: the waiter has left the
// kernel's wait queue and goes back in. So signal and broadcast also mark
// their waiters here (each wait has its own flag, in `waiting`, under `lk`),
// and a waiter returns when its flag is set, whatever the kernel said.
struct Cond {
  static constexpr napi_type_tag kTag = {0x73797363616c6c2dULL, 0x636f6e6400000002ULL};
  static constexpr const char* kWhat = "cond must be a pthread_cond_t";
  pthread_cond_t c;
  bool live = false;
  bool destroyed = false;  // and not initialized since (Usable)
  std::mutex lk;
  std::list<bool*> waiting;  // oldest first; signal wakes the oldest
};

struct Sem {
  static constexpr napi_type_tag kTag = {0x73797363616c6c2dULL, 0x73656d0000000003ULL};
  static constexpr const char* kWhat = "sem must be a sem_t";
  std::mutex m;
  std::condition_variable cv;
  unsigned value = 0;
  bool live = false;
};

template <typename T>
Napi::Value NewHandle(Napi::Env env) {
  auto handle = Napi::External<T>::New(env, new T, [](Napi::Env, T* p) {
    if constexpr (std::is_same_v<T, Mutex>) {
      if (p->live) pthread_mutex_destroy(&p->m);
    } else if constexpr (std::is_same_v<T, Cond>) {
      if (p->live) pthread_cond_destroy(&p->c);
    }
    delete p;
  });
  if (napi_type_tag_object(env, handle, &T::kTag) != napi_ok) return Napi::Value();
  return handle;
}

// info[i] as a handle of kind T: a TypeError for anything else, a handle of
// another kind included (a mutex's memory used as a condition's would be read
// and written past its end).
template <typename T>
T* Handle(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  bool tagged = false;
  if (!info[i].IsExternal() || napi_check_object_type_tag(info.Env(), info[i], &T::kTag, &tagged) != napi_ok ||
      !tagged) {
    ThrowType(info.Env(), fn, T::kWhat);
    return nullptr;
  }
  return info[i].As<Napi::External<T>>().Data();
}

// pthread_mutex_init's and pthread_cond_init's work (0 or an error number).
int InitMutex(Mutex* m, int type) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  int rc = pthread_mutexattr_settype(&attr, type);
  if (rc == 0) rc = pthread_mutex_init(&m->m, &attr);
  pthread_mutexattr_destroy(&attr);
  if (rc == 0) {
    m->live = true;
    m->destroyed = false;
  }
  return rc;
}
int InitCond(Cond* c) {
  int rc = pthread_cond_init(&c->c, nullptr);
  if (rc == 0) {
    c->live = true;
    c->destroyed = false;
  }
  return rc;
}
// The rule of use, kept here for every call (and nowhere in TypeScript): a
// mutex or condition never initialized is as C's PTHREAD_MUTEX_INITIALIZER
// and PTHREAD_COND_INITIALIZER make it, initialized on its first use; one
// destroyed is unusable until initialized again, as is a semaphore not
// sem_init'ed (sem_t has no static initializer). Where it is false the call
// answers EINVAL, in its family's way (an error number, or -1 and errno).
bool Usable(Mutex* m) {
  if (!m->live && !m->destroyed) InitMutex(m, PTHREAD_MUTEX_DEFAULT);
  return m->live;
}
bool Usable(Cond* c) {
  if (!c->live && !c->destroyed) InitCond(c);
  return c->live;
}
bool Usable(const Sem* s) { return s->live; }

timespec Deadline(long ns_from_now) {
  timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  t.tv_nsec += ns_from_now;
  t.tv_sec += t.tv_nsec / 1'000'000'000;
  t.tv_nsec %= 1'000'000'000;
  return t;
}

bool Before(const timespec& a, const timespec& b) {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

// An absolute time { tv_sec, tv_nsec } (CLOCK_REALTIME), as the timed waits
// take; *invalid when it is not one (their EINVAL).
bool GetAbstime(const Napi::CallbackInfo& info, size_t i, const char* fn, timespec* out, bool* invalid) {
  if (!GetTimespec(info.Env(), info[i], fn, "abstime", out)) return false;
  *invalid = out->tv_nsec < 0 || out->tv_nsec > 999'999'999 || out->tv_sec < 0;
  return true;
}

// ---- mutexes ----------------------------------------------------------------

Napi::Value MutexNew(const Napi::CallbackInfo& info) { return NewHandle<Mutex>(info.Env()); }

// mutex_init(handle, type): 0 or EINVAL for an unknown type.
Napi::Value MutexInit(const Napi::CallbackInfo& info) {
  Mutex* m = Handle<Mutex>(info, 0, "pthread_mutex_init");
  int type;
  if (m == nullptr || !GetInt(info, 1, "pthread_mutex_init", "type", &type)) return Napi::Value();
  if (m->live) return Result(info.Env(), EBUSY);
  return Result(info.Env(), InitMutex(m, type));
}

// Waits for m without the JS lock. On the main thread with handlers (Linux,
// which has pthread_mutex_timedlock), the wait stops for pending signals:
// their handlers run, then the wait goes on (never EINTR, as in C).
Napi::Value MutexLock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Mutex* m = Handle<Mutex>(info, 0, "pthread_mutex_lock");
  if (m == nullptr) return Napi::Value();
  if (!Usable(m)) return Result(env, EINVAL);
  // A signal that came while TypeScript ran: its handler first, as in C it
  // ran when it came (and the lock may be free by now).
  if (!HandlePendingSignals(env)) return Napi::Value();
  if (!m->live) return Result(env, EINVAL);  // a handler destroyed it
  int rc = pthread_mutex_trylock(&m->m);
  if (rc != EBUSY) return Result(env, rc);  // got it (or an error) without waiting
  // macOS has no pthread_mutex_timedlock to cut the wait in slices with: there
  // a handler waits for the lock.
  [[maybe_unused]] bool here = CanDispatchHere();
  for (;;) {
    bool signaled = false;
    {
      JsUnlock unlock;
#ifdef __linux__
      if (here) {
        do {
          timespec slice = Deadline(kSignalSliceNs);
          rc = pthread_mutex_timedlock(&m->m, &slice);
        } while (rc == ETIMEDOUT && !(signaled = HandlersToRun(here)));
        // A signal that came as the lock was taken: in C its handler ran as
        // the futex call ended, before the mutex was ours. So: not ours yet.
        if (rc == 0 && !signaled && (signaled = HandlersToRun(here))) pthread_mutex_unlock(&m->m);
      } else {
        rc = pthread_mutex_lock(&m->m);
      }
#else
      rc = pthread_mutex_lock(&m->m);
#endif
    }
    if (!signaled) return Result(env, rc);
    if (!DispatchSignals(env)) return Napi::Value();  // a handler threw: not locked
    if (!m->live) return Result(env, EINVAL);          // a handler destroyed it
  }
}

Napi::Value MutexTrylock(const Napi::CallbackInfo& info) {
  Mutex* m = Handle<Mutex>(info, 0, "pthread_mutex_trylock");
  if (m == nullptr) return Napi::Value();
  return Result(info.Env(), Usable(m) ? pthread_mutex_trylock(&m->m) : EINVAL);
}

Napi::Value MutexUnlock(const Napi::CallbackInfo& info) {
  Mutex* m = Handle<Mutex>(info, 0, "pthread_mutex_unlock");
  if (m == nullptr) return Napi::Value();
  return Result(info.Env(), Usable(m) ? pthread_mutex_unlock(&m->m) : EINVAL);
}

Napi::Value MutexDestroy(const Napi::CallbackInfo& info) {
  Mutex* m = Handle<Mutex>(info, 0, "pthread_mutex_destroy");
  if (m == nullptr) return Napi::Value();
  if (!Usable(m)) return Result(info.Env(), EINVAL);
  // A locked mutex is busy (glibc would let it go; undefined behaviour in POSIX).
  int rc = pthread_mutex_trylock(&m->m);
  if (rc != 0) return Result(info.Env(), EBUSY);
  pthread_mutex_unlock(&m->m);
  rc = pthread_mutex_destroy(&m->m);
  if (rc == 0) {
    m->live = false;
    m->destroyed = true;
  }
  return Result(info.Env(), rc);
}

// ---- condition variables --------------------------------------------------------

Napi::Value CondNew(const Napi::CallbackInfo& info) { return NewHandle<Cond>(info.Env()); }

Napi::Value CondInit(const Napi::CallbackInfo& info) {
  Cond* c = Handle<Cond>(info, 0, "pthread_cond_init");
  if (c == nullptr) return Napi::Value();
  if (c->live) return Result(info.Env(), EBUSY);
  return Result(info.Env(), InitCond(c));
}

// Waits on c with m held, until signaled, deadline (if any), or cancellation.
// Returns 0, ETIMEDOUT, or -1 when the thread was canceled (exception pending).
// Wakes the oldest waiter (signal) or all (broadcast): marks them, then wakes
// every thread in the kernel's queue, where the unmarked ones go back to sleep.
void CondWake(Cond* c, bool all) {
  {
    std::lock_guard<std::mutex> guard(c->lk);
    if (c->waiting.empty()) return;
    do {
      *c->waiting.front() = true;
      c->waiting.pop_front();
    } while (all && !c->waiting.empty());
  }
  pthread_cond_broadcast(&c->c);
}

int CondWaitUntil(Napi::Env env, Cond* c, Mutex* m, const timespec* deadline) {
  int rc;
  bool canceled = false;
  bool woken = false;
  bool here = CanDispatchHere();
  std::list<bool*>::iterator self;
  {
    std::lock_guard<std::mutex> guard(c->lk);
    self = c->waiting.insert(c->waiting.end(), &woken);
  }
  for (;;) {
    bool signaled = false;
    {
      Unlocked unlocked;
      for (;;) {
        timespec slice = Deadline(SliceNs(here, kSliceNs));
        bool last = deadline != nullptr && Before(*deadline, slice);
        rc = pthread_cond_timedwait(&c->c, &m->m, last ? deadline : &slice);
        bool ended;
        {
          std::lock_guard<std::mutex> guard(c->lk);
          if (woken) rc = 0;  // signaled, even if the slice had just run out
          ended = woken || (rc != 0 && rc != ETIMEDOUT) || (rc == ETIMEDOUT && last);  // EINVAL...
        }
        // Handlers first, even when the wait has ended: a signal that came as
        // it did had its handler run inside the wait in C.
        if ((signaled = HandlersToRun(here)) || ended) break;
        // Woken for another waiter, or a slice ended: go on waiting, unless
        // this thread was canceled.
        if (!TestCancelQuiet()) {
          canceled = true;
          break;
        }
      }
    }
    if (!signaled) break;
    // The handlers run without the mutex, as in C (where they run inside the
    // wait), so that they may take it; a wakeup meanwhile sets `woken`.
    pthread_mutex_unlock(&m->m);
    bool ok = DispatchSignals(env);
    napi_value thrown = nullptr;
    if (!ok) napi_get_and_clear_last_exception(env, &thrown);
    bool gone = !m->live;  // a handler destroyed the mutex: nothing to take back
    if (!gone) {
      JsUnlock unlock;  // the mutex back, as every return from the wait has it
      pthread_mutex_lock(&m->m);
    }
    if (!ok || gone) {
      {
        std::lock_guard<std::mutex> guard(c->lk);
        if (!woken) c->waiting.erase(self);
      }
      if (woken) CondWake(c, false);  // not swallowed: another waiter gets it
      if (!ok) {
        napi_throw(env, thrown);
        return -1;
      }
      return EINVAL;
    }
    std::lock_guard<std::mutex> guard(c->lk);
    if (woken) {
      rc = 0;
      break;
    }
  }
  {
    std::lock_guard<std::mutex> guard(c->lk);
    if (!woken) c->waiting.erase(self);
  }
  // A canceled waiter must not swallow a signal meant for another (POSIX).
  if (woken && canceled) CondWake(c, false);
  if (canceled || (rc == 0 && !TestCancelQuiet())) {
    TestCancel(env);
    return -1;
  }
  return rc;
}

Napi::Value CondWait(const Napi::CallbackInfo& info) {
  Cond* c = Handle<Cond>(info, 0, "pthread_cond_wait");
  Mutex* m = c ? Handle<Mutex>(info, 1, "pthread_cond_wait") : nullptr;
  if (m == nullptr) return Napi::Value();
  if (!Usable(c) || !Usable(m)) return Result(info.Env(), EINVAL);
  if (!TestCancel(info.Env())) return Napi::Value();
  int rc = CondWaitUntil(info.Env(), c, m, nullptr);
  if (rc == -1) return Napi::Value();
  return Result(info.Env(), rc);
}

Napi::Value CondTimedwait(const Napi::CallbackInfo& info) {
  Cond* c = Handle<Cond>(info, 0, "pthread_cond_timedwait");
  Mutex* m = c ? Handle<Mutex>(info, 1, "pthread_cond_timedwait") : nullptr;
  timespec abstime;
  bool invalid;
  if (m == nullptr || !GetAbstime(info, 2, "pthread_cond_timedwait", &abstime, &invalid)) return Napi::Value();
  if (!Usable(c) || !Usable(m) || invalid) return Result(info.Env(), EINVAL);
  if (!TestCancel(info.Env())) return Napi::Value();
  int rc = CondWaitUntil(info.Env(), c, m, &abstime);
  if (rc == -1) return Napi::Value();
  return Result(info.Env(), rc);
}

Napi::Value CondSignal(const Napi::CallbackInfo& info) {
  Cond* c = Handle<Cond>(info, 0, "pthread_cond_signal");
  if (c == nullptr) return Napi::Value();
  if (!Usable(c)) return Result(info.Env(), EINVAL);
  CondWake(c, false);
  return Result(info.Env(), 0);
}

Napi::Value CondBroadcast(const Napi::CallbackInfo& info) {
  Cond* c = Handle<Cond>(info, 0, "pthread_cond_broadcast");
  if (c == nullptr) return Napi::Value();
  if (!Usable(c)) return Result(info.Env(), EINVAL);
  CondWake(c, true);
  return Result(info.Env(), 0);
}

Napi::Value CondDestroy(const Napi::CallbackInfo& info) {
  Cond* c = Handle<Cond>(info, 0, "pthread_cond_destroy");
  if (c == nullptr) return Napi::Value();
  if (!Usable(c)) return Result(info.Env(), EINVAL);
  {
    std::lock_guard<std::mutex> guard(c->lk);
    if (!c->waiting.empty()) return Result(info.Env(), EBUSY);  // POSIX allows it; C's behaviour is undefined
  }
  int rc = pthread_cond_destroy(&c->c);
  if (rc == 0) {
    c->live = false;
    c->destroyed = true;
  }
  return Result(info.Env(), rc);
}

// ---- semaphores ------------------------------------------------------------------
// POSIX unnamed semaphores, the same on Linux and macOS (where sem_init does
// not exist): a counter, a mutex and a condition variable.

Napi::Value SemNew(const Napi::CallbackInfo& info) { return NewHandle<Sem>(info.Env()); }

// sem_init(sem, pshared, value): 0, or -1 with EINVAL (value > SEM_VALUE_MAX),
// ENOSYS (pshared: no shared memory between processes here).
Napi::Value SemInit(const Napi::CallbackInfo& info) {
  Sem* s = Handle<Sem>(info, 0, "sem_init");
  int pshared;
  int64_t value;
  if (s == nullptr || !GetInt(info, 1, "sem_init", "pshared", &pshared) ||
      !GetInt64(info, 2, "sem_init", "value", INT64_MIN, INT64_MAX, &value)) {
    return Napi::Value();
  }
  if (value < 0 || value > INT_MAX) return Fail(info.Env(), EINVAL);
  if (pshared != 0) return Fail(info.Env(), ENOSYS);
  std::lock_guard<std::mutex> lock(s->m);
  s->value = static_cast<unsigned>(value);
  s->live = true;
  return Result(info.Env(), 0);
}

// How a wait without the JS lock ended.
enum class Waited { kDone, kTimedOut, kCanceled, kSignaled, kPostedSignaled };

// Takes the semaphore, waiting in slices without the JS lock (WaitInSlices),
// until the deadline (if any), a cancellation, or, `here` (on the main
// thread with handlers), a signal to handle.
Waited SemWaitSlices(Sem* s, const timespec* deadline, bool here) {
  Unlocked unlocked;
  std::unique_lock<std::mutex> lock(s->m);
  bool timed_out = false;
  bool signaled = WaitInSlices(
      s->cv, lock, here, kSliceNs, [s] { return s->value > 0; }, [] { return !TestCancelQuiet(); }, deadline,
      &timed_out);
  if (s->value > 0) {
    // Posted, and a signal came as it was: in C its handler ran as the futex
    // call ended, before sem_wait took the unit (and went on to take it).
    if (signaled) return Waited::kPostedSignaled;
    s->value--;
    return Waited::kDone;
  }
  if (signaled) return Waited::kSignaled;
  return timed_out ? Waited::kTimedOut : Waited::kCanceled;
}

// Waits for the semaphore: 0, -1 with errno (ETIMEDOUT, EINVAL, EINTR), or an
// exception when the thread was canceled or a handler threw. deadline null:
// no time limit. The main thread's handlers run during the wait, which then
// goes on (SA_RESTART) or fails with EINTR, as sem_wait on Linux.
Napi::Value SemWaitUntil(const Napi::CallbackInfo& info, Sem* s, const timespec* deadline) {
  Napi::Env env = info.Env();
  if (!Usable(s)) return Fail(env, EINVAL);
  if (!TestCancel(env)) return Napi::Value();
  // A signal that came while TypeScript ran: its handler first (see MutexLock).
  if (!HandlePendingSignals(env)) return Napi::Value();
  if (!s->live) return Fail(env, EINVAL);
  {
    std::lock_guard<std::mutex> lock(s->m);
    if (s->value > 0) {  // no wait: the JS lock stays
      s->value--;
      return Result(env, 0);
    }
  }
  bool here = CanDispatchHere();
  for (;;) {
    switch (SemWaitSlices(s, deadline, here)) {
      case Waited::kDone:
        return Result(env, 0);
      case Waited::kTimedOut:
        return Fail(env, ETIMEDOUT);
      case Waited::kCanceled:
        TestCancel(env);
        return Napi::Value();
      case Waited::kSignaled:
        break;
      case Waited::kPostedSignaled:  // no EINTR: the wait had ended, it takes the unit now
        if (!DispatchSignals(env)) return Napi::Value();
        if (!s->live) return Fail(env, EINVAL);
        continue;
    }
    bool restart;
    if (!DispatchSignals(env, &restart)) return Napi::Value();
    if (!restart) return Fail(env, EINTR);
    if (!s->live) return Fail(env, EINVAL);  // a handler destroyed it
  }
}

Napi::Value SemWait(const Napi::CallbackInfo& info) {
  Sem* s = Handle<Sem>(info, 0, "sem_wait");
  if (s == nullptr) return Napi::Value();
  return SemWaitUntil(info, s, nullptr);
}

Napi::Value SemTimedwait(const Napi::CallbackInfo& info) {
  Sem* s = Handle<Sem>(info, 0, "sem_timedwait");
  timespec abstime;
  bool invalid;
  if (s == nullptr || !GetAbstime(info, 1, "sem_timedwait", &abstime, &invalid)) return Napi::Value();
  if (invalid) return Fail(info.Env(), EINVAL);
  return SemWaitUntil(info, s, &abstime);
}

Napi::Value SemTrywait(const Napi::CallbackInfo& info) {
  Sem* s = Handle<Sem>(info, 0, "sem_trywait");
  if (s == nullptr) return Napi::Value();
  if (!Usable(s)) return Fail(info.Env(), EINVAL);
  std::lock_guard<std::mutex> lock(s->m);
  if (s->value == 0) return Fail(info.Env(), EAGAIN);
  s->value--;
  return Result(info.Env(), 0);
}

Napi::Value SemPost(const Napi::CallbackInfo& info) {
  Sem* s = Handle<Sem>(info, 0, "sem_post");
  if (s == nullptr) return Napi::Value();
  if (!Usable(s)) return Fail(info.Env(), EINVAL);
  {
    std::lock_guard<std::mutex> lock(s->m);
    if (s->value == INT_MAX) return Fail(info.Env(), EOVERFLOW);
    s->value++;
  }
  s->cv.notify_one();
  return Result(info.Env(), 0);
}

Napi::Value SemGetvalue(const Napi::CallbackInfo& info) {
  Sem* s = Handle<Sem>(info, 0, "sem_getvalue");
  if (s == nullptr) return Napi::Value();
  if (!Usable(s)) return Fail(info.Env(), EINVAL);
  std::lock_guard<std::mutex> lock(s->m);
  return Result(info.Env(), s->value);
}

Napi::Value SemDestroy(const Napi::CallbackInfo& info) {
  Sem* s = Handle<Sem>(info, 0, "sem_destroy");
  if (s == nullptr) return Napi::Value();
  if (!Usable(s)) return Fail(info.Env(), EINVAL);
  s->live = false;
  return Result(info.Env(), 0);
}

}  // namespace

void InitSync(Napi::Env env, Napi::Object exports) {
  SetFn(env, exports, "mutex_new", MutexNew);
  SetFn(env, exports, "mutex_init", MutexInit);
  SetFn(env, exports, "mutex_lock", MutexLock);
  SetFn(env, exports, "mutex_trylock", MutexTrylock);
  SetFn(env, exports, "mutex_unlock", MutexUnlock);
  SetFn(env, exports, "mutex_destroy", MutexDestroy);
  SetFn(env, exports, "cond_new", CondNew);
  SetFn(env, exports, "cond_init", CondInit);
  SetFn(env, exports, "cond_wait", CondWait);
  SetFn(env, exports, "cond_timedwait", CondTimedwait);
  SetFn(env, exports, "cond_signal", CondSignal);
  SetFn(env, exports, "cond_broadcast", CondBroadcast);
  SetFn(env, exports, "cond_destroy", CondDestroy);
  SetFn(env, exports, "sem_new", SemNew);
  SetFn(env, exports, "sem_init", SemInit);
  SetFn(env, exports, "sem_wait", SemWait);
  SetFn(env, exports, "sem_timedwait", SemTimedwait);
  SetFn(env, exports, "sem_trywait", SemTrywait);
  SetFn(env, exports, "sem_post", SemPost);
  SetFn(env, exports, "sem_getvalue", SemGetvalue);
  SetFn(env, exports, "sem_destroy", SemDestroy);
}

}  // namespace sl
