// Command-line flags in the report's and dashboard's text are kept on one line
// (a browser may break after a hyphen: "twin seeds --" / "vary").
import { test } from "node:test";
import assert from "node:assert/strict";
import { keepFlagsWhole } from "../../src/report/whole-flags.ts";

const text = (html: string) => html.replace(/<script\b[\s\S]*?<\/script>|<style\b[\s\S]*?<\/style>|<[^>]*>/g, "");

test("keepFlagsWhole: flags in text nodes wrapped; tags, attributes, scripts and styles untouched; the text the same", () => {
  const html =
    `<p class="note">12 runs set aside (as twin seeds --vary or a grid makes them); more runs with --n, (--metric=val/acc) &quot;--store x&quot;</p>` +
    `<a href="?q=--vary" title="--vary">x--y a-b --</a><script type="application/json">{"a":"--vary"}</script><style>:root { --w: 1px; }</style>`;
  const out = keepFlagsWhole(html);
  assert.equal(
    out,
    `<p class="note">12 runs set aside (as twin seeds <span class="flag">--vary</span> or a grid makes them); more runs with <span class="flag">--n</span>, (<span class="flag">--metric=val/acc</span>) &quot;<span class="flag">--store</span> x&quot;</p>` +
      `<a href="?q=--vary" title="--vary">x--y a-b --</a><script type="application/json">{"a":"--vary"}</script><style>:root { --w: 1px; }</style>`,
  );
  assert.equal(text(out), text(html));
});
