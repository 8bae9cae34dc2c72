// File descriptors: read, write, close, pipe, pipe2, dup, dup2, fcntl.
#include "blocking.h"
#include "common.h"
#include "exec.h"  // StdioChangedByProgram
#include "fastcall.h"
#include "signal.h"  // SocketCallRestarts

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sl {
namespace {

// read(fd, buf, count?): count defaults to the buffer's length.
Napi::Value Read(const Napi::CallbackInfo& info) {
  int fd;
  uint8_t* buf;
  size_t count;
  std::shared_ptr<v8::BackingStore> hold;
  auto get_buf = [&] { return GetBufferCount(info, 1, "read", &buf, &count, &hold); };  // again after handlers
  if (!GetFd(info, 0, "read", &fd) || !get_buf()) return Napi::Value();
  long r;
  auto restarts = [fd] { return SocketCallRestarts(fd, SO_RCVTIMEO); };  // on a socket, signal(7)
  if (!Blocking(info.Env(), [&] { return read(fd, buf, count); }, &r, get_buf, restarts)) return Napi::Value();
  return Result(info.Env(), r);
}

Napi::Value Write(const Napi::CallbackInfo& info) {
  int fd;
  uint8_t* buf;
  size_t count;
  std::shared_ptr<v8::BackingStore> hold;
  auto get_buf = [&] { return GetBufferCount(info, 1, "write", &buf, &count, &hold); };  // again after handlers
  if (!GetFd(info, 0, "write", &fd) || !get_buf()) return Napi::Value();
  long r;
  auto restarts = [fd] { return SocketCallRestarts(fd, SO_SNDTIMEO); };  // on a socket, signal(7)
  if (!Blocking(info.Env(), [&] { return write(fd, buf, count); }, &r, get_buf, restarts)) return Napi::Value();
  return Result(info.Env(), r);
}

// The same two calls, fast (fastcall.h): the common case here, the rest in
// Read / Write above.
void FastRead(const v8::FunctionCallbackInfo<v8::Value>& args) {
  int fd;
  uint8_t* buf;
  size_t count;
  std::shared_ptr<v8::BackingStore> hold;
  if (!FastFdBuffer(args, &fd, &buf, &count, &hold) || !FastReady()) return CallSlow(args);
  FastBlocking(args, [&] { return read(fd, buf, count); });
}

void FastWrite(const v8::FunctionCallbackInfo<v8::Value>& args) {
  int fd;
  uint8_t* buf;
  size_t count;
  std::shared_ptr<v8::BackingStore> hold;
  if (!FastFdBuffer(args, &fd, &buf, &count, &hold) || !FastReady()) return CallSlow(args);
  FastBlocking(args, [&] { return write(fd, buf, count); });
}

// close may block (SO_LINGER); it is never restarted after EINTR, since the
// fd is gone either way on Linux. A signal that cut the linger short has its
// handler run before close returns, as in C.
Napi::Value Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!GetFd(info, 0, "close", &fd)) return Napi::Value();
  int err;
  long r = CallUnlocked([fd] { return close(fd); }, &err);
  StdioChangedByProgram(fd);
  if (!HandlePendingSignals(env)) return Napi::Value();
  if (r == -1) saved_errno = err;
  return Result(env, r);
}

Napi::Value Pipe(const Napi::CallbackInfo& info) {
  if (!CheckPairOut(info, 0, "pipe", "pipefd")) return Napi::Value();
  int fds[2];
  if (pipe(fds) == -1) return Fail(info.Env(), errno);
  if (!PutPair(info, 0, "pipe", fds[0], fds[1])) return Napi::Value();
  return Result(info.Env(), 0);
}

// pipe2(pipefd, flags): flags O_CLOEXEC, O_NONBLOCK (Linux; not on macOS: ENOSYS).
Napi::Value Pipe2(const Napi::CallbackInfo& info) {
  int flags;
  if (!CheckPairOut(info, 0, "pipe2", "pipefd") || !GetInt(info, 1, "pipe2", "flags", &flags)) return Napi::Value();
#ifdef __linux__
  int fds[2];
  if (pipe2(fds, flags) == -1) return Fail(info.Env(), errno);
  if (!PutPair(info, 0, "pipe2", fds[0], fds[1])) return Napi::Value();
  return Result(info.Env(), 0);
#else
  return Fail(info.Env(), ENOSYS);
#endif
}

Napi::Value Dup(const Napi::CallbackInfo& info) {
  int fd;
  if (!GetFd(info, 0, "dup", &fd)) return Napi::Value();
  return Direct(info.Env(), [&] { return dup(fd); });
}

Napi::Value Dup2(const Napi::CallbackInfo& info) {
  int oldfd, newfd;
  if (!GetFd(info, 0, "dup2", &oldfd) || !GetFd(info, 1, "dup2", &newfd)) return Napi::Value();
  Napi::Value r = Direct(info.Env(), [&] { return dup2(oldfd, newfd); });
  if (r.IsNumber() && r.As<Napi::Number>().Int32Value() == newfd) StdioChangedByProgram(newfd);
  return r;
}

// fcntl(fd, cmd, arg?): the commands that take an int (F_GETFL, F_SETFL,
// F_GETFD, F_SETFD, F_DUPFD...). Locks and other struct arguments are not offered.
Napi::Value Fcntl(const Napi::CallbackInfo& info) {
  int fd, cmd, arg = 0;
  if (!GetFd(info, 0, "fcntl", &fd) || !GetInt(info, 1, "fcntl", "cmd", &cmd)) return Napi::Value();
  if (info.Length() > 2 && !info[2].IsUndefined() && !GetInt(info, 2, "fcntl", "arg", &arg)) return Napi::Value();
  switch (cmd) {
    case F_GETFL: case F_SETFL: case F_GETFD: case F_SETFD: case F_DUPFD:
#ifdef F_DUPFD_CLOEXEC
    case F_DUPFD_CLOEXEC:
#endif
      break;
    default:
      // A command whose argument is a pointer would read or write memory we
      // cannot vouch for: refuse it as the kernel refuses an unknown command.
      return Fail(info.Env(), EINVAL);
  }
  if (cmd == F_SETFL || cmd == F_SETFD) StdioChangedByProgram(fd);  // exec leaves its flags as they are now
  return Direct(info.Env(), [&] { return fcntl(fd, cmd, arg); });
}

}  // namespace

void InitIo(Napi::Env env, Napi::Object exports) {
  SetFastFn(env, exports, "read", FastRead, Read);
  SetFastFn(env, exports, "write", FastWrite, Write);
  SetFn(env, exports, "close", Close);
  SetFn(env, exports, "pipe", Pipe);
  SetFn(env, exports, "pipe2", Pipe2);
  SetFn(env, exports, "dup", Dup);
  SetFn(env, exports, "dup2", Dup2);
  SetFn(env, exports, "fcntl", Fcntl);
}

}  // namespace sl
