// sleep, usleep, nanosleep: real sleeps of the calling thread, with the JS
// lock dropped. A handler ends them, SA_RESTART or not (signal(7)); only a
// signal that came before the sleep began lets it go on, with the time left.
#include "blocking.h"
#include "common.h"

#include <time.h>
#include <unistd.h>

namespace sl {
namespace {

// Sleeps for *req; on return *req holds what was left (0 when it completed).
// -1 with EINTR when a signal handler interrupted it.
bool SleepFor(Napi::Env env, timespec* req, long* result) {
  return Blocking(env, [req] {
    timespec rem{};
    int r = nanosleep(req, &rem);
    if (r == -1 && errno == EINTR) {
      *req = rem;   // a restart continues where it stopped
      errno = EINTR;
    } else if (r == 0) {
      *req = timespec{};
    }
    return r;
  }, result, Always, Never);
}

// sleep(seconds): 0, or the seconds left when a handler ended it: the whole
// seconds on glibc, rounded up on the BSDs' libc (macOS), as each C library.
Napi::Value Sleep(const Napi::CallbackInfo& info) {
  int64_t secs;
  if (!GetInt64(info, 0, "sleep", "seconds", 0, UINT32_MAX, &secs)) return Napi::Value();
  timespec req{static_cast<time_t>(secs), 0};
  long r;
  if (!SleepFor(info.Env(), &req, &r)) return Napi::Value();
  if (r == 0) return Result(info.Env(), 0);
#ifdef __APPLE__
  return Result(info.Env(), static_cast<double>(req.tv_sec + (req.tv_nsec > 0 ? 1 : 0)));
#else
  return Result(info.Env(), static_cast<double>(req.tv_sec));
#endif
}

// usleep(usec): 0 or -1 with errno (EINTR).
Napi::Value Usleep(const Napi::CallbackInfo& info) {
  int64_t usec;
  if (!GetInt64(info, 0, "usleep", "usec", 0, UINT32_MAX, &usec)) return Napi::Value();
  timespec req{static_cast<time_t>(usec / 1000000), static_cast<long>(usec % 1000000) * 1000};
  long r;
  if (!SleepFor(info.Env(), &req, &r)) return Napi::Value();
  return Result(info.Env(), static_cast<double>(r));
}

// nanosleep(req, rem?): req and rem are timespec objects { tv_sec, tv_nsec }.
Napi::Value Nanosleep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  timespec req;
  if (!GetTimespec(env, info[0], "nanosleep", "req", &req)) return Napi::Value();
  // EINVAL, the kernel's answer, for a time that is not one (and beyond 1e12 s).
  if (req.tv_sec < 0 || req.tv_nsec < 0 || req.tv_nsec > 999999999 || req.tv_sec > 1e12) return Fail(env, EINVAL);
  long r;
  if (!SleepFor(env, &req, &r)) return Napi::Value();
  if (r == -1 && info[1].IsObject()) {
    Napi::Object rem = info[1].As<Napi::Object>();
    rem.Set("tv_sec", Napi::Number::New(env, static_cast<double>(req.tv_sec)));
    rem.Set("tv_nsec", Napi::Number::New(env, static_cast<double>(req.tv_nsec)));
  }
  return Result(env, static_cast<double>(r));
}

}  // namespace

void InitTime(Napi::Env env, Napi::Object exports) {
  SetFn(env, exports, "sleep", Sleep);
  SetFn(env, exports, "usleep", Usleep);
  SetFn(env, exports, "nanosleep", Nanosleep);
}

}  // namespace sl
