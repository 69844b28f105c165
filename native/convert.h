// Conversion between JS values and IValues, driven by an operator's schema.
#pragma once

#include "twin.h"

#include <ATen/core/function_schema.h>

namespace twin {

struct ConvertContext {
  const std::string& op;       // "aten::add.Tensor", for messages
  bool first_tensor_seen = false;
  bool first_tensor_integral = false;  // decides whether an integer JS number is an int Scalar
};

// Converts one JS argument for schema argument `arg`. `value` may be undefined,
// in which case the schema default is used (or an error names the missing argument).
c10::IValue to_ivalue(const Napi::Env& env, const Napi::Value& value, const c10::Argument& arg, ConvertContext& ctx);

// Converts an op result to JS; tensors are registered in the table and become ids.
Napi::Value from_ivalue(const Napi::Env& env, const c10::IValue& v);

// A short description of a JS argument for error messages ("Tensor[2, 3] float32", "1.5", "[1, 2]").
std::string describe_js(const Napi::Value& value, const c10::Argument& arg);

}  // namespace twin
