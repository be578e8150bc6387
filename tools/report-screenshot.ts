// Regenerates the README's pictures of `scdx report`: the page of a run opened in Debian's headless
// Chromium (puppeteer-core; nothing is downloaded), top 1280×1800 px — or, given a section title,
// that section alone (from its <h2> to the next one), e.g. the dense-feature panel.
//   node --import tsx tools/report-screenshot.ts REPORT.html [OUT.png] ["Dense features"]
import puppeteer from "puppeteer-core";
import * as path from "node:path";

const [report, out = "docs/report-sweep.png", section] = process.argv.slice(2);
if (!report) throw new Error("usage: tools/report-screenshot.ts REPORT.html [OUT.png] [SECTION TITLE]");
const browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
const page = await browser.newPage();
await page.setViewport({ width: 1280, height: 1800 });
await page.goto(`file://${path.resolve(report)}`, { waitUntil: "load" });
if (section) {
  // The section's box in page coordinates: its heading's top to the next heading's top.
  const clip = await page.evaluate((title: string) => {
    const hs = [...document.querySelectorAll("h2")];
    const i = hs.findIndex((h) => h.textContent?.trim() === title);
    if (i < 0) return null;
    const top = hs[i]!.getBoundingClientRect().top + window.scrollY;
    const next = hs[i + 1];
    const bottom = next ? next.getBoundingClientRect().top + window.scrollY : document.body.scrollHeight;
    return { x: 0, y: top, width: 1280, height: Math.min(bottom - top, 2400) };
  }, section);
  if (!clip) throw new Error(`no section titled "${section}" in ${report}`);
  await page.screenshot({ path: out as `${string}.png`, clip, captureBeyondViewport: true });
} else await page.screenshot({ path: out as `${string}.png` });
await browser.close();
console.log(out);
