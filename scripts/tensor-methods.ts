/**
 * The Tensor methods scripts/gen-ops.ts generates: which aten overloads each
 * method calls and which schema arguments it takes, in the method's order.
 * Types, defaults and return values come from the schemas.
 *
 * - Several overloads: the first argument whose kind differs between them
 *   (absent, a Tensor, a number) chooses the overload at run time, in the
 *   order listed (`add`: a Tensor `other` calls add.Tensor, a number add.Scalar).
 * - `name?` optional although the schema has no default; `name!` required
 *   although it has one; `...name` a rest parameter (int lists: `reshape(2, 3)`);
 *   `{a, b}` a trailing options object. Method argument names are the schema's,
 *   in camelCase.
 * - `self` is the tensor the method is called on; an in-place op returns `this`.
 */
export const TENSOR_METHODS: Record<string, [overloads: string, args: string]> = {
  // conversion (to() and its shorthands are hand-written on top of _to)
  _to: ["to.dtype_layout", "dtype, device"],
  detach: ["detach", ""],
  contiguous: ["contiguous", ""],
  clone: ["clone", ""],

  // elementwise arithmetic
  add: ["add.Tensor add.Scalar", "other, alpha"],
  sub: ["sub.Tensor sub.Scalar", "other, alpha"],
  mul: ["mul.Tensor mul.Scalar", "other"],
  div: ["div.Tensor div.Scalar", "other"],
  pow: ["pow.Tensor_Tensor pow.Tensor_Scalar", "exponent"],
  remainder: ["remainder.Tensor remainder.Scalar", "other"],
  maximum: ["maximum", "other"],
  minimum: ["minimum", "other"],
  neg: ["neg", ""],
  abs: ["abs", ""],
  exp: ["exp", ""],
  log: ["log", ""],
  log1p: ["log1p", ""],
  sqrt: ["sqrt", ""],
  rsqrt: ["rsqrt", ""],
  square: ["square", ""],
  reciprocal: ["reciprocal", ""],
  sign: ["sign", ""],
  floor: ["floor", ""],
  ceil: ["ceil", ""],
  round: ["round", ""],
  sin: ["sin", ""],
  cos: ["cos", ""],
  tanh: ["tanh", ""],
  sigmoid: ["sigmoid", ""],
  relu: ["relu", ""],
  clamp: ["clamp", "min, max"],
  isfinite: ["isfinite", ""],
  isnan: ["isnan", ""],

  // comparison and logic
  eq: ["eq.Tensor eq.Scalar", "other"],
  ne: ["ne.Tensor ne.Scalar", "other"],
  lt: ["lt.Tensor lt.Scalar", "other"],
  le: ["le.Tensor le.Scalar", "other"],
  gt: ["gt.Tensor gt.Scalar", "other"],
  ge: ["ge.Tensor ge.Scalar", "other"],
  logicalAnd: ["logical_and", "other"],
  logicalOr: ["logical_or", "other"],
  logicalNot: ["logical_not", ""],
  equal: ["equal", "other"],
  allclose: ["allclose", "other, {rtol, atol}"],
  maskedFill: ["masked_fill.Scalar", "mask, value"],

  // reductions
  sum: ["sum sum.dim_IntList", "dim?, keepdim"],
  mean: ["mean mean.dim", "dim?, keepdim"],
  std: ["std std.dim", "dim?, keepdim, unbiased"],
  var: ["var var.dim", "dim?, keepdim, unbiased"],
  prod: ["prod", ""],
  max: ["max", ""],
  min: ["min", ""],
  amax: ["amax", "dim!, keepdim"],
  amin: ["amin", "dim!, keepdim"],
  argmax: ["argmax", "dim, keepdim"],
  argmin: ["argmin", "dim, keepdim"],
  all: ["all", ""],
  any: ["any", ""],
  norm: ["norm.Scalar", "p"],
  logsumexp: ["logsumexp", "dim, keepdim"],
  softmax: ["softmax.int", "dim"],
  logSoftmax: ["log_softmax.int", "dim"],
  topk: ["topk", "k, dim, largest, sorted"],

  // shape and indexing
  reshape: ["reshape", "...shape"],
  view: ["view", "...size"],
  flatten: ["flatten.using_ints", "start_dim, end_dim"],
  squeeze: ["squeeze squeeze.dim", "dim?"],
  unsqueeze: ["unsqueeze", "dim"],
  transpose: ["transpose.int", "dim0, dim1"],
  t: ["t", ""],
  permute: ["permute", "...dims"],
  expand: ["expand", "...size"],
  repeat: ["repeat", "...repeats"],
  narrow: ["narrow", "dim, start, length"],
  select: ["select.int", "dim, index"],
  slice: ["slice.Tensor", "dim!, start, end, step"],
  chunk: ["chunk", "chunks, dim"],
  split: ["split.Tensor", "split_size, dim"],
  index: ["index.Tensor", "indices"],
  indexSelect: ["index_select", "dim, index"],
  gather: ["gather", "dim, index"],
  matmul: ["matmul", "other"],
  mm: ["mm", "mat2"],
  bmm: ["bmm", "mat2"],

  // in place
  add_: ["add_.Tensor add_.Scalar", "other, alpha"],
  sub_: ["sub_.Tensor sub_.Scalar", "other, alpha"],
  mul_: ["mul_.Tensor mul_.Scalar", "other"],
  div_: ["div_.Tensor div_.Scalar", "other"],
  addcmul_: ["addcmul_", "tensor1, tensor2, value"],
  addcdiv_: ["addcdiv_", "tensor1, tensor2, value"],
  lerp_: ["lerp_.Scalar", "end, weight"],
  clamp_: ["clamp_", "min, max"],
  sqrt_: ["sqrt_", ""],
  zero_: ["zero_", ""],
  fill_: ["fill_.Scalar", "value"],
  copy_: ["copy_", "src"],
  uniform_: ["uniform_", "from!, to!, generator!"],
  normal_: ["normal_", "mean!, std!, generator!"],
  bernoulli_: ["bernoulli_.float", "p!, generator!"],
};
