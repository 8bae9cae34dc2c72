// Threads that run TypeScript (thread.cc): which thread this is, and
// deferred cancellation.
#pragma once

#include <napi.h>

namespace sl {

// Deferred cancellation. The blocking calls are cancellation points:
// TestCancel returns false, with the cancellation pending as a JS exception,
// when the calling thread was canceled. While a thread is inside a blocking
// syscall (BlockingEnter, blocking.h), pthread_cancel interrupts it with a
// signal (EINTR).
bool TestCancel(Napi::Env env);
// The same test, without the JS lock and without throwing: false when canceled.
bool TestCancelQuiet();
// The signal that breaks a canceled thread's syscall.
int CancelSignal();
// Whether the calling thread is the process's main thread (not a pthread of
// ours, nor a Node Worker's thread).
bool OnMainThread();
// Whether it is one of the library's pthreads (pthread_create).
bool OnLibraryThread();
// In the child of fork: the other threads are gone.
void ThreadsAfterFork();

}  // namespace sl
