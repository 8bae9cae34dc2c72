// A blocked signal waits for the main thread.
//
// The lesson's programs have one thread: a signal they block stays pending
// until they unblock it (sigprocmask, sigsuspend, pselect's mask). A Node
// process has more threads (V8's workers, libuv's pool), and the kernel gives
// a process-directed signal to any thread that does not block it: a SIGINT the
// main thread blocks would take its default action at once, on a worker.
//
// So before the main thread blocks a signal, every other thread is made to
// block them all, as the library's own pthreads do from their start; the
// kernel then keeps a process-directed signal for the main thread. The same
// when the main thread installs a handler: a signal caught by another thread
// reaches the main one a moment later (forwarded), and meanwhile the main
// thread's call may complete as if no signal had come (fork blocks every
// signal for a moment, and a child's kill just then went to a worker). Only a
// thread can change its own mask, so each is sent a private signal whose
// handler sets the mask that the thread returns to (uc_sigmask). A thread is
// done once; threads created later by the main thread start with its mask,
// and the next block finds them (until then, OnSignal forwards). Linux only
// (the threads are read from /proc/self/task); on macOS a blocked signal can
// still go to another thread. The library's own helper threads start with
// every signal blocked (StartHelperThread, here too).
#include "signal.h"

#include "signal_gap.h"  // KickSignal
#include "thread.h"      // CancelSignal, OnMainThread

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>

#if defined(__linux__)
#include <dirent.h>
#include <sys/syscall.h>
#include <ucontext.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_set>
#endif

namespace sl {

#if defined(__linux__)
int MaskSignal() { return SIGRTMAX - 4; }  // beside the kick (- 2) and the cancellation (- 3)

namespace {

// The threads whose handler ran, by tid: written by the handlers (a lock-free
// atomic each), read by the main thread once it has waited for them.
constexpr int kMaxAcks = 256;
std::atomic<int> g_acks{0};
std::atomic<pid_t> g_acked[kMaxAcks];
std::unordered_set<pid_t> g_masked;  // threads done (main thread only)

// All the signals but the faults (the kernel sends those to the thread that
// faulted, and V8 handles some), glibc's own below SIGRTMIN (setuid across
// threads needs them) and SIGPROF (V8's sampler).
void OtherThreadsMask(sigset_t* set) {
  sigfillset(set);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT, SIGPROF}) sigdelset(set, sig);
  for (int sig = 32; sig < SIGRTMIN; sig++) sigdelset(set, sig);
}

void OnMask(int, siginfo_t*, void* context) {
  if (context != nullptr) {
    // Only the kernel's part of the mask (its _NSIG bits): glibc's sigset_t
    // is longer, and in the signal frame the siginfo follows the kernel's.
    sigset_t mask;
    OtherThreadsMask(&mask);
    memcpy(&static_cast<ucontext_t*>(context)->uc_sigmask, &mask, _NSIG / 8);
  }
  int i = g_acks.fetch_add(1);
  if (i < kMaxAcks) g_acked[i].store(static_cast<pid_t>(syscall(SYS_gettid)));
}

bool InstallMaskHandler() {
  static bool installed = false;
  if (installed) return true;
  struct sigaction sa {};
  sa.sa_sigaction = OnMask;
  sigfillset(&sa.sa_mask);
  sa.sa_flags = SA_SIGINFO | SA_RESTART;  // the thread's own syscalls go on as if nothing came
  installed = sigaction(MaskSignal(), &sa, nullptr) == 0;
  return installed;
}

// Whether thread tid blocks sig now (its SigBlk in /proc).
bool Blocks(pid_t tid, int sig) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%d/status", static_cast<int>(tid));
  FILE* f = fopen(path, "re");
  if (f == nullptr) return true;  // gone
  char line[256];
  unsigned long long blocked = 0;
  while (fgets(line, sizeof line, f) != nullptr) {
    if (strncmp(line, "SigBlk:", 7) == 0) {
      blocked = strtoull(line + 7, nullptr, 16);
      break;
    }
  }
  fclose(f);
  return (blocked >> (sig - 1)) & 1;
}

void MaskOtherThreads() {
  if (!InstallMaskHandler()) return;
  DIR* d = opendir("/proc/self/task");
  if (d == nullptr) return;
  pid_t self = static_cast<pid_t>(syscall(SYS_gettid));
  pid_t pid = getpid();
  g_acks.store(0);
  int sent = 0;
  while (dirent* e = readdir(d)) {
    pid_t tid = static_cast<pid_t>(atoi(e->d_name));
    if (tid <= 0 || tid == self || g_masked.count(tid) != 0) continue;
    // A thread that blocks the mask signal blocks the rest too (the
    // library's pthreads): nothing to do there.
    if (Blocks(tid, MaskSignal())) {
      g_masked.insert(tid);
      continue;
    }
    if (syscall(SYS_tgkill, pid, tid, MaskSignal()) == 0) sent++;
  }
  closedir(d);
  // Each handler runs as soon as its thread is scheduled. A thread that ended
  // meanwhile never answers, and one held up (in the kernel, stopped) may
  // answer late: so the wait is bounded (20 ms), and a thread that has not
  // answered yet is asked again the next time.
  for (int i = 0; i < 2000 && g_acks.load() < sent; i++) usleep(10);
  int n = std::min(g_acks.load(), kMaxAcks);
  for (int i = 0; i < n; i++) {
    pid_t tid = g_acked[i].load();
    if (tid > 0) g_masked.insert(tid);
  }
}

}  // namespace

void KeepForMainThread(const sigset_t* blocking) {
  if (!OnMainThread()) return;
  // Only a signal whose blocking matters: one of the program's, catchable.
  bool any = false;
  for (int sig = 1; sig < SIGRTMIN && !any; sig++) {
    any = sig != SIGKILL && sig != SIGSTOP && sigismember(blocking, sig) == 1;
  }
  for (int sig = SIGRTMIN; sig <= SIGRTMAX && !any; sig++) {
    any = !IsPrivateSignal(sig) && sigismember(blocking, sig) == 1;
  }
  if (any) MaskOtherThreads();
}

void KeepAllForMainThread() {
  if (OnMainThread()) MaskOtherThreads();
}

void SignalMaskAfterFork() {
  g_masked.clear();  // the child has one thread
  g_acks.store(0);
}

#else

void KeepForMainThread(const sigset_t*) {}
void KeepAllForMainThread() {}
void SignalMaskAfterFork() {}

#endif

// The library's private signals: only on Linux, where they are real-time
// signals no program uses otherwise; on macOS the cancellation borrows
// SIGURG, which programs may want for themselves.
void KeepPrivateSignals(sigset_t* set) {
#if defined(__linux__)
  sigdelset(set, CancelSignal());
  sigdelset(set, KickSignal());
  sigdelset(set, MaskSignal());
#else
  (void)set;
#endif
}

bool IsPrivateSignal(int sig) {
#if defined(__linux__)
  return sig == KickSignal() || sig == CancelSignal() || sig == MaskSignal();
#else
  (void)sig;
  return false;
#endif
}

bool StartHelperThread(std::function<void()> fn) {
  auto* f = new std::function<void()>(std::move(fn));
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);  // the new thread starts with this mask
  pthread_t t;
  int rc = pthread_create(&t, nullptr, [](void* p) -> void* {
    std::unique_ptr<std::function<void()>> run(static_cast<std::function<void()>*>(p));
    (*run)();
    return nullptr;
  }, f);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (rc != 0) {
    delete f;
    return false;
  }
  pthread_detach(t);
  return true;
}

}  // namespace sl
