// Shared by every native file: argument checks that throw before any syscall,
// the saved per-thread errno, results, and each file's registration.
#pragma once

#include <napi.h>
#include <v8.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
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

// A call that never blocks: only errno is saved. (Calls that may block:
// blocking.h.)
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
void InitPrctl(Napi::Env env, Napi::Object exports);
void InitExec(Napi::Env env, Napi::Object exports);
void InitThread(Napi::Env env, Napi::Object exports);
void InitSync(Napi::Env env, Napi::Object exports);
void InitJsLock(Napi::Env env, Napi::Object exports);

inline void SetFn(Napi::Env env, Napi::Object exports, const char* name, Napi::Function::Callback cb) {
  exports.Set(name, Napi::Function::New(env, cb, name));
}

}  // namespace sl
