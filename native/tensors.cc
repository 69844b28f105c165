// Tensor lifetime (free), metadata, and data exchange with JS typed arrays.
#include "twin.h"

#include <cstring>

namespace twin {

namespace {

double id_arg(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    throw_type(info.Env(), std::string(fn) + ": argument " + std::to_string(i) + " must be a tensor id");
  }
  return info[i].As<Napi::Number>().DoubleValue();
}

at::Tensor tensor_arg(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  return guarded(info.Env(), fn, [&] { return tensors().get(id_arg(info, i, fn), fn); });
}

c10::ScalarType typed_array_dtype(napi_typedarray_type t, const Napi::Env& env) {
  switch (t) {
    case napi_float32_array: return c10::kFloat;
    case napi_float64_array: return c10::kDouble;
    case napi_int32_array: return c10::kInt;
    case napi_bigint64_array: return c10::kLong;
    case napi_uint8_array:
    case napi_uint8_clamped_array: return c10::kByte;
    case napi_int8_array: return c10::kChar;
    case napi_int16_array: return c10::kShort;
    case napi_uint16_array: return c10::kHalf;  // raw float16 bits
    default: throw_type(env, "unsupported typed array type; use Float32Array, Float64Array, Int32Array, "
                             "BigInt64Array, Uint8Array, Int8Array or Int16Array");
  }
}

napi_typedarray_type js_array_type(c10::ScalarType t, const Napi::Env& env) {
  switch (t) {
    case c10::kFloat: return napi_float32_array;
    case c10::kDouble: return napi_float64_array;
    case c10::kInt: return napi_int32_array;
    case c10::kLong: return napi_bigint64_array;
    case c10::kByte:
    case c10::kBool: return napi_uint8_array;
    case c10::kChar: return napi_int8_array;
    case c10::kShort: return napi_int16_array;
    case c10::kHalf:
    case c10::kBFloat16: return napi_uint16_array;
    default: throw_type(env, std::string("no JS typed array holds dtype ") + dtype_name(t));
  }
}

Napi::Value typed_array(const Napi::Env& env, napi_typedarray_type type, size_t length, Napi::ArrayBuffer buffer) {
  napi_value out;
  napi_status status = napi_create_typedarray(env, type, length, buffer, 0, &out);
  NAPI_THROW_IF_FAILED(env, status, Napi::Value());
  return Napi::Value(env, out);
}

std::vector<int64_t> shape_arg(const Napi::Env& env, const Napi::Value& v, const char* fn) {
  if (!v.IsArray()) throw_type(env, std::string(fn) + ": shape must be an array of integers");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<int64_t> shape(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value e = a.Get(i);
    if (!e.IsNumber()) throw_type(env, std::string(fn) + ": shape must be an array of integers");
    double d = e.As<Napi::Number>().DoubleValue();
    if (d < 0 || d != static_cast<double>(static_cast<int64_t>(d))) {
      throw_type(env, std::string(fn) + ": shape entries must be non-negative integers");
    }
    shape[i] = static_cast<int64_t>(d);
  }
  return shape;
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), tensors().remove(id_arg(info, 0, "free")));
}

Napi::Value FreeMany(const Napi::CallbackInfo& info) {
  if (info[0].IsTypedArray() && info[0].As<Napi::TypedArray>().TypedArrayType() == napi_float64_array) {
    // The fast path scopes use: one call frees a whole frame.
    Napi::Float64Array ids = info[0].As<Napi::Float64Array>();
    size_t n = info.Length() > 1 && info[1].IsNumber() ? std::min<size_t>(info[1].As<Napi::Number>().Int64Value(), ids.ElementLength())
                                                       : ids.ElementLength();
    uint32_t freed = 0;
    for (size_t i = 0; i < n; ++i) freed += tensors().remove(ids[i]) ? 1 : 0;
    return Napi::Number::New(info.Env(), freed);
  }
  if (!info[0].IsArray()) throw_type(info.Env(), "freeMany(ids): ids must be an array or a Float64Array");
  Napi::Array ids = info[0].As<Napi::Array>();
  uint32_t freed = 0;
  for (uint32_t i = 0; i < ids.Length(); ++i) {
    Napi::Value v = ids.Get(i);
    if (v.IsNumber() && tensors().remove(v.As<Napi::Number>().DoubleValue())) ++freed;
  }
  return Napi::Number::New(info.Env(), freed);
}

// fromTypedArray(array, shape, dtype?) -> id. Copies once into libtorch memory.
Napi::Value FromTypedArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray()) {
    throw_type(env, "fromTypedArray(array, shape, dtype?): array must be a typed array");
  }
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  c10::ScalarType dtype = typed_array_dtype(ta.TypedArrayType(), env);
  if (info.Length() > 2 && info[2].IsString()) {
    c10::ScalarType wanted = guarded(env, "fromTypedArray", [&] { return parse_dtype(info[2].As<Napi::String>().Utf8Value()); });
    bool same_width = c10::elementSize(wanted) == c10::elementSize(dtype);
    if (wanted != dtype && !(same_width && (wanted == c10::kBool || wanted == c10::kBFloat16))) {
      throw_type(env, std::string("fromTypedArray: a ") + dtype_name(dtype) + " typed array cannot hold dtype " +
                          dtype_name(wanted) + "; convert the tensor with .to() after creating it");
    }
    dtype = wanted;
  }
  std::vector<int64_t> shape = shape_arg(env, info[1], "fromTypedArray");
  int64_t numel = 1;
  for (int64_t s : shape) numel *= s;
  if (static_cast<size_t>(numel) != ta.ElementLength()) {
    throw_type(env, "fromTypedArray: shape holds " + std::to_string(numel) + " elements but the array has " +
                        std::to_string(ta.ElementLength()));
  }
  return guarded(env, "fromTypedArray", [&] {
    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
    uint8_t* src = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    std::memcpy(t.data_ptr(), src, ta.ByteLength());
    return Napi::Number::New(env, tensors().add(std::move(t)));
  });
}

// toTypedArray(id) -> a new typed array with a copy of the (contiguous) data.
Napi::Value ToTypedArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor t = tensor_arg(info, 0, "toTypedArray");
  return guarded(env, "toTypedArray(" + describe(t) + ")", [&]() -> Napi::Value {
    at::Tensor c = t.detach().to(at::kCPU).contiguous();
    napi_typedarray_type type = js_array_type(c.scalar_type(), env);
    size_t bytes = c.nbytes();
    Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, bytes);
    if (bytes) std::memcpy(buffer.Data(), c.data_ptr(), bytes);
    return typed_array(env, type, static_cast<size_t>(c.numel()), buffer);
  });
}

// view(id) -> a typed array over the tensor's own memory, no copy. Writes go
// straight into the tensor. The view keeps the storage alive until JS drops it.
Napi::Value View(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor t = tensor_arg(info, 0, "view");
  if (!t.device().is_cpu() || !t.is_contiguous()) {
    throw Napi::Error::New(env, "view(" + describe(t) + "): only contiguous CPU tensors can be viewed without a copy; "
                                "call .contiguous() first or use toTypedArray()");
  }
  napi_typedarray_type type = js_array_type(t.scalar_type(), env);
  size_t bytes = t.nbytes();
  if (bytes == 0) return typed_array(env, type, 0, Napi::ArrayBuffer::New(env, 0));
  auto* keep = new at::Tensor(t);
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, keep->data_ptr(), bytes,
                                                    [](Napi::Env, void*, at::Tensor* held) { delete held; }, keep);
  return typed_array(env, type, static_cast<size_t>(t.numel()), buffer);
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor t = tensor_arg(info, 0, "info");
  Napi::Object o = Napi::Object::New(env);
  auto sizes = t.sizes();
  Napi::Array shape = Napi::Array::New(env, sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) shape.Set(static_cast<uint32_t>(i), static_cast<double>(sizes[i]));
  o.Set("shape", shape);
  o.Set("dtype", dtype_name(t.scalar_type()));
  o.Set("device", t.device().str());
  o.Set("requiresGrad", t.requires_grad());
  return o;
}

Napi::Value Shape(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor t = tensor_arg(info, 0, "shape");
  auto sizes = t.sizes();
  Napi::Array shape = Napi::Array::New(env, sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) shape.Set(static_cast<uint32_t>(i), static_cast<double>(sizes[i]));
  return shape;
}

Napi::Value Dtype(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), dtype_name(tensor_arg(info, 0, "dtype").scalar_type()));
}

Napi::Value Item(const Napi::CallbackInfo& info) {
  at::Tensor t = tensor_arg(info, 0, "item");
  return guarded(info.Env(), "item(" + describe(t) + ")", [&] {
    if (t.numel() != 1) throw std::runtime_error("only a tensor with exactly one element has an item");
    return Napi::Number::New(info.Env(), t.item<double>());
  });
}

Napi::Value LiveTensors(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(tensors().size()));
}

Napi::Value LiveBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(tensors().bytes()));
}

Napi::Value IsLive(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), tensors().has(id_arg(info, 0, "isLive")));
}

// sameStorage(a, b): whether two tensors share memory (views of each other).
Napi::Value SameStorage(const Napi::CallbackInfo& info) {
  at::Tensor a = tensor_arg(info, 0, "sameStorage");
  at::Tensor b = tensor_arg(info, 1, "sameStorage");
  return Napi::Boolean::New(info.Env(), a.has_storage() && b.has_storage() && a.storage().is_alias_of(b.storage()));
}

}  // namespace

void init_tensors(Napi::Env env, Napi::Object exports) {
  exports.Set("free", Napi::Function::New(env, Free, "free"));
  exports.Set("freeMany", Napi::Function::New(env, FreeMany, "freeMany"));
  exports.Set("fromTypedArray", Napi::Function::New(env, FromTypedArray, "fromTypedArray"));
  exports.Set("toTypedArray", Napi::Function::New(env, ToTypedArray, "toTypedArray"));
  exports.Set("view", Napi::Function::New(env, View, "view"));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("shape", Napi::Function::New(env, Shape, "shape"));
  exports.Set("dtype", Napi::Function::New(env, Dtype, "dtype"));
  exports.Set("item", Napi::Function::New(env, Item, "item"));
  exports.Set("liveTensors", Napi::Function::New(env, LiveTensors, "liveTensors"));
  exports.Set("liveBytes", Napi::Function::New(env, LiveBytes, "liveBytes"));
  exports.Set("isLive", Napi::Function::New(env, IsLive, "isLive"));
  exports.Set("sameStorage", Napi::Function::New(env, SameStorage, "sameStorage"));
}

}  // namespace twin
