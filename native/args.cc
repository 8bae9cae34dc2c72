// Argument checks: a programming error is a TypeError / RangeError thrown
// before any syscall, never a crash or a write outside a buffer.
#include "common.h"
#include "fastcall.h"  // ToV8
#include "jslock.h"    // JsThreadsExist

#include <string>
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

bool GetInt64(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name,
              int64_t lo, int64_t hi, int64_t* out) {
  Napi::Env env = info.Env();
  Napi::Value v = info[i];
  if (!v.IsNumber()) {
    return ThrowType(env, fn, (std::string(name) + " must be a number").c_str());
  }
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::trunc(d) || d < static_cast<double>(lo) || d > static_cast<double>(hi)) {
    return ThrowRange(env, fn, (std::string(name) + " must be an integer in [" + std::to_string(lo) + ", " +
                                std::to_string(hi) + "], got " + v.ToString().Utf8Value()).c_str());
  }
  *out = static_cast<int64_t>(d);
  return true;
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
  if (!GetInt64(info, i, fn, "count", 0, INT64_C(1) << 53, &n)) return false;
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
