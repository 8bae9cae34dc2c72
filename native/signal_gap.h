// The gap between a blocking call's last look for pending signals and its
// syscall (signal_gap.cc): a signal that lands there breaks the syscall.
#pragma once

#include <atomic>

namespace sl {

// Whether the program installed a TypeScript handler (SignalGapInstall):
// until then no call has a gap to mark.
extern std::atomic<bool> g_signal_handlers;
inline bool SignalHandlersInstalled() { return g_signal_handlers.load(std::memory_order_relaxed); }
// Asked with the JS lock held: whether this thread's call has a gap (it runs
// the handlers: the main thread, CanDispatchHere). Pass it to SignalGapOpen.
bool SignalGapHere();
// Open returns -1 when a signal is pending (skip the syscall: EINTR), 1 when
// the gap is open, 0 when there is none (`here` false); Close takes that
// value. TakeSignalCameInGap tells, after EINTR, whether the signal came
// before the syscall started.
int SignalGapOpen(bool here);
void SignalGapClose(int opened);
bool TakeSignalCameInGap();
void SignalGapNote(const void* context);  // from the C handler, on the main thread, with its ucontext
void SignalGapInstall();                  // once handlers are ours
void SignalGapAfterFork();
#if defined(__linux__)
// The private signal that breaks the syscall.
int KickSignal();
#endif

}  // namespace sl
