// V8's validation throughput: WebAssembly.validate on each file, median of N runs.
//   node bench/node-validate.mjs RUNS FILE.wasm...
// Prints one line per file: "NAME BYTES MEDIAN_SECONDS MB_PER_S".
import { readFileSync } from 'node:fs';

const [runsArg, ...files] = process.argv.slice(2);
const runs = Number(runsArg) || 11;
for (const file of files) {
  const bytes = readFileSync(file);
  const seconds = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const ok = WebAssembly.validate(bytes);
    const stop = process.hrtime.bigint();
    if (!ok) {
      console.error(`${file}: V8 says invalid`);
      process.exit(1);
    }
    seconds.push(Number(stop - start) / 1e9);
  }
  seconds.sort((a, b) => a - b);
  const median = seconds[Math.floor(seconds.length / 2)];
  console.log(`${file} ${bytes.length} ${median.toFixed(6)} ${(bytes.length / median / 1e6).toFixed(1)}`);
}
