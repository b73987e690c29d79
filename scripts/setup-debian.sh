#!/usr/bin/env bash
# Installs the Debian 12 packages that building and testing Weft need, skipping
# those already present. Safe to run repeatedly; needs root (or sudo).
set -euo pipefail

packages=(
  cmake ninja-build g++ clang-14 lld-14 libclang-rt-14-dev   # build; clang for the fuzzers and sanitizers
  libgtest-dev libgmock-dev libbenchmark-dev                 # tests and benchmarks
  nlohmann-json3-dev                                         # the spec-test runner reads wast2json's JSON
  libasmjit-dev                                              # x86-64 assembler for the baseline compiler
  llvm-19-dev                                                # the optimizing tier's code generator
  wabt                                                       # wast2json, wat2wasm, wasm-validate
  binaryen                                                   # wasm-opt: random valid modules for fuzzing
  wasi-libc libclang-rt-14-dev-wasm32                        # C programs for wasm32-wasi: WASI tests and benchmarks
  libc++-14-dev-wasm32 libc++abi-14-dev-wasm32 emscripten    # the embenchen programs (C++ sources from emscripten)
  nodejs                                                     # their reference output (node's WASI)
  pkg-config                                                 # the install test builds against weft.pc
  linux-perf                                                 # the profiling test: perf record / report of wasm code
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "setup: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
