/** Errors of the store, each saying what went wrong and what to do. */

export class StoreError extends Error {
  override name = "StoreError";
}

export class UnknownRunError extends StoreError {
  override name = "UnknownRunError";
  readonly runId: string;
  constructor(runId: string, location?: string) {
    super(
      `unknown run '${runId}'${location ? ` in the store at ${location}` : ""}; ` +
        "list the stored runs with `twin runs` (add --study S to narrow them down)",
    );
    this.runId = runId;
  }
}

export class StoreUnreachableError extends StoreError {
  override name = "StoreUnreachableError";
  readonly url: string;
  constructor(url: string, reason: string, advice: string, options?: { cause?: unknown }) {
    super(`cannot open the store at ${url}: ${reason}. ${advice}`, options);
    this.url = url;
  }
}

/** The URL with its password (if any) replaced by ***. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, "$1***@");
  }
}

/** A short description of a driver error: code and message. */
export function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describeError(err.errors[0]);
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const msg = err.message || String(code ?? err.name);
    return typeof code === "string" && !msg.includes(code) ? `${code}: ${msg}` : msg;
  }
  return String(err);
}
