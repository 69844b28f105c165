// JS <-> IValue conversion following the operator schema: the heart of the
// generic bridge. JS passes tensors and generators as table ids (numbers),
// dtypes/layouts/memory formats as names, devices as strings.
#include "convert.h"

#include <cmath>
#include <sstream>

namespace twin {

namespace {

using c10::TypeKind;

[[noreturn]] void bad(const Napi::Env& env, const ConvertContext& ctx, const c10::Argument& arg,
                      const std::string& expected, const Napi::Value& got) {
  std::string kind = got.IsUndefined() ? "undefined"
                     : got.IsNull()    ? "null"
                     : got.IsNumber()  ? "number " + got.ToString().Utf8Value()
                     : got.IsString()  ? "string '" + got.ToString().Utf8Value() + "'"
                     : got.IsBoolean() ? "boolean"
                     : got.IsArray()   ? "array"
                                       : "object";
  throw_type(env, ctx.op + ": argument '" + arg.name() + "' expects " + expected + ", got " + kind);
}

int64_t to_int(const Napi::Env& env, const Napi::Value& v, const c10::Argument& arg, const ConvertContext& ctx) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (std::floor(d) != d || !std::isfinite(d)) bad(env, ctx, arg, "an integer", v);
    return static_cast<int64_t>(d);
  }
  if (v.IsBigInt()) {
    bool lossless = true;
    return v.As<Napi::BigInt>().Int64Value(&lossless);
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
  bad(env, ctx, arg, "an integer", v);
}

double to_double(const Napi::Env& env, const Napi::Value& v, const c10::Argument& arg, const ConvertContext& ctx) {
  if (v.IsNumber()) return v.As<Napi::Number>().DoubleValue();
  if (v.IsBigInt()) {
    bool lossless = true;
    return static_cast<double>(v.As<Napi::BigInt>().Int64Value(&lossless));
  }
  bad(env, ctx, arg, "a number", v);
}

at::Tensor to_tensor(const Napi::Env& env, const Napi::Value& v, const c10::Argument& arg, ConvertContext& ctx) {
  if (!v.IsNumber()) bad(env, ctx, arg, "a Tensor", v);
  at::Tensor t;
  double id = v.As<Napi::Number>().DoubleValue();
  if (!tensors().try_get(id, t)) {
    std::string what = ctx.op + " argument '" + arg.name() + "'";
    tensors().get(id, what.c_str());  // throws the standard "was disposed" message
  }
  if (!ctx.first_tensor_seen) {
    ctx.first_tensor_seen = true;
    ctx.first_tensor_integral = t.defined() && c10::isIntegralType(t.scalar_type(), /*includeBool=*/true);
  }
  return t;
}

// The schema's "int" may really be a ScalarType, Layout or MemoryFormat
// (real_type says which); JS may pass those by name.
c10::IValue int_like(const Napi::Env& env, const Napi::Value& v, const c10::Argument& arg, TypeKind real,
                     const ConvertContext& ctx) {
  if (v.IsString()) {
    std::string s = v.As<Napi::String>().Utf8Value();
    switch (real) {
      case TypeKind::ScalarTypeType: return static_cast<int64_t>(parse_dtype(s));
      case TypeKind::LayoutType: return static_cast<int64_t>(parse_layout(s));
      case TypeKind::MemoryFormatType: return static_cast<int64_t>(parse_memory_format(s));
      default: bad(env, ctx, arg, "an integer", v);
    }
  }
  return to_int(env, v, arg, ctx);
}

c10::IValue convert(const Napi::Env& env, const Napi::Value& v, const c10::TypePtr& type, const c10::TypePtr& real,
                    const c10::Argument& arg, ConvertContext& ctx);

c10::IValue convert_list(const Napi::Env& env, const Napi::Value& v, const c10::ListTypePtr& list,
                         const c10::Argument& arg, ConvertContext& ctx) {
  const c10::TypePtr& elem = list->getElementType();
  TypeKind ek = elem->kind();
  // Python lets a single int stand for int[N] (stride=1 means (1, 1)); so do we.
  if (!v.IsArray()) {
    if ((ek == TypeKind::IntType || ek == TypeKind::SymIntType) && (v.IsNumber() || v.IsBigInt())) {
      int64_t x = to_int(env, v, arg, ctx);
      return std::vector<int64_t>(arg.N() ? static_cast<size_t>(*arg.N()) : 1, x);
    }
    if (ek == TypeKind::FloatType && v.IsNumber()) {
      double x = to_double(env, v, arg, ctx);
      return std::vector<double>(arg.N() ? static_cast<size_t>(*arg.N()) : 1, x);
    }
    bad(env, ctx, arg, "an array (" + list->str() + ")", v);
  }
  Napi::Array a = v.As<Napi::Array>();
  uint32_t n = a.Length();
  switch (ek) {
    case TypeKind::IntType:
    case TypeKind::SymIntType: {
      std::vector<int64_t> out(n);
      for (uint32_t i = 0; i < n; ++i) out[i] = to_int(env, a.Get(i), arg, ctx);
      return out;
    }
    case TypeKind::FloatType: {
      std::vector<double> out(n);
      for (uint32_t i = 0; i < n; ++i) out[i] = to_double(env, a.Get(i), arg, ctx);
      return out;
    }
    case TypeKind::BoolType: {
      c10::List<bool> out;
      for (uint32_t i = 0; i < n; ++i) {
        Napi::Value e = a.Get(i);
        if (!e.IsBoolean()) bad(env, ctx, arg, "an array of booleans", v);
        out.push_back(e.As<Napi::Boolean>().Value());
      }
      return out;
    }
    case TypeKind::NumberType: {  // Scalar[]
      c10::impl::GenericList out(c10::NumberType::get());
      for (uint32_t i = 0; i < n; ++i) out.push_back(to_double(env, a.Get(i), arg, ctx));
      return out;
    }
    case TypeKind::TensorType: {
      std::vector<at::Tensor> out;
      out.reserve(n);
      for (uint32_t i = 0; i < n; ++i) out.push_back(to_tensor(env, a.Get(i), arg, ctx));
      return out;
    }
    case TypeKind::OptionalType: {
      auto inner = elem->castRaw<c10::OptionalType>()->getElementType();
      if (inner->kind() == TypeKind::TensorType) {
        c10::List<c10::optional<at::Tensor>> out;
        for (uint32_t i = 0; i < n; ++i) {
          Napi::Value e = a.Get(i);
          if (e.IsNull() || e.IsUndefined()) out.push_back(c10::nullopt);
          else out.push_back(to_tensor(env, e, arg, ctx));
        }
        return out;
      }
      break;
    }
    default: break;
  }
  throw_type(env, ctx.op + ": argument '" + arg.name() + "' has type " + list->str() +
                      ", which twin cannot pass from JS");
}

c10::IValue convert(const Napi::Env& env, const Napi::Value& v, const c10::TypePtr& type, const c10::TypePtr& real,
                    const c10::Argument& arg, ConvertContext& ctx) {
  switch (type->kind()) {
    case TypeKind::TensorType: return to_tensor(env, v, arg, ctx);
    case TypeKind::OptionalType: {
      if (v.IsUndefined() || v.IsNull()) return c10::IValue();
      auto inner = type->castRaw<c10::OptionalType>()->getElementType();
      auto real_inner = real->kind() == TypeKind::OptionalType
                            ? real->castRaw<c10::OptionalType>()->getElementType()
                            : inner;
      return convert(env, v, inner, real_inner, arg, ctx);
    }
    case TypeKind::IntType:
    case TypeKind::SymIntType: return int_like(env, v, arg, real->kind(), ctx);
    case TypeKind::FloatType: return to_double(env, v, arg, ctx);
    case TypeKind::BoolType:
      if (!v.IsBoolean()) bad(env, ctx, arg, "a boolean", v);
      return v.As<Napi::Boolean>().Value();
    case TypeKind::NumberType: {  // Scalar
      if (v.IsBoolean()) return v.As<Napi::Boolean>().Value();
      if (v.IsBigInt()) return to_int(env, v, arg, ctx);
      if (!v.IsNumber()) bad(env, ctx, arg, "a number (Scalar)", v);
      double d = v.As<Napi::Number>().DoubleValue();
      // Like a Python literal: an integer stays an int when the op works on an
      // integral tensor (labels + 1 stays int64); otherwise it is a double.
      if (ctx.first_tensor_integral && std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.007199254740992e15) {
        return static_cast<int64_t>(d);
      }
      return d;
    }
    case TypeKind::StringType:
      if (!v.IsString()) bad(env, ctx, arg, "a string", v);
      return v.As<Napi::String>().Utf8Value();
    case TypeKind::ListType: return convert_list(env, v, type->cast<c10::ListType>(), arg, ctx);
    case TypeKind::DeviceObjType:
      if (!v.IsString()) bad(env, ctx, arg, "a device string such as 'cpu' or 'cuda:0'", v);
      return c10::Device(v.As<Napi::String>().Utf8Value());
    case TypeKind::GeneratorType: {
      if (!v.IsNumber()) bad(env, ctx, arg, "a Generator", v);
      std::string what = ctx.op + " argument '" + arg.name() + "'";
      return generators().get(v.As<Napi::Number>().DoubleValue(), what.c_str());
    }
    case TypeKind::ScalarTypeType:
    case TypeKind::LayoutType:
    case TypeKind::MemoryFormatType: return int_like(env, v, arg, type->kind(), ctx);
    default: break;
  }
  throw_type(env, ctx.op + ": argument '" + arg.name() + "' has type " + type->str() +
                      ", which twin cannot pass from JS");
}

}  // namespace

c10::IValue to_ivalue(const Napi::Env& env, const Napi::Value& value, const c10::Argument& arg, ConvertContext& ctx) {
  if (value.IsUndefined()) {
    if (arg.default_value()) return *arg.default_value();
    if (arg.type()->kind() == TypeKind::OptionalType) return c10::IValue();
    throw_type(env, ctx.op + ": missing required argument '" + arg.name() + "'");
  }
  return convert(env, value, arg.type(), arg.real_type(), arg, ctx);
}

Napi::Value from_ivalue(const Napi::Env& env, const c10::IValue& v) {
  if (v.isTensor()) {
    const at::Tensor& t = v.toTensor();
    if (!t.defined()) return env.Null();
    return Napi::Number::New(env, tensors().add(t));
  }
  if (v.isNone()) return env.Null();
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  if (v.isDevice()) return Napi::String::New(env, v.toDevice().str());
  if (v.isComplexDouble()) {
    auto c = v.toComplexDouble();
    Napi::Array a = Napi::Array::New(env, 2);
    a.Set(0u, c.real());
    a.Set(1u, c.imag());
    return a;
  }
  if (v.isTuple()) {
    const auto& elems = v.toTupleRef().elements();
    Napi::Array a = Napi::Array::New(env, elems.size());
    for (size_t i = 0; i < elems.size(); ++i) a.Set(static_cast<uint32_t>(i), from_ivalue(env, elems[i]));
    return a;
  }
  if (v.isList()) {
    auto list = v.toListRef();
    Napi::Array a = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); ++i) a.Set(static_cast<uint32_t>(i), from_ivalue(env, list[i]));
    return a;
  }
  if (v.isGenerator()) return Napi::Number::New(env, generators().add(v.toGenerator()));
  throw std::runtime_error("op returned a value of kind " + v.tagKind() + ", which twin cannot pass to JS");
}

std::string describe_js(const Napi::Value& value, const c10::Argument& arg) {
  TypeKind k = arg.type()->kind();
  if (k == TypeKind::OptionalType) k = arg.type()->castRaw<c10::OptionalType>()->getElementType()->kind();
  if (k == TypeKind::TensorType && value.IsNumber()) {
    double id = value.As<Napi::Number>().DoubleValue();
    if (!tensors().has(id)) return "<disposed tensor #" + std::to_string(static_cast<int64_t>(id)) + ">";
    return describe(tensors().get(id, "tensor"));
  }
  if (value.IsUndefined()) return "";
  if (value.IsArray()) {
    Napi::Array a = value.As<Napi::Array>();
    std::string s = "[";
    bool tensors_list = k == TypeKind::ListType;
    for (uint32_t i = 0; i < a.Length() && i < 8; ++i) {
      if (i) s += ", ";
      Napi::Value e = a.Get(i);
      if (tensors_list && e.IsNumber() && arg.type()->str().find("Tensor") != std::string::npos) {
        double id = e.As<Napi::Number>().DoubleValue();
        s += tensors().has(id) ? describe(tensors().get(id, "tensor")) : "<disposed>";
      } else {
        s += e.ToString().Utf8Value();
      }
    }
    if (a.Length() > 8) s += ", ...";
    return s + "]";
  }
  if (value.IsString()) return "'" + value.As<Napi::String>().Utf8Value() + "'";
  if (value.IsNull()) return "None";
  return value.ToString().Utf8Value();
}

}  // namespace twin
