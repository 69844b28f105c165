/**
 * Stopping the commands that train, whoever asks: Ctrl-C (SIGINT), SIGTERM
 * (a job manager, `kill`) and SIGHUP (the terminal closed) all ask the run to
 * stop cleanly: after its current step, writing a checkpoint where the
 * command keeps them; `twin sweep` ends its training commands. A second
 * signal exits at once (a sweep's launcher still ends the commands: it
 * watches twin). The abort reason names the signal ("Ctrl-C", "SIGTERM",
 * "SIGHUP"); exitCode() is the shell's code for it (128 + signal number).
 */
import { constants } from "node:os";

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

function reasonOf(sig: StopSignal): string {
  return sig === "SIGINT" ? "Ctrl-C" : sig;
}

export function interruptSignal(): { signal: AbortSignal; release: () => void; exitCode: () => number | undefined } {
  const controller = new AbortController();
  let received: StopSignal | undefined;
  const handlers = STOP_SIGNALS.map((sig) => {
    const handler = () => {
      if (controller.signal.aborted) process.exit(128 + constants.signals[sig]);
      received = sig;
      // After SIGHUP there may be no terminal left to write to.
      if (sig !== "SIGHUP") process.stderr.write(`\ntwin: ${reasonOf(sig)}: stopping after the current step (${sig === "SIGINT" ? "Ctrl-C" : "a second signal"} again to quit at once)\n`);
      controller.abort(reasonOf(sig));
    };
    process.on(sig, handler);
    return [sig, handler] as const;
  });
  return {
    signal: controller.signal,
    release: () => {
      for (const [sig, handler] of handlers) process.off(sig, handler);
    },
    exitCode: () => (received === undefined ? undefined : 128 + constants.signals[received]),
  };
}
