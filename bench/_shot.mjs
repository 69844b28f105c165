import { chromium } from "playwright-core";
const [file, out, sel] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const p = await b.newPage({ viewport: { width: 1280, height: 900 } });
const t = Date.now();
await p.goto(file.startsWith("http") ? file : "file://" + file);
console.log("load", Date.now() - t, "ms");
if (sel) await p.locator(sel).screenshot({ path: out }); else await p.screenshot({ path: out, fullPage: true });
await b.close();
