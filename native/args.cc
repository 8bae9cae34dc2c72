// Argument checks: a programming error is a TypeError / RangeError thrown
// before any syscall, never a crash or a write outside a buffer.
#include "common.h"
#include "fastcall.h"  // ToV8
#include "jslock.h"    // JsThreadsExist

#include <algorithm>
#include <limits>
#include <string>
#include <type_traits>
#include <unistd.h>

namespace sl {

thread_local int saved_errno = 0;

// A check that reads an argument's property can run the caller's getter,
// which may throw: that exception is the one to report (as in JS), and a
// second throw while it is pending would be a fatal error in node-addon-api.
bool ThrowType(Napi::Env env, const char* fn, const char* what) {
  if (!env.IsExceptionPending()) Napi::TypeError::New(env, std::string(fn) + ": " + what).ThrowAsJavaScriptException();
  return false;
}

bool ThrowRange(Napi::Env env, const char* fn, const char* what) {
  if (!env.IsExceptionPending()) Napi::RangeError::New(env, std::string(fn) + ": " + what).ThrowAsJavaScriptException();
  return false;
}

// The one integer reader: every other one comes here. The name in a message
// is "type.name" for a struct's member (type null: an argument), made only
// when there is a message to make (a poll of many fds reads many fields).
static bool ReadInt(Napi::Env env, Napi::Value v, const char* fn, const char* type, const char* name, int64_t lo,
                    int64_t hi, int64_t* out) {
  auto named = [&] { return type != nullptr ? std::string(type) + "." + name : std::string(name); };
  if (!v.IsNumber()) return ThrowType(env, fn, (named() + " must be a number").c_str());
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::trunc(d) || d < static_cast<double>(lo) || d > static_cast<double>(hi)) {
    return ThrowRange(env, fn, (named() + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                                "], got " + v.ToString().Utf8Value()).c_str());
  }
  *out = static_cast<int64_t>(d);
  return true;
}

bool ToInt64(Napi::Env env, Napi::Value v, const char* fn, const char* name, int64_t lo, int64_t hi, int64_t* out) {
  return ReadInt(env, v, fn, nullptr, name, lo, hi, out);
}

bool GetInt64(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name,
              int64_t lo, int64_t hi, int64_t* out) {
  return ReadInt(info.Env(), info[i], fn, nullptr, name, lo, hi, out);
}

bool GetIntField(Napi::Env env, Napi::Object o, const char* key, const char* fn, const char* type,
                 int64_t lo, int64_t hi, int64_t* out, std::optional<int64_t> absent) {
  Napi::Value v = o.Get(key);
  // A getter or Proxy trap that threw leaves an empty value, which reads as
  // undefined: the exception is the answer, not a missing field.
  if (env.IsExceptionPending()) return false;
  if (absent && (v.IsUndefined() || v.IsNull())) {
    *out = *absent;
    return true;
  }
  return ReadInt(env, v, fn, type, key, lo, hi, out);
}

// The range of a C integer field, as far as a JS number holds it exactly.
template <typename T>
constexpr int64_t LowestOf() {
  static_assert(std::is_signed_v<T>);
  return std::max<int64_t>(-kMaxSafe, std::numeric_limits<T>::min());
}
template <typename T>
constexpr int64_t HighestOf() {
  return std::min<int64_t>(kMaxSafe, std::numeric_limits<T>::max());
}

// { tv_sec, <frac> }: timespec's tv_nsec (long) or timeval's tv_usec (suseconds_t).
template <typename Frac>
static bool GetTime(Napi::Env env, Napi::Value v, const char* fn, const char* name, const char* shape,
                    const char* frac_key, time_t* sec, Frac* frac, bool* given) {
  if (given != nullptr) {
    *given = false;
    if (v.IsNull() || v.IsUndefined()) return true;
  }
  if (!v.IsObject()) {
    return ThrowType(env, fn, (std::string(name) + " must be a " + shape + (given != nullptr ? " or null" : "")).c_str());
  }
  Napi::Object o = v.As<Napi::Object>();
  int64_t s, f;
  if (!GetIntField(env, o, "tv_sec", fn, name, LowestOf<time_t>(), HighestOf<time_t>(), &s) ||
      !GetIntField(env, o, frac_key, fn, name, LowestOf<Frac>(), HighestOf<Frac>(), &f)) {
    return false;
  }
  *sec = static_cast<time_t>(s);
  *frac = static_cast<Frac>(f);
  if (given != nullptr) *given = true;
  return true;
}

bool GetTimespec(Napi::Env env, Napi::Value v, const char* fn, const char* name, timespec* out, bool* given) {
  return GetTime(env, v, fn, name, "timespec { tv_sec, tv_nsec }", "tv_nsec", &out->tv_sec, &out->tv_nsec, given);
}

bool GetTimeval(Napi::Env env, Napi::Value v, const char* fn, const char* name, timeval* out, bool* given) {
  return GetTime(env, v, fn, name, "timeval { tv_sec, tv_usec }", "tv_usec", &out->tv_sec, &out->tv_usec, given);
}

// What a bad argument was, for a message (as kind_of in src/sys/args.ts).
static const char* KindOf(Napi::Value v) {
  if (v.IsArray()) return "an array";
  switch (v.Type()) {
    case napi_null: return "null";
    case napi_undefined: return "undefined";
    case napi_number: return "a number";
    case napi_string: return "a string";
    case napi_boolean: return "a boolean";
    case napi_symbol: return "a symbol";
    case napi_bigint: return "a bigint";
    case napi_function: return "a function";
    default: return "an object";
  }
}

bool GetCell(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, const char* ctype,
             bool nullable, Napi::Object* cell) {
  Napi::Value v = info[i];
  if (nullable && (v.IsNull() || v.IsUndefined())) return true;
  if (v.IsObject() && !v.IsArray()) {
    *cell = v.As<Napi::Object>();
    return true;
  }
  return ThrowType(info.Env(), fn, (std::string(name) + " must be a cell { value }" + (nullable ? " or null" : "") +
                                    " (" + ctype + "), got " + KindOf(v)).c_str());
}

// A view of a transferred (detached) ArrayBuffer has no bytes left: say so,
// rather than read or write nothing at a null address.
static bool NotDetached(const Napi::CallbackInfo& info, napi_value ab, const char* fn, const char* name) {
  bool detached = false;
  if (napi_is_detached_arraybuffer(info.Env(), ab, &detached) != napi_ok || !detached) return true;
  return ThrowType(info.Env(), fn, (std::string(name) + "'s ArrayBuffer is detached (it was transferred)").c_str());
}

bool GetBytes(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name,
              uint8_t** data, size_t* len) {
  Napi::Value v = info[i];
  napi_env env = info.Env();
  bool is = false;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t length;
    void* p;
    napi_value ab;
    size_t offset;
    if (napi_get_typedarray_info(env, v, &type, &length, &p, &ab, &offset) != napi_ok) return false;
    if (!NotDetached(info, ab, fn, name)) return false;
    size_t elem = 1;
    switch (type) {
      case napi_int16_array: case napi_uint16_array: elem = 2; break;
      case napi_int32_array: case napi_uint32_array: case napi_float32_array: elem = 4; break;
      case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: elem = 8; break;
      default: elem = 1;
    }
    *data = static_cast<uint8_t*>(p);
    *len = length * elem;
    return true;
  }
  if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    size_t length;
    void* p;
    napi_value ab;
    size_t offset;
    if (napi_get_dataview_info(env, v, &length, &p, &ab, &offset) != napi_ok) return false;
    if (!NotDetached(info, ab, fn, name)) return false;
    *data = static_cast<uint8_t*>(p);
    *len = length;
    return true;
  }
  const char* got = v.IsString() ? " (got a string: encode it first, e.g. Buffer.from(s))" : "";
  return ThrowType(info.Env(), fn, (std::string(name) + " must be a Uint8Array, Buffer or DataView" + got).c_str());
}

bool GetCount(const Napi::CallbackInfo& info, size_t i, const char* fn, size_t buflen, size_t* count) {
  if (info.Length() <= i || info[i].IsUndefined()) {
    *count = buflen;
    return true;
  }
  int64_t n;
  if (!GetInt64(info, i, fn, "count", 0, kMaxSafe, &n)) return false;
  if (static_cast<uint64_t>(n) > buflen) {
    return ThrowRange(info.Env(), fn, ("count " + std::to_string(n) + " is larger than the buffer (" +
                                       std::to_string(buflen) + " bytes)").c_str());
  }
  *count = static_cast<size_t>(n);
  return true;
}

bool GetBufferCount(const Napi::CallbackInfo& info, size_t i, const char* fn, uint8_t** buf, size_t* count,
                    std::shared_ptr<v8::BackingStore>* hold) {
  size_t cap;
  if (!GetBytes(info, i, fn, "buf", buf, &cap) || !GetCount(info, i + 1, fn, cap, count)) return false;
  if (JsThreadsExist()) *hold = ToV8(info[i]).As<v8::ArrayBufferView>()->Buffer()->GetBackingStore();
  return true;
}

bool CheckPairOut(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  Napi::Value v = info[i];
  if (v.IsArray()) {
    return true;
  }
  if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array &&
      v.As<Napi::TypedArray>().ElementLength() >= 2) {
    return true;
  }
  return ThrowType(info.Env(), fn, (std::string(name) + " must be an array or an Int32Array of 2 (C's int " + name + "[2])").c_str());
}

bool PutPair(const Napi::CallbackInfo& info, size_t i, const char* fn, int a, int b) {
  Napi::Env env = info.Env();
  Napi::Object arr = info[i].As<Napi::Object>();
  // The array's own code (a setter, a getter) may throw, and a frozen array
  // refuses the write silently: either way the two fds must not be lost.
  auto lose = [&] {
    close(a);
    close(b);
    return false;
  };
  arr.Set(uint32_t{0}, a);
  if (!env.IsExceptionPending()) arr.Set(uint32_t{1}, b);
  if (env.IsExceptionPending()) return lose();
  Napi::Value x = arr.Get(uint32_t{0});
  Napi::Value y = env.IsExceptionPending() ? Napi::Value() : arr.Get(uint32_t{1});
  if (env.IsExceptionPending()) return lose();
  if (!x.IsNumber() || !y.IsNumber() || x.As<Napi::Number>().Int32Value() != a || y.As<Napi::Number>().Int32Value() != b) {
    lose();
    return ThrowType(env, fn, "the fd array could not be written (frozen?); the fds were closed");
  }
  return true;
}

bool GetCString(Napi::Env env, Napi::Value v, const char* fn, const std::string& name, std::string* out) {
  if (!v.IsString()) return ThrowType(env, fn, (name + " must be a string").c_str());
  *out = v.As<Napi::String>().Utf8Value();
  if (out->find('\0') != std::string::npos) return ThrowType(env, fn, (name + " contains a NUL byte").c_str());
  return true;
}

}  // namespace sl
