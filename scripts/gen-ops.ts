/**
 * Generates, from the schemas libtorch registers at run time (the tch-rs /
 * ocaml-torch approach), src/torch/generated/ops.ts: one typed function per
 * public aten operator overload, and src/torch/generated/tensor-methods.ts:
 * the Tensor methods listed in scripts/tensor-methods.ts. Run: npm run gen:ops
 *
 * Naming: the aten name, plus "_" and the overload name when there is one:
 * aten::add.Tensor -> add_Tensor, aten::relu -> relu, aten::add_.Tensor -> add__Tensor.
 * Arguments without a default are positional; the rest go in a trailing
 * options object, named as in the schema. Two overloads that get one name
 * are reported; the first by schema text keeps it, the next get _2, _3...
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { native, packageRoot, type OpSchema, type SchemaArgument } from "../src/torch/native.ts";
import { TENSOR_METHODS } from "./tensor-methods.ts";

const OUT = join(packageRoot, "src", "torch", "generated");

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

/** How results become Tensors: the op functions' helpers, or the methods' own. */
const FREE = { one: "asTensor", nullable: "asTensorOrNull", list: "asTensors" };

function returnType(r: SchemaArgument, wrap = FREE): Ret | undefined {
  switch (r.type) {
    case "Tensor": return { ts: "Tensor", convert: (x) => `${wrap.one}(${x})` };
    case "Tensor?": return { ts: "Tensor | null", convert: (x) => `${wrap.nullable}(${x})` };
    case "Tensor[]": return { ts: "Tensor[]", convert: (x) => `${wrap.list}(${x})` };
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

function baseName(op: OpSchema): string {
  const base = op.name.slice(6);
  const name = op.overload ? `${base}_${op.overload}` : base;
  return RESERVED.has(name) ? `${name}_op` : name;
}

/** Function names, unique: overloads that map to one name are reported and numbered in schema-text order. */
function assignNames(ops: OpSchema[]): Map<OpSchema, string> {
  const groups = new Map<string, OpSchema[]>();
  for (const op of ops) (groups.get(baseName(op)) ?? groups.set(baseName(op), []).get(baseName(op))!).push(op);
  const names = new Map<OpSchema, string>();
  for (const [name, group] of groups) {
    group.sort((a, b) => (a.schema < b.schema ? -1 : a.schema > b.schema ? 1 : 0));
    group.forEach((op, i) => names.set(op, i === 0 ? name : `${name}_${i + 1}`));
    if (group.length > 1) console.warn(`gen-ops: ${group.length} overloads named ${name}: ${group.map((op) => `${names.get(op)} = ${op.schema}`).join("; ")}`);
  }
  return names;
}

function paramName(name: string): string {
  return RESERVED.has(name) ? `${name}_` : name;
}

function generate(op: OpSchema, index: number, name: string): string {
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
  return `/** \`${op.schema}\` */\nexport function ${name}(${params.join(", ")}): ${retTs} {\n${body}\n}\n`;
}

// ---- Tensor methods ---------------------------------------------------------

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

interface MethodArg { name: string; js: string; mark: "" | "?" | "!"; rest: boolean; grouped: boolean }

function parseArgs(spec: string): MethodArg[] {
  const grouped = spec.match(/\{(.*)\}/)?.[1]?.split(",").map((a) => a.trim()) ?? [];
  return spec.replace(/\{.*\}/, "").split(",").map((a) => a.trim()).filter(Boolean).concat(grouped).map((a) => {
    const m = /^(\.\.\.)?(\w+)([?!]?)$/.exec(a);
    if (!m) throw new Error(`gen-ops: bad method argument '${a}'`);
    return { name: m[2]!, js: paramName(camel(m[2]!)), mark: m[3] as MethodArg["mark"], rest: !!m[1], grouped: grouped.includes(a) };
  });
}

const METHOD_WRAP = { one: "this.wrap", nullable: "this.wrapOrNull", list: "this.wrapList" };
type Kind = "absent" | "tensor" | "value";

function generateMethod(method: string, overloadList: string, argSpec: string, byKey: Map<string, OpSchema>, handle: (op: OpSchema) => number): string {
  const overloads = overloadList.split(" ").map((key) => {
    const op = byKey.get(key.includes(".") ? key : `${key}.`);
    if (!op) throw new Error(`gen-ops: ${method}: no operator ${key} among the generated ones`);
    return op;
  });
  const args = parseArgs(argSpec);
  const schemaArg = (op: OpSchema, a: MethodArg) => {
    const s = op.arguments.find((x) => x.name === a.name);
    return s && a.mark === "!" ? { ...s, type: s.type.replace(/\?$/, "") } : s;
  };
  const kind = (op: OpSchema, a: MethodArg): Kind => {
    const s = schemaArg(op, a);
    return !s ? "absent" : s.type.startsWith("Tensor") ? "tensor" : "value";
  };
  for (const a of args) if (!overloads.some((op) => schemaArg(op, a))) throw new Error(`gen-ops: ${method}: no overload takes '${a.name}'`);
  const chooser = overloads.length > 1 ? args.find((a) => new Set(overloads.map((op) => kind(op, a))).size > 1) : undefined;
  if (overloads.length > 1 && !chooser) throw new Error(`gen-ops: ${method}: no argument tells ${overloadList} apart`);

  const lastRequired = args.map((a) => a.mark === "!" || (a.mark === "" && !a.grouped && overloads.every((op) => {
    const s = schemaArg(op, a);
    return s !== undefined && s.default === undefined && !s.type.endsWith("?");
  }))).lastIndexOf(true);
  const typeOf = (a: MethodArg) => {
    const types = new Set(overloads.flatMap((op) => {
      const s = schemaArg(op, a);
      return s ? argType(s.type, s.size)!.ts.split(" | ") : [];
    }));
    return a.rest ? "number[]" : [...types].join(" | ");
  };
  const params = args.filter((a) => !a.grouped).map((a, i) => (a.rest ? `...${a.js}: ${typeOf(a)}` : `${a.js}${i > lastRequired ? "?" : ""}: ${typeOf(a)}`));
  const grouped = args.filter((a) => a.grouped);
  if (grouped.length) params.push(`options?: { ${grouped.map((a) => `${a.js}?: ${typeOf(a)}`).join("; ")} }`);

  const call = (op: OpSchema) => {
    const passed = op.arguments.slice(1).map((s) => {
      const a = args.find((x) => x.name === s.name);
      if (!a) return "undefined";
      const t = schemaArg(op, a)!;
      return argType(t.type, t.size)!.pass(a.grouped ? `options?.${a.js}` : a.js);
    });
    while (passed.at(-1) === "undefined") passed.pop();
    return `native.callOp(h(${handle(op)}, "${op.name}", "${op.overload}"), this.id${passed.map((p) => `, ${p}`).join("")})`;
  };
  const body = (op: OpSchema) => {
    const rets = op.returns;
    if (rets.length === 1 && rets[0]!.alias?.endsWith("!") && rets[0]!.alias === op.arguments[0]!.alias) return { ts: "this", code: `${call(op)};\n    return this;` };
    if (rets.length === 1) {
      const rt = returnType(rets[0]!, METHOD_WRAP)!;
      return { ts: rt.ts, code: `return ${rt.convert(call(op))};` };
    }
    const parts = rets.map((r, i) => returnType(r, METHOD_WRAP)!.convert(`r[${i}]`));
    return { ts: `[${rets.map((r) => returnType(r, METHOD_WRAP)!.ts).join(", ")}]`, code: `const r = ${call(op)} as NativeResult[];\n    return [${parts.join(", ")}];` };
  };
  const bodies = overloads.map(body);
  if (new Set(bodies.map((b) => b.ts)).size > 1) throw new Error(`gen-ops: ${method}: overloads return different types`);
  const test = (op: OpSchema) => {
    const k = kind(op, chooser!);
    const v = chooser!.grouped ? `options?.${chooser!.js}` : chooser!.js;
    const nullable = typeOf(chooser!).split(" | ").includes("null");
    return k === "absent" ? `${v} === undefined` : k === "tensor" ? `typeof ${v} === "object"${nullable ? ` && ${v} !== null` : ""}` : `typeof ${v} !== "object"`;
  };
  const code = overloads.length === 1
    ? `    ${bodies[0]!.code}`
    : overloads.map((op, i) => (i < overloads.length - 1 ? `    if (${test(op)}) {\n      ${bodies[i]!.code.replace("\n", "\n  ")}\n    }` : `    ${bodies[i]!.code}`)).join("\n");
  const doc = overloads.map((op) => `\`${op.schema}\``).join(" or ");
  return `  /** ${doc} */\n  ${method}(${params.join(", ")}): ${bodies[0]!.ts} {\n${code}\n  }\n`;
}

// ---- output -----------------------------------------------------------------

const HANDLES = `function h(i: number, name: string, overload: string): number {
  let k = handles[i];
  if (k < 0) k = handles[i] = native.opHandle(name, overload);
  return k;
}
`;

const schemas = native.listSchemas();
const ops = schemas.filter(included);
const names = assignNames(ops);
ops.sort((a, b) => names.get(a)!.localeCompare(names.get(b)!));
const byKey = new Map(ops.map((op) => [`${op.name.slice(6)}.${op.overload}`, op]));
const usesNullable = ops.some((op) => op.returns.some((r) => r.type === "Tensor?"));
const origin = `from libtorch ${native.version()}'s operator schemas. Do not edit.`;

writeFileSync(join(OUT, "ops.ts"), `// GENERATED by scripts/gen-ops.ts ${origin}
// ${ops.length} public aten operator overloads. Regenerate with: npm run gen:ops
/* eslint-disable */
import { native, type NativeResult } from "../native.ts";
import { Tensor, asTensor, ${usesNullable ? "asTensorOrNull, " : ""}asTensors } from "../tensor.ts";
import { ids, optionalIds } from "../tensor-ids.ts";
import type { Generator } from "../generator.ts";
import { dtypeFromEnum, type DType, type Device, type Layout, type MemoryFormat, type Scalar } from "../dtype.ts";

const handles = new Int32Array(${ops.length}).fill(-1);
${HANDLES}
${ops.map((op, i) => generate(op, i, names.get(op)!)).join("\n")}`);

const methodOps: OpSchema[] = [];
const methodHandle = (op: OpSchema) => {
  if (!methodOps.includes(op)) methodOps.push(op);
  return methodOps.indexOf(op);
};
const methods = Object.entries(TENSOR_METHODS).map(([name, [overloads, args]]) => generateMethod(name, overloads, args, byKey, methodHandle));
const listHelpers = ["ids", "optionalIds"].filter((f) => methods.some((m) => new RegExp(`\\b${f}\\(`).test(m)));
writeFileSync(join(OUT, "tensor-methods.ts"), `// GENERATED by scripts/gen-ops.ts ${origin}
// The Tensor methods of scripts/tensor-methods.ts. Regenerate with: npm run gen:ops
/* eslint-disable */
import { native, type NativeResult } from "../native.ts";
import type { Tensor } from "../tensor.ts";
${listHelpers.length ? `import { ${listHelpers.join(", ")} } from "../tensor-ids.ts";\n` : ""}import type { Generator } from "../generator.ts";
import type { DType, Device, Scalar } from "../dtype.ts";

const handles = new Int32Array(${methodOps.length}).fill(-1);
${HANDLES}
/** The op methods of Tensor (src/torch/tensor.ts), which says how results become Tensors. */
export abstract class TensorMethods {
  abstract readonly id: number;
  protected abstract wrap(result: NativeResult): Tensor;
${methods.some((m) => m.includes("this.wrapOrNull")) ? "  protected abstract wrapOrNull(result: NativeResult): Tensor | null;\n" : ""}${methods.some((m) => m.includes("this.wrapList")) ? "  protected abstract wrapList(result: NativeResult): Tensor[];\n" : ""}
${methods.join("\n")}}
`);
console.log(`wrote ${OUT}: ops.ts (${ops.length} of ${schemas.length} schemas), tensor-methods.ts (${methods.length} methods)`);
