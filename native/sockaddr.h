// Socket addresses between C and TypeScript. The TypeScript side is C-shaped:
// { sin_family, sin_port (network order), sin_addr: { s_addr (network order) } },
// { sin6_family, sin6_port, sin6_flowinfo, sin6_addr: { s6_addr: Uint8Array(16) },
// sin6_scope_id }, { sun_family, sun_path }, and sockaddr_storage's ss_family.
#pragma once

#include "common.h"

#include <netinet/in.h>
#include <sys/socket.h>

namespace sl {

// Reads the address at info[i] (any of the shapes above). A field that is
// missing counts as 0, like a bzero'd struct; a field of the wrong type is a
// TypeError. An unknown family is passed on for the kernel to refuse.
bool ToSockaddr(const Napi::CallbackInfo& info, size_t i, const char* fn, sockaddr_storage* ss, socklen_t* len);

// Optional addrlen argument at info[i]: when given it is passed to the kernel
// as in C (which is how EINVAL for a short length shows), never beyond *len's
// storage; when absent the address's own size is used.
bool GetAddrlen(const Napi::CallbackInfo& info, size_t i, const char* fn, socklen_t max, socklen_t* len);

// An in6_addr { s6_addr: Uint8Array(16) } (sin6_addr, inet_ntop's src): its bytes.
bool GetIn6Addr(Napi::Env env, Napi::Value v, const char* fn, const char* name, in6_addr* out);

// Writes the fields of the address into `out` (for accept, getsockname...);
// false, with the exception pending, if `out` threw.
bool FromSockaddr(Napi::Env env, const sockaddr* sa, socklen_t len, Napi::Object out);

// Out-parameters in the C shape: a sockaddr object (or null) and a
// { value } cell holding socklen_t (or null). Reads the cell's capacity.
struct SockaddrOut {
  Napi::Object addr;      // empty when null
  Napi::Object addrlen;   // empty when null
  socklen_t capacity = 0; // what the caller said its struct holds
};
bool GetSockaddrOut(const Napi::CallbackInfo& info, size_t i, const char* fn, SockaddrOut* out);
// After the call: fill the object (if the caller's capacity held it all, as
// the kernel would have written it) and store the real length in the cell.
void PutSockaddrOut(Napi::Env env, const SockaddrOut& out, const sockaddr_storage& ss, socklen_t len);

}  // namespace sl
