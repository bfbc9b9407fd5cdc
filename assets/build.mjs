// Build GOV.UK Frontend into static/govuk/: the service's compiled CSS, the stylesheets of the
// printed documents (the PVP meeting report and the feedback sheet), the JavaScript module and
// the images.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const out = join(root, "static", "govuk");

// Each Sass entry point in assets/ and the stylesheet it becomes.
const stylesheets = {
  "application.scss": "application.css",
  "report.scss": "report.css",
  "feedback-sheet.scss": "feedback-sheet.css",
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

for (const [source, target] of Object.entries(stylesheets)) {
  const result = sass.compile(join(root, "assets", source), {
    loadPaths: [join(root, "node_modules")],
    style: "compressed",
    quietDeps: true,
  });
  writeFileSync(join(out, target), result.css);
}
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
cpSync(join(govuk, "assets", "images"), join(out, "assets", "images"), { recursive: true });
console.log(`GOV.UK Frontend built into ${out}`);
