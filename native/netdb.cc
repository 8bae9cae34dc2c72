// getaddrinfo / getnameinfo / gai_strerror: name and service translation.
#include "sockaddr.h"

#include "jslock.h"  // JsUnlock

#include <netdb.h>

#include <string>
#include <vector>

namespace sl {
namespace {

bool OptionalString(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, std::string* s, bool* present) {
  Napi::Value v = info[i];
  *present = false;
  if (v.IsNull() || v.IsUndefined()) return true;
  if (!v.IsString()) return ThrowType(info.Env(), fn, (std::string(name) + " must be a string or null").c_str());
  if (!GetCString(info.Env(), v, fn, name, s)) return false;
  *present = true;
  return true;
}

// getaddrinfo(node, service, hints, res): res is a cell that receives the
// first addrinfo of a list chained by ai_next, as C's struct addrinfo **res.
// Returns 0 or an EAI_* code (EAI_SYSTEM: see errno).
Napi::Value Getaddrinfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string node, service;
  bool has_node, has_service;
  if (!OptionalString(info, 0, "getaddrinfo", "node", &node, &has_node) ||
      !OptionalString(info, 1, "getaddrinfo", "service", &service, &has_service)) {
    return Napi::Value();
  }
  addrinfo hints{};
  bool has_hints = info[2].IsObject();
  if (has_hints) {
    Napi::Object h = info[2].As<Napi::Object>();
    // A field left out is 0, as in C's memset hints.
    int64_t flags, family, socktype, protocol;
    if (!GetIntField(env, h, "ai_flags", "getaddrinfo", "hints", INT32_MIN, INT32_MAX, &flags, 0) ||
        !GetIntField(env, h, "ai_family", "getaddrinfo", "hints", INT32_MIN, INT32_MAX, &family, 0) ||
        !GetIntField(env, h, "ai_socktype", "getaddrinfo", "hints", INT32_MIN, INT32_MAX, &socktype, 0) ||
        !GetIntField(env, h, "ai_protocol", "getaddrinfo", "hints", INT32_MIN, INT32_MAX, &protocol, 0)) {
      return Napi::Value();
    }
    hints.ai_flags = static_cast<int>(flags);
    hints.ai_family = static_cast<int>(family);
    hints.ai_socktype = static_cast<int>(socktype);
    hints.ai_protocol = static_cast<int>(protocol);
  } else if (!info[2].IsNull() && !info[2].IsUndefined()) {
    return ThrowType(env, "getaddrinfo", "hints must be an addrinfo object or null"), Napi::Value();
  }
  Napi::Object res;
  if (!GetCell(info, 3, "getaddrinfo", "res", "struct addrinfo **", false, &res)) return Napi::Value();

  addrinfo* list = nullptr;
  int rc;
  {
    // A name lookup may take long: other threads run TypeScript meanwhile.
    // Only the JS lock is dropped, not Blocking's contract (blocking.h): the
    // lookup is no cancellation point here (POSIX lets it be one or not),
    // and glibc's resolver retries its own EINTRs, so neither a
    // pthread_cancel's kick nor a signal could end it early. Both act once
    // the lookup has returned: the cancel at the next cancellation point,
    // the handler as for any signal that comes while TypeScript runs.
    JsUnlock unlock;
    rc = getaddrinfo(has_node ? node.c_str() : nullptr, has_service ? service.c_str() : nullptr,
                     has_hints ? &hints : nullptr, &list);
    if (rc == EAI_SYSTEM) save_errno();
  }
  if (rc != 0) {
    res.Set("value", env.Null());
    return Result(env, rc);
  }
  // Build the list back to front so that each node points at the next.
  std::vector<addrinfo*> nodes;
  for (addrinfo* p = list; p != nullptr; p = p->ai_next) nodes.push_back(p);
  Napi::Value next = env.Null();
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    addrinfo* p = *it;
    Napi::Object o = Napi::Object::New(env);
    o.Set("ai_flags", p->ai_flags);
    o.Set("ai_family", p->ai_family);
    o.Set("ai_socktype", p->ai_socktype);
    o.Set("ai_protocol", p->ai_protocol);
    o.Set("ai_addrlen", Napi::Number::New(env, p->ai_addrlen));
    Napi::Object addr = Napi::Object::New(env);
    if (p->ai_addr != nullptr) FromSockaddr(env, p->ai_addr, p->ai_addrlen, addr);
    o.Set("ai_addr", addr);
    o.Set("ai_canonname", p->ai_canonname ? Napi::String::New(env, p->ai_canonname) : env.Null());
    o.Set("ai_next", next);
    next = o;
  }
  freeaddrinfo(list);
  res.Set("value", next);
  return Result(env, 0);
}

// getnameinfo(sa, salen, host, hostlen, serv, servlen, flags): host and serv
// are cells { value } that receive strings (or null, like C's NULL).
Napi::Value Getnameinfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sockaddr_storage ss;
  socklen_t salen;
  if (!ToSockaddr(info, 0, "getnameinfo", &ss, &salen) || !GetAddrlen(info, 1, "getnameinfo", sizeof ss, &salen)) {
    return Napi::Value();
  }
  int64_t hostlen = 0, servlen = 0;
  int flags = 0;
  Napi::Object host_cell, serv_cell;
  if (!GetCell(info, 2, "getnameinfo", "host", "char *", true, &host_cell) ||
      !GetCell(info, 4, "getnameinfo", "serv", "char *", true, &serv_cell)) {
    return Napi::Value();
  }
  bool want_host = !host_cell.IsEmpty(), want_serv = !serv_cell.IsEmpty();
  if ((want_host && !GetInt64(info, 3, "getnameinfo", "hostlen", 0, INT32_MAX, &hostlen)) ||
      (want_serv && !GetInt64(info, 5, "getnameinfo", "servlen", 0, INT32_MAX, &servlen)) ||
      (info.Length() > 6 && !GetInt(info, 6, "getnameinfo", "flags", &flags))) {
    return Napi::Value();
  }
  // No name is longer than NI_MAXHOST / NI_MAXSERV: a larger buffer adds nothing.
  std::vector<char> host(want_host ? std::min<int64_t>(hostlen, NI_MAXHOST) + 1 : 1);
  std::vector<char> serv(want_serv ? std::min<int64_t>(servlen, NI_MAXSERV) + 1 : 1);
  int rc;
  {
    JsUnlock unlock;  // as getaddrinfo's
    rc = getnameinfo(reinterpret_cast<sockaddr*>(&ss), salen, want_host ? host.data() : nullptr,
                     want_host ? static_cast<socklen_t>(host.size() - 1) : 0, want_serv ? serv.data() : nullptr,
                     want_serv ? static_cast<socklen_t>(serv.size() - 1) : 0, flags);
    if (rc == EAI_SYSTEM) save_errno();
  }
  if (rc == 0) {
    if (want_host) host_cell.Set("value", Napi::String::New(env, host.data()));
    if (want_serv) serv_cell.Set("value", Napi::String::New(env, serv.data()));
  }
  return Result(env, rc);
}

Napi::Value GaiStrerror(const Napi::CallbackInfo& info) {
  int code;
  if (!GetInt(info, 0, "gai_strerror", "errcode", &code)) return Napi::Value();
  return Napi::String::New(info.Env(), gai_strerror(code));
}

}  // namespace

void InitNetdb(Napi::Env env, Napi::Object exports) {
  SetFn(env, exports, "getaddrinfo", Getaddrinfo);
  SetFn(env, exports, "getnameinfo", Getnameinfo);
  SetFn(env, exports, "gai_strerror", GaiStrerror);
}

}  // namespace sl
