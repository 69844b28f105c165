/** Neural-network modules, losses and metrics: `import { nn } from "twin"`. */
export { Module } from "./module.ts";
export type { ParameterInfo, InitSource, InitializeOptions, StateDict, LoadResult } from "./module.ts";
export * from "./layers.ts";
export * from "./models.ts";
export * from "./losses.ts";
export * as init from "./init.ts";
export type { Initializer } from "./init.ts";
export { unet, UNet, type UNetOptions } from "./unet.ts";
export { torchscript, TorchScriptModule, type TorchScriptOptions, type ScriptedInitRule, type ForwardArgument, type OutputSelector, type ScriptArgument, type ScriptValue } from "./torchscript.ts";
export { pretrained, Pretrained, type PretrainedOptions } from "./pretrained.ts";
