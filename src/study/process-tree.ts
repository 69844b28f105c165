/**
 * Finding every process a command started, including those that left its
 * process group (setsid, double fork) and so escape a signal to the group.
 *
 * Linux offers two ways to keep hold of such processes: a subreaper
 * (prctl PR_SET_CHILD_SUBREAPER), which Node cannot call, and cgroups, which
 * need privileges. What any process can do is read /proc: a process is the
 * command's descendant if its parent chain leads to the command, or, once an
 * intermediate parent has exited and it was re-parented to init, if its
 * environment carries the marker variable twin gave the command (children
 * inherit the environment; a process that clears its environment is the one
 * case this cannot find). Off Linux (no /proc) the list is empty and only the
 * process group is signalled.
 */
import { readdirSync, readFileSync } from "node:fs";

/** The environment variable that marks a command and everything it starts. */
export const MARKER_VARIABLE = "TWIN_SWEEP_PROCESS";

/** The parent pid and process group of a process from /proc/<pid>/stat, or undefined when it is gone. */
function statOf(pid: number): { parent: number; group: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses: read after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { parent: Number(fields[1]), group: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

function carriesMarker(pid: number, marker: string): boolean {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, "latin1");
    return env.startsWith(marker + "\0") || env.includes("\0" + marker + "\0") || env.endsWith("\0" + marker);
  } catch {
    return false;
  }
}

/**
 * The pids of root's descendants and of every process whose environment
 * holds `MARKER_VARIABLE=<marker>`, outside root's process group (which a
 * signal to the group reaches anyway); this process is never included.
 */
export function findEscaped(root: number, marker: string): number[] {
  let pids: number[];
  try {
    pids = readdirSync("/proc").filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  const inGroup = new Set<number>();
  for (const pid of pids) {
    const st = statOf(pid);
    if (st === undefined) continue;
    if (st.group === root) inGroup.add(pid);
    let list = children.get(st.parent);
    if (!list) children.set(st.parent, (list = []));
    list.push(pid);
  }
  const found = new Set<number>();
  const stack = [root];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      if (!found.has(c)) {
        found.add(c);
        stack.push(c);
      }
    }
  }
  const tag = `${MARKER_VARIABLE}=${marker}`;
  for (const pid of pids) if (!found.has(pid) && carriesMarker(pid, tag)) found.add(pid);
  found.delete(process.pid);
  return [...found].filter((pid) => !inGroup.has(pid));
}

/** Sends a signal to a process group (negative pid) or a process, ignoring one that is gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
