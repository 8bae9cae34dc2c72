// Files: open, creat, lseek, stat / fstat / lstat, unlink, mkdir, rmdir,
// mkfifo, access, ftruncate, truncate, umask, and memory mappings (mmap,
// munmap, msync) handed to TypeScript as a Uint8Array over the real mapping.
#include "blocking.h"
#include "common.h"
#include "napi_v8.h"  // ToV8, ToNapi

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <signal.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sl {
namespace {


bool GetPath(const Napi::CallbackInfo& info, size_t i, const char* fn, std::string* path) {
  return GetCString(info.Env(), info[i], fn, "pathname", path);
}

// A mode_t argument: permission bits and the set-id / sticky bits.
bool GetMode(const Napi::CallbackInfo& info, size_t i, const char* fn, mode_t* mode) {
  int64_t v;
  if (!GetInt64(info, i, fn, "mode", 0, 07777, &v)) return false;
  *mode = static_cast<mode_t>(v);
  return true;
}

// open may block (a FIFO waits for its other end), and SA_RESTART restarts
// it then (signal(7)). glibc's fortified open refuses O_CREAT without a mode
// at compile time; here that is a TypeError, since C would use garbage.
Napi::Value OpenAt(const Napi::CallbackInfo& info, const char* fn, const std::string& path, int flags, size_t mode_at) {
  mode_t mode = 0;
  bool needs_mode = (flags & O_CREAT) != 0;
#ifdef O_TMPFILE
  needs_mode = needs_mode || (flags & O_TMPFILE) == O_TMPFILE;
#endif
  bool given = info.Length() > mode_at && !info[mode_at].IsUndefined();
  if (needs_mode && !given) {
    return ThrowType(info.Env(), fn, "mode is required with O_CREAT (as in C: open(path, flags, mode))"), Napi::Value();
  }
  if (given && !GetMode(info, mode_at, fn, &mode)) return Napi::Value();
  long r;
  if (!Blocking(info.Env(), [&] { return open(path.c_str(), flags, mode); }, &r)) return Napi::Value();
  return Result(info.Env(), static_cast<double>(r));
}

// open(pathname, flags, mode?)
Napi::Value Open(const Napi::CallbackInfo& info) {
  std::string path;
  int flags;
  if (!GetPath(info, 0, "open", &path) || !GetInt(info, 1, "open", "flags", &flags)) return Napi::Value();
  return OpenAt(info, "open", path, flags, 2);
}

// creat(pathname, mode): open(pathname, O_CREAT | O_WRONLY | O_TRUNC, mode).
Napi::Value Creat(const Napi::CallbackInfo& info) {
  std::string path;
  if (!GetPath(info, 0, "creat", &path)) return Napi::Value();
  return OpenAt(info, "creat", path, O_CREAT | O_WRONLY | O_TRUNC, 1);
}

// lseek(fd, offset, whence): the new offset, or -1 (EBADF, EINVAL, ESPIPE).
Napi::Value Lseek(const Napi::CallbackInfo& info) {
  int fd, whence;
  int64_t offset;
  if (!GetFd(info, 0, "lseek", &fd) || !GetInt64(info, 1, "lseek", "offset", -kMaxSafe, kMaxSafe, &offset) ||
      !GetInt(info, 2, "lseek", "whence", &whence)) {
    return Napi::Value();
  }
  return Direct(info.Env(), [&] { return lseek(fd, static_cast<off_t>(offset), whence); });
}

// ---- stat -------------------------------------------------------------------

bool CheckStatbuf(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  if (info[i].IsObject() && !info[i].IsFunction()) return true;
  return ThrowType(info.Env(), fn, "statbuf must be an object (new struct_stat())");
}

Napi::Object Timespec(Napi::Env env, const struct timespec& ts) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("tv_sec", static_cast<double>(ts.tv_sec));
  o.Set("tv_nsec", static_cast<double>(ts.tv_nsec));
  return o;
}

// Copies C's struct stat into the object, field by field. The object's own
// setters may throw: then that exception is what the call reports.
Napi::Value PutStat(const Napi::CallbackInfo& info, size_t i, const struct stat& st) {
  Napi::Env env = info.Env();
  Napi::Object o = info[i].As<Napi::Object>();
#ifdef __APPLE__
  const struct timespec &atim = st.st_atimespec, &mtim = st.st_mtimespec, &ctim = st.st_ctimespec;
#else
  const struct timespec &atim = st.st_atim, &mtim = st.st_mtim, &ctim = st.st_ctim;
#endif
  // Inode and device numbers are 64-bit; past 2^53 a JS number rounds them.
  const std::pair<const char*, double> fields[] = {
      {"st_dev", static_cast<double>(st.st_dev)},       {"st_ino", static_cast<double>(st.st_ino)},
      {"st_mode", static_cast<double>(st.st_mode)},     {"st_nlink", static_cast<double>(st.st_nlink)},
      {"st_uid", static_cast<double>(st.st_uid)},       {"st_gid", static_cast<double>(st.st_gid)},
      {"st_rdev", static_cast<double>(st.st_rdev)},     {"st_size", static_cast<double>(st.st_size)},
      {"st_blksize", static_cast<double>(st.st_blksize)}, {"st_blocks", static_cast<double>(st.st_blocks)},
  };
  for (const auto& [name, value] : fields) {
    o.Set(name, value);
    if (env.IsExceptionPending()) return Napi::Value();
  }
  const std::pair<const char*, const struct timespec*> times[] = {{"st_atim", &atim}, {"st_mtim", &mtim}, {"st_ctim", &ctim}};
  for (const auto& [name, ts] : times) {
    o.Set(name, Timespec(env, *ts));
    if (env.IsExceptionPending()) return Napi::Value();
  }
  return Result(env, 0);
}

// stat(pathname, statbuf) and lstat(pathname, statbuf).
template <int (*Call)(const char*, struct stat*)>
Napi::Value StatPath(const Napi::CallbackInfo& info, const char* fn) {
  std::string path;
  if (!GetPath(info, 0, fn, &path) || !CheckStatbuf(info, 1, fn)) return Napi::Value();
  struct stat st;
  if (Call(path.c_str(), &st) == -1) return Fail(info.Env(), errno);
  return PutStat(info, 1, st);
}

Napi::Value Stat(const Napi::CallbackInfo& info) { return StatPath<stat>(info, "stat"); }
Napi::Value Lstat(const Napi::CallbackInfo& info) { return StatPath<lstat>(info, "lstat"); }

Napi::Value Fstat(const Napi::CallbackInfo& info) {
  int fd;
  if (!GetFd(info, 0, "fstat", &fd) || !CheckStatbuf(info, 1, "fstat")) return Napi::Value();
  struct stat st;
  if (fstat(fd, &st) == -1) return Fail(info.Env(), errno);
  return PutStat(info, 1, st);
}

// ---- names in the file system ---------------------------------------------------

template <int (*Call)(const char*)>
Napi::Value PathCall(const Napi::CallbackInfo& info, const char* fn) {
  std::string path;
  if (!GetPath(info, 0, fn, &path)) return Napi::Value();
  return Direct(info.Env(), [&] { return Call(path.c_str()); });
}

Napi::Value Unlink(const Napi::CallbackInfo& info) { return PathCall<unlink>(info, "unlink"); }
Napi::Value Rmdir(const Napi::CallbackInfo& info) { return PathCall<rmdir>(info, "rmdir"); }

template <int (*Call)(const char*, mode_t)>
Napi::Value PathModeCall(const Napi::CallbackInfo& info, const char* fn) {
  std::string path;
  mode_t mode;
  if (!GetPath(info, 0, fn, &path) || !GetMode(info, 1, fn, &mode)) return Napi::Value();
  return Direct(info.Env(), [&] { return Call(path.c_str(), mode); });
}

Napi::Value Mkdir(const Napi::CallbackInfo& info) { return PathModeCall<mkdir>(info, "mkdir"); }
Napi::Value Mkfifo(const Napi::CallbackInfo& info) { return PathModeCall<mkfifo>(info, "mkfifo"); }

// access(pathname, mode): mode is F_OK or R_OK | W_OK | X_OK; others EINVAL.
Napi::Value Access(const Napi::CallbackInfo& info) {
  std::string path;
  int mode;
  if (!GetPath(info, 0, "access", &path) || !GetInt(info, 1, "access", "mode", &mode)) return Napi::Value();
  return Direct(info.Env(), [&] { return access(path.c_str(), mode); });
}

// ftruncate(fd, length) and truncate(pathname, length): a negative length is
// the kernel's EINVAL, as in C.
Napi::Value Ftruncate(const Napi::CallbackInfo& info) {
  int fd;
  int64_t length;
  if (!GetFd(info, 0, "ftruncate", &fd) || !GetInt64(info, 1, "ftruncate", "length", -kMaxSafe, kMaxSafe, &length)) {
    return Napi::Value();
  }
  return Direct(info.Env(), [&] { return ftruncate(fd, static_cast<off_t>(length)); });
}

Napi::Value Truncate(const Napi::CallbackInfo& info) {
  std::string path;
  int64_t length;
  if (!GetPath(info, 0, "truncate", &path) || !GetInt64(info, 1, "truncate", "length", -kMaxSafe, kMaxSafe, &length)) {
    return Napi::Value();
  }
  return Direct(info.Env(), [&] { return truncate(path.c_str(), static_cast<off_t>(length)); });
}

// umask(mask): the previous mask; it never fails.
Napi::Value Umask(const Napi::CallbackInfo& info) {
  mode_t mask;
  if (!GetMode(info, 0, "umask", &mask)) return Napi::Value();
  return Result(info.Env(), static_cast<double>(umask(mask & 0777)));
}

// ---- mmap -----------------------------------------------------------------------
// A mapping is a Uint8Array over the mapped pages themselves. What C leaves
// to a segfault or a SIGBUS must not reach the process here:
//  - munmap detaches the ArrayBuffer: every view of it (subarrays too) then
//    has length 0, and a touch reads undefined instead of unmapped memory.
//  - The pages stay reserved (PROT_NONE, no file behind them) until V8 lets
//    go of the buffer, so that no new mapping can take the address while a
//    blocking call of another thread still holds it (it gets EFAULT), and
//    V8 never sees two buffers over one address.
//  - A mapping the program loses without munmap is unmapped when the GC
//    frees its buffer (C would leak it until exit; nobody can tell).
//  - JS cannot be stopped from writing into a Uint8Array: a PROT_READ
//    mapping is made private and writable, so such a write changes this
//    process's copy only and never the file (C: SIGSEGV).
//  - Pages wholly past the end of a regular file raise SIGBUS when touched:
//    such a length is refused with ENXIO (POSIX's errno for a range the
//    object does not have). The partial page at the end reads as zeros.
//  - A file that shrinks under its mapping (ftruncate, O_TRUNC, another
//    process) leaves pages past its end: a SIGBUS there puts a private page
//    of zeros in their place and the access goes on (GuardBus below).

struct Mapping {
  void* addr;
  size_t length;
};

std::mutex g_mappings_mutex;
std::unordered_map<uintptr_t, Mapping*> g_mappings;  // live (not munmapped) mappings by address

size_t PageSize() {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

size_t RoundUp(size_t n) { return (n + PageSize() - 1) / PageSize() * PageSize(); }

// ---- SIGBUS past the end of a file --------------------------------------------
// The live file mappings, for the SIGBUS handler, which can take no lock: a
// slot is free when its start is 0. vm.max_map_count (65530 by default) bounds
// how many mappings a Linux process has; past kSlots a mapping is unguarded.
constexpr size_t kSlots = 65536;
struct Slot {
  std::atomic<uintptr_t> start{0};
  std::atomic<size_t> length{0};
};
Slot g_slots[kSlots];
std::atomic<size_t> g_slots_used{0};  // the high-water mark: the handler looks below it
struct sigaction g_old_bus;
std::once_flag g_bus_installed;

void BusHandler(int sig, siginfo_t* si, void* context) {
  int saved = errno;
  uintptr_t addr = reinterpret_cast<uintptr_t>(si->si_addr);
  size_t used = g_slots_used.load(std::memory_order_acquire);
  for (size_t i = 0; i < used; i++) {
    uintptr_t start = g_slots[i].start.load(std::memory_order_acquire);
    if (start == 0 || addr < start || addr - start >= g_slots[i].length.load(std::memory_order_acquire)) continue;
    // A page the file no longer has: zeros in its place, private to us, and
    // the faulting access runs again on it.
    uintptr_t page = addr & ~(static_cast<uintptr_t>(PageSize()) - 1);
    void* r = mmap(reinterpret_cast<void*>(page), PageSize(), PROT_READ | PROT_WRITE,
                   MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    errno = saved;
    if (r != MAP_FAILED) return;
    break;
  }
  // Not ours: what was there before decides (by default, the process ends
  // with SIGBUS when the access runs again).
  if (g_old_bus.sa_flags & SA_SIGINFO) {
    if (g_old_bus.sa_sigaction != nullptr) return g_old_bus.sa_sigaction(sig, si, context);
  } else if (g_old_bus.sa_handler != SIG_DFL && g_old_bus.sa_handler != SIG_IGN) {
    return g_old_bus.sa_handler(sig);
  }
  sigaction(SIGBUS, &g_old_bus, nullptr);
  errno = saved;
}

void GuardBus(void* start, size_t length) {
  std::call_once(g_bus_installed, [] {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = BusHandler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &g_old_bus);
  });
  for (size_t i = 0; i < kSlots; i++) {
    if (g_slots[i].start.load(std::memory_order_relaxed) != 0) continue;
    // Claim the slot through its length, then publish the start.
    size_t zero = 0;
    if (!g_slots[i].length.compare_exchange_strong(zero, length)) continue;
    g_slots[i].start.store(reinterpret_cast<uintptr_t>(start), std::memory_order_release);
    size_t used = g_slots_used.load();
    while (used < i + 1 && !g_slots_used.compare_exchange_weak(used, i + 1)) {
    }
    return;
  }
}

void UnguardBus(void* start) {
  size_t used = g_slots_used.load(std::memory_order_acquire);
  for (size_t i = 0; i < used; i++) {
    if (g_slots[i].start.load(std::memory_order_acquire) != reinterpret_cast<uintptr_t>(start)) continue;
    g_slots[i].start.store(0, std::memory_order_release);
    g_slots[i].length.store(0, std::memory_order_release);  // the slot is free again
    return;
  }
}

// The backing store's deleter: V8 no longer holds the memory (the buffer was
// collected, or detached by munmap with no other holder). Any thread.
void ReleaseMapping(void* data, size_t length, void* deleter_data) {
  Mapping* m = static_cast<Mapping*>(deleter_data);
  {
    std::lock_guard<std::mutex> lock(g_mappings_mutex);
    auto it = g_mappings.find(reinterpret_cast<uintptr_t>(m->addr));
    if (it != g_mappings.end() && it->second == m) g_mappings.erase(it);
  }
  UnguardBus(m->addr);  // (none left after munmap)
  munmap(m->addr, m->length);
  delete m;
}

bool GetNullAddr(const Napi::CallbackInfo& info, const char* fn) {
  Napi::Value v = info[0];
  if (v.IsNull() || v.IsUndefined() || (v.IsNumber() && v.As<Napi::Number>().DoubleValue() == 0)) return true;
  return ThrowType(info.Env(), fn, "addr must be null (the kernel chooses the address; MAP_FIXED is not offered)");
}

// mmap(addr, length, prot, flags, fd, offset): a Uint8Array over the
// mapping, or MAP_FAILED (null) with errno.
Napi::Value Mmap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t length, offset;
  int prot, flags, fd;
  if (!GetNullAddr(info, "mmap") ||
      !GetInt64(info, 1, "mmap", "length", 0, static_cast<int64_t>(v8::Uint8Array::kMaxLength), &length) ||
      !GetInt(info, 2, "mmap", "prot", &prot) || !GetInt(info, 3, "mmap", "flags", &flags) ||
      !GetFd(info, 4, "mmap", &fd) || !GetInt64(info, 5, "mmap", "offset", -kMaxSafe, kMaxSafe, &offset)) {
    return Napi::Value();
  }
  auto failed = [&](int err) {
    saved_errno = err;
    return env.Null();
  };
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) return failed(EINVAL);
  // Memory JS could not touch without a fault (PROT_NONE, write-only) or
  // would execute: not offered.
  if (!(prot & PROT_READ) || (prot & PROT_EXEC)) return failed(ENOTSUP);
#ifdef MAP_FIXED_NOREPLACE
  if (flags & MAP_FIXED_NOREPLACE) return failed(ENOTSUP);
#endif
  if (flags & MAP_FIXED) return failed(ENOTSUP);
  int real_prot = prot, real_flags = flags;
  if (!(prot & PROT_WRITE)) {
    real_prot = PROT_READ | PROT_WRITE;
    real_flags = (flags & ~(MAP_SHARED | MAP_PRIVATE)) | MAP_PRIVATE;
    if ((flags & (MAP_SHARED | MAP_PRIVATE)) == 0) real_flags = flags;  // the kernel's EINVAL stays
  }
  bool anonymous = (flags & MAP_ANONYMOUS) != 0;
  if (!anonymous && length > 0 && offset >= 0 && offset % static_cast<int64_t>(PageSize()) == 0) {
    struct stat st;
    if (fstat(fd, &st) == -1) return failed(errno);
    if (S_ISREG(st.st_mode) &&
        static_cast<uint64_t>(offset) + static_cast<uint64_t>(length) > RoundUp(static_cast<size_t>(st.st_size))) {
      return failed(ENXIO);  // pages past the end of the file: SIGBUS when touched
    }
  }
  void* p = mmap(nullptr, static_cast<size_t>(length), real_prot, real_flags, fd, static_cast<off_t>(offset));
  if (p == MAP_FAILED) return failed(errno);

  if (!anonymous) GuardBus(p, static_cast<size_t>(length));
  Mapping* m = new Mapping{p, static_cast<size_t>(length)};
  {
    std::lock_guard<std::mutex> lock(g_mappings_mutex);
    g_mappings[reinterpret_cast<uintptr_t>(p)] = m;
  }
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  std::unique_ptr<v8::BackingStore> store =
      v8::ArrayBuffer::NewBackingStore(p, static_cast<size_t>(length), ReleaseMapping, m);
  v8::Local<v8::ArrayBuffer> ab = v8::ArrayBuffer::New(isolate, std::move(store));  // owns m from here
  return Napi::Value(env, ToNapi(v8::Uint8Array::New(ab, 0, static_cast<size_t>(length))));
}

// The start of the buffer that addr (a view of mmap's buffer, from its
// start) is over, or nullptr for a detached buffer or a view from further in.
// False after a TypeError.
bool ViewStart(const Napi::CallbackInfo& info, const char* fn, v8::Local<v8::ArrayBuffer>* ab, void** start) {
  Napi::Env env = info.Env();
  bool is = false;
  if ((napi_is_typedarray(env, info[0], &is) != napi_ok || !is) && (napi_is_dataview(env, info[0], &is) != napi_ok || !is)) {
    return ThrowType(env, fn, "addr must be the Uint8Array that mmap returned");
  }
  v8::Local<v8::ArrayBufferView> v = ToV8(info[0]).As<v8::ArrayBufferView>();
  *ab = v->Buffer();
  *start = (*ab)->WasDetached() || v->ByteOffset() != 0 ? nullptr : (*ab)->Data();
  return true;
}

// The live mapping at start, with g_mappings_mutex held. Nothing that may
// run the GC (a JS value made, a JS call) may happen under that lock: the GC
// can run ReleaseMapping on this thread, which takes it too.
Mapping* LiveMapping(void* start) {
  if (start == nullptr) return nullptr;
  auto it = g_mappings.find(reinterpret_cast<uintptr_t>(start));
  return it == g_mappings.end() ? nullptr : it->second;
}

// munmap(addr, length): addr is what mmap returned, length what was mapped
// (rounded up to pages, as the kernel does). Part of a mapping cannot be
// unmapped here (the buffer is all or nothing): EINVAL, as for an address
// that is not a mapping, or one unmapped already.
Napi::Value Munmap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  v8::Local<v8::ArrayBuffer> ab;
  void* start;
  int64_t length;
  if (!ViewStart(info, "munmap", &ab, &start) || !GetInt64(info, 1, "munmap", "length", 0, kMaxSafe, &length)) {
    return Napi::Value();
  }
  int err = 0;
  {
    std::lock_guard<std::mutex> lock(g_mappings_mutex);
    Mapping* m = LiveMapping(start);
    if (m == nullptr || length == 0 || RoundUp(m->length) != RoundUp(static_cast<size_t>(length))) {
      err = EINVAL;
    } else if (mmap(m->addr, m->length, PROT_NONE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) ==
               MAP_FAILED) {
      // (Above: the file gets its pages back now, as with munmap, but the
      // addresses stay reserved until the deleter runs.)
      err = errno;
    } else {
      g_mappings.erase(reinterpret_cast<uintptr_t>(m->addr));
      UnguardBus(m->addr);
    }
  }
  if (err != 0) return Fail(env, err);
  // Every view of the buffer now has length 0. With no other holder, V8
  // runs the deleter here, which releases the reservation.
  if (napi_detach_arraybuffer(env, ToNapi(ab)) != napi_ok) {
    return ThrowType(env, "munmap", "the mapping's ArrayBuffer could not be detached"), Napi::Value();
  }
  return Result(env, 0);
}

// msync(addr, length, flags): MS_SYNC / MS_ASYNC / MS_INVALIDATE, over the
// first length bytes of a live mapping (EINVAL otherwise; ENOMEM past it).
Napi::Value Msync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  v8::Local<v8::ArrayBuffer> ab;
  void* start;
  int64_t length;
  int flags;
  if (!ViewStart(info, "msync", &ab, &start) || !GetInt64(info, 1, "msync", "length", 0, kMaxSafe, &length) ||
      !GetInt(info, 2, "msync", "flags", &flags)) {
    return Napi::Value();
  }
  size_t mapped;
  {
    std::lock_guard<std::mutex> lock(g_mappings_mutex);
    Mapping* m = LiveMapping(start);
    mapped = m == nullptr ? 0 : m->length;
  }
  if (mapped == 0) return Fail(env, EINVAL);
  if (static_cast<uint64_t>(length) > RoundUp(mapped)) return Fail(env, ENOMEM);
  // The buffer (held by ab) keeps the addresses ours, mapped or reserved.
  return Direct(env, [&] { return msync(start, static_cast<size_t>(length), flags); });
}

}  // namespace

void InitFile(Napi::Env env, Napi::Object exports) {
  SetFn(env, exports, "open", Open);
  SetFn(env, exports, "creat", Creat);
  SetFn(env, exports, "lseek", Lseek);
  SetFn(env, exports, "stat", Stat);
  SetFn(env, exports, "lstat", Lstat);
  SetFn(env, exports, "fstat", Fstat);
  SetFn(env, exports, "unlink", Unlink);
  SetFn(env, exports, "mkdir", Mkdir);
  SetFn(env, exports, "rmdir", Rmdir);
  SetFn(env, exports, "mkfifo", Mkfifo);
  SetFn(env, exports, "access", Access);
  SetFn(env, exports, "ftruncate", Ftruncate);
  SetFn(env, exports, "truncate", Truncate);
  SetFn(env, exports, "umask", Umask);
  SetFn(env, exports, "mmap", Mmap);
  SetFn(env, exports, "munmap", Munmap);
  SetFn(env, exports, "msync", Msync);
}

}  // namespace sl
