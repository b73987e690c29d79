#!/usr/bin/env bash
# Builds one threaded test program: tlib.c + thread_start.s + PROGRAM.c ->
# OUT.wasm, linked by wasm-ld directly (clang's driver would run binaryen's
# wasm-opt when it is on PATH, which drops the name section that the trap
# test's backtrace reads).
#   build.sh CLANG PROGRAM.c OUT.wasm
set -euo pipefail
clang=$1 source=$2 output=$3
here=$(cd "$(dirname "$0")" && pwd)
# wasm-ld from clang's own LLVM (lld-14, which the setup script installs), not
# whichever the unversioned lld package may have put on PATH.
linker=$(dirname "$(readlink -f "$(command -v "$clang")")")/wasm-ld
[ -x "$linker" ] || { echo "build.sh: no wasm-ld beside $clang ($linker): apt-get install lld-14" >&2; exit 1; }
flags=(--target=wasm32 -nostdlib -O2 -matomics -mbulk-memory -ftls-model=local-exec -Wall -Werror -I"$here")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$clang" --target=wasm32 -matomics -mbulk-memory -c "$here/thread_start.s" -o "$work/thread_start.o"
"$clang" "${flags[@]}" -c "$here/tlib.c" -o "$work/tlib.o"
"$clang" "${flags[@]}" -c "$source" -o "$work/program.o"
"$linker" --shared-memory --import-memory --max-memory=268435456 --export=_start --no-entry -z stack-size=65536 \
  "$work/thread_start.o" "$work/tlib.o" "$work/program.o" -o "$output"
