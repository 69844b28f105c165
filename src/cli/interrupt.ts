/**
 * Ctrl-C for the commands that train: the first one asks the run to stop after
 * its current step (writing a checkpoint where the command keeps them); a
 * second one exits at once.
 */
export function interruptSignal(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write("\ntwin: stopping after the current step (Ctrl-C again to quit at once)\n");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  return { signal: controller.signal, release: () => process.off("SIGINT", onSigint) };
}
