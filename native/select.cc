// Events: select and pselect over fd_sets, poll, epoll (Linux), kqueue (macOS
// and the BSDs), and ioctl(FIONREAD), the way Beginning Linux Programming's
// programs tell end of file after select. C names, C argument order, -1 and
// errno on failure.
//
// Every wait drops the JS lock. None of them is restarted after a TypeScript
// signal handler ran, whatever the handler's restart flag: they return -1
// with EINTR, as the kernel does for select, pselect, poll, epoll_wait and
// kevent even under SA_RESTART (Linux's signal(7); the BSDs alike). An EINTR
// caused by a signal that only Node or libuv handles (SIGCHLD for
// child_process, SIGWINCH) is not the program's: the wait is re-armed with
// the caller's input and the time left, and goes on. (Wait, blocking.h.)
// Each call runs BlockingFirst before it reads its arguments: a handler may
// do anything to them, and C would have run it before the call was reached.
#include "blocking.h"
#include "common.h"
#include "signal.h"  // GetSignalSet, KeepPrivateSignals, KeepForMainThread

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "event_api.h"

namespace sl {
namespace {

constexpr int64_t kNsPerSec = 1000000000;

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
}

// The time left until deadline (CLOCK_MONOTONIC ns), never negative.
int64_t LeftNs(int64_t deadline) { return std::max<int64_t>(0, deadline - NowNs()); }

bool IsNone(const Napi::Value& v) { return v.IsNull() || v.IsUndefined(); }

// The deadline of a wait of sec + frac / per_sec seconds, for a restart. A
// wait too long to matter (or invalid: the kernel refuses it) has none (-1).
int64_t Deadline(bool has, int64_t sec, int64_t frac, int64_t ns_per_frac) {
  if (!has || sec < 0 || frac < 0 || sec > 1000000000) return -1;
  return NowNs() + sec * kNsPerSec + frac * ns_per_frac;
}

// A signal mask: null (keep the thread's mask) or an array of signal numbers.
bool GetSigmask(const Napi::CallbackInfo& info, size_t i, const char* fn, bool* has, sigset_t* set) {
  *has = false;
  sigemptyset(set);
  if (IsNone(info[i])) return true;
  if (!info[i].IsArray()) {
    return ThrowType(info.Env(), fn, "sigmask must be an array of signal numbers (the signals blocked during the wait) or null");
  }
  if (!GetSignalSet(info, i, fn, "sigmask", set)) return false;
  KeepPrivateSignals(set);
  KeepForMainThread(set);
  *has = true;
  return true;
}

// ---- fd_set -----------------------------------------------------------------
// An fd_set comes from TypeScript as its bytes (a Uint8Array of sizeof(fd_set)),
// or null. The wait works on an aligned copy; the kernel's answer is written
// back into the caller's bytes, as much of it as the kernel would write: the
// words that cover fds 0 to nfds - 1, and only when the call succeeded.
bool GetSet(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, uint8_t** out) {
  *out = nullptr;
  if (IsNone(info[i])) return true;
  size_t len;
  if (!GetBytes(info, i, fn, name, out, &len)) return false;
  if (len < sizeof(fd_set)) {
    *out = nullptr;
    return ThrowRange(info.Env(), fn, (std::string(name) + " has " + std::to_string(len) + " bytes; an fd_set has " +
                                       std::to_string(sizeof(fd_set))).c_str());
  }
  return true;
}

// nfds for select / pselect: more than FD_SETSIZE would make the kernel read
// and write past the sets (C's undefined behaviour); negative is its EINVAL.
bool GetNfds(const Napi::CallbackInfo& info, const char* fn, int* nfds) {
  int64_t n;
  if (!GetInt64(info, 0, fn, "nfds", INT32_MIN, INT32_MAX, &n)) return false;
  if (n > FD_SETSIZE) {
    return ThrowRange(info.Env(), fn, ("nfds " + std::to_string(n) + " is beyond FD_SETSIZE (" +
                                       std::to_string(FD_SETSIZE) + "): an fd_set has FD_SETSIZE bits").c_str());
  }
  *nfds = static_cast<int>(n);
  return true;
}

size_t SetBytesFor(int nfds) {
  if (nfds <= 0) return 0;
  size_t words = (static_cast<size_t>(nfds) + NFDBITS - 1) / NFDBITS;
  return std::min(sizeof(fd_set), words * (NFDBITS / 8));
}

const char* kSetNames[3] = {"readfds", "writefds", "exceptfds"};

// The three sets of a select / pselect call (info[1..3]). The wait works on
// the copies; the caller's bytes are taken anew each time they are read or
// written (Load, Store), always with the JS lock held and no JS since: a
// handler, a getter or another thread (during the wait) may have transferred
// them, and the bytes then belong to someone else, or to nobody.
struct Sets {
  Sets(const Napi::CallbackInfo& info, const char* fn) : info(info), fn(fn) {}
  const Napi::CallbackInfo& info;
  const char* fn;
  uint8_t* user[3] = {};
  fd_set copy[3];

  bool Take() {
    for (int k = 0; k < 3; k++) {
      if (!GetSet(info, 1 + k, fn, kSetNames[k], &user[k])) return false;
    }
    return true;
  }
  bool Load() {
    if (!Take()) return false;
    for (int k = 0; k < 3; k++) {
      if (user[k] != nullptr) memcpy(&copy[k], user[k], sizeof(fd_set));
    }
    return true;
  }
  fd_set* Arg(int k) { return user[k] != nullptr ? &copy[k] : nullptr; }
  bool Store(int nfds) {
    if (!Take()) return false;
    size_t n = SetBytesFor(nfds);
    for (int k = 0; k < 3; k++) {
      if (user[k] != nullptr) memcpy(user[k], &copy[k], n);
    }
    return true;
  }
};

// select(nfds, readfds, writefds, exceptfds, timeout): the sets are rewritten
// in place; on Linux the timeout too (the time left), as the kernel does.
Napi::Value Select(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int nfds;
  Sets sets(info, "select");
  bool has_tv;
  timeval tv{};
  // The timeout's fields may be getters (JS): read them before the sets' bytes.
  if (!BlockingFirst(env) || !GetNfds(info, "select", &nfds) ||
      !GetTimeval(env, info[4], "select", "timeout", &tv, &has_tv) || !sets.Load()) {
    return Napi::Value();
  }
  int64_t deadline = Deadline(has_tv, tv.tv_sec, tv.tv_usec, 1000);
  long r;
  bool ok = Wait(
      env,
      [&] { return select(nfds, sets.Arg(0), sets.Arg(1), sets.Arg(2), has_tv ? &tv : nullptr); },
      [&] {
        if (deadline >= 0) {
          int64_t left = LeftNs(deadline);
          tv.tv_sec = static_cast<time_t>(left / kNsPerSec);
          tv.tv_usec = static_cast<suseconds_t>((left % kNsPerSec) / 1000);
        }
        return sets.Load();
      },
      &r);
  if (!ok || (r >= 0 && !sets.Store(nfds))) return Napi::Value();
#if defined(__linux__)
  // Linux writes the time that was left into the caller's timeval.
  if (has_tv) {
    Napi::Object tobj = info[4].As<Napi::Object>();
    tobj.Set("tv_sec", Napi::Number::New(env, static_cast<double>(tv.tv_sec)));
    tobj.Set("tv_usec", Napi::Number::New(env, static_cast<double>(tv.tv_usec)));
  }
#endif
  return Result(env, r);
}

// pselect(nfds, readfds, writefds, exceptfds, timeout, sigmask): a timespec
// that is never written, and the signal mask in force during the wait only.
Napi::Value Pselect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int nfds;
  Sets sets(info, "pselect");
  bool has_ts, has_mask;
  timespec ts{};
  sigset_t mask;
  if (!BlockingFirst(env) || !GetNfds(info, "pselect", &nfds) ||
      !GetTimespec(env, info[4], "pselect", "timeout", &ts, &has_ts) ||
      !GetSigmask(info, 5, "pselect", &has_mask, &mask) || !sets.Load()) {
    return Napi::Value();
  }
  int64_t deadline = Deadline(has_ts, ts.tv_sec, ts.tv_nsec, 1);
  long r;
  bool ok = Wait(
      env,
      [&] {
        return pselect(nfds, sets.Arg(0), sets.Arg(1), sets.Arg(2), has_ts ? &ts : nullptr, has_mask ? &mask : nullptr);
      },
      [&] {
        if (deadline >= 0) {
          int64_t left = LeftNs(deadline);
          ts.tv_sec = static_cast<time_t>(left / kNsPerSec);
          ts.tv_nsec = static_cast<long>(left % kNsPerSec);
        }
        return sets.Load();
      },
      &r);
  if (!ok || (r >= 0 && !sets.Store(nfds))) return Napi::Value();
  return Result(env, r);
}

// The C library's own FD_SET / FD_ISSET, for the test that checks that the
// TypeScript fd_set has the platform's layout bit for bit.
Napi::Value FdSetProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) return ThrowType(env, "fd_set_probe", "fds must be an array"), Napi::Value();
  Napi::Array a = info[0].As<Napi::Array>();
  fd_set set;
  FD_ZERO(&set);
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a.Get(k);
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
    if (d != std::trunc(d) || d < 0 || d >= FD_SETSIZE) return ThrowRange(env, "fd_set_probe", "fd outside [0, FD_SETSIZE)"), Napi::Value();
    FD_SET(static_cast<int>(d), &set);
  }
  Napi::Uint8Array out = Napi::Uint8Array::New(env, sizeof(fd_set));
  memcpy(out.Data(), &set, sizeof(fd_set));
  return out;
}

Napi::Value FdIssetProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  uint8_t* bytes;
  if (!GetInt(info, 0, "fd_isset_probe", "fd", &fd) || !GetSet(info, 1, "fd_isset_probe", "set", &bytes)) return Napi::Value();
  if (fd < 0 || fd >= FD_SETSIZE || bytes == nullptr) return ThrowRange(env, "fd_isset_probe", "fd outside [0, FD_SETSIZE) or no set"), Napi::Value();
  fd_set set;
  memcpy(&set, bytes, sizeof set);
  return Napi::Boolean::New(env, FD_ISSET(fd, &set) != 0);
}

// ---- poll -------------------------------------------------------------------

// A timeout in milliseconds: negative waits forever (as in C).
bool GetMs(const Napi::CallbackInfo& info, size_t i, const char* fn, int* ms) {
  return GetInt(info, i, fn, "timeout", ms);
}

int LeftMs(int64_t deadline) {
  int64_t left = LeftNs(deadline);
  return static_cast<int>(std::min<int64_t>(INT32_MAX, (left + 999999) / 1000000));
}

// An array of C structs and how many of them the call may use: the count may
// never exceed the array (C would read or write past it).
bool GetArray(const Napi::CallbackInfo& info, size_t arr_i, size_t n_i, const char* fn, const char* arr_name,
              const char* n_name, const char* type, Napi::Array* arr, int64_t* n, bool allow_negative) {
  if (!info[arr_i].IsArray()) {
    return ThrowType(info.Env(), fn, (std::string(arr_name) + " must be an array of " + type).c_str());
  }
  *arr = info[arr_i].As<Napi::Array>();
  if (!GetInt64(info, n_i, fn, n_name, allow_negative ? INT32_MIN : 0, INT32_MAX, n)) return false;
  if (*n > static_cast<int64_t>(arr->Length())) {
    return ThrowRange(info.Env(), fn, (std::string(n_name) + " " + std::to_string(*n) + " is larger than " + arr_name +
                                       " (" + std::to_string(arr->Length()) + " elements)").c_str());
  }
  return true;
}

// poll(fds, nfds, timeout): fds is an array of pollfd { fd, events, revents };
// revents is written back into each of the first nfds.
Napi::Value Poll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array arr;
  int64_t n;
  int timeout;
  if (!BlockingFirst(env) ||
      !GetArray(info, 0, 1, "poll", "fds", "nfds", "pollfd { fd, events, revents }", &arr, &n, false) ||
      !GetMs(info, 2, "poll", &timeout)) {
    return Napi::Value();
  }
  std::vector<pollfd> fds(static_cast<size_t>(n));
  std::vector<Napi::Object> objs;
  objs.reserve(fds.size());
  for (size_t k = 0; k < fds.size(); k++) {
    Napi::Value v = arr.Get(static_cast<uint32_t>(k));
    if (!v.IsObject()) {
      return ThrowType(env, "poll", ("fds[" + std::to_string(k) + "] must be a pollfd { fd, events, revents }").c_str()), Napi::Value();
    }
    Napi::Object o = v.As<Napi::Object>();
    int64_t fd, events;
    if (!GetIntField(env, o, "fd", "poll", "pollfd", INT32_MIN, INT32_MAX, &fd) ||
        !GetIntField(env, o, "events", "poll", "pollfd", INT16_MIN, UINT16_MAX, &events)) {
      return Napi::Value();
    }
    fds[k].fd = static_cast<int>(fd);
    fds[k].events = static_cast<short>(events);
    fds[k].revents = 0;
    objs.push_back(o);
  }
  int64_t deadline = timeout >= 0 ? NowNs() + static_cast<int64_t>(timeout) * 1000000 : -1;
  int ms = timeout;
  long r;
  if (!Wait(env, [&] { return poll(fds.data(), static_cast<nfds_t>(fds.size()), ms); },
            [&] {
              if (deadline >= 0) ms = LeftMs(deadline);
              return true;
            }, &r)) {
    return Napi::Value();
  }
  if (r >= 0) {
    for (size_t k = 0; k < fds.size(); k++) {
      objs[k].Set("revents", Napi::Number::New(env, static_cast<uint16_t>(fds[k].revents)));
    }
  }
  return Result(env, r);
}

// ---- ioctl ------------------------------------------------------------------
// ioctl(fd, FIONREAD, &nread): how many bytes a read would get now (0 at end
// of file on a pipe or a terminal after ^D): BLP's select programs use it.
// ioctl(fd, FIONBIO, &on) sets non-blocking mode. Other requests take
// pointers to structs the binding cannot vouch for: EINVAL, as fcntl does.
Napi::Value Ioctl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  int64_t request;
  if (!GetFd(info, 0, "ioctl", &fd) || !GetInt64(info, 1, "ioctl", "request", INT64_MIN / 2, INT64_MAX / 2, &request)) {
    return Napi::Value();
  }
  if (request == static_cast<int64_t>(FIONREAD)) {
    Napi::Object nread_cell;
    if (!GetCell(info, 2, "ioctl", "nread", "int *", false, &nread_cell)) return Napi::Value();
    int nread = 0;
    if (ioctl(fd, FIONREAD, &nread) == -1) return Fail(env, errno);
    nread_cell.Set("value", nread);
    return Result(env, 0);
  }
  if (request == static_cast<int64_t>(FIONBIO)) {
    // C's &on: a cell, or here the number itself.
    Napi::Object on_cell;
    int64_t on;
    if (info[2].IsNumber() ? !GetInt64(info, 2, "ioctl", "on", INT32_MIN, INT32_MAX, &on)
                           : !GetCell(info, 2, "ioctl", "on", "int *", false, &on_cell) ||
                                 !GetCellValue(env, on_cell, "ioctl", "on", INT32_MIN, INT32_MAX, &on)) {
      return Napi::Value();
    }
    int arg = static_cast<int>(on);
    return Direct(env, [&] { return ioctl(fd, FIONBIO, &arg); });
  }
  return Fail(env, EINVAL);
}

// ---- epoll (Linux) ------------------------------------------------------------
#ifdef SL_HAVE_EPOLL

Napi::Value EpollCreate(const Napi::CallbackInfo& info) {
  int size;
  if (!GetInt(info, 0, "epoll_create", "size", &size)) return Napi::Value();
  return Direct(info.Env(), [&] { return epoll_create(size); });
}

Napi::Value EpollCreate1(const Napi::CallbackInfo& info) {
  int flags = 0;
  if (info.Length() > 0 && !info[0].IsUndefined() && !GetInt(info, 0, "epoll_create1", "flags", &flags)) return Napi::Value();
  return Direct(info.Env(), [&] { return epoll_create1(flags); });
}

// data: a number (the u64 member), or an object with one of the members of
// C's union epoll_data set: u64, u32 or fd, read in that order.
bool GetEpollData(Napi::Env env, Napi::Value v, epoll_data_t* data) {
  memset(data, 0, sizeof *data);
  if (v.IsUndefined()) return true;
  int64_t x;
  if (v.IsNumber()) {
    if (!ToInt64(env, v, "epoll_ctl", "event.data (u64)", 0, kMaxSafe, &x)) return false;
    data->u64 = static_cast<uint64_t>(x);
    return true;
  }
  if (!v.IsObject()) return ThrowType(env, "epoll_ctl", "event.data must be { fd }, { u32 }, { u64 } or a number");
  Napi::Object o = v.As<Napi::Object>();
  if (o.Get("u64").IsNumber()) {
    if (!GetIntField(env, o, "u64", "epoll_ctl", "epoll_data", 0, kMaxSafe, &x)) return false;
    data->u64 = static_cast<uint64_t>(x);
  } else if (o.Get("u32").IsNumber()) {
    if (!GetIntField(env, o, "u32", "epoll_ctl", "epoll_data", 0, UINT32_MAX, &x)) return false;
    data->u32 = static_cast<uint32_t>(x);
  } else if (o.Get("fd").IsNumber()) {
    if (!GetIntField(env, o, "fd", "epoll_ctl", "epoll_data", INT32_MIN, INT32_MAX, &x)) return false;
    data->fd = static_cast<int>(x);
  } else {
    return ThrowType(env, "epoll_ctl", "event.data must set one member of the union: fd, u32 or u64");
  }
  return true;
}

// epoll_ctl(epfd, op, fd, event | null)
Napi::Value EpollCtl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int epfd, op, fd;
  if (!GetFd(info, 0, "epoll_ctl", &epfd) || !GetInt(info, 1, "epoll_ctl", "op", &op) || !GetFd(info, 2, "epoll_ctl", &fd)) {
    return Napi::Value();
  }
  epoll_event ev;
  memset(&ev, 0, sizeof ev);
  bool has = !IsNone(info[3]);
  if (has) {
    if (!info[3].IsObject()) return ThrowType(env, "epoll_ctl", "event must be an epoll_event { events, data } or null"), Napi::Value();
    Napi::Object o = info[3].As<Napi::Object>();
    int64_t events;
    epoll_data_t data;  // epoll_event is packed on x86-64: fill an aligned copy
    // events may come as a negative int32 when EPOLLET (bit 31) was or-ed in TypeScript.
    if (!GetIntField(env, o, "events", "epoll_ctl", "epoll_event", INT32_MIN, UINT32_MAX, &events) ||
        !GetEpollData(env, o.Get("data"), &data)) {
      return Napi::Value();
    }
    ev.events = static_cast<uint32_t>(events);
    ev.data = data;
  }
  return Direct(env, [&] { return epoll_ctl(epfd, op, fd, has ? &ev : nullptr); });
}

// The kernel's events, reused per thread: a server calls epoll_wait in a loop.
thread_local std::vector<epoll_event> t_events;
constexpr int64_t kMaxBatch = 65536;  // epoll_wait returns at most maxevents; fewer is its right

// epoll_wait's results go to TypeScript as 3 words per event in a Uint32Array
// (events, then the 8 bytes of the union as two words in memory order), which
// the TypeScript side copies into the caller's epoll_event objects: property
// writes from JIT-compiled code cost far less than from here.
Napi::Value EpollWaitImpl(const Napi::CallbackInfo& info, const char* fn, bool pwait) {
  Napi::Env env = info.Env();
  int epfd, timeout;
  int64_t maxevents;
  bool has_mask = false;
  sigset_t mask;
  if (!BlockingFirst(env) || !GetFd(info, 0, fn, &epfd) ||
      !GetInt64(info, 2, fn, "maxevents", INT32_MIN, INT32_MAX, &maxevents) || !GetMs(info, 3, fn, &timeout) ||
      (pwait && !GetSigmask(info, 4, fn, &has_mask, &mask))) {
    return Napi::Value();
  }
  // maxevents <= 0 reaches the kernel, which answers EINVAL.
  int max = static_cast<int>(std::min(maxevents, kMaxBatch));
  // Checked again after the wait: another thread may have transferred it meanwhile.
  auto results_ok = [&] {
    return (info[1].IsTypedArray() && info[1].As<Napi::TypedArray>().TypedArrayType() == napi_uint32_array &&
            info[1].As<Napi::Uint32Array>().ElementLength() >= 3 * static_cast<size_t>(std::max(max, 1))) ||
           ThrowType(env, fn, "internal: the results array must be a Uint32Array of 3 * maxevents (not transferred)");
  };
  if (!results_ok()) return Napi::Value();
  t_events.resize(static_cast<size_t>(std::max(max, 1)));
  epoll_event* evs = t_events.data();
  int64_t deadline = timeout >= 0 ? NowNs() + static_cast<int64_t>(timeout) * 1000000 : -1;
  int ms = timeout;
  long r;
  if (!Wait(env,
            [&] {
              return pwait ? epoll_pwait(epfd, evs, max, ms, has_mask ? &mask : nullptr) : epoll_wait(epfd, evs, max, ms);
            },
            [&] {
              if (deadline >= 0) ms = LeftMs(deadline);
              return true;
            }, &r)) {
    return Napi::Value();
  }
  // Taken after the wait, with the lock held again: no JS has run since the
  // kernel filled evs, and none runs until the copy is done.
  if (!results_ok()) return Napi::Value();
  uint32_t* out = info[1].As<Napi::Uint32Array>().Data();
  for (long k = 0; k < r; k++) {
    uint32_t words[2];
    epoll_data_t data = evs[k].data;
    memcpy(words, &data, sizeof words);
    out[3 * k] = evs[k].events;
    out[3 * k + 1] = words[0];
    out[3 * k + 2] = words[1];
  }
  return Result(env, r);
}

// epoll_wait(epfd, events, maxevents, timeout): fills events[0 .. n-1].
Napi::Value EpollWait(const Napi::CallbackInfo& info) { return EpollWaitImpl(info, "epoll_wait", false); }
// epoll_pwait(epfd, events, maxevents, timeout, sigmask)
Napi::Value EpollPwait(const Napi::CallbackInfo& info) { return EpollWaitImpl(info, "epoll_pwait", true); }

#endif  // SL_HAVE_EPOLL

// ---- kqueue (macOS, the BSDs) ---------------------------------------------------
// Runs on those systems only. The test suite, which runs on Linux, compiles
// it against stand-in headers (test/macos-compile.test.ts) so that it cannot rot.
#ifdef SL_HAVE_KQUEUE

Napi::Value Kqueue(const Napi::CallbackInfo& info) {
  return Direct(info.Env(), [] { return kqueue(); });
}

bool GetKevent(Napi::Env env, Napi::Value v, size_t k, struct kevent* kev) {
  if (!v.IsObject()) {
    return ThrowType(env, "kevent", ("changelist[" + std::to_string(k) + "] must be a kevent { ident, filter, flags, fflags, data, udata }").c_str());
  }
  Napi::Object o = v.As<Napi::Object>();
  int64_t ident, filter, flags, fflags, data, udata;
  // data and udata may be absent (0, as in a bzero'd struct).
  if (!GetIntField(env, o, "ident", "kevent", "kevent", 0, kMaxSafe, &ident) ||
      !GetIntField(env, o, "filter", "kevent", "kevent", INT16_MIN, INT16_MAX, &filter) ||
      !GetIntField(env, o, "flags", "kevent", "kevent", 0, UINT16_MAX, &flags) ||
      !GetIntField(env, o, "fflags", "kevent", "kevent", 0, UINT32_MAX, &fflags) ||
      !GetIntField(env, o, "data", "kevent", "kevent", -kMaxSafe, kMaxSafe, &data, 0) ||
      !GetIntField(env, o, "udata", "kevent", "kevent", 0, kMaxSafe, &udata, 0)) {
    return false;
  }
  EV_SET(kev, static_cast<uintptr_t>(ident), static_cast<int16_t>(filter), static_cast<uint16_t>(flags),
         static_cast<uint32_t>(fflags), static_cast<intptr_t>(data),
         reinterpret_cast<void*>(static_cast<uintptr_t>(udata)));
  return true;
}

// kevent(kq, changelist | null, nchanges, eventlist | null, nevents, timeout | null)
Napi::Value Kevent(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int kq;
  if (!BlockingFirst(env) || !GetFd(info, 0, "kevent", &kq)) return Napi::Value();
  std::vector<struct kevent> changes, events;
  Napi::Array carr, earr;
  int64_t nchanges = 0, nevents = 0;
  if (!IsNone(info[1]) || !IsNone(info[2])) {
    if (!GetArray(info, 1, 2, "kevent", "changelist", "nchanges", "kevent", &carr, &nchanges, false)) return Napi::Value();
    changes.resize(static_cast<size_t>(nchanges));
    for (size_t k = 0; k < changes.size(); k++) {
      if (!GetKevent(env, carr.Get(static_cast<uint32_t>(k)), k, &changes[k])) return Napi::Value();
    }
  }
  if (!IsNone(info[3]) || !IsNone(info[4])) {
    if (!GetArray(info, 3, 4, "kevent", "eventlist", "nevents", "kevent", &earr, &nevents, false)) return Napi::Value();
    events.resize(static_cast<size_t>(std::min<int64_t>(nevents, 65536)));
  }
  bool has_ts;
  timespec ts{};
  if (!GetTimespec(env, info[5], "kevent", "timeout", &ts, &has_ts)) return Napi::Value();
  int64_t deadline = Deadline(has_ts, ts.tv_sec, ts.tv_nsec, 1);
  long r;
  int nc = static_cast<int>(changes.size());
  if (!Wait(env,
            [&] {
              return kevent(kq, changes.data(), nc, events.data(), static_cast<int>(events.size()), has_ts ? &ts : nullptr);
            },
            [&] {
              nc = 0;  // the changes were applied before the wait began
              if (deadline >= 0) {
                int64_t left = LeftNs(deadline);
                ts.tv_sec = static_cast<time_t>(left / kNsPerSec);
                ts.tv_nsec = static_cast<long>(left % kNsPerSec);
              }
              return true;
            },
            &r)) {
    return Napi::Value();
  }
  for (long k = 0; k < r; k++) {
    const struct kevent& ev = events[static_cast<size_t>(k)];
    Napi::Value slot = earr.Get(static_cast<uint32_t>(k));
    Napi::Object o;
    if (slot.IsObject()) {
      o = slot.As<Napi::Object>();
    } else {
      o = Napi::Object::New(env);
      earr.Set(static_cast<uint32_t>(k), o);
    }
    o.Set("ident", Napi::Number::New(env, static_cast<double>(ev.ident)));
    o.Set("filter", Napi::Number::New(env, ev.filter));
    o.Set("flags", Napi::Number::New(env, ev.flags));
    o.Set("fflags", Napi::Number::New(env, ev.fflags));
    o.Set("data", Napi::Number::New(env, static_cast<double>(ev.data)));
    o.Set("udata", Napi::Number::New(env, static_cast<double>(reinterpret_cast<uintptr_t>(ev.udata))));
  }
  return Result(env, r);
}

#endif  // SL_HAVE_KQUEUE

}  // namespace

void InitSelect(Napi::Env env, Napi::Object exports) {
  SetFn(env, exports, "select", Select);
  SetFn(env, exports, "pselect", Pselect);
  SetFn(env, exports, "poll", Poll);
  SetFn(env, exports, "ioctl", Ioctl);
  SetFn(env, exports, "fd_set_probe", FdSetProbe);
  SetFn(env, exports, "fd_isset_probe", FdIssetProbe);
#ifdef SL_HAVE_EPOLL
  SetFn(env, exports, "epoll_create", EpollCreate);
  SetFn(env, exports, "epoll_create1", EpollCreate1);
  SetFn(env, exports, "epoll_ctl", EpollCtl);
  SetFn(env, exports, "epoll_wait", EpollWait);
  SetFn(env, exports, "epoll_pwait", EpollPwait);
#endif
#ifdef SL_HAVE_KQUEUE
  SetFn(env, exports, "kqueue", Kqueue);
  SetFn(env, exports, "kevent", Kevent);
#endif
}

}  // namespace sl
