#!/usr/bin/env node
// Build Serval's front-end assets into src/serval/web/static/vendor/.
//
// Everything comes from node_modules (installed with `npm ci` from package-lock.json) or from
// our own sources in src/serval/web/static/src/; nothing is fetched from a CDN, at build time or
// at run time. The output directory is wiped first so no stale file survives, and is gitignored.
//
//   vendor/tabler.min.css (+ .map)      Tabler (Bootstrap 5) styles
//   vendor/tabler.min.js  (+ .map)      Tabler's JS (Bootstrap components)
//   vendor/tabler-icons.min.css         Tabler Icons webfont CSS, font URLs rewritten to fonts/
//   vendor/fonts/tabler-icons.woff2|woff
//   vendor/htmx.min.js                  htmx 2
//   vendor/serval.js  (+ .map)          our app.js, bundled and minified by esbuild
//   vendor/serval.css (+ .map)          our app.css, bundled and minified by esbuild

import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import * as esbuild from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = join(root, "src/serval/web/static/src");
const outDir = join(root, "src/serval/web/static/vendor");
const require = createRequire(join(root, "package.json"));

/** Directory of an installed package (resolved through its package.json). */
function pkgDir(name) {
  return dirname(require.resolve(`${name}/package.json`));
}

function fail(message) {
  console.error(`build-assets: ${message}`);
  process.exit(1);
}

function copy(from, to) {
  if (!existsSync(from)) fail(`missing ${from} (run npm ci?)`);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  console.log(`  ${to.slice(root.length + 1)}`);
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
console.log("build-assets: writing src/serval/web/static/vendor/");

// --- Tabler -----------------------------------------------------------------------------------
const tabler = join(pkgDir("@tabler/core"), "dist");
for (const f of ["css/tabler.min.css", "css/tabler.min.css.map", "js/tabler.min.js", "js/tabler.min.js.map"]) {
  copy(join(tabler, f), join(outDir, f.split("/").pop()));
}

// --- Tabler Icons webfont ---------------------------------------------------------------------
// The package's CSS points at ./fonts/NAME?vX. We keep woff2 (all current browsers) and woff,
// drop the 1.8 MB TrueType fallback, strip the query strings and copy exactly the fonts referenced.
const icons = join(pkgDir("@tabler/icons-webfont"), "dist");
let iconCss = readFileSync(join(icons, "tabler-icons.min.css"), "utf8");
iconCss = iconCss.replace(/,\s*url\(["']?[^"')]*\.ttf[^"')]*["']?\)\s*format\(["']truetype["']\)/g, "");
const fonts = new Set();
iconCss = iconCss.replace(/url\((["']?)(?:\.\/)?fonts\/([^"'?#)]+)[^"')]*\1\)/g, (_m, quote, file) => {
  fonts.add(file);
  return `url(${quote}fonts/${file}${quote})`;
});
if (fonts.size === 0) fail("found no font URLs in tabler-icons.min.css; has the package layout changed?");
if (/url\(\s*["']?(?!["']|data:|fonts\/)/.test(iconCss)) fail("tabler-icons.min.css has a URL we did not rewrite");
writeFileSync(join(outDir, "tabler-icons.min.css"), iconCss);
console.log("  src/serval/web/static/vendor/tabler-icons.min.css");
for (const file of fonts) copy(join(icons, "fonts", file), join(outDir, "fonts", file));

// --- htmx -------------------------------------------------------------------------------------
const htmxDir = pkgDir("htmx.org");
const htmxVersion = JSON.parse(readFileSync(join(htmxDir, "package.json"), "utf8")).version;
if (!htmxVersion.startsWith("2.")) fail(`htmx.org ${htmxVersion} installed; django-htmx targets htmx 2`);
copy(join(htmxDir, "dist/htmx.min.js"), join(outDir, "htmx.min.js"));

// --- Our own sources --------------------------------------------------------------------------
const result = await esbuild.build({
  // Same base name, different extensions: vendor/serval.js and vendor/serval.css.
  entryPoints: [
    { in: join(srcDir, "app.js"), out: "serval" },
    { in: join(srcDir, "app.css"), out: "serval" },
  ],
  outdir: outDir,
  bundle: true,
  minify: true,
  sourcemap: "linked",
  format: "iife",
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  // Files that app.css refers to with url() are copied beside the output.
  loader: { ".woff2": "file", ".woff": "file", ".svg": "file", ".png": "file" },
  assetNames: "assets/[name]-[hash]",
  logLevel: "warning",
});
if (result.errors.length) fail("esbuild failed");
for (const f of ["serval.js", "serval.js.map", "serval.css", "serval.css.map"]) {
  console.log(`  src/serval/web/static/vendor/${f}`);
}
console.log("build-assets: done");
