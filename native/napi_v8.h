// Between Node-API's values and V8's, for the files that use V8's API
// directly (threads, fork, the fast calls).
#pragma once

#include <napi.h>
#include <v8.h>

#include <cstring>

namespace sl {

// napi_value and v8::Local<v8::Value> have the same representation: Node's
// own Node-API implementation converts between them with this memcpy.
inline v8::Local<v8::Value> ToV8(napi_value v) {
  static_assert(sizeof(v8::Local<v8::Value>) == sizeof(napi_value));
  v8::Local<v8::Value> local;
  std::memcpy(static_cast<void*>(&local), &v, sizeof v);
  return local;
}

inline napi_value ToNapi(v8::Local<v8::Value> local) {
  napi_value v;
  std::memcpy(&v, static_cast<const void*>(&local), sizeof v);
  return v;
}

}  // namespace sl
