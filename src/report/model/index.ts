/**
 * The report model: from a study's runs to the numbers the report draws
 * (curves with bands, paired differences, final-value distributions with
 * black swans, the verdict, variance by factor, power, expected maximum,
 * the control-sum audit). Statistics come from src/stats and src/study;
 * no I/O and nothing about drawing.
 */
export * from "./types.ts";
export * from "./curves.ts";
export * from "./finals.ts";
export * from "./planning.ts";
export * from "./metric.ts";
export * from "./sample.ts";
export * from "./build.ts";
export * from "./ensembles.ts";
