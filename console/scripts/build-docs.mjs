// Assembles the /docs page: our own index.html, docs.js and docs.css beside the two files of
// swagger-ui-dist it needs (the pinned npm package; no CDN), into <out>/docs.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const out = join(process.env.CONSOLE_OUT_DIR ?? join(root, "dist"), "docs");
const swagger = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const name of ["index.html", "docs.js", "docs.css"]) copyFileSync(join(root, "docs", name), join(out, name));
for (const name of ["swagger-ui-bundle.js", "swagger-ui.css"]) {
  // The source-map comment would make a browser's developer tools ask for a file we do not ship.
  const text = readFileSync(join(swagger, name), "utf8").replace(/\n?\/[/*]# sourceMappingURL=[^\n]*\s*$/, "\n");
  writeFileSync(join(out, name), text);
}
// Apache-2.0: the license and notice travel with the bundle (its header points at the .LICENSE.txt).
for (const name of ["swagger-ui-bundle.js.LICENSE.txt", "LICENSE", "NOTICE", "favicon-32x32.png"]) {
  copyFileSync(join(swagger, name), join(out, name === "LICENSE" || name === "NOTICE" ? `${name}.txt` : name));
}
console.log(`docs: ${out}`);
