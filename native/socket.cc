// Sockets: socket, bind, listen, accept, connect, send / recv, shutdown,
// socket options, names, socketpair. C argument order, -1 and errno on failure.
#include "sockaddr.h"

#include "blocking.h"
#include "fastcall.h"  // FastSend, FastRecv
#include "signal.h"  // SocketCallRestarts, ConnectRestarts

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>

namespace sl {
namespace {

Napi::Value Socket(const Napi::CallbackInfo& info) {
  int domain, type, protocol;
  if (!GetInt(info, 0, "socket", "domain", &domain) || !GetInt(info, 1, "socket", "type", &type) ||
      !GetInt(info, 2, "socket", "protocol", &protocol)) {
    return Napi::Value();
  }
  return Direct(info.Env(), [&] { return socket(domain, type, protocol); });
}

Napi::Value Bind(const Napi::CallbackInfo& info) {
  int fd;
  sockaddr_storage ss;
  socklen_t len;
  if (!GetFd(info, 0, "bind", &fd) || !ToSockaddr(info, 1, "bind", &ss, &len) ||
      !GetAddrlen(info, 2, "bind", sizeof ss, &len)) {
    return Napi::Value();
  }
  return Direct(info.Env(), [&] { return bind(fd, reinterpret_cast<sockaddr*>(&ss), len); });
}

Napi::Value Listen(const Napi::CallbackInfo& info) {
  int fd, backlog;
  if (!GetFd(info, 0, "listen", &fd) || !GetInt(info, 1, "listen", "backlog", &backlog)) return Napi::Value();
  return Direct(info.Env(), [&] { return listen(fd, backlog); });
}

// accept(fd, addr, addrlen) and accept4(fd, addr, addrlen, flags): flags
// SOCK_CLOEXEC, SOCK_NONBLOCK (Linux; accept4 is not on macOS: ENOSYS).
Napi::Value AcceptWith(const Napi::CallbackInfo& info, const char* fn, bool has_flags) {
  int fd, flags = 0;
  SockaddrOut out;
  if (!GetFd(info, 0, fn, &fd) || !GetSockaddrOut(info, 1, fn, &out) ||
      (has_flags && !GetInt(info, 3, fn, "flags", &flags))) {
    return Napi::Value();
  }
#ifndef SOCK_CLOEXEC
  if (has_flags) return Fail(info.Env(), ENOSYS);
#endif
  sockaddr_storage ss;
  socklen_t len = out.capacity;
  bool want = !out.addr.IsEmpty() || !out.addrlen.IsEmpty();
  sockaddr* addr = want ? reinterpret_cast<sockaddr*>(&ss) : nullptr;
  socklen_t* addrlen = want ? &len : nullptr;
  long r = -1;
  auto restarts = [fd] { return SocketCallRestarts(fd, SO_RCVTIMEO); };
  auto call = [&]() -> int {
#ifdef SOCK_CLOEXEC
    if (has_flags) return accept4(fd, addr, addrlen, flags);
#endif
    return accept(fd, addr, addrlen);
  };
  bool ok = Blocking(info.Env(), call, &r, Always, restarts);
  if (ok && r >= 0 && want) PutSockaddrOut(info.Env(), out, ss, len);
  // A handler threw as accept completed, or the caller's address object
  // threw: the exception goes up, and the connection taken is closed, not lost.
  if (!ok || info.Env().IsExceptionPending()) {
    if (r >= 0) close(static_cast<int>(r));
    return Napi::Value();
  }
  return Result(info.Env(), r);
}

Napi::Value Accept(const Napi::CallbackInfo& info) { return AcceptWith(info, "accept", false); }
Napi::Value Accept4(const Napi::CallbackInfo& info) { return AcceptWith(info, "accept4", true); }

Napi::Value Connect(const Napi::CallbackInfo& info) {
  int fd;
  sockaddr_storage ss;
  socklen_t len;
  if (!GetFd(info, 0, "connect", &fd) || !ToSockaddr(info, 1, "connect", &ss, &len) ||
      !GetAddrlen(info, 2, "connect", sizeof ss, &len)) {
    return Napi::Value();
  }
  long r;
  auto restarts = [fd] { return ConnectRestarts(fd); };
  if (!Blocking(info.Env(), [&] { return connect(fd, reinterpret_cast<sockaddr*>(&ss), len); }, &r, Always, restarts)) {
    return Napi::Value();
  }
  return Result(info.Env(), r);
}

// send(fd, buf, len, flags) / recv(fd, buf, len, flags): len may not exceed the buffer.
// send and recv as read and write are (fastcall.h): the common case (an int
// fd, a Uint8Array, an int count, int flags) in a plain V8 callback, the rest
// and every EINTR in Send and Recv below.
void FastSend(const v8::FunctionCallbackInfo<v8::Value>& args);
void FastRecv(const v8::FunctionCallbackInfo<v8::Value>& args);

Napi::Value Send(const Napi::CallbackInfo& info) {
  int fd, flags = 0;
  uint8_t* buf;
  size_t len;
  std::shared_ptr<v8::BackingStore> hold;
  auto get_buf = [&] { return GetBufferCount(info, 1, "send", &buf, &len, &hold); };  // again after handlers
  if (!GetFd(info, 0, "send", &fd) || !get_buf() ||
      (info.Length() > 3 && !info[3].IsUndefined() && !GetInt(info, 3, "send", "flags", &flags))) {
    return Napi::Value();
  }
  long r;
  auto restarts = [fd] { return SocketCallRestarts(fd, SO_SNDTIMEO); };
  if (!Blocking(info.Env(), [&] { return send(fd, buf, len, flags); }, &r, get_buf, restarts)) return Napi::Value();
  return Result(info.Env(), r);
}

Napi::Value Recv(const Napi::CallbackInfo& info) {
  int fd, flags = 0;
  uint8_t* buf;
  size_t len;
  std::shared_ptr<v8::BackingStore> hold;
  auto get_buf = [&] { return GetBufferCount(info, 1, "recv", &buf, &len, &hold); };  // again after handlers
  if (!GetFd(info, 0, "recv", &fd) || !get_buf() ||
      (info.Length() > 3 && !info[3].IsUndefined() && !GetInt(info, 3, "recv", "flags", &flags))) {
    return Napi::Value();
  }
  long r;
  auto restarts = [fd] { return SocketCallRestarts(fd, SO_RCVTIMEO); };
  if (!Blocking(info.Env(), [&] { return recv(fd, buf, len, flags); }, &r, get_buf, restarts)) return Napi::Value();
  return Result(info.Env(), r);
}

void FastSend(const v8::FunctionCallbackInfo<v8::Value>& args) {
  int fd, flags;
  uint8_t* buf;
  size_t count;
  std::shared_ptr<v8::BackingStore> hold;
  if (!FastFdBuffer(args, &fd, &buf, &count, &hold, &flags) || !FastReady()) return CallSlow(args);
  FastBlocking(args, [&] { return send(fd, buf, count, flags); });
}

void FastRecv(const v8::FunctionCallbackInfo<v8::Value>& args) {
  int fd, flags;
  uint8_t* buf;
  size_t count;
  std::shared_ptr<v8::BackingStore> hold;
  if (!FastFdBuffer(args, &fd, &buf, &count, &hold, &flags) || !FastReady()) return CallSlow(args);
  FastBlocking(args, [&] { return recv(fd, buf, count, flags); });
}

// sendto(fd, buf, len, flags, dest_addr, addrlen?)
Napi::Value Sendto(const Napi::CallbackInfo& info) {
  int fd, flags;
  uint8_t* buf;
  size_t len;
  std::shared_ptr<v8::BackingStore> hold;
  sockaddr_storage ss;
  socklen_t alen;
  auto get_buf = [&] { return GetBufferCount(info, 1, "sendto", &buf, &len, &hold); };  // again after handlers
  // The address's fields may be getters: read before the buffer (common.h).
  bool to = !info[4].IsNull() && !info[4].IsUndefined();
  if (!GetFd(info, 0, "sendto", &fd) || !GetInt(info, 3, "sendto", "flags", &flags) ||
      (to && (!ToSockaddr(info, 4, "sendto", &ss, &alen) || !GetAddrlen(info, 5, "sendto", sizeof ss, &alen))) ||
      !get_buf()) {
    return Napi::Value();
  }
  long r;
  auto restarts = [fd] { return SocketCallRestarts(fd, SO_SNDTIMEO); };
  if (!Blocking(info.Env(), [&] {
        return sendto(fd, buf, len, flags, to ? reinterpret_cast<sockaddr*>(&ss) : nullptr, to ? alen : 0);
      }, &r, get_buf, restarts)) {
    return Napi::Value();
  }
  return Result(info.Env(), r);
}

// recvfrom(fd, buf, len, flags, src_addr | null, addrlen | null)
Napi::Value Recvfrom(const Napi::CallbackInfo& info) {
  int fd, flags;
  uint8_t* buf;
  size_t len;
  std::shared_ptr<v8::BackingStore> hold;
  SockaddrOut out;
  auto get_buf = [&] { return GetBufferCount(info, 1, "recvfrom", &buf, &len, &hold); };  // again after handlers
  // The addrlen cell's value may be a getter: read before the buffer (common.h).
  if (!GetFd(info, 0, "recvfrom", &fd) || !GetInt(info, 3, "recvfrom", "flags", &flags) ||
      !GetSockaddrOut(info, 4, "recvfrom", &out) || !get_buf()) {
    return Napi::Value();
  }
  sockaddr_storage ss;
  socklen_t alen = out.capacity;
  bool want = !out.addr.IsEmpty() || !out.addrlen.IsEmpty();
  long r;
  auto restarts = [fd] { return SocketCallRestarts(fd, SO_RCVTIMEO); };
  if (!Blocking(info.Env(), [&] {
        return recvfrom(fd, buf, len, flags, want ? reinterpret_cast<sockaddr*>(&ss) : nullptr, want ? &alen : nullptr);
      }, &r, get_buf, restarts)) {
    return Napi::Value();
  }
  if (r >= 0 && want) PutSockaddrOut(info.Env(), out, ss, alen);
  return Result(info.Env(), r);
}

Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  int fd, how;
  if (!GetFd(info, 0, "shutdown", &fd) || !GetInt(info, 1, "shutdown", "how", &how)) return Napi::Value();
  return Direct(info.Env(), [&] { return shutdown(fd, how); });
}

// getsockname / getpeername(fd, addr, addrlen)
template <int (*Call)(int, sockaddr*, socklen_t*)>
Napi::Value Name(const Napi::CallbackInfo& info, const char* fn) {
  int fd;
  SockaddrOut out;
  if (!GetFd(info, 0, fn, &fd) || !GetSockaddrOut(info, 1, fn, &out)) return Napi::Value();
  if (out.addr.IsEmpty() && out.addrlen.IsEmpty()) return ThrowType(info.Env(), fn, "addr must be a sockaddr object"), Napi::Value();
  sockaddr_storage ss;
  socklen_t len = out.capacity;
  int r = Call(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (r == -1) return Fail(info.Env(), errno);
  PutSockaddrOut(info.Env(), out, ss, len);
  return Result(info.Env(), r);
}
Napi::Value Getsockname(const Napi::CallbackInfo& info) { return Name<getsockname>(info, "getsockname"); }
Napi::Value Getpeername(const Napi::CallbackInfo& info) { return Name<getpeername>(info, "getpeername"); }

// Option values, by the shape of the TypeScript value: a number is an int;
// { l_onoff, l_linger } a struct linger; { tv_sec, tv_usec } a struct timeval;
// bytes are passed as they are.
union OptBuf {
  int i;
  linger l;
  timeval tv;
};

enum class OptKind { Int, Linger, Timeval, Bytes };

Napi::Value Setsockopt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd, level, name;
  if (!GetFd(info, 0, "setsockopt", &fd) || !GetInt(info, 1, "setsockopt", "level", &level) ||
      !GetInt(info, 2, "setsockopt", "optname", &name)) {
    return Napi::Value();
  }
  OptBuf ob;
  memset(&ob, 0, sizeof ob);
  const void* val = &ob;
  size_t size;
  Napi::Value v = info[3];
  if (v.IsNumber()) {
    int64_t i;
    if (!GetInt64(info, 3, "setsockopt", "optval", INT32_MIN, UINT32_MAX, &i)) return Napi::Value();
    ob.i = static_cast<int>(i);
    size = sizeof(int);
  } else if (v.IsTypedArray() || v.IsDataView()) {
    uint8_t* p;
    if (!GetBytes(info, 3, "setsockopt", "optval", &p, &size)) return Napi::Value();
    val = p;
  } else if (v.IsObject() && v.As<Napi::Object>().Has("l_onoff")) {
    int64_t on, secs;
    Napi::Object o = v.As<Napi::Object>();
    if (!GetIntField(env, o, "l_onoff", "setsockopt", "optval", INT32_MIN, INT32_MAX, &on) ||
        !GetIntField(env, o, "l_linger", "setsockopt", "optval", INT32_MIN, INT32_MAX, &secs)) {
      return Napi::Value();
    }
    ob.l.l_onoff = static_cast<int>(on);
    ob.l.l_linger = static_cast<int>(secs);
    size = sizeof(linger);
  } else if (v.IsObject() && v.As<Napi::Object>().Has("tv_sec")) {
    if (!GetTimeval(env, v, "setsockopt", "optval", &ob.tv)) return Napi::Value();
    size = sizeof(timeval);
  } else {
    ThrowType(env, "setsockopt", "optval must be a number (int), a linger { l_onoff, l_linger }, a timeval { tv_sec, tv_usec } or bytes");
    return Napi::Value();
  }
  socklen_t len = static_cast<socklen_t>(size);
  if (!GetAddrlen(info, 4, "setsockopt", len, &len)) return Napi::Value();
  return Direct(env, [&] { return setsockopt(fd, level, name, val, len); });
}

// getsockopt(fd, level, optname, optval, optlen?): optval is a cell { value }
// for an int, a linger or timeval object to fill, or bytes.
Napi::Value Getsockopt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd, level, name;
  if (!GetFd(info, 0, "getsockopt", &fd) || !GetInt(info, 1, "getsockopt", "level", &level) ||
      !GetInt(info, 2, "getsockopt", "optname", &name)) {
    return Napi::Value();
  }
  OptBuf ob;
  memset(&ob, 0, sizeof ob);
  void* val = &ob;
  size_t size;
  OptKind kind;
  Napi::Value v = info[3];
  if (v.IsTypedArray() || v.IsDataView()) {
    size = 0;  // the bytes are taken last, below
    kind = OptKind::Bytes;
  } else if (v.IsObject() && v.As<Napi::Object>().Has("l_onoff")) {
    size = sizeof(linger);
    kind = OptKind::Linger;
  } else if (v.IsObject() && v.As<Napi::Object>().Has("tv_sec")) {
    size = sizeof(timeval);
    kind = OptKind::Timeval;
  } else if (v.IsObject() && v.As<Napi::Object>().Has("value")) {
    size = sizeof(int);
    kind = OptKind::Int;
  } else {
    ThrowType(env, "getsockopt", "optval must be a cell { value } (int), a linger, a timeval or bytes");
    return Napi::Value();
  }
  // The cell's value may be a getter (JS): read it before the bytes (common.h),
  // whose size it is checked against after.
  Napi::Object lenCell;
  int64_t cap = 0;
  if (!GetCell(info, 4, "getsockopt", "optlen", "socklen_t *", true, &lenCell) ||
      (!lenCell.IsEmpty() && !GetCellValue(env, lenCell, "getsockopt", "optlen", 0, UINT32_MAX, &cap))) {
    return Napi::Value();
  }
  if (kind == OptKind::Bytes) {
    uint8_t* p;
    if (!GetBytes(info, 3, "getsockopt", "optval", &p, &size)) return Napi::Value();
    val = p;
  }
  socklen_t len = static_cast<socklen_t>(size);
  if (!lenCell.IsEmpty()) {
    if (static_cast<uint64_t>(cap) > size) {
      return ThrowRange(env, "getsockopt", ("optlen.value " + std::to_string(cap) + " is larger than optval (" +
                                            std::to_string(size) + " bytes)").c_str()), Napi::Value();
    }
    len = static_cast<socklen_t>(cap);
  }
  int r = getsockopt(fd, level, name, val, &len);
  if (r == -1) return Fail(env, errno);
  Napi::Object o = kind == OptKind::Bytes ? Napi::Object() : v.As<Napi::Object>();
  switch (kind) {
    case OptKind::Int: o.Set("value", ob.i); break;
    case OptKind::Linger:
      o.Set("l_onoff", ob.l.l_onoff);
      o.Set("l_linger", ob.l.l_linger);
      break;
    case OptKind::Timeval:
      o.Set("tv_sec", Napi::Number::New(env, static_cast<double>(ob.tv.tv_sec)));
      o.Set("tv_usec", Napi::Number::New(env, static_cast<double>(ob.tv.tv_usec)));
      break;
    case OptKind::Bytes: break;
  }
  if (!lenCell.IsEmpty()) lenCell.Set("value", Napi::Number::New(env, len));
  return Result(env, r);
}

Napi::Value Socketpair(const Napi::CallbackInfo& info) {
  int domain, type, protocol;
  if (!GetInt(info, 0, "socketpair", "domain", &domain) || !GetInt(info, 1, "socketpair", "type", &type) ||
      !GetInt(info, 2, "socketpair", "protocol", &protocol)) {
    return Napi::Value();
  }
  if (!CheckPairOut(info, 3, "socketpair", "sv")) return Napi::Value();
  int sv[2];
  if (socketpair(domain, type, protocol, sv) == -1) return Fail(info.Env(), errno);
  if (!PutPair(info, 3, "socketpair", sv[0], sv[1])) return Napi::Value();
  return Result(info.Env(), 0);
}

}  // namespace

void InitSocket(Napi::Env env, Napi::Object exports) {
  SetFn(env, exports, "socket", Socket);
  SetFn(env, exports, "bind", Bind);
  SetFn(env, exports, "listen", Listen);
  SetFn(env, exports, "accept", Accept);
  SetFn(env, exports, "accept4", Accept4);
  SetFn(env, exports, "connect", Connect);
  SetFastFn(env, exports, "send", FastSend, Send);
  SetFastFn(env, exports, "recv", FastRecv, Recv);
  SetFn(env, exports, "sendto", Sendto);
  SetFn(env, exports, "recvfrom", Recvfrom);
  SetFn(env, exports, "shutdown", Shutdown);
  SetFn(env, exports, "getsockname", Getsockname);
  SetFn(env, exports, "getpeername", Getpeername);
  SetFn(env, exports, "setsockopt", Setsockopt);
  SetFn(env, exports, "getsockopt", Getsockopt);
  SetFn(env, exports, "socketpair", Socketpair);
}

}  // namespace sl
