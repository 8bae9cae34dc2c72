// The addon's entry point: every native file adds its functions.
#include "common.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  sl::InitErrno(env, exports);
  sl::InitConstants(env, exports);
  sl::InitSocket(env, exports);
  sl::InitIo(env, exports);
  sl::InitFile(env, exports);
  sl::InitEnv(env, exports);
  sl::InitInet(env, exports);
  sl::InitNetdb(env, exports);
  sl::InitTcpInfo(env, exports);
  sl::InitSignal(env, exports);
  sl::InitTime(env, exports);
  sl::InitSelect(env, exports);
  sl::InitProcess(env, exports);
  sl::InitPrctl(env, exports);
  sl::InitExec(env, exports);
  sl::InitThread(env, exports);
  sl::InitSync(env, exports);
  sl::InitJsLock(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(syscall_lab, Init)
