// The dashboard's change announcements: the first change after a quiet while
// is told at once (on the next timer turn), a burst is told at most once per
// gather period, each study once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ChangeAnnouncer, type Clock } from "../../src/serve/change-announcer.ts";

/** A clock whose time and timers the test moves. */
function fakeClock(): Clock & { at: number; timers: { run: () => void; due: number }[]; advance(ms: number): void } {
  const c = {
    at: 0,
    timers: [] as { run: () => void; due: number }[],
    now: () => c.at,
    schedule(run: () => void, ms: number) {
      const t = { run, due: c.at + ms };
      c.timers.push(t);
      return t;
    },
    cancel(t: unknown) {
      c.timers = c.timers.filter((x) => x !== t);
    },
    advance(ms: number) {
      c.at += ms;
      for (const t of c.timers.filter((x) => x.due <= c.at)) {
        c.timers = c.timers.filter((x) => x !== t);
        t.run();
      }
    },
  };
  return c;
}

test("a change after a quiet while is announced on the next timer turn; a burst is gathered into one announcement per period", () => {
  const clock = fakeClock();
  const told: string[][] = [];
  const a = new ChangeAnnouncer(250, (s) => told.push(s), clock);
  a.change("s1");
  a.change("s1");
  assert.equal(clock.timers[0]!.due, 0, "no wait after a quiet while");
  clock.advance(0);
  assert.deepEqual(told, [["s1"]], "the notifications of one write are told once");
  // A burst: changes 10 ms and 100 ms later are told together, 250 ms after the last announcement.
  clock.advance(10);
  a.change("s2");
  clock.advance(90);
  a.change("s1");
  a.change("s2");
  assert.equal(clock.timers.length, 1);
  clock.advance(149);
  assert.equal(told.length, 1, "not before the gather period is over");
  clock.advance(1);
  assert.deepEqual(told, [["s1"], ["s2", "s1"]]);
  // Quiet again: at once.
  clock.advance(1000);
  a.change("s3");
  clock.advance(0);
  assert.deepEqual(told.at(-1), ["s3"]);
  a.change("s3");
  a.close();
  clock.advance(1000);
  assert.equal(told.length, 3, "nothing told after close");
});
