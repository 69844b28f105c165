/**
 * Node's file-system errors ("ENOENT: no such file or directory, open 'x.npy'")
 * in words a user acts on: the path, what is wrong with it, what to do.
 */
const ADVICE: Record<string, string> = {
  ENOENT: "no such file or directory; check the path (relative paths start from the folder twin runs in)",
  EACCES: "permission denied; check the file's permissions, or run twin as a user who may read (and write) it",
  EPERM: "operation not permitted; check the file's permissions",
  EISDIR: "is a folder, not a file; name a file in it",
  ENOTDIR: "a part of this path is a file, not a folder; check the path",
  ENOSPC: "no space left on the device; free some space and run the command again",
  EROFS: "the file system is read-only; write somewhere else",
};

/** Node's own wording of a system error inside another message: "ENOENT: no such file or directory, open 'x.npy'". */
const NODE_WORDING = /\b(E[A-Z]+): [^,']+, [a-z]+ '([^']*)'/;

/**
 * The message for a Node system error on a path (thrown as it is, or quoted
 * in a reader's message such as "cannot read NPY file x.npy: ENOENT: …"), or
 * undefined for any other error.
 */
export function describeSystemError(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const { code, path } = e as NodeJS.ErrnoException;
  if (code !== undefined && path !== undefined) {
    const advice = ADVICE[code];
    return advice === undefined ? undefined : `${path}: ${advice}`;
  }
  const quoted = NODE_WORDING.exec(e.message);
  const advice = quoted ? ADVICE[quoted[1]!] : undefined;
  if (quoted === null || advice === undefined) return undefined;
  const before = e.message.slice(0, quoted.index).replace(/:\s*$/, "");
  return `${before ? `${before}: ` : ""}${quoted[2]}: ${advice}${e.message.slice(quoted.index + quoted[0].length)}`;
}
