// Argument checks: each reads one argument (or one field of an object
// argument) and throws a TypeError / RangeError before any syscall is made.
#pragma once

#include <napi.h>
#include <v8.h>

#include <sys/time.h>
#include <time.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace sl {

// ---- argument checks ----------------------------------------------------
// Each returns false after throwing a TypeError / RangeError into JS; the
// caller then returns an empty value. No syscall has been made at that point.
//
// One reader per shape: an integer (an argument, or a field of a C struct
// given as an object), a struct timespec / timeval, a buffer and its count, a
// cell. Every message has one form, "fn: what", and names what is wrong as
// the C code would: "poll: pollfd.events must be a number",
// "bind: addr.sin_port must be an integer in [0, 65535], got 70000".

bool ThrowType(Napi::Env env, const char* fn, const char* what);
bool ThrowRange(Napi::Env env, const char* fn, const char* what);

// The largest integer a JS number holds exactly: the bound of 64-bit fields.
constexpr int64_t kMaxSafe = (INT64_C(1) << 53) - 1;

// An integer in [lo, hi]: TypeError if not a number, RangeError if not a
// whole number in range. Used for fds, counts, flags and options. ToInt64
// reads a value already in hand, GetInt64 the argument info[i].
bool ToInt64(Napi::Env env, Napi::Value v, const char* fn, const char* name, int64_t lo, int64_t hi, int64_t* out);
bool GetInt64(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name,
              int64_t lo, int64_t hi, int64_t* out);

// A member of a C struct given as an object: o[key] as an integer in
// [lo, hi], named `type.key` in messages ("pollfd.events"). Reading it runs
// JS (a getter, a Proxy trap): the exception it throws is the answer. With
// `absent`, a field that is undefined or null reads as that value (a bzero'd
// struct's 0); without, it is a TypeError.
bool GetIntField(Napi::Env env, Napi::Object o, const char* key, const char* fn, const char* type,
                 int64_t lo, int64_t hi, int64_t* out, std::optional<int64_t> absent = std::nullopt);

// A struct timespec { tv_sec, tv_nsec } / timeval { tv_sec, tv_usec } from an
// object: both fields whole numbers that fit C's fields. What they mean (a
// negative time, a second or more of nanoseconds) is the caller's or the
// kernel's to judge, with EINVAL, as in C. With `given`, null and undefined
// are accepted too ("no time limit": *given is then false).
bool GetTimespec(Napi::Env env, Napi::Value v, const char* fn, const char* name, timespec* out,
                 bool* given = nullptr);
bool GetTimeval(Napi::Env env, Napi::Value v, const char* fn, const char* name, timeval* out,
                bool* given = nullptr);

// A cell { value }, C's pointer to one value (int *, socklen_t *, struct
// addrinfo **): info[i] as an object the call reads or writes `value` of.
// `ctype` is the C type, for the message. With `nullable`, null and
// undefined are accepted too (C's NULL: *cell stays empty).
bool GetCell(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, const char* ctype,
             bool nullable, Napi::Object* cell);
// The value in a value-result cell (socklen_t *addrlen): an integer in [lo, hi].
inline bool GetCellValue(Napi::Env env, Napi::Object cell, const char* fn, const char* name, int64_t lo, int64_t hi,
                         int64_t* out) {
  return GetIntField(env, cell, "value", fn, name, lo, hi, out);
}

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

}  // namespace sl
