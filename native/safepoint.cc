// Where a V8 interrupt may hand the JS lock to another thread, or run a
// signal handler: only where the interrupted thread stands at a stack check
// of JavaScript code (a function's entry, a loop's back edge).
//
// V8 services Isolate::RequestInterrupt at every StackGuard::HandleInterrupts,
// and that is not only JavaScript's stack checks: C++ that works for a long
// time calls it too, in the middle of its work. V8's API says the callback
// "must not reenter interrupted Isolate"; giving the lock to another thread
// (v8::Unlocker) does just that. What v8::Locker's ThreadManager archives
// per thread on a switch: the handle scopes, ThreadLocalTop (context, pending
// exception, try-catch chain, JS entry and exit frames), the stack guard's
// limits and interrupt flags, the debugger's per-thread state, the regexp
// backtrack stack's descriptor, the bootstrapper's nesting, Relocatables.
// Everything else is per isolate, and some of it is in use mid-operation when
// these interrupts land (seen with Node 20, V8 11.3, and in V8's source):
//  - irregexp code calls the interrupt from its backtracking loop
//    (CheckStackGuardState) with its backtrack stack pointer, its registers
//    and the isolate's static offsets vector (the captures of a global match)
//    live; another thread's regexp then runs on the same per-isolate regexp
//    machinery. 8 runs in 10 died with SIGSEGV in generated code, its
//    backtrack stack pointer in a freed block (issue 19, item 3);
//  - the regexp bytecode interpreter, JSON.parse, Atomics.wait (the isolate's
//    one FutexWaitListNode), BigInt arithmetic, wasm, call it from C++ loops.
// At a JavaScript stack check none of that is live: the thread stands where
// a call could run any JavaScript, so all that the next thread can touch is
// either archived with the thread or left as a call would leave it.
//
// Telling the two apart with public API only: the native stack between the
// callback and the first frame of V8's generated code (an embedded builtin,
// or code in the isolate's code range; glibc's unwinder stops there). For a
// stack check that is the runtime function StackGuard (or its twins) under
// HandleInterrupts and the callback invoker: a fixed number of C++ frames,
// measured once by interrupting a small JavaScript loop (Calibrate). The
// runtime paths above have more frames before generated code (irregexp's
// own frame, the interpreter's and JSON's C++ frames), so they do not match:
// the interrupt is let go, and the watchdog asks again later. A shape that is
// not known never switches: at worst a switch comes late, never in the wrong
// place.
#include "safepoint.h"

#include <execinfo.h>

#include <atomic>

namespace sl {
namespace {

constexpr int kMaxFrames = 32;
std::atomic<int> g_depth{-1};  // the frames up to generated code at a stack check; -1: not measured

bool InRange(const void* pc, const void* start, size_t length) {
  auto p = reinterpret_cast<uintptr_t>(pc), s = reinterpret_cast<uintptr_t>(start);
  return length > 0 && p >= s && p - s < length;
}

// The number of native frames from here to the first one of V8's generated
// code, or -1 if none was found. Not inlined: every caller is an interrupt
// callback that calls it directly, so the count means the same for all.
__attribute__((noinline)) int FramesToGeneratedCode(v8::Isolate* isolate) {
  void* pcs[kMaxFrames];
  int n = backtrace(pcs, kMaxFrames);
  const void* embedded = nullptr;
  size_t embedded_length = 0;
  void* code = nullptr;
  size_t code_length = 0;
  isolate->GetEmbeddedCodeRange(&embedded, &embedded_length);
  isolate->GetCodeRange(&code, &code_length);
  for (int i = 0; i < n; i++) {
    if (InRange(pcs[i], embedded, embedded_length) || InRange(pcs[i], code, code_length)) return i;
  }
  return -1;
}

std::atomic<bool> g_calibrating{false};
std::atomic<int> g_measured{-1};  // what the calibration's interrupt saw (it may come late)

}  // namespace

__attribute__((noinline)) bool AtJsSafePoint(v8::Isolate* isolate) {
  int frames = FramesToGeneratedCode(isolate);
  if (g_calibrating.exchange(false)) {
    g_measured.store(frames);
    return false;
  }
  int depth = g_depth.load(std::memory_order_relaxed);
  return depth >= 0 && frames == depth;
}

namespace {

// Calls AtJsSafePoint as every interrupt callback of the library does: the
// same number of frames lie between them and V8.
__attribute__((noinline)) void CalibrateInterrupt(v8::Isolate* isolate, void*) {
  bool safe = AtJsSafePoint(isolate);  // measures, while calibrating
  asm volatile("" : : "r"(safe));       // used after the call: not a tail call
}

}  // namespace

void SafePointCalibrate(v8::Isolate* isolate) {
  if (g_depth.load() >= 0) return;
  v8::HandleScope scope(isolate);
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  if (context.IsEmpty()) return;
  // An interrupt pending before a loop lands on the loop's first stack check.
  g_measured.store(-1);
  g_calibrating.store(true);
  isolate->RequestInterrupt(CalibrateInterrupt, nullptr);
  v8::TryCatch try_catch(isolate);
  v8::Local<v8::String> source =
      v8::String::NewFromUtf8Literal(isolate, "(() => { let s = 0; for (let i = 0; i < 1000; i++) s += i; return s; })()");
  v8::Local<v8::Script> script;
  if (v8::Script::Compile(context, source).ToLocal(&script)) {
    v8::MaybeLocal<v8::Value> ignored = script->Run(context);
    (void)ignored;
  }
  // Not serviced by the loop (it should be): no switch is ever safe then.
  g_calibrating.store(false);
  g_depth.store(g_measured.load());
}

}  // namespace sl
