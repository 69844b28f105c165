/** The experiment store: SQLite by default, PostgreSQL for shared studies; fingerprints. */
export { openStore, defaultStorePath, type OpenStoreOptions } from "./open.ts";
export { SqlStore } from "./sql-store.ts";
export { MIGRATIONS, SCHEMA_VERSION, migrate, type Migration } from "./migrations.ts";
export { DamagedRowError, MissingStoreError, NotAStoreFileError, StoreDamagedError, StoreError, StoreReadOnlyError, StoreUnreachableError, StoreVanishedError, UnknownRunError, maskUrl } from "./errors.ts";
export { makeRunId, runToJson, seedsKey, toSeed } from "./ids.ts";
export { canonicalJson, sha256 } from "./hash.ts";
export {
  collectFingerprint,
  diffFingerprints,
  fingerprintHash,
  gitState,
  hashDatasetFiles,
  hashFile,
  type DatasetHashes,
  type Fingerprint,
  type FingerprintDifference,
  type FingerprintOptions,
  type GitState,
} from "./fingerprint.ts";
export * from "./types.ts";
export {
  checkStudyFingerprint,
  changedParts,
  fingerprintPart,
  formatDifferences,
  FingerprintChangedError,
  DEFAULT_FINGERPRINT_IGNORE,
  type FingerprintCheck,
  type FingerprintPart,
} from "./guard.ts";
