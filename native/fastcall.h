// The per-request calls (read, write, send, recv) as plain V8 callbacks.
//
// A Node-API call costs about 100-150 ns of scaffolding before the syscall:
// the callback wrapper, napi_get_cb_info, a napi call per argument check,
// and the result's napi_create_double. A server spends that twice per
// request. So read and write are V8 functions whose callback handles the
// common case itself: an int fd, a Uint8Array (a Buffer is one), an int
// count or none, no cancellation and no signal pending. Anything else (a
// DataView, a bad argument, a signal to dispatch) goes to the Node-API
// version of the call, which has every check and every error message: the
// two can never disagree on what is an error.
//
// A fast call that gets EINTR hands over too, with MarkInterrupted, so that
// Blocking runs the handlers and returns -1 / EINTR or restarts exactly as if
// it had made the call itself.
#pragma once

#include "blocking.h"
#include "common.h"
#include "napi_v8.h"
#include "signal.h"
#include "thread.h"

#include <cstdint>

namespace sl {

// exports[name] = a V8 function running `fast`, with the Node-API callback
// `slow` (the complete implementation) as its fallback.
void SetFastFn(Napi::Env env, Napi::Object exports, const char* name, v8::FunctionCallback fast,
               Napi::Function::Callback slow);

// Hands the call, arguments untouched, to the Node-API implementation.
void CallSlow(const v8::FunctionCallbackInfo<v8::Value>& args);

// Whether the fast path may run at all: not canceled, no signal pending.
inline bool FastReady() { return TestCancelQuiet() && !SignalsPending(); }

// args[0] as an fd, args[1] as the bytes of a Uint8Array, args[2] as a count
// (absent or undefined: the whole buffer), and for send and recv (flags not
// null) args[3] as flags (absent or undefined: 0). False if any of them needs
// the slow path: a non-int, another kind of view, a count out of range, or
// an argument more than the call takes.
// *hold as GetBufferCount's (common.h).
bool FastFdBuffer(const v8::FunctionCallbackInfo<v8::Value>& args, int* fd, uint8_t** buf, size_t* count,
                  std::shared_ptr<v8::BackingStore>* hold, int* flags = nullptr);

// The result of a blocking call made here: the count, or -1 with errno saved;
// EINTR goes to the slow path (see above). A signal that came as the call
// completed waits for the next call (whose fast path gives way to the slow
// one, which runs it first) or for the interrupt helper, whichever is first:
// a handler run from here, in an interrupt, could only throw as an uncaught
// exception, where the slow path's throw unwinds out of a call.
template <typename Call>
void FastBlocking(const v8::FunctionCallbackInfo<v8::Value>& args, Call&& call) {
  int err;
  long r = CallInterruptible(call, &err);
  if (r == -1) {
    if (err == EINTR) {
      MarkInterrupted();
      return CallSlow(args);
    }
    saved_errno = err;
  }
  if (r <= INT32_MAX) {
    args.GetReturnValue().Set(static_cast<int32_t>(r));  // a small integer: no heap number
  } else {
    args.GetReturnValue().Set(static_cast<double>(r));
  }
}

}  // namespace sl
