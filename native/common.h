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

// ---- argument checks ----------------------------------------------------
// Each returns false after throwing a TypeError / RangeError into JS; the
// caller then returns an empty value. No syscall has been made at that point.

bool ThrowType(Napi::Env env, const char* fn, const char* what);
bool ThrowRange(Napi::Env env, const char* fn, const char* what);

// An integer in [lo, hi]: TypeError if not a number, RangeError if not a
// whole number in range. Used for fds, counts, flags and options.
bool GetInt64(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name,
              int64_t lo, int64_t hi, int64_t* out);

// An fd is any int: negative ones reach the kernel, which answers EBADF as in C.
inline bool GetFd(const Napi::CallbackInfo& info, size_t i, const char* fn, int* fd) {
  int64_t v;
  if (!GetInt64(info, i, fn, "fd", INT32_MIN, INT32_MAX, &v)) return false;
  *fd = static_cast<int>(v);
  return true;
}

inline bool GetInt(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, int* out) {
  int64_t v;
  if (!GetInt64(info, i, fn, name, INT32_MIN, INT32_MAX, &v)) return false;
  *out = static_cast<int>(v);
  return true;
}

// A C string from a JS one: a TypeError for anything else, or for a NUL
// byte, which would cut the string short where C cannot tell.
bool GetCString(Napi::Env env, Napi::Value v, const char* fn, const std::string& name, std::string* out);

// A Uint8Array, Buffer, any other TypedArray or a DataView: its bytes, in
// place (never copied). A string is a TypeError: C has no implicit encoding.
//
// The pointer is good until JavaScript runs: a getter or a Proxy trap of
// another argument, a signal handler, a cell read. Any of them may transfer
// the buffer, and its bytes then belong to the new owner, or are freed at the
// next GC. So a call takes its buffers last, after every other argument has
// been read, and takes them again after any JS (Blocking's `again`) or once
// the lock was dropped (select's sets). Across the syscall itself, with the
// lock dropped, GetBufferCount's *hold keeps the bytes alive (below).
bool GetBytes(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name,
              uint8_t** data, size_t* len);

// The optional count after a buffer: defaults to the buffer's length and may
// never exceed it (in C that would write outside the buffer).
bool GetCount(const Napi::CallbackInfo& info, size_t i, const char* fn, size_t buflen, size_t* count);
// info[i] as a buffer ("buf") and info[i + 1] as its count, both as above.
// Once pthreads run TypeScript, *hold keeps the buffer's memory alive too:
// another thread may transfer the buffer while the call has dropped the JS
// lock, and the GC free its bytes, which the syscall would still write into.
bool GetBufferCount(const Napi::CallbackInfo& info, size_t i, const char* fn, uint8_t** buf, size_t* count,
                    std::shared_ptr<v8::BackingStore>* hold);

// C's int fds[2] (pipe, socketpair): an array or an Int32Array of at least 2
// elements, checked before the call so that no fd is created and lost.
bool CheckPairOut(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name);
bool PutPair(const Napi::CallbackInfo& info, size_t i, const char* fn, int a, int b);

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
void InitExec(Napi::Env env, Napi::Object exports);
void InitThread(Napi::Env env, Napi::Object exports);
void InitSync(Napi::Env env, Napi::Object exports);
void InitJsLock(Napi::Env env, Napi::Object exports);

inline void SetFn(Napi::Env env, Napi::Object exports, const char* name, Napi::Function::Callback cb) {
  exports.Set(name, Napi::Function::New(env, cb, name));
}

}  // namespace sl
