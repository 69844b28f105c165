// TorchScript modules (torch.jit.script(model).save(path) in Python): loaded
// on the CPU, their parameters and buffers handed to JS as tensors of the
// table (the same tensors the module holds, so an optimizer stepping them
// trains the module), forward run on table tensors, errors translated.
//
// Randomness: libtorch's scripted ops (dropout, rand_like, ...) draw from the
// global CPU generator and take no generator argument. A forward given a twin
// generator runs with the global generator's state swapped for that
// generator's, under one process-wide lock, and swaps back afterwards: the
// module draws from the twin stream, the global generator is left as it was,
// and concurrent forwards (worker threads) draw one after another.
#include "twin.h"
#include "convert.h"

#include <torch/script.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/python/update_graph_executor_opt.h>
#include <torch/csrc/jit/runtime/graph_executor.h>

#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <unordered_map>

namespace twin {

std::mutex& global_generator_mutex() {
  static std::mutex m;
  return m;
}

namespace {

struct Scripted {
  torch::jit::Module module;
  std::string path;
  std::string schema;  // "forward(__torch__.Net self, Tensor x) -> Tensor"
};

std::mutex modules_mutex;
std::unordered_map<int64_t, std::shared_ptr<Scripted>> modules;
int64_t next_module = 1;

std::shared_ptr<Scripted> module_arg(const Napi::CallbackInfo& info, const char* fn) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw_type(info.Env(), std::string(fn) + ": expects a module id");
  int64_t id = static_cast<int64_t>(info[0].As<Napi::Number>().DoubleValue());
  std::lock_guard<std::mutex> lock(modules_mutex);
  auto it = modules.find(id);
  if (it == modules.end()) {
    throw Napi::Error::New(info.Env(), std::string(fn) + ": scripted module #" + std::to_string(id) +
                                          " was disposed (or never existed)");
  }
  return it->second;
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

std::string first_line(const std::string& s) {
  auto end = s.find('\n');
  return end == std::string::npos ? s : s.substr(0, end);
}

const char* kRebuild =
    "or rebuild twin against a newer libtorch: LIBTORCH=/path/to/libtorch npm run build:native "
    "(an official libtorch archive, or a pip torch's torch/ folder)";

// A libtorch load error, said in terms of what the user did and can do.
std::string load_message(const std::string& path, const std::string& what) {
  const std::string script = "save the model in Python with torch.jit.script(model).save(\"" + path + "\")";
  if (contains(what, "not a ZIP archive") || contains(what, "failed reading zip archive")) {
    return path + " is not a TorchScript file (it is not the zip archive torch.jit.save writes); " + script;
  }
  if (contains(what, "failed locating file constants.pkl") || contains(what, "failed locating file data.pkl")) {
    return path + " is a PyTorch archive but not a TorchScript module (torch.save of a model or a state_dict?); " +
           script + " (a state_dict can then be loaded into it with loadStateDict)";
  }
  auto version_at = what.find("Attempted to read a PyTorch file with version ");
  if (version_at != std::string::npos) {
    std::string rest = what.substr(version_at + 46);
    std::string file_version = rest.substr(0, rest.find(','));
    auto max_at = rest.find("maximum supported version for reading is ");
    std::string max_version = max_at == std::string::npos ? "?" : rest.substr(max_at + 41);
    max_version = max_version.substr(0, max_version.find_first_not_of("0123456789"));
    return path + " was saved by a newer PyTorch than the libtorch twin runs on: its file format is version " +
           file_version + ", and libtorch " TWIN_TORCH_VERSION " reads up to version " + max_version +
           ". Save it with PyTorch " TWIN_TORCH_VERSION " (e.g. Debian's python3-torch), " + kRebuild;
  }
  if (contains(what, "Unknown builtin op") || contains(what, "Unknown type name") ||
      contains(what, "is not a member of") || contains(what, "Unknown type constructor")) {
    return path + " uses an operator or type that libtorch " TWIN_TORCH_VERSION " does not have (" +
           first_line(what) + "): it was probably saved by a newer PyTorch. Save it with PyTorch " TWIN_TORCH_VERSION
           ", " + kRebuild;
  }
  return "could not load the TorchScript file " + path + ": " + first_line(what);
}

// A TorchScript interpreter error as its error line and the innermost frame
// of the original (Python) code, without the interpreter's own traceback or
// the dispatcher's list of backends.
std::string interpreter_summary(const std::string& what) {
  auto original = what.find("Traceback of TorchScript, original code");
  if (original == std::string::npos) return first_line(what);
  auto frame = what.rfind("\n  File \"");
  if (frame == std::string::npos || frame < original) return first_line(what);
  auto here = what.find("<--- HERE", frame);
  if (here == std::string::npos) return first_line(what);
  auto frame_end = what.find('\n', here);
  if (frame_end == std::string::npos) return first_line(what);
  // The source shown after the HERE marker is indented; the error ("RuntimeError: ...") is the first line that is not.
  auto error_at = frame_end + 1;
  while (error_at < what.size() && what[error_at] == ' ') {
    auto next = what.find('\n', error_at);
    if (next == std::string::npos) break;
    error_at = next + 1;
  }
  std::string error_line = first_line(what.substr(error_at < what.size() ? error_at : frame_end + 1));
  if (error_line.size() > 300) error_line = error_line.substr(0, 300) + "...";
  return error_line + "\n" + what.substr(frame + 1, frame_end - frame - 1);
}

void collect_random_ops(torch::jit::Block* block, std::set<std::string>& out) {
  for (torch::jit::Node* node : block->nodes()) {
    if (node->isNondeterministic()) out.insert(node->kind().toQualString());
    for (torch::jit::Block* inner : node->blocks()) collect_random_ops(inner, out);
  }
}

std::string type_name(const torch::jit::Module& m) {
  return m.type()->name() ? m.type()->name()->qualifiedName() : std::string("?");
}

// Where torch.jit.trace was called, when some node of the graph was recorded
// by the tracer: a traced node's original source is the Python stack at
// tracing time ("…/torch/jit/_trace.py(976): trace_module", …, the caller's
// "file(line): <module>"), where a scripted node's is its Python source. Empty
// when no node says so.
std::string traced_at(torch::jit::Block* block) {
  for (torch::jit::Node* node : block->nodes()) {
    auto original = node->sourceRange().findSourceRangeThatGenerated();
    if (original && original->source()) {
      const std::string text = original->source()->text_str().str();
      auto trace = text.find("_trace.py(");
      if (trace != std::string::npos && text.find("): trace", trace) != std::string::npos) {
        // The caller is the first frame after the tracer's own.
        std::istringstream frames(text.substr(trace));
        std::string frame, caller;
        while (std::getline(frames, frame)) {
          if (!contains(frame, "_trace.py(")) {
            caller = frame;
            break;
          }
        }
        return caller.empty() ? "torch.jit.trace" : caller;
      }
    }
    for (torch::jit::Block* inner : node->blocks()) {
      std::string at = traced_at(inner);
      if (!at.empty()) return at;
    }
  }
  return "";
}

// A file saved without debug information keeps one mark of tracing: inputs of
// sub-modules the tracer could not name are "argument_1", …, where scripting
// keeps the names written in forward's source.
bool tracer_argument_names(const torch::jit::Module& root) {
  for (const auto& sub : root.named_modules()) {
    auto forward = sub.value.find_method("forward");
    if (!forward) continue;
    for (const auto& arg : forward->function().getSchema().arguments()) {
      const std::string& name = arg.name();
      if (name.rfind("argument_", 0) == 0 && name.size() > 9 &&
          name.find_first_not_of("0123456789", 9) == std::string::npos) {
        return true;
      }
    }
  }
  return false;
}

// [[path, tensor id]] for each tensor of a named_parameters/named_buffers list
// seen for the first time (by identity); a tensor held under a second path
// (tied weights: decoder.weight = encoder.weight) goes into `tied` as
// [path, first path] instead, so that it is trained and counted once.
template <typename NamedList>
Napi::Array named_tensors(const Napi::Env& env, const NamedList& list,
                          std::unordered_map<const c10::TensorImpl*, std::string>& seen, Napi::Array& tied) {
  Napi::Array out = Napi::Array::New(env);
  uint32_t k = 0;
  for (const auto& item : list) {
    auto [first, fresh] = seen.emplace(item.value.unsafeGetTensorImpl(), item.name);
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, item.name);
    if (fresh) {
      pair.Set(1u, tensors().add(item.value));
      out.Set(k++, pair);
    } else {
      pair.Set(1u, first->second);
      tied.Set(tied.Length(), pair);
    }
  }
  return out;
}

// forward's arguments after self: [{name, type (as Python writes it: "Tensor",
// "Optional[Tensor]", "List[Tensor]", "int"), default (as the schema prints it)}].
Napi::Array forward_arguments(const Napi::Env& env, const c10::FunctionSchema& schema) {
  Napi::Array out = Napi::Array::New(env);
  const auto& args = schema.arguments();
  for (size_t i = 1; i < args.size(); ++i) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", args[i].name());
    o.Set("type", args[i].type()->annotation_str());
    if (args[i].default_value()) {
      std::ostringstream text;
      text << *args[i].default_value();
      o.Set("default", text.str());
    }
    out.Set(static_cast<uint32_t>(i - 1), o);
  }
  return out;
}

// The module's methods besides forward (@torch.jit.export'ed ones such as
// encode): [{name, schema, arguments, returns, randomOps}], randomOps found as
// for forward (the inlined graph's nondeterministic nodes).
Napi::Array other_methods(const Napi::Env& env, const torch::jit::Module& module, const std::string& path) {
  Napi::Array out = Napi::Array::New(env);
  uint32_t k = 0;
  for (const auto& method : module.get_methods()) {
    if (method.name() == "forward") continue;
    const c10::FunctionSchema& schema = method.function().getSchema();
    std::set<std::string> random_ops;
    guarded(env, "jitLoad(" + path + "), method " + method.name(), [&] {
      torch::jit::GraphOptimizerEnabledGuard inline_calls(true);
      auto graph = method.graph()->copy();
      torch::jit::Inline(*graph);
      collect_random_ops(graph->block(), random_ops);
      return 0;
    });
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", method.name());
    o.Set("schema", c10::toString(schema));
    o.Set("arguments", forward_arguments(env, schema));
    o.Set("returns", schema.returns().size() == 1 ? schema.returns()[0].type()->annotation_str() : std::string("Tuple"));
    Napi::Array random = Napi::Array::New(env);
    uint32_t r = 0;
    for (const auto& op : random_ops) random.Set(r++, op);
    o.Set("randomOps", random);
    out.Set(k++, o);
  }
  return out;
}

// jitLoad(path) -> {id, parameters: [[name, tensorId]], buffers, tied: [[name, firstName]], modules: [[path, type]],
//                   randomOps, schema, arguments, returns, methods, training, traced, tracedAt}
Napi::Value JitLoad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw_type(env, "jitLoad(path): path must be a string");
  std::string path = info[0].As<Napi::String>().Utf8Value();
  auto s = std::make_shared<Scripted>();
  s->path = path;
  try {
    s->module = torch::jit::load(path, c10::Device(c10::kCPU));
  } catch (const c10::Error& e) {
    throw Napi::Error::New(env, load_message(path, e.what_without_backtrace()));
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, load_message(path, e.what()));
  }
  auto forward = s->module.find_method("forward");
  if (!forward) {
    throw Napi::Error::New(env, path + " holds a TorchScript module without a forward method; twin calls forward(inputs)");
  }
  std::set<std::string> random_ops;
  std::string traced_from;
  guarded(env, "jitLoad(" + path + ")", [&] {
    // Inline follows calls into scripted functions (F.dropout) only with the
    // optimisations on; jitForward turns them off for this thread.
    torch::jit::GraphOptimizerEnabledGuard inline_calls(true);
    s->schema = c10::toString(forward->function().getSchema());
    auto graph = forward->graph()->copy();
    torch::jit::Inline(*graph);
    collect_random_ops(graph->block(), random_ops);
    traced_from = traced_at(graph->block());
    return 0;
  });
  Napi::Object out = Napi::Object::New(env);
  std::unordered_map<const c10::TensorImpl*, std::string> seen;
  Napi::Array tied = Napi::Array::New(env);
  out.Set("parameters", named_tensors(env, s->module.named_parameters(true), seen, tied));
  out.Set("buffers", named_tensors(env, s->module.named_buffers(true), seen, tied));
  out.Set("tied", tied);
  Napi::Array kinds = Napi::Array::New(env);
  uint32_t k = 0;
  for (const auto& sub : s->module.named_modules()) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, sub.name);
    pair.Set(1u, type_name(sub.value));
    kinds.Set(k++, pair);
  }
  out.Set("modules", kinds);
  Napi::Array random = Napi::Array::New(env);
  k = 0;
  for (const auto& op : random_ops) random.Set(k++, op);
  out.Set("randomOps", random);
  out.Set("schema", s->schema);
  out.Set("arguments", forward_arguments(env, forward->function().getSchema()));
  out.Set("returns", forward->function().getSchema().returns().size() == 1
                         ? forward->function().getSchema().returns()[0].type()->annotation_str()
                         : std::string("Tuple"));
  out.Set("methods", other_methods(env, s->module, path));
  out.Set("training", s->module.is_training());
  out.Set("traced", !traced_from.empty() || tracer_argument_names(s->module));
  out.Set("tracedAt", traced_from);
  std::lock_guard<std::mutex> lock(modules_mutex);
  int64_t id = next_module++;
  modules.emplace(id, s);
  out.Set("id", static_cast<double>(id));
  return out;
}

// Restores the global generator after a swapped forward, and hands its state
// (advanced by the module's draws) back to the twin generator.
class SwappedGlobalGenerator {
 public:
  explicit SwappedGlobalGenerator(at::Generator stream) : stream_(std::move(stream)), lock_(global_generator_mutex()) {
    global_ = at::detail::getDefaultCPUGenerator();
    at::Tensor state;
    {
      std::lock_guard<std::mutex> g(stream_.mutex());
      state = stream_.get_state();
    }
    std::lock_guard<std::mutex> g(global_.mutex());
    saved_ = global_.get_state();
    global_.set_state(state);
  }
  ~SwappedGlobalGenerator() {
    at::Tensor state;
    {
      std::lock_guard<std::mutex> g(global_.mutex());
      state = global_.get_state();
      global_.set_state(saved_);
    }
    std::lock_guard<std::mutex> g(stream_.mutex());
    stream_.set_state(state);
  }

 private:
  at::Generator stream_;
  std::lock_guard<std::mutex> lock_;
  at::Generator global_;
  at::Tensor saved_;
};

// An input for an error message: tensors by shape and dtype (never their values), lists elementwise (the first 8).
std::string describe_input(const c10::IValue& v) {
  if (v.isTensor()) return v.toTensor().defined() ? describe(v.toTensor()) : "None";
  if (v.isList()) {
    auto list = v.toListRef();
    std::string s = "[";
    for (size_t i = 0; i < list.size() && i < 8; ++i) s += (i ? ", " : "") + describe_input(list[i]);
    return s + (list.size() > 8 ? ", ... (" + std::to_string(list.size()) + ")]" : "]");
  }
  std::ostringstream text;
  text << v;
  return text.str();
}

std::string describe_inputs(const std::vector<c10::IValue>& inputs) {
  std::string s;
  for (const auto& v : inputs) s += (s.empty() ? "" : ", ") + describe_input(v);
  return s;
}

// Runs the scripted forward on `inputs` (generator: info[2], a generator id or
// null); libtorch errors become JS errors that name the file, the signature,
// the inputs and the failing line of the original code.
c10::IValue run_forward(const Napi::CallbackInfo& info, Scripted& s, const std::string& method,
                        std::vector<c10::IValue> inputs, const char* arity_hint) {
  Napi::Env env = info.Env();
  std::unique_ptr<SwappedGlobalGenerator> swap;
  if (info.Length() > 2 && info[2].IsNumber()) {
    at::Generator g = guarded(env, "jitForward", [&] {
      return generators().get(info[2].As<Napi::Number>().DoubleValue(), "the scripted module's random generator");
    });
    swap = std::make_unique<SwappedGlobalGenerator>(g);
  }
  // Without the graph executor's optimisations (fusion, differentiable
  // subgraphs with symbolic autodiff) the graph runs op by op and autograd
  // records it as in eager mode: a training step as fast as eager PyTorch
  // (docs/torchscript.md, "Speed"). Set on every call: the flag may be per
  // thread, and it is read when a graph first runs.
  torch::jit::setGraphExecutorOptimize(false);
  torch::jit::Method m = s.module.get_method(method);
  const std::string head = method + " of the scripted module " + s.path + " (" +
                           (method == "forward" ? s.schema : c10::toString(m.function().getSchema())) + ") on " +
                           describe_inputs(inputs);
  try {
    return m(std::move(inputs));
  } catch (const c10::Error& e) {
    std::string what = e.what_without_backtrace();
    std::string hint;
    if (contains(what, "expected at most") || contains(what, "is missing value for argument") ||
        contains(what, "Expected a value of type")) {
      hint = arity_hint;
    } else if (contains(what, "CUDA") || contains(what, "cuda")) {
      hint = "\nThe module's code asks for a CUDA device (a .cuda() or device=\"cuda\" written in forward); this libtorch "
             "runs on the CPU. Write forward device-agnostic (e.g. torch.zeros(..., device=x.device)) and script it again";
    }
    throw Napi::Error::New(env, head + " failed: " + interpreter_summary(what) + hint);
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, head + " failed: " + interpreter_summary(e.what()));
  }
}

// jitForward(id, inputIds, generatorId | null) -> tensor id
Napi::Value JitForward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto s = module_arg(info, "jitForward");
  if (info.Length() < 2 || !info[1].IsArray()) throw_type(env, "jitForward(id, inputs, generator): inputs must be an array of tensor ids");
  Napi::Array ids = info[1].As<Napi::Array>();
  std::vector<c10::IValue> inputs;
  guarded(env, "jitForward", [&] {
    for (uint32_t i = 0; i < ids.Length(); ++i) {
      inputs.emplace_back(tensors().get(ids.Get(i).As<Napi::Number>().DoubleValue(), "an input of the scripted forward"));
    }
    return 0;
  });
  c10::IValue result = run_forward(info, *s, "forward", std::move(inputs), "; twin calls forward with the batch's inputs as its one tensor argument");
  if (!result.isTensor()) {
    throw Napi::Error::New(env, "forward of the scripted module " + s->path + " (" + s->schema + ") returned " +
                                    result.type()->annotation_str() +
                                    "; twin needs forward to return one Tensor (the logits, [batch, classes]): "
                                    "return only the logits, or wrap the module in one that does");
  }
  return Napi::Number::New(env, tensors().add(result.toTensor()));
}

// Why a forward result cannot be handed to JS ("" when it can): checked
// before any tensor of it enters the table, so a refusal leaks nothing.
std::string unpassable(const c10::IValue& v) {
  if (v.isTensor() || v.isNone() || v.isInt() || v.isDouble() || v.isBool() || v.isString()) return "";
  if (v.isTuple()) {
    for (const auto& e : v.toTupleRef().elements()) {
      std::string why = unpassable(e);
      if (!why.empty()) return why;
    }
    return "";
  }
  if (v.isList()) {
    for (const auto& e : v.toListRef()) {
      std::string why = unpassable(e);
      if (!why.empty()) return why;
    }
    return "";
  }
  if (v.isGenericDict()) {
    for (const auto& item : v.toGenericDict()) {
      if (!item.key().isString() && !item.key().isInt()) return "a Dict with " + item.key().type()->annotation_str() + " keys";
      std::string why = unpassable(item.value());
      if (!why.empty()) return why;
    }
    return "";
  }
  return "a value of type " + v.type()->annotation_str();
}

// A forward result as JS: a tensor is {tensor: id}, a dict {dict: [[key, value], ...]}
// (keys in the dict's order; int keys as numbers), a tuple or list an array,
// None null, and numbers, booleans and strings themselves.
Napi::Value tagged(const Napi::Env& env, const c10::IValue& v) {
  if (v.isTensor()) {
    if (!v.toTensor().defined()) return env.Null();
    Napi::Object o = Napi::Object::New(env);
    o.Set("tensor", tensors().add(v.toTensor()));
    return o;
  }
  if (v.isTuple() || v.isList()) {
    std::vector<c10::IValue> elems;
    if (v.isTuple()) {
      for (const auto& e : v.toTupleRef().elements()) elems.push_back(e);
    } else {
      for (const auto& e : v.toListRef()) elems.push_back(e);
    }
    Napi::Array a = Napi::Array::New(env, elems.size());
    for (size_t i = 0; i < elems.size(); ++i) a.Set(static_cast<uint32_t>(i), tagged(env, elems[i]));
    return a;
  }
  if (v.isGenericDict()) {
    Napi::Array entries = Napi::Array::New(env);
    uint32_t k = 0;
    for (const auto& item : v.toGenericDict()) {
      Napi::Array pair = Napi::Array::New(env, 2);
      pair.Set(0u, item.key().isString() ? Napi::Value(Napi::String::New(env, item.key().toStringRef()))
                                         : Napi::Value(Napi::Number::New(env, static_cast<double>(item.key().toInt()))));
      pair.Set(1u, tagged(env, item.value()));
      entries.Set(k++, pair);
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("dict", entries);
    return o;
  }
  return from_ivalue(env, v);
}

// One argument of a scripted forward, following its type: Dict, Tuple and
// lists of them (a detection model's List[Dict[str, Tensor]] targets) built
// here, element by element; everything else (Tensor, int, float, List[Tensor],
// ...) by the operators' conversion. JS has checked the tensors' places.
c10::IValue jit_argument(const Napi::Env& env, const Napi::Value& v, const c10::TypePtr& type, const c10::Argument& arg,
                         ConvertContext& ctx) {
  using c10::TypeKind;
  switch (type->kind()) {
    case TypeKind::OptionalType:
      if (v.IsNull() || v.IsUndefined()) return c10::IValue();
      return jit_argument(env, v, type->castRaw<c10::OptionalType>()->getElementType(), arg, ctx);
    case TypeKind::DictType: {
      auto dict_type = type->cast<c10::DictType>();
      const c10::TypePtr& key = dict_type->getKeyType();
      if (!v.IsObject() || v.IsArray() || (key->kind() != TypeKind::StringType && key->kind() != TypeKind::IntType)) break;
      c10::impl::GenericDict dict(key, dict_type->getValueType());
      Napi::Object o = v.As<Napi::Object>();
      Napi::Array names = o.GetPropertyNames();
      for (uint32_t i = 0; i < names.Length(); ++i) {
        std::string name = names.Get(i).ToString().Utf8Value();
        c10::IValue k = key->kind() == TypeKind::StringType ? c10::IValue(name) : c10::IValue(static_cast<int64_t>(std::stoll(name)));
        dict.insert(std::move(k), jit_argument(env, o.Get(name), dict_type->getValueType(), arg, ctx));
      }
      return dict;
    }
    case TypeKind::TupleType: {
      const auto& elements = type->castRaw<c10::TupleType>()->elements();
      if (!v.IsArray() || v.As<Napi::Array>().Length() != elements.size()) break;
      Napi::Array a = v.As<Napi::Array>();
      std::vector<c10::IValue> items;
      for (uint32_t i = 0; i < elements.size(); ++i) items.push_back(jit_argument(env, a.Get(i), elements[i], arg, ctx));
      return c10::ivalue::Tuple::create(std::move(items));
    }
    case TypeKind::ListType: {
      const c10::TypePtr& elem = type->castRaw<c10::ListType>()->getElementType();
      TypeKind ek = elem->kind() == TypeKind::OptionalType
                        ? elem->castRaw<c10::OptionalType>()->getElementType()->kind()
                        : elem->kind();
      if (ek != TypeKind::DictType && ek != TypeKind::TupleType && ek != TypeKind::ListType) break;
      if (!v.IsArray()) break;
      Napi::Array a = v.As<Napi::Array>();
      c10::impl::GenericList list(elem);
      for (uint32_t i = 0; i < a.Length(); ++i) list.push_back(jit_argument(env, a.Get(i), elem, arg, ctx));
      return list;
    }
    default: break;
  }
  return to_ivalue(env, v, c10::Argument(arg.name(), type), ctx);
}

// jitCall(id, args, generatorId | null, method = "forward") -> the method's
// result, tagged (see tagged). args follow the method's schema after self:
// tensors as ids, numbers, booleans, strings, arrays and objects of them (see
// jit_argument); undefined takes the default.
Napi::Value JitCall(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto s = module_arg(info, "jitCall");
  if (info.Length() < 2 || !info[1].IsArray()) throw_type(env, "jitCall(id, args, generator, method): args must be an array");
  Napi::Array args = info[1].As<Napi::Array>();
  const std::string method = info.Length() > 3 && info[3].IsString() ? info[3].As<Napi::String>().Utf8Value() : "forward";
  auto found = s->module.find_method(method);
  if (!found) throw_type(env, s->path + " has no method " + method);
  const c10::FunctionSchema& schema = found->function().getSchema();
  const std::string signature = c10::toString(schema);
  const auto& params = schema.arguments();
  if (args.Length() + 1 > params.size()) {
    throw_type(env, signature + " takes " + std::to_string(params.size() - 1) + " arguments, got " + std::to_string(args.Length()));
  }
  const std::string op = method + " of the scripted module " + s->path + " (" + signature + ")";
  ConvertContext ctx{op};
  std::vector<c10::IValue> inputs;
  inputs.reserve(params.size() - 1);
  guarded(env, op, [&] {
    for (size_t i = 1; i < params.size(); ++i) {
      Napi::Value v = i - 1 < args.Length() ? args.Get(static_cast<uint32_t>(i - 1)) : env.Undefined();
      inputs.push_back(v.IsUndefined() ? to_ivalue(env, v, params[i], ctx) : jit_argument(env, v, params[i].type(), params[i], ctx));
    }
    return 0;
  });
  c10::IValue result = run_forward(info, *s, method, std::move(inputs), "");
  std::string why = unpassable(result);
  if (!why.empty()) {
    throw Napi::Error::New(env, op + " returned " + why + ", which twin cannot hand to JS; return tensors, numbers, "
                                     "strings, and tuples, lists and Dict[str, ...] of them");
  }
  return tagged(env, result);
}

Napi::Value JitTrain(const Napi::CallbackInfo& info) {
  auto s = module_arg(info, "jitTrain");
  s->module.train(info.Length() > 1 && info[1].ToBoolean().Value());
  return info.Env().Undefined();
}

Napi::Value JitFree(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw_type(info.Env(), "jitFree: expects a module id");
  std::shared_ptr<Scripted> doomed;  // released outside the lock
  std::lock_guard<std::mutex> lock(modules_mutex);
  auto it = modules.find(static_cast<int64_t>(info[0].As<Napi::Number>().DoubleValue()));
  if (it == modules.end()) return Napi::Boolean::New(info.Env(), false);
  doomed = std::move(it->second);
  modules.erase(it);
  return Napi::Boolean::New(info.Env(), true);
}

// jitAttribute(id, modulePath, name) -> a number, boolean, string or null
// attribute of a sub-module (e.g. an Embedding's padding_idx); undefined when
// it has none or it is of another type.
Napi::Value JitAttribute(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto s = module_arg(info, "jitAttribute");
  if (info.Length() < 3 || !info[1].IsString() || !info[2].IsString()) {
    throw_type(env, "jitAttribute(id, modulePath, name): modulePath and name must be strings");
  }
  std::string path = info[1].As<Napi::String>().Utf8Value();
  std::string name = info[2].As<Napi::String>().Utf8Value();
  torch::jit::Module m = s->module;
  std::stringstream parts(path);
  std::string part;
  while (!path.empty() && std::getline(parts, part, '.')) {
    if (!m.hasattr(part)) return env.Undefined();
    c10::IValue child = m.attr(part);
    if (!child.isModule()) return env.Undefined();
    m = child.toModule();
  }
  if (!m.hasattr(name)) return env.Undefined();
  c10::IValue v = m.attr(name);
  if (v.isNone()) return env.Null();
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  return env.Undefined();
}

// jitSelfTest() -> the sum of a forward through a module defined, saved and
// loaded back in memory (2): proves TorchScript compiling, saving and loading
// work in this libtorch, without Python.
Napi::Value JitSelfTest(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), "TorchScript self-test", [&] {
    torch::jit::Module m("SelfTest");
    m.register_parameter("w", at::ones({2}), false);
    m.define("def forward(self, x):\n  return x * self.w\n");
    std::stringstream buffer;
    m.save(buffer);
    torch::jit::Module loaded = torch::jit::load(buffer, c10::Device(c10::kCPU));
    std::vector<c10::IValue> inputs{at::ones({2})};
    return Napi::Number::New(info.Env(), loaded.forward(inputs).toTensor().sum().item<double>());
  });
}

Napi::Value LiveScriptedModules(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> lock(modules_mutex);
  return Napi::Number::New(info.Env(), static_cast<double>(modules.size()));
}

}  // namespace

void init_jit(Napi::Env env, Napi::Object exports) {
  exports.Set("jitLoad", Napi::Function::New(env, JitLoad, "jitLoad"));
  exports.Set("jitForward", Napi::Function::New(env, JitForward, "jitForward"));
  exports.Set("jitCall", Napi::Function::New(env, JitCall, "jitCall"));
  exports.Set("jitTrain", Napi::Function::New(env, JitTrain, "jitTrain"));
  exports.Set("jitFree", Napi::Function::New(env, JitFree, "jitFree"));
  exports.Set("jitAttribute", Napi::Function::New(env, JitAttribute, "jitAttribute"));
  exports.Set("jitSelfTest", Napi::Function::New(env, JitSelfTest, "jitSelfTest"));
  exports.Set("liveScriptedModules", Napi::Function::New(env, LiveScriptedModules, "liveScriptedModules"));
}

}  // namespace twin
