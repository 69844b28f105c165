/** Several sources as one (a study found in more than one: the first wins). */
import type { DataSource, SavedViews, SourceSpec, StudyListing, StudyStream } from "../types.ts";

export class MultiSource implements DataSource {
  readonly description: string;
  private readonly sources: DataSource[];

  constructor(sources: DataSource[]) {
    this.sources = sources;
    this.description = sources.map((s) => s.description).join(" + ");
  }

  async listStudies(): Promise<StudyListing[]> {
    const seen = new Set<string>();
    const out: StudyListing[] = [];
    for (const s of this.sources) {
      for (const l of await s.listStudies()) {
        if (seen.has(l.name)) continue;
        seen.add(l.name);
        out.push(l);
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async openStudy(name: string, seeds?: ReadonlySet<string>): Promise<StudyStream | undefined> {
    for (const s of this.sources) {
      const d = await s.openStudy(name, seeds);
      if (d) return d;
    }
    return undefined;
  }

  /** The stamps of the first source that has the study (the one openStudy reads); undefined when that source keeps none. */
  async seedStamps(name: string, changed?: ReadonlySet<string>): Promise<Map<string, string> | undefined> {
    for (const s of this.sources) {
      if (!s.seedStamps) {
        if (await s.openStudy(name)) return undefined;
        continue;
      }
      const stamps = await s.seedStamps(name, changed);
      if (stamps) return stamps;
    }
    return undefined;
  }

  /** The first source's place for saved views (a log folder's index). */
  savedViews(): SavedViews | undefined {
    for (const s of this.sources) {
      const saved = s.savedViews?.();
      if (saved) return saved;
    }
    return undefined;
  }

  spec(): SourceSpec | undefined {
    const sources = this.sources.map((s) => s.spec?.());
    return sources.every((s) => s !== undefined) ? { kind: "multi", sources: sources as SourceSpec[] } : undefined;
  }

  watch(onChange: (study: string, file?: string) => void, pollMs?: number): () => void {
    const stops = this.sources.map((s) => s.watch(onChange, pollMs));
    return () => stops.forEach((stop) => stop());
  }

  async close(): Promise<void> {
    for (const s of this.sources) await s.close?.();
  }
}
