#!/usr/bin/env bash
# Fetches large real-world modules shipped inside npm packages into DIR
# (default bench/.cache): biome, ffmpeg, swc, esbuild, sql.js. Skips any
# already there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${1:-$root/bench/.cache}
mkdir -p "$cache"
fetch() {  # package@version, path inside the tarball, local name
  [ -s "$cache/$3" ] && return
  (cd "$cache" && tarball=$(npm pack --silent "$1" 2>/dev/null | tail -1) &&
    tar -xzf "$tarball" -O "package/$2" > "$3" && rm -f "$tarball")
}
fetch @biomejs/wasm-nodejs@2.5.14 biome_wasm_bg.wasm biome.wasm
fetch @ffmpeg/core@0.12.10 dist/esm/ffmpeg-core.wasm ffmpeg.wasm
fetch @swc/wasm@1.16.18 wasm_bg.wasm swc.wasm
fetch esbuild-wasm@0.28.2 esbuild.wasm esbuild.wasm
fetch sql.js@1.16.0 dist/sql-wasm.wasm sqljs.wasm
