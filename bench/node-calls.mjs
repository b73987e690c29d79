// V8's call overhead on the same probe module as Weft's bench (bench/wasm/calls.wat):
// JS -> wasm calls of a trivial export, and wasm -> JS calls of an import
// from a wasm loop (the loop's own cost measured and subtracted).
//   node node-calls.mjs calls.wasm [ITERATIONS] [RUNS]
import { readFileSync } from 'node:fs';

const [file, iterationsArg, runsArg] = process.argv.slice(2);
const n = Number(iterationsArg ?? 5000000);
const runs = Number(runsArg ?? 5);
let hostCalls = 0;
const { instance } = await WebAssembly.instantiate(readFileSync(file), { env: { host: () => { hostCalls++; } } });
const { nothing, call_host, loop } = instance.exports;
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const toWasm = [], toHost = [], loopOnly = [];
for (let r = 0; r < runs; r++) {
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) nothing();
  let t1 = process.hrtime.bigint();
  loop(n);
  let t2 = process.hrtime.bigint();
  call_host(n);
  let t3 = process.hrtime.bigint();
  toWasm.push(Number(t1 - t0) / n);
  loopOnly.push(Number(t2 - t1) / n);
  toHost.push(Number(t3 - t2) / n);
}
if (hostCalls !== n * runs) throw new Error(`host ran ${hostCalls} times`);
console.log(`node-calls host_to_wasm_ns=${median(toWasm).toFixed(1)} wasm_to_host_ns=${(median(toHost) - median(loopOnly)).toFixed(1)} loop_ns_per_iteration=${median(loopOnly).toFixed(2)}`);
