// Module entry: registers every native function. Context-aware, so worker
// threads can load it; the tensor and generator tables are process-wide.
#include "twin.h"

namespace twin {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  init_ops(env, exports);
  init_tensors(env, exports);
  init_generators(env, exports);
  init_autograd(env, exports);
  init_runtime(env, exports);
  init_jit(env, exports);
  return exports;
}

}  // namespace twin

static Napi::Object InitTwin(Napi::Env env, Napi::Object exports) { return twin::Init(env, exports); }

NODE_API_MODULE(twin, InitTwin)
