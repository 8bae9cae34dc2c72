// Processes: a fork() that gives a working Node child, waitpid and the status
// macros, _exit, getpid, getppid, kill, alarm (raise, pause and sigsuspend
// are with the signals, in signal.cc), and fork_warmup, which makes a
// parent cheaper to fork.
//
// A plain fork() from an addon does not work in Node (see DESIGN.md): V8's
// heap is marked MADV_DONTFORK, and the platform's worker threads, absent in
// the child, leave condition variables that block the first task V8 posts.
// So: park every worker inside a task of ours (kept parked for a short lease
// across a burst of forks), mark every mapping DOFORK, fork, let the workers
// go in the parent; in the child, re-create the event loop's kernel state
// (uv_loop_fork) and watch for the loop running dry, where Node would wait
// for the missing workers. The TypeScript side makes every way out of the
// child end in _exit.
#include "blocking.h"
#include "common.h"
#include "jslock.h"  // JsLockAfterFork
#include "napi_v8.h"  // ToV8, ToNapi
#include "signal.h"
#include "thread.h"

// node.h's node_version.h states the runtime's NAPI_VERSION; keep the one
// the rest of the addon is built with.
#pragma push_macro("NAPI_VERSION")
#undef NAPI_VERSION
#include <node.h>
#undef NAPI_VERSION
#pragma pop_macro("NAPI_VERSION")
#include <uv.h>

#include <signal.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

namespace sl {

void ForgetAllChildrenAfterFork();

namespace {

// ---- parking the platform's worker threads --------------------------------

struct Park {
  std::mutex m;
  std::condition_variable cv;
  int arrived = 0;
  bool released = false;

  void Release() {
    std::lock_guard<std::mutex> lock(m);
    released = true;
    cv.notify_all();
  }
};

class ParkTask : public v8::Task {
 public:
  explicit ParkTask(std::shared_ptr<Park> park) : park_(std::move(park)) {}
  void Run() override {
    std::unique_lock<std::mutex> lock(park_->m);
    park_->arrived++;
    park_->cv.notify_all();
    park_->cv.wait(lock, [this] { return park_->released; });
  }

 private:
  std::shared_ptr<Park> park_;
};

void PostToWorker(node::MultiIsolatePlatform* platform, std::unique_ptr<v8::Task> task) {
#if V8_MAJOR_VERSION >= 13
  platform->PostTaskOnWorkerThread(v8::TaskPriority::kUserBlocking, std::move(task));
#else
  platform->CallOnWorkerThread(std::move(task));
#endif
}

// Posts one blocking task per worker and waits, bounded, until every worker
// sits in one. NumberOfWorkerThreads() also counts Node's delayed-task
// scheduler thread, which never runs such a task: the workers are one fewer.
bool ParkWorkers(node::MultiIsolatePlatform* platform, const std::shared_ptr<Park>& park) {
  int workers = platform->NumberOfWorkerThreads() - 1;
  for (int i = 0; i < workers; i++) PostToWorker(platform, std::make_unique<ParkTask>(park));
  std::unique_lock<std::mutex> lock(park->m);
  return park->cv.wait_for(lock, std::chrono::seconds(5), [&] { return park->arrived >= workers; });
}

// Parking wakes every worker twice, which on a busy machine costs the forking
// thread more than the fork itself. A server that forks per connection forks
// again within a millisecond, so the workers stay parked for a short lease
// after a fork (kLinger, at most kMaxLease in a row) and a thread of ours,
// not the main thread, lets them go: V8 waiting on a worker task never waits
// on us for longer than the lease.
constexpr auto kLinger = std::chrono::milliseconds(2);
constexpr auto kMaxLease = std::chrono::milliseconds(50);

struct Lease {
  std::mutex m;
  std::condition_variable cv;
  std::shared_ptr<Park> park;  // the workers parked now, or null
  std::chrono::steady_clock::time_point since, until;
  bool forking = false;        // a fork is using the park: keep it
  bool releaser = false;       // the releasing thread runs
};
Lease* g_lease = new Lease;    // never destroyed: the releaser may outlive the addon's env

void Releaser(Lease* lease) {
  std::unique_lock<std::mutex> lock(lease->m);
  for (;;) {
    // Nothing to release, or a fork is using the park: EndFork wakes us.
    // (A deadline here would be in the past while a fork runs: a busy loop.)
    if (lease->park == nullptr || lease->forking) {
      lease->cv.wait(lock);
      continue;
    }
    auto deadline = std::min(lease->until, lease->since + kMaxLease);
    if (std::chrono::steady_clock::now() >= deadline) {
      lease->park->Release();
      lease->park = nullptr;
      continue;
    }
    lease->cv.wait_until(lock, deadline);
  }
}

// Makes sure the workers are parked for the fork about to happen.
bool AcquireParked(node::MultiIsolatePlatform* platform) {
  std::unique_lock<std::mutex> lock(g_lease->m);
  if (g_lease->park == nullptr) {
    auto park = std::make_shared<Park>();
    if (!ParkWorkers(platform, park)) {
      park->Release();
      return false;
    }
    g_lease->park = park;
    g_lease->since = std::chrono::steady_clock::now();
  }
  g_lease->forking = true;
  // Without a releaser (no thread to be had), EndFork lets the workers go itself.
  if (!g_lease->releaser) g_lease->releaser = StartHelperThread([lease = g_lease] { Releaser(lease); });
  return true;
}

void EndFork() {
  std::lock_guard<std::mutex> lock(g_lease->m);
  g_lease->forking = false;
  if (!g_lease->releaser) {
    g_lease->park->Release();
    g_lease->park = nullptr;
    return;
  }
  g_lease->until = std::chrono::steady_clock::now() + kLinger;
  g_lease->cv.notify_all();
}

// In a forked child there are no workers (and no releaser): nothing to park.
bool g_workers_gone = false;

void StartEndWatch(uv_loop_t* loop, node::Environment* node_env);

#ifdef __linux__
// V8 allocates its heap with MADV_DONTFORK: undo it on every mapping, or the
// child has no heap. Done after parking, so that no worker maps memory
// meanwhile.
//
// madvise walks every mapping of the range it is given, skipping holes
// (it then says ENOMEM), and stops only at a mapping that refuses (EINVAL:
// the kernel's [vvar]-style mappings). So a few calls over the ranges between
// those do it all; the ranges are found once from /proc/self/maps and kept.
// If a call is refused (a new such mapping), every mapping is done one by one
// and the ranges are found again.
std::vector<std::pair<uintptr_t, uintptr_t>> g_dofork_ranges;

void EachMapping(void (*fn)(uintptr_t start, uintptr_t end, const char* name, void* arg), void* arg) {
  FILE* maps = fopen("/proc/self/maps", "re");
  if (maps == nullptr) return;
  char line[512];
  while (fgets(line, sizeof line, maps) != nullptr) {
    unsigned long start, end;
    int name_at = 0;
    if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &start, &end, &name_at) >= 2) {
      char* nl = strchr(line, '\n');
      if (nl != nullptr) *nl = '\0';
      fn(start, end, name_at > 0 ? line + name_at : "", arg);
    }
    // A line longer than the buffer (a long path): skip its rest.
    while (strchr(line, '\n') == nullptr && strlen(line) == sizeof line - 1 && fgets(line, sizeof line, maps) != nullptr) {
    }
  }
  fclose(maps);
}

// The top of user space with 4-level page tables ([vsyscall] lies above it).
constexpr uintptr_t kUserTop = uintptr_t{1} << 47;

void FindDoforkRanges() {
  g_dofork_ranges.clear();
  uintptr_t from = 0;
  EachMapping([](uintptr_t start, uintptr_t end, const char* name, void* arg) {
    auto* from = static_cast<uintptr_t*>(arg);
    // The kernel's own mappings ([vvar], [vdso], [vsyscall]...) are left out.
    if (name[0] == '[' && strcmp(name, "[heap]") != 0 && strcmp(name, "[stack]") != 0) {
      if (start > *from && *from < kUserTop) g_dofork_ranges.emplace_back(*from, std::min(start, kUserTop));
      *from = end;
    }
  }, &from);
  if (from < kUserTop) g_dofork_ranges.emplace_back(from, kUserTop);
}

void MarkAllMappingsDoFork() {
  if (g_dofork_ranges.empty()) FindDoforkRanges();
  for (const auto& [start, end] : g_dofork_ranges) {
    if (madvise(reinterpret_cast<void*>(start), end - start, MADV_DOFORK) == -1 && errno == EINVAL) {
      EachMapping([](uintptr_t s, uintptr_t e, const char*, void*) {
        madvise(reinterpret_cast<void*>(s), e - s, MADV_DOFORK);
      }, nullptr);
      FindDoforkRanges();
      return;
    }
  }
}
#endif

// The children this process forked and has not reaped yet: waitpid(-1) must
// not take the children of child_process (libuv waits for those by pid).
std::mutex g_children_mutex;
std::unordered_set<pid_t> g_children;

void Forget(pid_t pid) {
  std::lock_guard<std::mutex> lock(g_children_mutex);
  g_children.erase(pid);
}

uv_loop_t* Loop(Napi::Env env) {
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  return loop;
}

// fork(): the pid in the parent, 0 in the child, -1 with errno.
Napi::Value Fork(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  node::Environment* node_env = node::GetCurrentEnvironment(isolate->GetCurrentContext());
  node::MultiIsolatePlatform* platform = node_env ? node::GetMultiIsolatePlatform(node_env) : nullptr;
  if (platform == nullptr) return Fail(env, ENOSYS);

  // The child would run on as this thread, without the main thread's event
  // loop: fork from the main thread only (not a pthread, nor a Worker).
  if (!OnMainThread()) return Fail(env, ENOTSUP);
  // A signal that came while TypeScript ran has its handler run now, in the
  // parent only: in C it ran when it came, before fork.
  if (!HandlePendingSignals(env)) return Napi::Value();
  if (!g_workers_gone && !AcquireParked(platform)) return Fail(env, EAGAIN);  // a worker stayed busy
#ifdef __linux__
  MarkAllMappingsDoFork();
#endif
  fflush(nullptr);  // the C library's own buffers, so that the child does not repeat them
  // Signals stay blocked across fork, so that none lands in the child before
  // it forgets the parent's pending ones (a child starts with none, POSIX).
  sigset_t all, mask;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &mask);
  // The lease's mutex is not held across fork (a copy of it held by the
  // releaser would stay locked in the child).
  InterrupterForkPrepare();  // no V8 interrupt request in flight across fork
  pid_t pid = fork();
  int err = errno;
  if (pid == 0) {
    SignalsAfterFork();
    // The child: one thread, the workers exist no more (they stay "parked").
    // Signals stay blocked until the loop is re-made: our C handler wakes the
    // loop (uv_async_send) and chains to libuv's, which writes to the loop's
    // signal pipe; uv_loop_fork closes those fds and opens new ones, and a
    // write to a closed one in between aborts the child in libuv.
    uv_loop_t* loop = Loop(env);
    if (loop != nullptr && uv_loop_fork(loop) != 0) {
      fprintf(stderr, "syscall-lab: uv_loop_fork failed in the child\n");
      _exit(70);
    }
    pthread_sigmask(SIG_SETMASK, &mask, nullptr);
    // The lease, its mutex and its thread are the parent's: start afresh.
    g_lease = new Lease;
    g_workers_gone = true;
    ForgetAllChildrenAfterFork();
    JsLockAfterFork();
    ThreadsAfterFork();
    StartEndWatch(loop, node_env);
    return Result(env, 0);
  }
  InterrupterForkParent();
  pthread_sigmask(SIG_SETMASK, &mask, nullptr);
  if (!g_workers_gone) EndFork();
  if (pid == -1) return Fail(env, err);
  {
    std::lock_guard<std::mutex> lock(g_children_mutex);
    g_children.insert(pid);
  }
  return Result(env, pid);
}

// The pids of the children that libuv (child_process) waits for.
std::vector<pid_t> LibuvChildren(Napi::Env env) {
  std::vector<pid_t> pids;
  uv_loop_t* loop = Loop(env);
  if (loop == nullptr) return pids;
  uv_walk(loop, [](uv_handle_t* h, void* arg) {
    if (h->type == UV_PROCESS && uv_is_active(h)) {
      static_cast<std::vector<pid_t>*>(arg)->push_back(reinterpret_cast<uv_process_t*>(h)->pid);
    }
  }, &pids);
  return pids;
}

Napi::Value Reaped(Napi::Env env, long pid, int status, Napi::Object cell) {
  if (pid > 0) {
    Forget(static_cast<pid_t>(pid));
    if (!cell.IsEmpty()) cell.Set("value", status);
  }
  return Result(env, static_cast<double>(pid));
}

// Whether waitpid would wait for child: any child when group is -1, else one
// in that process group (waitpid(0): the caller's; waitpid(-pgid): pgid).
bool Matches(pid_t group, pid_t child) {
  if (group == -1) return true;
  pid_t its = getpgid(child);
  return its == -1 || its == group;  // -1, gone: its waitpid says ECHILD, and it is forgotten
}

// waitpid(pid, status, options). While child_process has children running,
// waitpid(-1), waitpid(0) and waitpid(-pgid) look only at the children fork()
// made, so that they never take a status libuv waits for; blocking, they poll
// every 10 ms.
Napi::Value Waitpid(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid, options;
  Napi::Object cell;
  if (!GetInt(info, 0, "waitpid", "pid", &pid) || !GetCell(info, 1, "waitpid", "status", "int *", true, &cell) ||
      !GetInt(info, 2, "waitpid", "options", &options)) {
    return Napi::Value();
  }
  int status = 0;
  long r;
  if (pid > 0 || LibuvChildren(env).empty()) {
    if (!Blocking(env, [&] { return waitpid(pid, &status, options); }, &r)) return Napi::Value();
    return Reaped(env, r, status, cell);
  }
  // The kernel's own check, which the polling below would skip.
#ifdef __linux__
  constexpr int kOptions = WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL;
#else
  constexpr int kOptions = WNOHANG | WUNTRACED | WCONTINUED;
#endif
  if (options & ~kOptions) return Fail(env, EINVAL);
  pid_t group = pid == -1 ? -1 : pid == 0 ? getpgrp() : -pid;
  for (;;) {
    std::vector<pid_t> mine;
    {
      std::lock_guard<std::mutex> lock(g_children_mutex);
      mine.assign(g_children.begin(), g_children.end());
    }
    bool any = false;
    for (pid_t child : mine) {
      if (!Matches(group, child)) continue;
      any = true;
      r = waitpid(child, &status, options | WNOHANG);
      if (r > 0) return Reaped(env, r, status, cell);
      if (r == -1 && errno == ECHILD) Forget(child);  // reaped elsewhere
      else if (r == -1) return Fail(env, errno);      // EINVAL: bad options
    }
    if (!any) return Fail(env, ECHILD);
    if (options & WNOHANG) return Result(env, 0);
    if (!Blocking(env, [] { return usleep(10000); }, &r)) return Napi::Value();
    if (r == -1) return Result(env, -1);  // EINTR from a handler without restart
  }
}

Napi::Value Exit_(const Napi::CallbackInfo& info) {
  int status;
  if (!GetInt(info, 0, "_exit", "status", &status)) return Napi::Value();
  _exit(status);
}

Napi::Value Getpid(const Napi::CallbackInfo& info) { return Result(info.Env(), getpid()); }
Napi::Value Getppid(const Napi::CallbackInfo& info) { return Result(info.Env(), getppid()); }
Napi::Value Getpgrp(const Napi::CallbackInfo& info) { return Result(info.Env(), getpgrp()); }

// getpgid(pid): the process group of pid (0: the caller), or -1 with ESRCH.
Napi::Value Getpgid(const Napi::CallbackInfo& info) {
  int pid;
  if (!GetInt(info, 0, "getpgid", "pid", &pid)) return Napi::Value();
  return Direct(info.Env(), [&] { return getpgid(pid); });
}

// setpgid(pid, pgid): 0 (0 for either means the caller's own), or -1 with
// EINVAL, EPERM, ESRCH, EACCES (a child that has already exec'd).
Napi::Value Setpgid(const Napi::CallbackInfo& info) {
  int pid, pgid;
  if (!GetInt(info, 0, "setpgid", "pid", &pid) || !GetInt(info, 1, "setpgid", "pgid", &pgid)) return Napi::Value();
  return Direct(info.Env(), [&] { return setpgid(pid, pgid); });
}

// kill(pid, sig). A signal this process sends itself is handled before kill
// returns, as POSIX has it (the kernel's handler has run; ours runs now).
Napi::Value Kill(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid, sig;
  if (!GetInt(info, 0, "kill", "pid", &pid) || !GetInt(info, 1, "kill", "sig", &sig)) return Napi::Value();
  if ((pid == getpid() ? KillSelf(sig) : kill(pid, sig)) == -1) return Fail(env, errno);
  if (!HandlePendingSignals(env)) return Napi::Value();
  return Result(env, 0);
}

// killpg(pgrp, sig): the whole process group (0: the caller's); 0 or -1
// (EINVAL, ESRCH, EPERM). Our own group's handler has run when it returns, as
// with kill. POSIX leaves pgrp 1 undefined, and glibc makes it kill(-1, sig),
// every process the user may signal: EINVAL here.
Napi::Value Killpg(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pgrp, sig;
  if (!GetInt(info, 0, "killpg", "pgrp", &pgrp) || !GetInt(info, 1, "killpg", "sig", &sig)) return Napi::Value();
  if (pgrp < 0 || pgrp == 1) return Fail(env, EINVAL);
  if (killpg(pgrp, sig) == -1) return Fail(env, errno);
  if (!HandlePendingSignals(env)) return Napi::Value();
  return Result(env, 0);
}

Napi::Value Alarm(const Napi::CallbackInfo& info) {
  int64_t secs;
  if (!GetInt64(info, 0, "alarm", "seconds", 0, UINT32_MAX, &secs)) return Napi::Value();
  return Result(info.Env(), alarm(static_cast<unsigned>(secs)));
}

// ---- the natural end of a forked child's event loop -----------------------
// When its loop runs out of work, Node drains the platform's worker tasks
// (NodePlatform::DrainTasks), and in the child there are no workers: it would
// wait forever. So the child keeps a prepare handle of its own; when that
// handle is all that keeps the loop alive, it does what Node's own loop does
// at its end, with Node's own calls: 'beforeExit' (which may schedule more
// work), then 'exit' (on Node 22 and later with the check for a top-level
// await that never settled, exit code 13). fork's 'exit' listener then ends
// the child in _exit. A listener that throws is an uncaught exception, as in
// Node: fork's monitor of those ends the child with status 1.
struct EndWatch {
  uv_prepare_t handle;
  node::Environment* node_env;
};
EndWatch* g_end_watch = nullptr;

bool OnlyUsAlive(uv_loop_t* loop) {
  return loop->active_handles == 1 && loop->active_reqs.count == 0 && loop->closing_handles == nullptr;
}

void OnPrepare(uv_prepare_t* h) {
  uv_loop_t* loop = h->loop;
  if (!OnlyUsAlive(loop)) return;
  // Nothing: a listener threw, and the program's handler took it; Node then
  // goes on to 'exit' too.
  if (node::EmitProcessBeforeExit(g_end_watch->node_env).IsJust() && !OnlyUsAlive(loop)) return;
  v8::Maybe<int> code = node::EmitProcessExit(g_end_watch->node_env);
  // Still here: fork's listener was removed (removeAllListeners('exit')), or
  // a listener before it threw into a handler; Node would end so too.
  _exit(code.FromMaybe(1));
}

// In a forked child: watch for the loop running dry. (A grandchild inherits
// the child's started handle with the loop.)
void StartEndWatch(uv_loop_t* loop, node::Environment* node_env) {
  if (g_end_watch != nullptr || loop == nullptr) return;
  g_end_watch = new EndWatch;
  g_end_watch->node_env = node_env;
  uv_prepare_init(loop, &g_end_watch->handle);
  uv_prepare_start(&g_end_watch->handle, OnPrepare);
}

// fork_warmup(): for a process about to fork many short children. Every
// fork copies the page tables of the parent's memory and every child's exit
// tears them down, so this gives back what the parent no longer uses: V8's
// full, compacting GC with its new space shrunk (LowMemoryNotification),
// then the C library's free memory (malloc_trim), which V8's ArrayBuffer
// backing stores leave behind in quantity. Ruby's Process.warmup does the same.
Napi::Value ForkWarmup(const Napi::CallbackInfo& info) {
  v8::Isolate::GetCurrent()->LowMemoryNotification();
#ifdef __GLIBC__
  malloc_trim(0);
#endif
  return info.Env().Undefined();
}

// major_gcs(): how many full (mark-compact) GCs the isolate that first asked
// has run since. V8 drops the bytecode of functions that no full GC has seen
// run for a while, and a fork parent never runs its children's way out: fork's
// TypeScript runs it again after full GCs, so that children find it compiled.
std::atomic<uint64_t> g_major_gcs{0};
std::atomic<bool> g_counting_gcs{false};

Napi::Value MajorGcs(const Napi::CallbackInfo& info) {
  if (!g_counting_gcs.exchange(true)) {
    v8::Isolate::GetCurrent()->AddGCEpilogueCallback(
        [](v8::Isolate*, v8::GCType, v8::GCCallbackFlags, void*) { g_major_gcs.fetch_add(1, std::memory_order_relaxed); },
        nullptr, v8::kGCTypeMarkSweepCompact);
  }
  return Napi::Number::New(info.Env(), static_cast<double>(g_major_gcs.load(std::memory_order_relaxed)));
}

// script_name(fn): the name of the script a function was defined in
// ("node:internal/..." for Node's own code), or undefined: so that fork's
// TypeScript can tell Node's own 'exit' listener from a program's.
Napi::Value ScriptName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) return ThrowType(env, "script_name", "fn must be a function"), Napi::Value();
  v8::Local<v8::Value> name = ToV8(info[0]).As<v8::Function>()->GetScriptOrigin().ResourceName();
  if (name.IsEmpty() || !name->IsString()) return env.Undefined();
  return Napi::Value(env, ToNapi(name));
}

// The status macros, from <sys/wait.h> itself (the encodings differ a little
// between Linux and macOS).
#define STATUS_MACRO(name)                                                  \
  Napi::Value name##_(const Napi::CallbackInfo& info) {                     \
    int64_t st;                                                             \
    if (!GetInt64(info, 0, #name, "status", INT32_MIN, UINT32_MAX, &st)) {  \
      return Napi::Value();                                                 \
    }                                                                       \
    int status = static_cast<int>(st);                                      \
    return Napi::Number::New(info.Env(), name(status));                     \
  }
STATUS_MACRO(WIFEXITED)
STATUS_MACRO(WEXITSTATUS)
STATUS_MACRO(WIFSIGNALED)
STATUS_MACRO(WTERMSIG)
STATUS_MACRO(WIFSTOPPED)
STATUS_MACRO(WSTOPSIG)
STATUS_MACRO(WIFCONTINUED)
STATUS_MACRO(WCOREDUMP)
#undef STATUS_MACRO

}  // namespace

// In the child of a fork, the parent's children are not ours.
void ForgetAllChildrenAfterFork() {
  // The mutex may have been held by another thread at fork time: re-create it.
  new (&g_children_mutex) std::mutex();
  g_children.clear();
}

void InitProcess(Napi::Env env, Napi::Object exports) {
  SetFn(env, exports, "fork", Fork);
  SetFn(env, exports, "waitpid", Waitpid);
  SetFn(env, exports, "_exit", Exit_);
  SetFn(env, exports, "getpid", Getpid);
  SetFn(env, exports, "getppid", Getppid);
  SetFn(env, exports, "getpgrp", Getpgrp);
  SetFn(env, exports, "getpgid", Getpgid);
  SetFn(env, exports, "setpgid", Setpgid);
  SetFn(env, exports, "kill", Kill);
  SetFn(env, exports, "killpg", Killpg);
  SetFn(env, exports, "alarm", Alarm);
  SetFn(env, exports, "fork_warmup", ForkWarmup);
  SetFn(env, exports, "script_name", ScriptName);
  SetFn(env, exports, "major_gcs", MajorGcs);
  SetFn(env, exports, "WIFEXITED", WIFEXITED_);
  SetFn(env, exports, "WEXITSTATUS", WEXITSTATUS_);
  SetFn(env, exports, "WIFSIGNALED", WIFSIGNALED_);
  SetFn(env, exports, "WTERMSIG", WTERMSIG_);
  SetFn(env, exports, "WIFSTOPPED", WIFSTOPPED_);
  SetFn(env, exports, "WSTOPSIG", WSTOPSIG_);
  SetFn(env, exports, "WIFCONTINUED", WIFCONTINUED_);
  SetFn(env, exports, "WCOREDUMP", WCOREDUMP_);
}

}  // namespace sl
