// Random generators: created, seeded and snapshotted explicitly so that every
// random stream in twin is named and owned; nothing needs the global generator.
#include "twin.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cstring>

namespace twin {

namespace {

uint64_t seed_arg(const Napi::Env& env, const Napi::Value& v, const char* fn) {
  if (v.IsBigInt()) {
    bool lossless = true;
    return v.As<Napi::BigInt>().Uint64Value(&lossless);
  }
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (d < 0 || d > 9007199254740991.0 || d != static_cast<double>(static_cast<uint64_t>(d))) {
      throw_type(env, std::string(fn) + ": a seed must be a non-negative integer below 2^53 (or a BigInt below 2^64)");
    }
    return static_cast<uint64_t>(d);
  }
  throw_type(env, std::string(fn) + ": a seed must be a number or a BigInt");
}

at::Generator gen_arg(const Napi::CallbackInfo& info, const char* fn) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw_type(info.Env(), std::string(fn) + ": expects a generator id");
  return guarded(info.Env(), fn, [&] { return generators().get(info[0].As<Napi::Number>().DoubleValue(), fn); });
}

Napi::Value state_bytes(const Napi::Env& env, at::Generator& g) {
  at::Tensor state;
  {
    std::lock_guard<std::mutex> lock(g.mutex());
    state = g.get_state();
  }
  Napi::Uint8Array out = Napi::Uint8Array::New(env, static_cast<size_t>(state.numel()));
  std::memcpy(out.Data(), state.data_ptr(), static_cast<size_t>(state.numel()));
  return out;
}

Napi::Value GeneratorNew(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t seed = seed_arg(env, info[0], "generatorNew");
  return Napi::Number::New(env, generators().add(at::make_generator<at::CPUGeneratorImpl>(seed)));
}

Napi::Value GeneratorFree(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber()) throw_type(info.Env(), "generatorFree: expects a generator id");
  return Napi::Boolean::New(info.Env(), generators().remove(info[0].As<Napi::Number>().DoubleValue()));
}

Napi::Value GeneratorSeed(const Napi::CallbackInfo& info) {
  at::Generator g = gen_arg(info, "generatorSeed");
  uint64_t seed = seed_arg(info.Env(), info[1], "generatorSeed");
  std::lock_guard<std::mutex> lock(g.mutex());
  g.set_current_seed(seed);
  return info.Env().Undefined();
}

Napi::Value GeneratorInitialSeed(const Napi::CallbackInfo& info) {
  at::Generator g = gen_arg(info, "generatorInitialSeed");
  return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(g.current_seed()));
}

Napi::Value GeneratorGetState(const Napi::CallbackInfo& info) {
  at::Generator g = gen_arg(info, "generatorGetState");
  return state_bytes(info.Env(), g);
}

Napi::Value GeneratorSetState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Generator g = gen_arg(info, "generatorSetState");
  if (info.Length() < 2 || !info[1].IsTypedArray() ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw_type(env, "generatorSetState(id, state): state must be a Uint8Array from generatorGetState");
  }
  Napi::Uint8Array bytes = info[1].As<Napi::Uint8Array>();
  guarded(env, "generatorSetState", [&] {
    at::Tensor state = at::empty({static_cast<int64_t>(bytes.ElementLength())}, at::kByte);
    std::memcpy(state.data_ptr(), bytes.Data(), bytes.ElementLength());
    std::lock_guard<std::mutex> lock(g.mutex());
    g.set_state(state);
    return 0;
  });
  return env.Undefined();
}

// The global CPU generator's state: twin checks it is untouched during a run.
Napi::Value GlobalGeneratorState(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> swapped(global_generator_mutex());
  at::Generator g = at::detail::getDefaultCPUGenerator();
  return state_bytes(info.Env(), g);
}

Napi::Value LiveGenerators(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(generators().size()));
}

}  // namespace

void init_generators(Napi::Env env, Napi::Object exports) {
  exports.Set("generatorNew", Napi::Function::New(env, GeneratorNew, "generatorNew"));
  exports.Set("generatorFree", Napi::Function::New(env, GeneratorFree, "generatorFree"));
  exports.Set("generatorSeed", Napi::Function::New(env, GeneratorSeed, "generatorSeed"));
  exports.Set("generatorInitialSeed", Napi::Function::New(env, GeneratorInitialSeed, "generatorInitialSeed"));
  exports.Set("generatorGetState", Napi::Function::New(env, GeneratorGetState, "generatorGetState"));
  exports.Set("generatorSetState", Napi::Function::New(env, GeneratorSetState, "generatorSetState"));
  exports.Set("globalGeneratorState", Napi::Function::New(env, GlobalGeneratorState, "globalGeneratorState"));
  exports.Set("liveGenerators", Napi::Function::New(env, LiveGenerators, "liveGenerators"));
}

}  // namespace twin
