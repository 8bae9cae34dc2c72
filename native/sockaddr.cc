// Conversion of socket addresses between the C structs and their C-shaped
// TypeScript objects.
#include "sockaddr.h"

#include <netinet/in.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>
#include <utility>
#include <vector>
#include <string>

namespace sl {
namespace {

bool Family(Napi::Env env, Napi::Object o, int64_t* family) {
  static const char* const kKeys[] = {"sin_family", "sin6_family", "sun_family", "ss_family", "sa_family"};
  for (const char* key : kKeys) {
    Napi::Value v = o.Get(key);
    if (env.IsExceptionPending()) return false;  // a getter threw: not a missing field
    if (v.IsUndefined()) continue;
    return GetIntField(env, o, key, "sockaddr", "addr", 0, UINT16_MAX, family, 0);
  }
  return ThrowType(env, "sockaddr", "the address has no family (sin_family, sin6_family, sun_family or ss_family)");
}

}  // namespace

bool ToSockaddr(const Napi::CallbackInfo& info, size_t i, const char* fn, sockaddr_storage* ss, socklen_t* len) {
  Napi::Env env = info.Env();
  if (!info[i].IsObject()) return ThrowType(env, fn, "addr must be a sockaddr object (sockaddr_in, sockaddr_in6, sockaddr_un)");
  Napi::Object o = info[i].As<Napi::Object>();
  memset(ss, 0, sizeof *ss);
  int64_t family;
  if (!Family(env, o, &family)) return false;
  int af = static_cast<int>(family);
  if (af == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(ss);
    int64_t port, s_addr = 0;
    if (!GetIntField(env, o, "sin_port", fn, "addr", 0, UINT16_MAX, &port, 0)) return false;
    Napi::Value a = o.Get("sin_addr");
    if (env.IsExceptionPending()) return false;
    if (a.IsObject()) {
      if (!GetIntField(env, a.As<Napi::Object>(), "s_addr", fn, "addr.sin_addr", 0, UINT32_MAX, &s_addr, 0)) return false;
    } else if (!a.IsUndefined() && !a.IsNull()) {
      return ThrowType(env, fn, "addr.sin_addr must be an in_addr { s_addr }");
    }
    sin->sin_family = AF_INET;
    sin->sin_port = static_cast<in_port_t>(port);
    sin->sin_addr.s_addr = static_cast<in_addr_t>(s_addr);
    *len = sizeof(sockaddr_in);
  } else if (af == AF_INET6) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(ss);
    int64_t port, flow, scope;
    if (!GetIntField(env, o, "sin6_port", fn, "addr", 0, UINT16_MAX, &port, 0) ||
        !GetIntField(env, o, "sin6_flowinfo", fn, "addr", 0, UINT32_MAX, &flow, 0) ||
        !GetIntField(env, o, "sin6_scope_id", fn, "addr", 0, UINT32_MAX, &scope, 0)) {
      return false;
    }
    Napi::Value a = o.Get("sin6_addr");
    if (env.IsExceptionPending()) return false;
    if (!a.IsUndefined() && !a.IsNull() && !GetIn6Addr(env, a, fn, "addr.sin6_addr", &sin6->sin6_addr)) return false;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = static_cast<in_port_t>(port);
    sin6->sin6_flowinfo = static_cast<uint32_t>(flow);
    sin6->sin6_scope_id = static_cast<uint32_t>(scope);
    *len = sizeof(sockaddr_in6);
  } else if (af == AF_UNIX) {
    auto* sun = reinterpret_cast<sockaddr_un*>(ss);
    Napi::Value p = o.Get("sun_path");
    std::string path;
    if (p.IsString()) {
      path = p.As<Napi::String>().Utf8Value();
    } else if (!p.IsUndefined() && !p.IsNull()) {
      return ThrowType(env, fn, "sun_path must be a string");
    }
    // A path that starts with NUL is Linux's abstract namespace: no
    // terminating NUL, the length says where it ends.
    bool abstract = !path.empty() && path[0] == '\0';
    // A filesystem path is a C string: the kernel would stop at an inner NUL
    // and bind or connect to the path before it.
    if (!abstract && path.find('\0') != std::string::npos) {
      return ThrowType(env, fn, "sun_path contains a NUL byte (only a leading one, for Linux's abstract namespace, is allowed)");
    }
    size_t need = path.size() + (abstract ? 0 : 1);
    if (need > sizeof sun->sun_path) {
      return ThrowRange(env, fn, ("sun_path is " + std::to_string(path.size()) + " bytes; sockaddr_un holds " +
                                  std::to_string(sizeof sun->sun_path - 1)).c_str());
    }
    sun->sun_family = AF_UNIX;
    memcpy(sun->sun_path, path.data(), path.size());
    *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + need);
  } else {
    // Unknown family: the kernel answers (EAFNOSUPPORT / EINVAL), as in C.
    ss->ss_family = static_cast<sa_family_t>(af);
    *len = sizeof(sockaddr_storage);
  }
#ifdef __APPLE__
  ss->ss_len = static_cast<uint8_t>(*len);
#endif
  return true;
}

bool GetAddrlen(const Napi::CallbackInfo& info, size_t i, const char* fn, socklen_t max, socklen_t* len) {
  if (info.Length() <= i || info[i].IsUndefined()) return true;
  int64_t v;
  if (!GetInt64(info, i, fn, "addrlen", 0, max, &v)) return false;
  *len = static_cast<socklen_t>(v);
  return true;
}

bool GetIn6Addr(Napi::Env env, Napi::Value v, const char* fn, const char* name, in6_addr* out) {
  if (!v.IsObject()) return ThrowType(env, fn, (std::string(name) + " must be an in6_addr { s6_addr }").c_str());
  Napi::Value bytes = v.As<Napi::Object>().Get("s6_addr");
  if (!bytes.IsTypedArray() || bytes.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      bytes.As<Napi::Uint8Array>().ByteLength() != sizeof *out) {
    return ThrowType(env, fn, (std::string(name) + ".s6_addr must be a Uint8Array of 16 bytes").c_str());
  }
  memcpy(out, bytes.As<Napi::Uint8Array>().Data(), sizeof *out);
  return true;
}

// `out` is the caller's object: any write may run its setter or Proxy trap,
// which may throw. So the new values are made first, then written one at a
// time, stopping at the first exception: with one pending, N-API refuses to
// make anything (an empty Uint8Array's Data() is null).
bool FromSockaddr(Napi::Env env, const sockaddr* sa, socklen_t len, Napi::Object out) {
  if (env.IsExceptionPending()) return false;  // nothing could be made
  int family = sa->sa_family;
  std::vector<std::pair<const char*, Napi::Value>> fields;
  if (family == AF_INET && len >= sizeof(sockaddr_in)) {
    auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
    Napi::Object in = Napi::Object::New(env);
    in.Set("s_addr", Napi::Number::New(env, static_cast<double>(sin->sin_addr.s_addr)));
    fields = {{"sin_family", Napi::Number::New(env, family)},
              {"sin_port", Napi::Number::New(env, sin->sin_port)},
              {"sin_addr", in}};
  } else if (family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
    Napi::Uint8Array bytes = Napi::Uint8Array::New(env, 16);
    memcpy(bytes.Data(), &sin6->sin6_addr, 16);
    Napi::Object in6 = Napi::Object::New(env);
    in6.Set("s6_addr", bytes);
    fields = {{"sin6_family", Napi::Number::New(env, family)},
              {"sin6_port", Napi::Number::New(env, sin6->sin6_port)},
              {"sin6_flowinfo", Napi::Number::New(env, sin6->sin6_flowinfo)},
              {"sin6_addr", in6},
              {"sin6_scope_id", Napi::Number::New(env, sin6->sin6_scope_id)}};
  } else if (family == AF_UNIX) {
    auto* sun = reinterpret_cast<const sockaddr_un*>(sa);
    size_t off = offsetof(sockaddr_un, sun_path);
    size_t n = len > off ? len - off : 0;
    if (n > sizeof sun->sun_path) n = sizeof sun->sun_path;
    // A filesystem path ends at its NUL; an abstract one (leading NUL) at len.
    if (n > 0 && sun->sun_path[0] != '\0') n = strnlen(sun->sun_path, n);
    fields = {{"sun_family", Napi::Number::New(env, family)},
              {"sun_path", Napi::String::New(env, sun->sun_path, n)}};
  }
  // sockaddr_storage's family, where the object has that field.
  bool has_ss = out.Has("ss_family");
  if (env.IsExceptionPending()) return false;
  if (has_ss && (!out.Set("ss_family", family) || env.IsExceptionPending())) return false;
  for (auto& [key, value] : fields) {
    if (!out.Set(key, value) || env.IsExceptionPending()) return false;
  }
  return true;
}

bool GetSockaddrOut(const Napi::CallbackInfo& info, size_t i, const char* fn, SockaddrOut* out) {
  Napi::Env env = info.Env();
  Napi::Value a = info[i];
  if (a.IsObject()) {
    out->addr = a.As<Napi::Object>();
  } else if (!a.IsUndefined() && !a.IsNull()) {
    return ThrowType(env, fn, "addr must be a sockaddr object or null");
  }
  if (!GetCell(info, i + 1, fn, "addrlen", "socklen_t *", true, &out->addrlen)) return false;
  if (!out->addrlen.IsEmpty()) {
    int64_t cap;
    if (!GetCellValue(env, out->addrlen, fn, "addrlen", 0, UINT32_MAX, &cap)) return false;
    out->capacity = cap > static_cast<int64_t>(sizeof(sockaddr_storage)) ? sizeof(sockaddr_storage)
                                                                          : static_cast<socklen_t>(cap);
  } else if (!out->addr.IsEmpty()) {
    // C needs both; here addrlen may be left out and the whole struct is offered.
    out->capacity = sizeof(sockaddr_storage);
  }
  return true;
}

void PutSockaddrOut(Napi::Env env, const SockaddrOut& out, const sockaddr_storage& ss, socklen_t len) {
  if (!out.addr.IsEmpty() && len <= out.capacity) {
    if (!FromSockaddr(env, reinterpret_cast<const sockaddr*>(&ss), len, out.addr)) return;
  }
  if (!out.addrlen.IsEmpty()) out.addrlen.Set("value", Napi::Number::New(env, len));
}

}  // namespace sl
