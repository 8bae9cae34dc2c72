// The fast V8 callbacks' plumbing (see fastcall.h).
#include "fastcall.h"

#include "jslock.h"  // JsThreadsExist

#include <cstdint>

namespace sl {

void SetFastFn(Napi::Env env, Napi::Object exports, const char* name, v8::FunctionCallback fast,
               Napi::Function::Callback slow) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  v8::Local<v8::Function> fallback = ToV8(Napi::Function::New(env, slow, name)).As<v8::Function>();
  v8::Local<v8::FunctionTemplate> tmpl = v8::FunctionTemplate::New(
      isolate, fast, fallback, v8::Local<v8::Signature>(), 0, v8::ConstructorBehavior::kThrow);
  v8::Local<v8::Function> fn;
  if (!tmpl->GetFunction(context).ToLocal(&fn)) return;  // an exception is pending
  fn->SetName(v8::String::NewFromUtf8(isolate, name).ToLocalChecked());
  exports.Set(name, Napi::Value(env, ToNapi(fn)));
}

void CallSlow(const v8::FunctionCallbackInfo<v8::Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  int argc = args.Length();
  v8::Local<v8::Value> argv[4];
  if (argc > 4) argc = 4;  // the fast calls take at most 4 arguments; more would be ignored anyway
  for (int i = 0; i < argc; i++) argv[i] = args[i];
  v8::Local<v8::Value> result;
  bool ok = args.Data().As<v8::Function>()->Call(isolate->GetCurrentContext(), args.This(), argc, argv).ToLocal(&result);
  TakeInterrupted();  // consumed by Blocking, unless an argument check threw first
  if (ok) args.GetReturnValue().Set(result);
}

bool FastFdBuffer(const v8::FunctionCallbackInfo<v8::Value>& args, int* fd, uint8_t** buf, size_t* count,
                  std::shared_ptr<v8::BackingStore>* hold, int* flags) {
  int argc = args.Length();
  if (argc < 2 || argc > (flags ? 4 : 3) || !args[0]->IsInt32() || !args[1]->IsUint8Array()) return false;
  if (flags) {
    *flags = 0;
    if (argc == 4 && !args[3]->IsUndefined()) {
      if (!args[3]->IsInt32()) return false;
      *flags = args[3].As<v8::Int32>()->Value();
    }
  }
  v8::Local<v8::Uint8Array> view = args[1].As<v8::Uint8Array>();
  size_t len = view->ByteLength();
  size_t n = len;
  if (argc >= 3 && !args[2]->IsUndefined()) {
    if (!args[2]->IsInt32()) return false;
    int32_t c = args[2].As<v8::Int32>()->Value();
    if (c < 0 || static_cast<size_t>(c) > len) return false;
    n = static_cast<size_t>(c);
  }
  // Buffer() moves a small on-heap array's bytes off the heap, where the GC
  // cannot move them while the syscall runs without the JS lock.
  v8::Local<v8::ArrayBuffer> ab = view->Buffer();
  if (len == 0 && ab->WasDetached()) return false;  // the slow path says so
  if (JsThreadsExist()) *hold = ab->GetBackingStore();
  *fd = args[0].As<v8::Int32>()->Value();
  *buf = static_cast<uint8_t*>(ab->Data()) + view->ByteOffset();
  *count = n;
  return true;
}

}  // namespace sl
