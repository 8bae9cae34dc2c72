// Constants from the platform headers at build time, never typed in by hand:
// the same names as in C, with this machine's values. The names come from
// native/constants.list, through constants_table.inc (tools/constants/generate.js).
#include "common.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "event_api.h"
#if defined(__linux__)
#include <sys/prctl.h>
#endif

namespace sl {

void InitConstants(Napi::Env env, Napi::Object exports) {
  Napi::Object c = Napi::Object::New(env);
  // Casting through double keeps unsigned values (INADDR_NONE) positive.
#define C(name) c.Set(#name, Napi::Number::New(env, static_cast<double>(name)))
#include "constants_table.inc"
#undef C
  exports.Set("constants", c);

  Napi::Object sizes = Napi::Object::New(env);
#define S(type) sizes.Set(#type, Napi::Number::New(env, static_cast<double>(sizeof(struct type))))
  S(sockaddr);
  S(sockaddr_in);
  S(sockaddr_in6);
  S(sockaddr_un);
  S(sockaddr_storage);
  S(linger);
  S(timeval);
  S(timespec);
#undef S
  sizes.Set("int", Napi::Number::New(env, sizeof(int)));
  sizes.Set("socklen_t", Napi::Number::New(env, sizeof(socklen_t)));
  sizes.Set("sun_path", Napi::Number::New(env, sizeof(((struct sockaddr_un*)nullptr)->sun_path)));
  sizes.Set("fd_set", Napi::Number::New(env, sizeof(fd_set)));
  exports.Set("sizeof", sizes);
}

}  // namespace sl
