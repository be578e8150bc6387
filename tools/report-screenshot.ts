// Regenerates docs/report-sweep.png, the README's picture of `scdx report`: the page of a run opened
// in Debian's headless Chromium (puppeteer-core; nothing is downloaded), top 1280×1800 px.
//   node --import tsx tools/report-screenshot.ts REPORT.html [OUT.png]
import puppeteer from "puppeteer-core";
import * as path from "node:path";

const [report, out = "docs/report-sweep.png"] = process.argv.slice(2);
if (!report) throw new Error("usage: tools/report-screenshot.ts REPORT.html [OUT.png]");
const browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
const page = await browser.newPage();
await page.setViewport({ width: 1280, height: 1800 });
await page.goto(`file://${path.resolve(report)}`, { waitUntil: "load" });
await page.screenshot({ path: out as `${string}.png` });
await browser.close();
console.log(out);
