// exec: execve, and execvp / execvpe, which search PATH; and system.
//
// A process that Node started differs from a C program in what an exec
// would pass on, so exec puts these back as a C program has them, for the
// new program only (a failed exec restores all of them):
//  - fds 0, 1, 2 are close-on-exec: Node's start-up (libuv's
//    uv_disable_stdio_inheritance) marks every fd it inherited so, lest its
//    children inherit them. The new program would start without stdin,
//    stdout and stderr.
//  - fds 0, 1, 2 may be non-blocking: libuv makes them so for its streams
//    (process.stdin, a terminal's process.stdout). The new program would get
//    EAGAIN where it expects to wait.
//  - SIGPIPE and SIGXFSZ are ignored: Node ignores them at start-up, and an
//    ignored signal stays ignored across exec.
//  - a pthread of ours blocks every signal (they go to the main thread): an
//    exec from one gives the new program the main thread's mask instead, the
//    mask a C thread would have inherited from it.
// What the program chose itself stays: an fd it made close-on-exec or
// non-blocking (fcntl, dup2 onto 0-2), a signal it ignores (signal, sigaction),
// a terminal it put in raw mode (process.stdin.setRawMode is its tcsetattr).
#include "exec.h"

#include "blocking.h"
#include "common.h"
#include "signal.h"
#include "thread.h"  // OnLibraryThread

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#ifdef __APPLE__
#include <crt_externs.h>
#define environ (*_NSGetEnviron())
#else
extern char** environ;
#endif

namespace sl {
namespace {

// fds 0-2 as the process had them when the addon loaded (Node's own
// start-up had made them close-on-exec by then; libuv makes them
// non-blocking later, when a stream of process.stdin / stdout starts). If
// process.stdin had already started (the library imported late), fd 0's
// O_NONBLOCK is libuv's, and its baseline is blocking, as a C program has
// it (a non-blocking stdin the process was handed then reads as libuv's
// too). Not so for 1 and 2: Node writes to their pipes synchronously, so a
// non-blocking one there is what the process was handed.
struct StdioAtLoad {
  bool valid = false;
  bool program_owns = false;  // the program set its flags or replaced it
  dev_t dev = 0;
  ino_t ino = 0;
  int nonblock = 0;  // the O_NONBLOCK bit then
};
StdioAtLoad g_stdio[3];
bool g_stdio_recorded = false;

// Whether a libuv handle of loop reads fd 0 now (process.stdin started).
bool LibuvHasStdin(uv_loop_t* loop) {
  bool has = false;
  if (loop == nullptr) return false;
  uv_walk(
      loop,
      [](uv_handle_t* h, void* arg) {
        uv_os_fd_t fd;
        if (!uv_is_closing(h) && uv_fileno(h, &fd) == 0 && fd == 0) *static_cast<bool*>(arg) = true;
      },
      &has);
  return has;
}

void RecordStdio(uv_loop_t* loop) {
  if (g_stdio_recorded) return;
  g_stdio_recorded = true;
  bool stdin_started = LibuvHasStdin(loop);
  for (int fd = 0; fd < 3; fd++) {
    struct stat st;
    int fl = fcntl(fd, F_GETFL);
    if (fstat(fd, &st) == -1 || fl == -1) continue;
    g_stdio[fd] = {true, false, st.st_dev, st.st_ino, fd == 0 && stdin_started ? 0 : (fl & O_NONBLOCK)};
  }
}

// Whether fd (0-2) is still the stdio that Node set up, and not one the
// program put there or set the flags of itself.
bool NodesStdio(int fd) {
  const StdioAtLoad& s = g_stdio[fd];
  struct stat st;
  return s.valid && !s.program_owns && fstat(fd, &st) == 0 && st.st_dev == s.dev && st.st_ino == s.ino;
}

// What PrepareStdio changed, to put back.
struct StdioUndo {
  int fd_flags[3] = {-1, -1, -1};  // F_GETFD before, for the fds changed
  int fl_flags[3] = {-1, -1, -1};  // F_GETFL before, for the fds changed
};

// What PrepareSignals changed, to put back if the exec fails.
struct SignalUndo {
  int signals[2] = {SIGPIPE, SIGXFSZ};
  bool reset[2] = {false, false};
  bool mask_set = false;
  sigset_t mask;
};

void PrepareStdio(StdioUndo* u) {
  for (int fd = 0; fd < 3; fd++) {
    if (!NodesStdio(fd)) continue;
    int fdf = fcntl(fd, F_GETFD);
    if (fdf != -1 && (fdf & FD_CLOEXEC) && fcntl(fd, F_SETFD, fdf & ~FD_CLOEXEC) == 0) u->fd_flags[fd] = fdf;
    int fl = fcntl(fd, F_GETFL);
    if (fl != -1 && (fl & O_NONBLOCK) != g_stdio[fd].nonblock &&
        fcntl(fd, F_SETFL, (fl & ~O_NONBLOCK) | g_stdio[fd].nonblock) == 0) {
      u->fl_flags[fd] = fl;
    }
  }
}

void RestoreStdio(const StdioUndo& u) {
  for (int fd = 0; fd < 3; fd++) {
    if (u.fd_flags[fd] != -1) fcntl(fd, F_SETFD, u.fd_flags[fd]);
    if (u.fl_flags[fd] != -1) fcntl(fd, F_SETFL, u.fl_flags[fd]);
  }
}

bool Ignored(const struct sigaction& sa) { return !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_IGN; }

// sigaction(sig, { handler, no flags, empty mask }, old): 0 or -1.
int SetHandler(int sig, void (*handler)(int), struct sigaction* old) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  return sigaction(sig, &sa, old);
}

// Whether sig is ignored because Node ignores it (SIGPIPE, SIGXFSZ), not
// because the program asked for it.
bool IgnoredByNode(int sig) {
  struct sigaction cur;
  return !SignalChosenByProgram(sig) && sigaction(sig, nullptr, &cur) == 0 && Ignored(cur);
}

void PrepareSignals(SignalUndo* u) {
  for (int i = 0; i < 2; i++) {
    if (IgnoredByNode(u->signals[i]) && SetHandler(u->signals[i], SIG_DFL, nullptr) == 0) u->reset[i] = true;
  }
  if (OnLibraryThread()) {
    sigset_t mask;
    MainThreadMask(&mask);
    if (pthread_sigmask(SIG_SETMASK, &mask, &u->mask) == 0) u->mask_set = true;
  }
}

void RestoreSignals(const SignalUndo& u) {
  if (u.mask_set) pthread_sigmask(SIG_SETMASK, &u.mask, nullptr);
  for (int i = 0; i < 2; i++) {
    if (u.reset[i]) SetHandler(u.signals[i], SIG_IGN, nullptr);
  }
}

bool GetCStrings(Napi::Env env, Napi::Value v, const char* fn, const char* name, std::vector<std::string>* out) {
  if (!v.IsArray()) return ThrowType(env, fn, (std::string(name) + " must be an array of strings").c_str());
  Napi::Array a = v.As<Napi::Array>();
  out->resize(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) {
    if (!GetCString(env, a.Get(i), fn, std::string(name) + "[" + std::to_string(i) + "]", &(*out)[i])) return false;
  }
  return true;
}

// The NULL-terminated char *[] that exec takes; points into strings.
std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> p;
  p.reserve(strings.size() + 1);
  for (std::string& s : strings) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

enum Kind { kExecve = 0, kExecvp = 1, kExecvpe = 2 };

int CallExec(int kind, const char* file, char* const* argv, char* const* envp) {
  switch (kind) {
    case kExecve:
      return execve(file, argv, envp != nullptr ? envp : environ);
    case kExecvp:
      return execvp(file, argv);
    default:
#ifdef __GLIBC__
      return execvpe(file, argv, envp);
#else
      {
        // execvp searches PATH in the environment it passes on: this one.
        char** saved = environ;
        environ = const_cast<char**>(envp);
        int r = execvp(file, argv);
        int err = errno;
        environ = saved;
        errno = err;
        return r;
      }
#endif
  }
}

// exec(kind, file, argv, envp): kind 0 execve, 1 execvp, 2 execvpe; envp an
// array of "NAME=value" strings, or undefined for the process's environ.
// Returns only if the exec failed: -1 with errno, the process as it was.
Napi::Value Exec(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  static const char* names[] = {"execve", "execvp", "execvpe"};
  int kind;
  if (!GetInt(info, 0, "exec", "kind", &kind)) return Napi::Value();
  if (kind < kExecve || kind > kExecvpe) return ThrowRange(env, "exec", "kind must be 0, 1 or 2"), Napi::Value();
  const char* fn = names[kind];
  std::string file;
  std::vector<std::string> args, vars;
  if (!GetCString(env, info[1], fn, kind == kExecve ? "pathname" : "file", &file) ||
      !GetCStrings(env, info[2], fn, "argv", &args)) {
    return Napi::Value();
  }
  bool own_env = !info[3].IsUndefined();
  if (own_env && !GetCStrings(env, info[3], fn, "envp", &vars)) return Napi::Value();
  // A signal caught before the exec has its handler run first, as in C.
  if (!HandlePendingSignals(env)) return Napi::Value();
  std::vector<char*> argv = Pointers(args);
  std::vector<char*> envp = Pointers(vars);
  StdioUndo stdio;
  SignalUndo signals;
  PrepareStdio(&stdio);
  PrepareSignals(&signals);
  CallExec(kind, file.c_str(), argv.data(), own_env ? envp.data() : nullptr);
  int err = errno;
  RestoreSignals(signals);
  RestoreStdio(stdio);
  return Fail(env, err);
}

// While system() runs a command, the caller ignores SIGINT and SIGQUIT (a
// Ctrl-C at the terminal is the command's) and its stdio is as exec gives it
// (the shell shares fds 0-2 with it). With threads, several may be in system
// at once: the first one in sets that up, the last one out undoes it, as glibc does.
struct SystemState {
  std::mutex mutex;
  int users = 0;
  struct sigaction intr, quit;  // as they were before the first one in
  StdioUndo stdio;
};
SystemState g_system;

void SystemEnter(struct sigaction* intr, struct sigaction* quit) {
  std::lock_guard<std::mutex> lock(g_system.mutex);
  if (g_system.users++ == 0) {
    SetHandler(SIGINT, SIG_IGN, &g_system.intr);
    SetHandler(SIGQUIT, SIG_IGN, &g_system.quit);
    g_system.stdio = StdioUndo();
    PrepareStdio(&g_system.stdio);
  }
  *intr = g_system.intr;
  *quit = g_system.quit;
}

void SystemLeave() {
  std::lock_guard<std::mutex> lock(g_system.mutex);
  if (--g_system.users > 0) return;
  RestoreStdio(g_system.stdio);
  sigaction(SIGINT, &g_system.intr, nullptr);
  sigaction(SIGQUIT, &g_system.quit, nullptr);
}

// Starts /bin/sh -c command: its pid, or -1 with errno. The shell gets
// SIG_DFL for what the caller ignores only for system's sake or Node's, and
// the caller's mask from before SIGCHLD was blocked (the main thread's, from
// a pthread of ours). posix_spawn rather than fork: the child is a new
// program at once, and a fork of Node's address space costs more than the shell.
pid_t SpawnShell(std::string& command, const sigset_t& mask, const struct sigaction& intr,
                 const struct sigaction& quit, int* err) {
  posix_spawnattr_t attr;
  if ((*err = posix_spawnattr_init(&attr)) != 0) return -1;
  sigset_t def;
  sigemptyset(&def);
  if (!Ignored(intr)) sigaddset(&def, SIGINT);
  if (!Ignored(quit)) sigaddset(&def, SIGQUIT);
  for (int sig : {SIGPIPE, SIGXFSZ}) {
    if (IgnoredByNode(sig)) sigaddset(&def, sig);
  }
  posix_spawnattr_setsigdefault(&attr, &def);
  posix_spawnattr_setsigmask(&attr, &mask);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  char sh[] = "sh", c[] = "-c";
  char* argv[] = {sh, c, command.data(), nullptr};
  pid_t pid = -1;
  *err = posix_spawn(&pid, "/bin/sh", nullptr, &attr, argv, environ);
  posix_spawnattr_destroy(&attr);
  return *err == 0 ? pid : -1;
}

// system(command): runs /bin/sh -c command and waits for it. Its wait
// status; 127 as exit status if the shell could not run; -1 with errno if
// no process could be made (EAGAIN, ENOMEM) or its status is lost (ECHILD,
// SIGCHLD ignored). system(null): 1 if there is a shell, else 0.
// TypeScript handlers of other signals run during the wait, which goes on
// after them, as glibc's does; one that throws ends the wait, and the shell
// runs on, unreaped.
Napi::Value System(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info[0].IsNull() || info[0].IsUndefined()) return Result(env, access("/bin/sh", X_OK) == 0 ? 1 : 0);
  std::string command;
  if (!GetCString(env, info[0], "system", "command", &command)) return Napi::Value();
  if (!HandlePendingSignals(env)) return Napi::Value();
  struct sigaction intr, quit;
  SystemEnter(&intr, &quit);
  sigset_t chld, mask;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &chld, &mask);
  sigset_t child_mask = mask;
  if (OnLibraryThread()) MainThreadMask(&child_mask);
  int err;
  pid_t pid = SpawnShell(command, child_mask, intr, quit, &err);
  double result;
  bool threw = false;
  if (pid == -1) {
    // The process was made, but not the shell: as if it had exited 127.
    result = err == EAGAIN || err == ENOMEM ? -1 : 127 << 8;
    saved_errno = err;
  } else {
    int status = 0;
    long r;
    do {
      if (!Blocking(env, [&] { return waitpid(pid, &status, 0); }, &r)) {
        threw = true;
        break;
      }
    } while (r == -1 && saved_errno == EINTR);
    result = r == -1 ? -1 : status;
  }
  pthread_sigmask(SIG_SETMASK, &mask, nullptr);
  SystemLeave();
  if (threw) return Napi::Value();
  // A SIGCHLD it blocked (the shell's) has its handler run now, as in C.
  if (!HandlePendingSignals(env)) return Napi::Value();
  return Result(env, result);
}

// environ_list(): the process's environment, as C's environ has it.
Napi::Value EnvironList(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array a = Napi::Array::New(env);
  uint32_t n = 0;
  for (char** p = environ; p != nullptr && *p != nullptr; p++) a.Set(n++, Napi::String::New(env, *p));
  return a;
}

}  // namespace

void StdioChangedByProgram(int fd) {
  if (fd >= 0 && fd < 3) g_stdio[fd].program_owns = true;
}

void InitExec(Napi::Env env, Napi::Object exports) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) loop = nullptr;
  RecordStdio(loop);
  SetFn(env, exports, "exec", Exec);
  SetFn(env, exports, "environ_list", EnvironList);
  SetFn(env, exports, "system", System);
}

}  // namespace sl
