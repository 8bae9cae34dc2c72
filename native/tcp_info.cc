// The TCP state of a socket fd, by its RFC 793 name: TCP_INFO on Linux,
// TCP_CONNECTION_INFO on macOS. The two kernels number the states
// differently; the names are the same.
#include "common.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace sl {
namespace {

const char* StateName(int state) {
#if defined(__linux__)
  switch (state) {
    case TCP_ESTABLISHED: return "ESTABLISHED";
    case TCP_SYN_SENT: return "SYN_SENT";
    case TCP_SYN_RECV: return "SYN_RECEIVED";
    case TCP_FIN_WAIT1: return "FIN_WAIT_1";
    case TCP_FIN_WAIT2: return "FIN_WAIT_2";
    case TCP_TIME_WAIT: return "TIME_WAIT";
    case TCP_CLOSE: return "CLOSED";
    case TCP_CLOSE_WAIT: return "CLOSE_WAIT";
    case TCP_LAST_ACK: return "LAST_ACK";
    case TCP_LISTEN: return "LISTEN";
    case TCP_CLOSING: return "CLOSING";
  }
#elif defined(__APPLE__)
  static const char* const kNames[] = {"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "CLOSE_WAIT",
                                       "FIN_WAIT_1", "CLOSING", "LAST_ACK", "FIN_WAIT_2", "TIME_WAIT"};
  if (state >= 0 && state < static_cast<int>(sizeof kNames / sizeof kNames[0])) return kNames[state];
#endif
  return "UNKNOWN";
}

// tcp_state(fd): 'ESTABLISHED', 'LISTEN', ... or null with errno (EBADF,
// ENOTSOCK, ENOPROTOOPT / EOPNOTSUPP for a socket that is not TCP).
Napi::Value TcpState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!GetFd(info, 0, "tcp_state", &fd)) return Napi::Value();
#if defined(__linux__)
  tcp_info ti{};
  socklen_t len = sizeof ti;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1) {
    save_errno();
    return env.Null();
  }
  return Napi::String::New(env, StateName(ti.tcpi_state));
#elif defined(__APPLE__)
  tcp_connection_info ti{};
  socklen_t len = sizeof ti;
  if (getsockopt(fd, IPPROTO_TCP, TCP_CONNECTION_INFO, &ti, &len) == -1) {
    save_errno();
    return env.Null();
  }
  return Napi::String::New(env, StateName(ti.tcpi_state));
#else
  saved_errno = ENOSYS;
  return env.Null();
#endif
}

}  // namespace

void InitTcpInfo(Napi::Env env, Napi::Object exports) { SetFn(env, exports, "tcp_state", TcpState); }

}  // namespace sl
