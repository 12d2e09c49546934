// Validate a .glb or .gltf with Khronos' glTF validator; print its report as JSON.
// Usage: node tools/gltf/validate.mjs FILE
// Exit status: 0 when the report has no errors, 1 when it has some, 2 when the file cannot be read.
import { readFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import validator from "gltf-validator";

const file = process.argv[2];
if (!file || process.argv.length > 3) {
  console.error("usage: node tools/gltf/validate.mjs FILE");
  process.exit(2);
}

let data;
try {
  data = new Uint8Array(await readFile(file));
} catch (error) {
  console.error(`cannot read ${file}: ${error.message}`);
  process.exit(2);
}

const report = await validator.validateBytes(data, {
  uri: basename(file),
  maxIssues: 0, // every issue, not the first hundred
  writeTimestamp: false,
  // A .gltf may refer to buffers and images beside it; a .glb holds them.
  externalResourceFunction: (uri) => readFile(resolve(dirname(file), decodeURIComponent(uri))),
});
console.log(JSON.stringify(report, null, 1));
process.exit(report.issues.numErrors > 0 ? 1 : 0);
