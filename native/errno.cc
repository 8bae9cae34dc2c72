// errno, per thread: errno() reads what the calling thread's last failed
// call saved; strerror is the C library's text.
#include "common.h"

#include <cstring>

namespace sl {
namespace {

struct ErrnoName {
  const char* name;
  int value;
};

const ErrnoName kErrnoNames[] = {
#include "errno_table.inc"
};

// strerror_r has two signatures (XSI returns int, GNU returns char*).
[[maybe_unused]] const char* StrerrorResult(int r, const char* buf) { return r == 0 ? buf : nullptr; }
[[maybe_unused]] const char* StrerrorResult(const char* p, const char*) { return p; }

Napi::Value Errno(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), saved_errno); }

Napi::Value SetErrno(const Napi::CallbackInfo& info) {
  int v;
  if (!GetInt(info, 0, "set_errno", "value", &v)) return Napi::Value();
  saved_errno = v;
  return info.Env().Undefined();
}

Napi::Value Strerror(const Napi::CallbackInfo& info) {
  int err;
  if (!GetInt(info, 0, "strerror", "errnum", &err)) return Napi::Value();
  char buf[256];
  buf[0] = '\0';
  const char* s = StrerrorResult(strerror_r(err, buf, sizeof buf), buf);
  if (s == nullptr || *s == '\0') {
    snprintf(buf, sizeof buf, "Unknown error %d", err);
    s = buf;
  }
  return Napi::String::New(info.Env(), s);
}

}  // namespace

void InitErrno(Napi::Env env, Napi::Object exports) {
  SetFn(env, exports, "errno", Errno);
  SetFn(env, exports, "set_errno", SetErrno);
  SetFn(env, exports, "strerror", Strerror);
  Napi::Object names = Napi::Object::New(env);
  for (const ErrnoName& e : kErrnoNames) names.Set(e.name, e.value);
  exports.Set("errno_names", names);
}

}  // namespace sl
