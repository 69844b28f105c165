// Autograd entry points: requires_grad, backward, .grad, and grad mode.
#include "twin.h"

#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/grad_mode.h>

namespace twin {

namespace {

at::Tensor tensor_at(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  if (info.Length() <= i || !info[i].IsNumber()) throw_type(info.Env(), std::string(fn) + ": expects a tensor id");
  return guarded(info.Env(), fn, [&] { return tensors().get(info[i].As<Napi::Number>().DoubleValue(), fn); });
}

Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  at::Tensor t = tensor_at(info, 0, "setRequiresGrad");
  bool flag = info.Length() < 2 || info[1].ToBoolean().Value();
  guarded(info.Env(), "setRequiresGrad(" + describe(t) + ")", [&] { t.requires_grad_(flag); return 0; });
  return info.Env().Undefined();
}

Napi::Value RequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), tensor_at(info, 0, "requiresGrad").requires_grad());
}

// backward(id, gradId?, retainGraph?)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor t = tensor_at(info, 0, "backward");
  at::Tensor g;
  if (info.Length() > 1 && info[1].IsNumber()) g = tensor_at(info, 1, "backward gradient");
  bool retain = info.Length() > 2 && info[2].ToBoolean().Value();
  guarded(env, "backward(" + describe(t) + ")", [&] {
    if (!t.requires_grad()) {
      throw std::runtime_error("this tensor does not require grad; no parameter that requires grad was used to "
                               "compute it (or it was computed under noGrad)");
    }
    torch::autograd::backward({t}, g.defined() ? torch::autograd::variable_list{g} : torch::autograd::variable_list{},
                              retain);
    return 0;
  });
  return env.Undefined();
}

// grad(id) -> id of the accumulated gradient, or null.
Napi::Value Grad(const Napi::CallbackInfo& info) {
  at::Tensor t = tensor_at(info, 0, "grad");
  const at::Tensor& g = t.grad();
  if (!g.defined()) return info.Env().Null();
  return Napi::Number::New(info.Env(), tensors().add(g));
}

// setGrad(id, gradId | null)
Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  at::Tensor t = tensor_at(info, 0, "setGrad");
  at::Tensor g;
  if (info.Length() > 1 && info[1].IsNumber()) g = tensor_at(info, 1, "setGrad gradient");
  guarded(info.Env(), "setGrad(" + describe(t) + ")", [&] { t.mutable_grad() = g; return 0; });
  return info.Env().Undefined();
}

// gradEnabled(flag?) -> the previous mode; sets it when flag is given (per thread).
Napi::Value GradEnabled(const Napi::CallbackInfo& info) {
  bool previous = c10::GradMode::is_enabled();
  if (info.Length() > 0 && info[0].IsBoolean()) c10::GradMode::set_enabled(info[0].As<Napi::Boolean>().Value());
  return Napi::Boolean::New(info.Env(), previous);
}

}  // namespace

void init_autograd(Napi::Env env, Napi::Object exports) {
  exports.Set("setRequiresGrad", Napi::Function::New(env, SetRequiresGrad, "setRequiresGrad"));
  exports.Set("requiresGrad", Napi::Function::New(env, RequiresGrad, "requiresGrad"));
  exports.Set("backward", Napi::Function::New(env, Backward, "backward"));
  exports.Set("grad", Napi::Function::New(env, Grad, "grad"));
  exports.Set("setGrad", Napi::Function::New(env, SetGrad, "setGrad"));
  exports.Set("gradEnabled", Napi::Function::New(env, GradEnabled, "gradEnabled"));
}

}  // namespace twin
