/** Opening the store for commands that only read it: a missing store, or a file that is not one, is an error, never a new empty database. */
import { accessSync, constants, existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { defaultStorePath, openStore, StoreError, type Store } from "../store/index.ts";

export async function openExistingStore(url: string | undefined): Promise<Store> {
  if (!url && !existsSync(defaultStorePath())) {
    throw new StoreError(
      `no store here (${defaultStorePath()} does not exist): run a study in this folder first (twin compare/seeds record into it), ` +
        "or name a store with --store (e.g. postgres://user@host:port/db)",
    );
  }
  return openStore(url, { existing: true, readOnly: storeReadOnly(url) });
}

/** A local store file this process cannot write is opened read-only (reading it needs no write). */
export function storeReadOnly(url: string | undefined): boolean {
  if (url && /^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^sqlite:/i.test(url)) return false;
  const path = url ? resolve(url.replace(/^sqlite:(\/\/)?/i, "")) : defaultStorePath();
  try {
    accessSync(path, constants.W_OK);
    accessSync(dirname(path), constants.W_OK);
    return false;
  } catch {
    return existsSync(path);
  }
}
