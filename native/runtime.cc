// Process-level settings: threads, version, devices, allocator tuning.
#include "twin.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <dlfcn.h>
#include <malloc.h>

#include <cmath>

namespace twin {

namespace {

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber() || info[0].As<Napi::Number>().Int32Value() < 1) {
    throw_type(info.Env(), "setNumThreads(n): n must be an integer >= 1");
  }
  int n = info[0].As<Napi::Number>().Int32Value();
  at::set_num_threads(n);
  // at::set_num_threads covers OpenMP and MKL but not a pthreads OpenBLAS
  // (Debian's default BLAS), whose GEMMs would otherwise keep using every
  // core: slower for small models and not bit-identical to a 1-thread run.
  using SetThreads = void (*)(int);
  static SetThreads openblas = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (openblas != nullptr) openblas(n);
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

Napi::Value SetNumInteropThreads(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber() || info[0].As<Napi::Number>().Int32Value() < 1) {
    throw_type(info.Env(), "setNumInteropThreads(n): n must be an integer >= 1");
  }
  guarded(info.Env(), "setNumInteropThreads", [&] {
    at::set_num_interop_threads(info[0].As<Napi::Number>().Int32Value());
    return 0;
  });
  return info.Env().Undefined();
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), TWIN_TORCH_VERSION);
}

Napi::Value ParallelInfo(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), at::get_parallel_info());
}

Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(torch::cuda::device_count()));
}

Napi::Value ManualSeedGlobal(const Napi::CallbackInfo& info) {
  // Only used by tests that prove twin never touches the global generator.
  at::Generator g = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(g.mutex());
  g.set_current_seed(static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value()));
  return info.Env().Undefined();
}

// libm's pow/cos/sqrt on doubles: the functions CPython's float ** and math.*
// call, so optimizer and schedule arithmetic matches PyTorch bit for bit (V8's
// Math.pow differs from glibc's in the last bit for some arguments).
Napi::Value MathFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber()) {
    throw_type(env, "mathFn(name, x, y?): name must be 'pow', 'cos', 'sin', 'exp' or 'log' and x a number");
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  double x = info[1].As<Napi::Number>().DoubleValue();
  double y = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().DoubleValue() : 0.0;
  double r;
  if (name == "pow") r = std::pow(x, y);
  else if (name == "cos") r = std::cos(x);
  else if (name == "sin") r = std::sin(x);
  else if (name == "exp") r = std::exp(x);
  else if (name == "log") r = std::log(x);
  else throw_type(env, "mathFn: unknown function '" + name + "'");
  return Napi::Number::New(env, r);
}

}  // namespace

void init_runtime(Napi::Env env, Napi::Object exports) {
  // docs/engine.md, "Allocator settings": glibc otherwise returns and re-maps
  // large activation buffers on every step (10-20% slower); keep them mapped.
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(std::min<long long>(4294967295LL, INT32_MAX)));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads, "getNumThreads"));
  exports.Set("setNumInteropThreads", Napi::Function::New(env, SetNumInteropThreads, "setNumInteropThreads"));
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  exports.Set("parallelInfo", Napi::Function::New(env, ParallelInfo, "parallelInfo"));
  exports.Set("cudaDeviceCount", Napi::Function::New(env, CudaDeviceCount, "cudaDeviceCount"));
  exports.Set("mathFn", Napi::Function::New(env, MathFn, "mathFn"));
  exports.Set("manualSeedGlobal", Napi::Function::New(env, ManualSeedGlobal, "manualSeedGlobal"));
}

}  // namespace twin
