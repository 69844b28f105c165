// Shared declarations of the twin addon: the live-tensor and generator tables,
// argument conversion, and the functions each source file exports to JS.
#pragma once

#include <napi.h>
#include <ATen/ATen.h>
#include <ATen/core/Generator.h>
#include <ATen/core/ivalue.h>

#include <torch/version.h>

#include <atomic>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace twin {

#define TWIN_STR2(x) #x
#define TWIN_STR(x) TWIN_STR2(x)
// libtorch's version, e.g. "1.13.0".
#define TWIN_TORCH_VERSION TWIN_STR(TORCH_VERSION_MAJOR) "." TWIN_STR(TORCH_VERSION_MINOR) "." TWIN_STR(TORCH_VERSION_PATCH)

// Tensors live here, addressed by a number id that JS holds. The table is
// process-wide (shared by worker threads) and guarded by a mutex; ids are never
// reused, so a stale id is always detected.
class TensorTable {
 public:
  double add(at::Tensor t);
  at::Tensor get(double id, const char* what);
  // Like get, without building a message: false when the id is not live.
  bool try_get(double id, at::Tensor& out);
  bool has(double id);
  bool remove(double id);
  size_t size();
  // Sum of the bytes of distinct storages held by live tensors.
  size_t bytes();

 private:
  // A slab of slots (no allocation per tensor). An id is generation * 2^24 +
  // slot index; a slot's generation grows on every reuse, so an id is never
  // handed out twice and a stale id is always detected.
  struct Slot {
    at::Tensor tensor;
    uint32_t generation = 1;
    bool live = false;
  };
  static constexpr int64_t kIndexBits = 24;
  static constexpr int64_t kIndexMask = (int64_t{1} << kIndexBits) - 1;
  static constexpr uint32_t kMaxGeneration = (uint32_t{1} << 28);
  Slot* find(double id);
  std::mutex mutex_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  size_t live_ = 0;
};

class GeneratorTable {
 public:
  double add(at::Generator g);
  at::Generator get(double id, const char* what);
  bool remove(double id);
  size_t size();

 private:
  std::mutex mutex_;
  std::unordered_map<int64_t, at::Generator> generators_;
  int64_t next_ = 1;
};

TensorTable& tensors();
GeneratorTable& generators();

// When set, an op that would draw from libtorch's global generator throws.
extern std::atomic<bool> strict_random;

// Held while a scripted forward runs with the global generator's state swapped
// for a twin generator's (jit.cc), and while the global state is read.
std::mutex& global_generator_mutex();

// dtype names as JS spells them ("float32", "int64", ...), both ways.
c10::ScalarType parse_dtype(const std::string& name);
const char* dtype_name(c10::ScalarType t);
c10::Layout parse_layout(const std::string& name);
c10::MemoryFormat parse_memory_format(const std::string& name);

// "Tensor[2, 3] float32" for error messages.
std::string describe(const at::Tensor& t);

// Runs fn, turning any C++ exception into a JS Error prefixed by context.
template <typename F>
auto guarded(const Napi::Env& env, const std::string& context, F fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw Napi::Error::New(env, context + ": " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, context + ": " + e.what());
  }
}

[[noreturn]] void throw_type(const Napi::Env& env, const std::string& message);

void init_ops(Napi::Env env, Napi::Object exports);
void init_tensors(Napi::Env env, Napi::Object exports);
void init_generators(Napi::Env env, Napi::Object exports);
void init_autograd(Napi::Env env, Napi::Object exports);
void init_runtime(Napi::Env env, Napi::Object exports);
void init_jit(Napi::Env env, Napi::Object exports);

}  // namespace twin
