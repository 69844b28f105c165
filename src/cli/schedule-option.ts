/** The --schedule option shared by the commands that train. */
export function parseSchedule(value: string): "sequential" | "parallel" {
  if (value !== "sequential" && value !== "parallel") throw new Error(`--schedule must be sequential or parallel (got '${value}')`);
  return value;
}
