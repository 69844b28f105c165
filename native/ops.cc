// The generic operator bridge: look an aten operator up once by name and
// overload, then call it with JS arguments converted from its schema.
#include "convert.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>

#include <memory>
#include <set>
#include <sstream>

namespace twin {

namespace {

struct OpEntry {
  c10::OperatorHandle handle;
  std::string name;            // "aten::add.Tensor"
  int generator_arg = -1;      // index of a Generator? argument, if any
  bool draws_global = false;   // draws from the global generator with no way to pass one
  std::vector<bool> write_alias_return;  // returns that alias a mutated input (in-place, out=)
};

// Entries are appended under registry_mutex and never move or disappear, so
// callOp reads them without a lock: a slot is published by the release store
// of registry_size after it is written.
constexpr size_t kMaxOps = 16384;
std::mutex registry_mutex;
std::unique_ptr<OpEntry> registry[kMaxOps];
std::atomic<size_t> registry_size{0};
std::unordered_map<std::string, size_t> registry_index;

// Ops that draw random numbers but take no Generator (docs/engine.md,
// "Generators"). Their generator-taking overloads are fine.
const std::set<std::string> kGlobalRandomOps = {
    "aten::dropout", "aten::dropout_", "aten::feature_dropout", "aten::feature_dropout_",
    "aten::alpha_dropout", "aten::alpha_dropout_", "aten::feature_alpha_dropout",
    "aten::feature_alpha_dropout_", "aten::native_dropout", "aten::rand_like", "aten::randn_like",
    "aten::randint_like", "aten::rand", "aten::randn", "aten::randint", "aten::randperm",
};

OpEntry& entry_at(const Napi::Env& env, const Napi::Value& v) {
  if (!v.IsNumber()) throw_type(env, "op handle must be a number from opHandle()");
  double d = v.As<Napi::Number>().DoubleValue();
  size_t i = static_cast<size_t>(d);
  if (!(d >= 0) || i >= registry_size.load(std::memory_order_acquire)) {
    throw_type(env, "unknown op handle " + std::to_string(d));
  }
  return *registry[i];
}

// opHandle(name, overload) -> number
Napi::Value OpHandle(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) {
    throw_type(env, "opHandle(name, overload): both must be strings, e.g. opHandle('aten::add', 'Tensor')");
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::string overload = info[1].As<Napi::String>().Utf8Value();
  if (name.find("::") == std::string::npos) name = "aten::" + name;
  std::string key = overload.empty() ? name : name + "." + overload;
  {
    std::lock_guard<std::mutex> lock(registry_mutex);
    auto it = registry_index.find(key);
    if (it != registry_index.end()) return Napi::Number::New(env, static_cast<double>(it->second));
  }
  auto handle = c10::Dispatcher::singleton().findSchema({name, overload});
  if (!handle) {
    throw Napi::Error::New(env, "unknown op '" + key + "': no such operator and overload in libtorch " +
                                    TWIN_TORCH_VERSION + " (the overload name is required, e.g. aten::add.Tensor)");
  }
  auto entry = std::make_unique<OpEntry>(OpEntry{*handle, key});
  const auto& schema = handle->schema();
  for (size_t i = 0; i < schema.arguments().size(); ++i) {
    auto t = schema.arguments()[i].type();
    if (t->kind() == c10::TypeKind::OptionalType) t = t->castRaw<c10::OptionalType>()->getElementType();
    if (t->kind() == c10::TypeKind::GeneratorType) entry->generator_arg = static_cast<int>(i);
  }
  entry->draws_global = kGlobalRandomOps.count(name) > 0 && entry->generator_arg < 0;
  for (const auto& r : schema.returns()) {
    entry->write_alias_return.push_back(r.alias_info() != nullptr && r.alias_info()->isWrite());
  }
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto it = registry_index.find(key);  // another thread may have won the race
  if (it != registry_index.end()) return Napi::Number::New(env, static_cast<double>(it->second));
  size_t n = registry_size.load(std::memory_order_relaxed);
  if (n >= kMaxOps) throw Napi::Error::New(env, "opHandle: too many distinct operators");
  registry[n] = std::move(entry);
  registry_index.emplace(key, n);
  registry_size.store(n + 1, std::memory_order_release);
  return Napi::Number::New(env, static_cast<double>(n));
}

std::string call_description(const OpEntry& op, const Napi::CallbackInfo& info) {
  const auto& args = op.handle.schema().arguments();
  std::string s = op.name + "(";
  bool first = true;
  for (size_t i = 0; i < args.size() && i + 1 < info.Length(); ++i) {
    std::string d = describe_js(info[i + 1], args[i]);
    if (d.empty()) continue;
    if (!first) s += ", ";
    first = false;
    s += args[i].name() + "=" + d;
  }
  return s + ")";
}

// callOp(handle, ...args) -> result. Tensors come back as ids; a return that
// aliases a mutated input comes back as undefined (the caller already holds it).
Napi::Value CallOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  OpEntry& op = entry_at(env, info[0]);
  const auto& schema = op.handle.schema();
  const auto& args = schema.arguments();
  size_t given = info.Length() - 1;
  if (given > args.size()) {
    throw_type(env, op.name + " takes " + std::to_string(args.size()) + " arguments (" + c10::toString(schema) +
                        "), got " + std::to_string(given) + ", in " + call_description(op, info));
  }
  if (strict_random.load(std::memory_order_relaxed)) {
    if (op.draws_global) {
      throw Napi::Error::New(env, op.name + " draws from libtorch's global generator, which twin forbids "
                                            "in strict-random mode; use its generator overload or twin's "
                                            "nn.Dropout / torch.rand(..., {generator}) instead");
    }
    if (op.generator_arg >= 0) {
      size_t g = static_cast<size_t>(op.generator_arg) + 1;
      if (g >= info.Length() || info[g].IsUndefined() || info[g].IsNull()) {
        throw Napi::Error::New(env, op.name + " draws random numbers and was given no generator; pass an "
                                              "explicit generator (strict-random mode forbids the global one)");
      }
    }
  }
  // A reused per-thread stack: no allocation per call. Cleared on every exit
  // path so it never keeps a tensor alive after the call.
  thread_local torch::jit::Stack stack;
  struct ClearOnExit {
    torch::jit::Stack& s;
    ~ClearOnExit() { s.clear(); }
  } clear_on_exit{stack};
  stack.clear();
  ConvertContext ctx{op.name};
  try {
    for (size_t i = 0; i < args.size(); ++i) {
      stack.push_back(to_ivalue(env, i < given ? info[i + 1] : env.Undefined(), args[i], ctx));
    }
    op.handle.callBoxed(&stack);
  } catch (const Napi::Error& e) {
    // An argument that could not be converted: say which call it was, with the shapes.
    throw Napi::TypeError::New(env, e.Message() + ", in " + call_description(op, info));
  } catch (const c10::Error& e) {
    throw Napi::Error::New(env, call_description(op, info) + ": " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, call_description(op, info) + ": " + e.what());
  }
  size_t n = stack.size();
  if (n == 0) return env.Undefined();
  if (n == 1) return op.write_alias_return[0] ? env.Undefined() : from_ivalue(env, stack[0]);
  Napi::Array out = Napi::Array::New(env, n);
  for (size_t i = 0; i < n; ++i) {
    bool alias = i < op.write_alias_return.size() && op.write_alias_return[i];
    out.Set(static_cast<uint32_t>(i), alias ? env.Undefined() : from_ivalue(env, stack[i]));
  }
  return out;
}

Napi::Object describe_argument(const Napi::Env& env, const c10::Argument& a) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", a.name());
  o.Set("type", a.real_type()->str());
  if (a.N()) o.Set("size", *a.N());
  o.Set("kwargOnly", a.kwarg_only());
  if (a.default_value()) {
    std::ostringstream s;
    s << *a.default_value();
    o.Set("default", s.str());
  }
  if (a.alias_info()) {
    std::string alias;
    for (const auto& set : a.alias_info()->beforeSets()) alias += set.toUnqualString();
    if (a.alias_info()->isWrite()) alias += "!";
    o.Set("alias", alias);
  }
  return o;
}

// listSchemas() -> [{name, overload, schema, arguments, returns}] for every registered operator.
Napi::Value ListSchemas(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto names = c10::Dispatcher::singleton().getAllOpNames();
  Napi::Array out = Napi::Array::New(env);
  uint32_t k = 0;
  for (const auto& opname : names) {
    auto handle = c10::Dispatcher::singleton().findSchema(opname);
    if (!handle || !handle->hasSchema()) continue;
    const auto& schema = handle->schema();
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", opname.name);
    o.Set("overload", opname.overload_name);
    o.Set("schema", c10::toString(schema));
    Napi::Array args = Napi::Array::New(env, schema.arguments().size());
    for (size_t i = 0; i < schema.arguments().size(); ++i) {
      args.Set(static_cast<uint32_t>(i), describe_argument(env, schema.arguments()[i]));
    }
    o.Set("arguments", args);
    Napi::Array rets = Napi::Array::New(env, schema.returns().size());
    for (size_t i = 0; i < schema.returns().size(); ++i) {
      rets.Set(static_cast<uint32_t>(i), describe_argument(env, schema.returns()[i]));
    }
    o.Set("returns", rets);
    out.Set(k++, o);
  }
  return out;
}

Napi::Value SetStrictRandom(const Napi::CallbackInfo& info) {
  bool previous = strict_random.load();
  if (info.Length() > 0) strict_random.store(info[0].ToBoolean().Value());
  return Napi::Boolean::New(info.Env(), previous);
}

}  // namespace

void init_ops(Napi::Env env, Napi::Object exports) {
  exports.Set("opHandle", Napi::Function::New(env, OpHandle, "opHandle"));
  exports.Set("callOp", Napi::Function::New(env, CallOp, "callOp"));
  exports.Set("listSchemas", Napi::Function::New(env, ListSchemas, "listSchemas"));
  exports.Set("strictRandom", Napi::Function::New(env, SetStrictRandom, "strictRandom"));
}

}  // namespace twin
