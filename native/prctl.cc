// prctl (Linux): the options that take or give an int, the ones a server or a
// grader uses: PR_SET/GET_CHILD_SUBREAPER (orphans of the descendants come to
// the caller, not to init) and PR_SET/GET_PDEATHSIG (a signal when the parent
// dies). Options that take a pointer are not offered: an address from
// TypeScript could point anywhere. On macOS there is no prctl: the export is
// absent and the TypeScript side answers -1 with ENOSYS.
#include "common.h"

#if defined(__linux__)
#include <sys/prctl.h>
#endif

namespace sl {

#if defined(__linux__)
namespace {

// prctl(option, arg2): 0 for a SET, the value for a GET, or -1 with errno
// (EINVAL for an option not offered, or a bad signal).
Napi::Value Prctl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int option;
  if (!GetInt(info, 0, "prctl", "option", &option)) return Napi::Value();
  switch (option) {
    case PR_SET_CHILD_SUBREAPER:
    case PR_SET_PDEATHSIG: {
      int arg;
      if (!GetInt(info, 1, "prctl", "arg2", &arg)) return Napi::Value();
      return Direct(env, [&] { return prctl(option, static_cast<unsigned long>(arg), 0UL, 0UL, 0UL); });
    }
    case PR_GET_CHILD_SUBREAPER:
    case PR_GET_PDEATHSIG: {
      int value = 0;  // the kernel writes an int here, never TypeScript's memory
      if (prctl(option, &value, 0UL, 0UL, 0UL) == -1) return Fail(env, errno);
      return Result(env, value);
    }
    default:
      return Fail(env, EINVAL);
  }
}

}  // namespace
#endif

void InitPrctl(Napi::Env env, Napi::Object exports) {
#if defined(__linux__)
  SetFn(env, exports, "prctl", Prctl);
#endif
}

}  // namespace sl
