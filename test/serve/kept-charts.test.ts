// A page that holds some charts drawn is sent the view without their specs:
// each such figure comes without its spec, marked data-kept, and putting the
// specs back gives the whole view again.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFixture } from "../report/fixture.ts";
import { LogDirSource, startDashboard } from "../../src/report/index.ts";
import { ViewBuilder, type ViewBody } from "../../src/serve/view-builder.ts";
import { parseHave, withoutKeptCharts } from "../../src/serve/kept-charts.ts";

const root = mkdtempSync(join(tmpdir(), "twin-kept-"));
after(() => rmSync(root, { recursive: true, force: true }));
writeFixture(root, { seeds: 4, steps: 20 });
writeFixture(root, { study: "cd", seeds: 3, steps: 20 });

/** Each figure's place to draw and spec, by chart id (what the page draws from). */
function drawings(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of html.matchAll(/<figure class="chart" id="chart-([^"]+)"[^>]*>(<div class="chart-view"><\/div><script type="application\/json" class="chart-spec">[^<]*<\/script>)<figcaption>/g)) out.set(m[1]!, m[2]!);
  return out;
}

test("figures whose chart the page holds drawn are sent without their spec, and the specs put back give the whole view", async () => {
  const b = new ViewBuilder(new LogDirSource(root));
  const view = (await b.view("ab", {}))!;
  await b.close();
  assert.ok(view.charts.length >= 6 && view.charts.every((c) => /^[0-9a-f]{16}$/.test(c.key ?? "")), "every chart has a key");
  const shown = drawings(view.html);
  assert.equal(shown.size, view.charts.length);
  const held = view.charts.filter((_, i) => i % 2 === 0);
  const trimmed = withoutKeptCharts(view, new Set(held.map((c) => c.key!)));
  assert.ok(trimmed.html.length < view.html.length / 1.5, `smaller: ${trimmed.html.length} of ${view.html.length}`);
  const left = drawings(trimmed.html);
  for (const c of view.charts) assert.equal(left.has(c.id), !held.includes(c), c.id);
  // The page's part: each data-kept figure gets its drawing back (here: what it was drawn from).
  const restored = trimmed.html.replace(/(<figure class="chart" id="chart-([^"]+)"[^>]*) data-kept>/g, (_m, open: string, id: string) => `${open}>${shown.get(id)}`);
  assert.equal(restored, view.html);
  // Keys the page does not hold, or not keys at all: the whole view.
  assert.equal(withoutKeptCharts(view, parseHave("0123456789abcdef,<script>,")), view);
  assert.deepEqual([...parseHave("abcdef0123456789,x,../")], ["abcdef0123456789"]);
});

test("the dashboard answers ?have= with the view without those charts' specs", async () => {
  const dash = await startDashboard({ source: new LogDirSource(root), port: 0, pollMs: 100 });
  const fetchView = (q: string, path = "api/studies/ab"): Promise<ViewBody & { version: number }> =>
    new Promise((resolve, reject) => {
      get(`${dash.url}${path}${q}`, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve(JSON.parse(text) as ViewBody & { version: number }));
      }).on("error", reject);
    });
  try {
    const whole = await fetchView("");
    const keys = whole.charts.map((c) => c.key!);
    const without = await fetchView(`?have=${keys.join(",")}`);
    assert.equal(drawings(without.html).size, 0);
    assert.equal((without.html.match(/ data-kept>/g) ?? []).length, keys.length);
    assert.equal(without.version, whole.version);
    assert.equal(drawings((await fetchView("")).html).size, keys.length, "the whole view is still there for a page that holds nothing");
    // Two studies side by side: the same, so that an update of a comparison resends only the charts it changed.
    const compare = (q: string) => fetchView(`?a=ab&b=cd${q}`, "api/compare");
    const both = await compare("");
    assert.ok(both.charts.length >= 6 && both.charts.every((c) => /^[0-9a-f]{16}$/.test(c.key ?? "")), "every chart of a comparison has a key");
    assert.equal(drawings(both.html).size, both.charts.length);
    const held = both.charts.filter((_, i) => i % 2 === 1).map((c) => c.key!);
    const part = await compare(`&have=${held.join(",")}`);
    assert.equal(drawings(part.html).size, both.charts.length - held.length);
    assert.equal((part.html.match(/ data-kept>/g) ?? []).length, held.length);
    assert.deepEqual(part.charts, both.charts);
  } finally {
    await dash.close();
  }
});
