/** The address `twin serve` prints when it is listening, read from its standard output, for the dashboard benches. */
import type { ChildProcess } from "node:child_process";

const ADDRESS = /(http:\/\/127\.0\.0\.1:\d+\/)/;

/** Resolves with the dashboard's address once `child` (twin serve, stdout piped) prints it; rejects if it exits first, with its standard error where that is piped (the benches and tests). */
export function servedAddress(child: ChildProcess): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = "", err = "";
    child.stderr?.on("data", (c: Buffer) => (err += c.toString()));
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = ADDRESS.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`twin serve exited (${code}) before printing its address${err ? `: ${err}` : ""}`)));
  });
}
