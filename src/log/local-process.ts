/** Whether a process of this machine exists (true also when it belongs to another user: kill(pid, 0) then fails with EPERM). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}
