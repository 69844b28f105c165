/**
 * When the dashboard tells its pages that studies changed: the first change
 * after a quiet while at once (on the next turn of the event loop, so that the
 * several notifications of one write are told once), and during a burst of
 * changes at most once per `gatherMs`, each changed study once.
 */
export interface Clock {
  now(): number;
  schedule(run: () => void, ms: number): unknown;
  cancel(timer: unknown): void;
}

const realClock: Clock = {
  now: () => performance.now(),
  schedule: (run, ms) => setTimeout(run, ms),
  cancel: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

export class ChangeAnnouncer {
  private readonly changed = new Set<string>();
  private timer: unknown;
  private announcedAt = -Infinity;

  /** `announce` gets the studies changed since it was last called, in the order they first changed. */
  constructor(private readonly gatherMs: number, private readonly announce: (studies: string[]) => void, private readonly clock: Clock = realClock) {}

  /** A study's data changed. */
  change(study: string): void {
    this.changed.add(study);
    if (this.timer !== undefined) return;
    this.timer = this.clock.schedule(() => this.flush(), Math.max(0, this.announcedAt + this.gatherMs - this.clock.now()));
  }

  private flush(): void {
    this.timer = undefined;
    this.announcedAt = this.clock.now();
    const studies = [...this.changed];
    this.changed.clear();
    this.announce(studies);
  }

  close(): void {
    if (this.timer !== undefined) this.clock.cancel(this.timer);
    this.timer = undefined;
  }
}
