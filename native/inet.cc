// inet_pton / inet_ntop: text addresses to in_addr / in6_addr and back.
#include "sockaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace sl {
namespace {

// inet_pton(af, src, dst): dst is an in_addr { s_addr } or in6_addr { s6_addr }
// to fill. 1 on success, 0 if src is not an address of that family, -1 with
// EAFNOSUPPORT for another family, as in C.
Napi::Value InetPton(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int af;
  if (!GetInt(info, 0, "inet_pton", "af", &af)) return Napi::Value();
  std::string src;
  if (!GetCString(env, info[1], "inet_pton", "src", &src)) return Napi::Value();
  if (!info[2].IsObject()) return ThrowType(env, "inet_pton", "dst must be an in_addr { s_addr } or in6_addr { s6_addr }"), Napi::Value();
  Napi::Object dst = info[2].As<Napi::Object>();
  unsigned char buf[sizeof(in6_addr)];
  int r = inet_pton(af, src.c_str(), buf);
  if (r == -1) return Fail(env, errno);
  if (r == 1) {
    if (af == AF_INET) {
      in_addr a;
      memcpy(&a, buf, sizeof a);
      dst.Set("s_addr", Napi::Number::New(env, static_cast<double>(a.s_addr)));
    } else {
      Napi::Uint8Array bytes = Napi::Uint8Array::New(env, 16);
      memcpy(bytes.Data(), buf, 16);
      dst.Set("s6_addr", bytes);
    }
  }
  return Result(env, r);
}

// inet_ntop(af, src): src is an in_addr or in6_addr (or its bytes); the text,
// or null with errno (EAFNOSUPPORT) as C returns NULL.
Napi::Value InetNtop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int af;
  if (!GetInt(info, 0, "inet_ntop", "af", &af)) return Napi::Value();
  unsigned char buf[sizeof(in6_addr)] = {};
  Napi::Value src = info[1];
  if (af == AF_INET && src.IsObject() && !src.IsTypedArray()) {
    int64_t s_addr;
    if (!GetIntField(env, src.As<Napi::Object>(), "s_addr", "inet_ntop", "src", 0, UINT32_MAX, &s_addr)) return Napi::Value();
    in_addr a;
    a.s_addr = static_cast<in_addr_t>(s_addr);
    memcpy(buf, &a, sizeof a);
  } else if (af == AF_INET6 && src.IsObject() && !src.IsTypedArray()) {
    in6_addr a;
    if (!GetIn6Addr(env, src, "inet_ntop", "src", &a)) return Napi::Value();
    memcpy(buf, &a, sizeof a);
  } else if (src.IsTypedArray()) {
    uint8_t* p;
    size_t n;
    if (!GetBytes(info, 1, "inet_ntop", "src", &p, &n)) return Napi::Value();
    size_t need = af == AF_INET6 ? 16 : 4;
    if (n < need) return ThrowRange(env, "inet_ntop", "src is shorter than the address"), Napi::Value();
    memcpy(buf, p, need);
  } else if (af != AF_INET && af != AF_INET6) {
    saved_errno = EAFNOSUPPORT;
    return env.Null();
  } else {
    return ThrowType(env, "inet_ntop", "src must be an in_addr or in6_addr"), Napi::Value();
  }
  char out[INET6_ADDRSTRLEN];
  if (inet_ntop(af, buf, out, sizeof out) == nullptr) {
    save_errno();
    return env.Null();
  }
  return Napi::String::New(env, out);
}

}  // namespace

void InitInet(Napi::Env env, Napi::Object exports) {
  SetFn(env, exports, "inet_pton", InetPton);
  SetFn(env, exports, "inet_ntop", InetNtop);
}

}  // namespace sl
