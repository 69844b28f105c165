/** Opening the store for commands that only read it: no default store yet is an error, not a new empty file. */
import { existsSync } from "node:fs";
import { defaultStorePath, openStore, StoreError, type Store } from "../store/index.ts";

export async function openExistingStore(url: string | undefined): Promise<Store> {
  if (!url && !existsSync(defaultStorePath())) {
    throw new StoreError(
      `no store here (${defaultStorePath()} does not exist): run a study in this folder first (twin compare/seeds record into it), ` +
        "or name a store with --store (e.g. postgres://user@host:port/db)",
    );
  }
  return openStore(url);
}
