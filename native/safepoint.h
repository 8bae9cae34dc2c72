// Where a V8 interrupt may hand the JS lock over or run a signal handler
// (safepoint.cc): only at a stack check of JavaScript code.
#pragma once

#include <v8.h>

namespace sl {

// Whether an interrupt callback (which must call it directly) interrupted
// JavaScript at a stack check, the only place where it may hand the lock
// over or run JavaScript. Calibrate first, holding the JS lock, in a context
// (from a call of the addon); until then it is false.
bool AtJsSafePoint(v8::Isolate* isolate);
void SafePointCalibrate(v8::Isolate* isolate);

}  // namespace sl
