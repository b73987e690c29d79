// Times V8's synchronous compile (new WebAssembly.Module) of a module: the
// peer of Weft's Module::compile. Run it with node's flags for Liftoff only:
//   node --liftoff --no-wasm-tier-up --no-wasm-lazy-compilation [--single-threaded] \
//        node-compile.mjs FILE [RUNS]
// Prints one line: engine, bytes, median seconds, MB/s.
import { readFileSync } from 'node:fs';

const [file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const bytes = readFileSync(file);
// V8 keeps compiled modules in a process-wide cache keyed by the bytes: each
// run appends a different small custom section so that every run compiles.
const variant = (i) => {
  const name = Buffer.from(`weft-bench-run-${i}`);
  return Buffer.concat([bytes, Buffer.from([0, name.length + 1, name.length]), name]);
};
const times = [];
for (let i = 0; i < runs; i++) {
  const input = variant(i);
  const t0 = process.hrtime.bigint();
  new WebAssembly.Module(input);
  const t1 = process.hrtime.bigint();
  times.push(Number(t1 - t0) / 1e9);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`node-compile file=${file} bytes=${bytes.length} seconds=${median.toFixed(4)} mb_per_s=${(bytes.length / median / 1e6).toFixed(1)}`);
