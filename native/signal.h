// Signals, as CPython does them (PEP 475): the C handler only records the
// signal; the TypeScript handlers run at safe points, inside the blocking
// call the signal interrupted among them (blocking.h). Four files: signal.cc
// (the pending set, the dispatch, sigaction), signal_mask.cc (masks, the
// library's private signals, its helper threads), signal_interrupt.cc
// (handlers during pure TypeScript) and signal_gap.cc (signal_gap.h).
#pragma once

#include <napi.h>
#include <v8.h>

#include <functional>
#include <signal.h>

namespace sl {

// ---- the pending signals and their handlers (signal.cc) -------------------
bool SignalsPending();
// Runs the TypeScript handlers of the pending signals. Returns false if a
// handler threw (the exception is pending in JS). *restart tells whether every
// signal handled asked for its interrupted call to be restarted (SA_RESTART);
// *ran, if given, whether any handler ran at all.
bool DispatchSignals(Napi::Env env, bool* restart = nullptr, bool* ran = nullptr);
// Runs the handlers of the signals pending now, if any: where C would have
// run them by this point (after kill or close, before fork...). False if one
// threw.
inline bool HandlePendingSignals(Napi::Env env) { return !SignalsPending() || DispatchSignals(env); }
// Whether DispatchSignals can run handlers on this thread now: the main
// thread, handlers installed, not inside a handler already.
bool CanDispatchHere();
// From a V8 interrupt on the main thread (signal_interrupt.cc).
void DispatchFromInterrupt();
// signal(7): which calls a handler with SA_RESTART restarts. On Linux a
// socket call is never restarted once its socket has a timeout: SO_RCVTIMEO
// for accept and the reads, SO_SNDTIMEO for connect and the writes. True for
// an fd that is not a socket. The BSDs (macOS) restart them, timeout and all,
// except connect (ConnectRestarts).
bool SocketCallRestarts(int fd, int timeout_opt);
bool ConnectRestarts(int fd);
// kill(getpid(), sig), as a process of one thread has it: -1 with errno, or 0.
int KillSelf(int sig);
// Whether the program chose sig's disposition itself (signal, sigaction),
// as against what Node set at its start (SIGPIPE ignored).
bool SignalChosenByProgram(int sig);
// A set of signals as TypeScript passes a sigset_t (or a wait's mask): an
// array of signal numbers, each 1 to 64 (31 on macOS, where NSIG is 32).
// False with a TypeError or a RangeError pending; `what` names the argument
// in the message.
bool GetSignalSet(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* what, sigset_t* set);
// The main thread's mask as the program last set it (sigprocmask).
void MainThreadMask(sigset_t* mask);
// In the child of fork, with signals blocked: the forking thread is now the
// main one, and no signal is pending.
void SignalsAfterFork();

// ---- masks and private signals (signal_mask.cc) ---------------------------
// Takes the library's private signals (the kick, the cancellation, the mask)
// out of a mask to block: as glibc keeps its own out of sigprocmask's reach,
// so that a sigfillset mask cannot block them (Linux; on macOS the
// cancellation uses SIGURG, which stays the program's).
void KeepPrivateSignals(sigset_t* set);
// Whether sig is one of those: sigaction refuses them (EINVAL), as glibc does its own.
bool IsPrivateSignal(int sig);
#if defined(__linux__)
// The private signal that sets another thread's mask.
int MaskSignal();
#endif
// Before the main thread blocks signals (sigprocmask, sigsuspend, pselect's
// mask): every other thread blocks them all, so that the kernel keeps a
// blocked process-directed signal pending for the main thread, as for a C
// program of one thread. Elsewhere than the main thread, or off Linux,
// nothing.
void KeepForMainThread(const sigset_t* blocking);
// The same, for a handler the main thread installs: its signals then come to
// the main thread only, as the C handler runs there, at the syscall's exit.
void KeepAllForMainThread();
// Starts a detached thread of the library's own (not a program's pthread)
// with every signal blocked from its first instruction: it never takes one
// of the main thread's. False if it could not start (EAGAIN, as under
// RLIMIT_NPROC), where std::thread would throw.
bool StartHelperThread(std::function<void()> fn);
void SignalMaskAfterFork();

// ---- handlers during pure TypeScript (signal_interrupt.cc) ----------------
// A helper thread asks V8 to interrupt the JavaScript that runs, and the
// interrupt runs the handlers (DispatchFromInterrupt) when it lands on the
// main thread. Start: from the main thread, with its isolate; Note: from the
// C handler.
void InterrupterStart(v8::Isolate* isolate);
void InterrupterNote();
void InterrupterStop();
void InterrupterAfterFork();
// fork holds the interrupt mutex across fork(2) (Prepare, then Parent in the
// parent; the child makes a fresh one in InterrupterAfterFork); every
// RequestInterrupt of the library goes through RequestInterruptForkSafe.
void InterrupterForkPrepare();
void InterrupterForkParent();
void RequestInterruptForkSafe(v8::Isolate* isolate, v8::InterruptCallback callback);

}  // namespace sl
