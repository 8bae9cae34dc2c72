// The environment: getenv, setenv, unsetenv on the C library's environ.
// On the main thread (and the library's pthreads) Node's process.env reads
// and writes that same environ, so both see each other's changes; a Worker's
// process.env is a copy of its own.
#include "common.h"

#include <cstdlib>
#include <string>

namespace sl {
namespace {

// getenv(name): the value, or null (C's NULL) when it is not set.
Napi::Value Getenv(const Napi::CallbackInfo& info) {
  std::string name;
  if (!GetCString(info.Env(), info[0], "getenv", "name", &name)) return Napi::Value();
  const char* value = getenv(name.c_str());
  if (value == nullptr) return info.Env().Null();
  return Napi::String::New(info.Env(), value);
}

// setenv(name, value, overwrite): 0, or -1 with EINVAL for an empty name or
// one with '=' in it (ENOMEM).
Napi::Value Setenv(const Napi::CallbackInfo& info) {
  std::string name, value;
  int overwrite;
  if (!GetCString(info.Env(), info[0], "setenv", "name", &name) ||
      !GetCString(info.Env(), info[1], "setenv", "value", &value) ||
      !GetInt(info, 2, "setenv", "overwrite", &overwrite)) {
    return Napi::Value();
  }
  return Direct(info.Env(), [&] { return setenv(name.c_str(), value.c_str(), overwrite); });
}

// unsetenv(name): 0 (also when it was not set), or -1 with EINVAL as above.
Napi::Value Unsetenv(const Napi::CallbackInfo& info) {
  std::string name;
  if (!GetCString(info.Env(), info[0], "unsetenv", "name", &name)) return Napi::Value();
  return Direct(info.Env(), [&] { return unsetenv(name.c_str()); });
}

}  // namespace

void InitEnv(Napi::Env env, Napi::Object exports) {
  SetFn(env, exports, "getenv", Getenv);
  SetFn(env, exports, "setenv", Setenv);
  SetFn(env, exports, "unsetenv", Unsetenv);
}

}  // namespace sl
