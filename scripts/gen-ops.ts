/**
 * Generates src/torch/generated/ops.ts: one typed function per public aten
 * operator overload, read from the schemas libtorch registers at run time
 * (the tch-rs / ocaml-torch approach). Run: npm run gen:ops
 *
 * Naming: the aten name, plus "_" and the overload name when there is one:
 * aten::add.Tensor -> add_Tensor, aten::relu -> relu, aten::add_.Tensor -> add__Tensor.
 * Arguments without a default are positional; the rest go in a trailing
 * options object, named as in the schema.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { native, packageRoot, type OpSchema, type SchemaArgument } from "../src/torch/native.ts";

const OUT = join(packageRoot, "src", "torch", "generated", "ops.ts");

/** Name fragments of backend-specific operators (not part of the portable API). */
const BACKEND_SPECIFIC = [
  "cudnn", "miopen", "mkldnn", "mkl_", "cuda", "quantize", "quantized", "fbgemm", "vulkan", "mps",
  "xnnpack", "nnpack", "qscheme", "q_per_channel", "q_scale", "q_zero_point", "int_repr",
];

const RESERVED = new Set([
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else",
  "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof",
  "new", "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void",
  "while", "with", "yield", "let", "static", "implements", "interface", "package", "private", "protected",
  "public", "await", "arguments", "eval",
]);

interface ArgType {
  ts: string;
  /** JS expression converting the value `v` for the native call. */
  pass: (v: string) => string;
}

/** How each schema type is written in TypeScript and passed to the bridge. */
function argType(type: string, size?: number): ArgType | undefined {
  const optional = type.endsWith("?");
  const base = optional ? type.slice(0, -1) : type;
  const scalarList = (elem: string): ArgType => ({
    ts: size ? `${elem} | readonly ${elem}[]` : `readonly ${elem}[]`,
    pass: (v) => v,
  });
  let t: ArgType | undefined;
  switch (base) {
    case "Tensor": t = { ts: "Tensor", pass: (v) => `${v}.id` }; break;
    case "Tensor[]": t = { ts: "readonly Tensor[]", pass: (v) => `ids(${v})` }; break;
    case "Tensor?[]": t = { ts: "readonly (Tensor | null)[]", pass: (v) => `optionalIds(${v})` }; break;
    case "int": case "SymInt": case "float": t = { ts: "number", pass: (v) => v }; break;
    case "int[]": case "SymInt[]": case "float[]": t = scalarList("number"); break;
    case "bool": t = { ts: "boolean", pass: (v) => v }; break;
    case "bool[]": t = { ts: "readonly boolean[]", pass: (v) => v }; break;
    case "Scalar": t = { ts: "Scalar", pass: (v) => v }; break;
    case "Scalar[]": t = { ts: "readonly number[]", pass: (v) => v }; break;
    case "ScalarType": t = { ts: "DType", pass: (v) => v }; break;
    case "Layout": t = { ts: "Layout", pass: (v) => v }; break;
    case "MemoryFormat": t = { ts: "MemoryFormat", pass: (v) => v }; break;
    case "Device": t = { ts: "Device", pass: (v) => v }; break;
    case "str": t = { ts: "string", pass: (v) => v }; break;
    case "Generator": t = { ts: "Generator", pass: (v) => `${v}.id` }; break;
    default: return undefined;
  }
  if (!optional) return t;
  const inner = t;
  return { ts: `${inner.ts} | null`, pass: (v) => (inner.pass(v) === v ? v : `(${v} == null ? ${v} : ${inner.pass(v)})`) };
}

interface Ret { ts: string; convert: (r: string) => string; }

function returnType(r: SchemaArgument): Ret | undefined {
  switch (r.type) {
    case "Tensor": return { ts: "Tensor", convert: (x) => `asTensor(${x})` };
    case "Tensor?": return { ts: "Tensor | null", convert: (x) => `asTensorOrNull(${x})` };
    case "Tensor[]": return { ts: "Tensor[]", convert: (x) => `asTensors(${x})` };
    case "int": case "float": case "Scalar": case "SymInt": return { ts: "number", convert: (x) => `${x} as number` };
    case "int[]": case "SymInt[]": return { ts: "number[]", convert: (x) => `${x} as number[]` };
    case "bool": return { ts: "boolean", convert: (x) => `${x} as boolean` };
    case "str": return { ts: "string", convert: (x) => `${x} as string` };
    case "ScalarType": return { ts: "DType", convert: (x) => `dtypeFromEnum(${x} as number)` };
    default: return undefined;
  }
}

function included(op: OpSchema): boolean {
  if (!op.name.startsWith("aten::")) return false;
  const base = op.name.slice(6);
  if (base.startsWith("_")) return false;
  if (BACKEND_SPECIFIC.some((s) => base.includes(s))) return false;
  if (/names|Dimname/i.test(op.overload)) return false;
  const all = [...op.arguments, ...op.returns];
  if (!all.some((a) => a.type.startsWith("Tensor"))) return false;
  if (op.arguments.some((a) => !argType(a.type, a.size))) return false;
  if (op.returns.some((r) => r.alias === undefined || !r.alias.endsWith("!")) && op.returns.some((r) => !returnType(r))) return false;
  return true;
}

function fnName(op: OpSchema): string {
  const base = op.name.slice(6);
  const name = op.overload ? `${base}_${op.overload}` : base;
  return RESERVED.has(name) ? `${name}_op` : name;
}

function paramName(name: string): string {
  return RESERVED.has(name) ? `${name}_` : name;
}

function generate(op: OpSchema, index: number): string {
  const positional = op.arguments.filter((a) => !a.kwargOnly && a.default === undefined);
  const optionsArgs = op.arguments.filter((a) => !positional.includes(a));
  const requiredOption = (a: SchemaArgument) => a.default === undefined && !a.type.endsWith("?");
  const params = positional.map((a) => `${paramName(a.name)}: ${argType(a.type, a.size)!.ts}`);
  if (optionsArgs.length) {
    const fields = optionsArgs.map((a) => `${a.name}${requiredOption(a) ? "" : "?"}: ${argType(a.type, a.size)!.ts}`);
    const optional = optionsArgs.some(requiredOption) ? "" : "?";
    params.push(`options${optional}: { ${fields.join("; ")} }`);
  }
  const callArgs = op.arguments.map((a) =>
    positional.includes(a) ? argType(a.type, a.size)!.pass(paramName(a.name)) : argType(a.type, a.size)!.pass(`options${optionsArgs.some(requiredOption) ? "" : "?"}.${a.name}`),
  );
  // Trailing undefined arguments are left out: the bridge fills in schema defaults.
  const call = `native.callOp(h(${index}, "${op.name}", "${op.overload}")${callArgs.map((c) => `, ${c}`).join("")})`;

  const aliasArg = (r: SchemaArgument): string | undefined => {
    const a = op.arguments.find((x) => x.alias === r.alias);
    if (!a) return undefined;
    return positional.includes(a) ? paramName(a.name) : `options.${a.name}`;
  };
  const rets = op.returns;
  let retTs: string;
  let body: string;
  const isAliasReturn = (r: SchemaArgument) => r.alias?.endsWith("!") === true && aliasArg(r) !== undefined;
  if (rets.length === 0) {
    retTs = "void";
    body = `  ${call};`;
  } else if (rets.length === 1) {
    const r = rets[0];
    if (isAliasReturn(r)) {
      retTs = "Tensor";
      body = `  ${call};\n  return ${aliasArg(r)};`;
    } else {
      const rt = returnType(r)!;
      retTs = rt.ts;
      body = `  return ${rt.convert(call)};`;
    }
  } else {
    const parts = rets.map((r, i) => (isAliasReturn(r) ? { ts: "Tensor", expr: aliasArg(r)! } : { ts: returnType(r)!.ts, expr: returnType(r)!.convert(`r[${i}]`) }));
    retTs = `[${parts.map((p) => p.ts).join(", ")}]`;
    const usesResult = rets.some((r) => !isAliasReturn(r));
    body = usesResult
      ? `  const r = ${call} as NativeResult[];\n  return [${parts.map((p) => p.expr).join(", ")}];`
      : `  ${call};\n  return [${parts.map((p) => p.expr).join(", ")}];`;
  }
  return `/** \`${op.schema}\` */\nexport function ${fnName(op)}(${params.join(", ")}): ${retTs} {\n${body}\n}\n`;
}

const schemas = native.listSchemas();
const ops = schemas.filter(included).sort((a, b) => fnName(a).localeCompare(fnName(b)));
const seen = new Set<string>();
const unique = ops.filter((op) => !seen.has(fnName(op)) && seen.add(fnName(op)));
const usesNullable = unique.some((op) => op.returns.some((r) => r.type === "Tensor?"));
const header = `// GENERATED by scripts/gen-ops.ts from libtorch ${native.version()}'s operator schemas. Do not edit.
// ${unique.length} public aten operator overloads. Regenerate with: npm run gen:ops
/* eslint-disable */
import { native, type NativeResult } from "../native.ts";
import { Tensor, asTensor, ${usesNullable ? "asTensorOrNull, " : ""}asTensors, ids, optionalIds } from "../tensor.ts";
import type { Generator } from "../generator.ts";
import { dtypeFromEnum, type DType, type Device, type Layout, type MemoryFormat, type Scalar } from "../dtype.ts";

const handles = new Int32Array(${unique.length}).fill(-1);
function h(i: number, name: string, overload: string): number {
  let k = handles[i];
  if (k < 0) k = handles[i] = native.opHandle(name, overload);
  return k;
}

`;
writeFileSync(OUT, header + unique.map(generate).join("\n"));
console.log(`wrote ${OUT}: ${unique.length} of ${schemas.length} schemas`);
