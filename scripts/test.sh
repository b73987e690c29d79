#!/usr/bin/env bash
# Builds and runs every test: GoogleTest units, the CLI contract and the whole
# spec suite (one CTest test per .wast file), then the same under AddressSanitizer
# and UndefinedBehaviorSanitizer (built with clang-14), then the runtime tests under
# ThreadSanitizer. Exits non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)

"$root/scripts/setup-debian.sh"

echo "== build (g++, RelWithDebInfo)"
cmake -S "$root" -B "$root/build" -G Ninja -DWEFT_TESTS=ON > /dev/null
cmake --build "$root/build"
echo "== tests"
ctest --test-dir "$root/build" -j "$jobs" --output-on-failure

if [ "${WEFT_SKIP_SANITIZERS:-0}" != 1 ]; then
  echo "== build (clang-14, ASan + UBSan)"
  CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$root/build-asan" -G Ninja \
    -DCMAKE_BUILD_TYPE=Debug -DWEFT_SANITIZE=ON > /dev/null
  cmake --build "$root/build-asan"
  echo "== tests under ASan + UBSan"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$root/build-asan" -j "$jobs" --output-on-failure
fi

if [ "${WEFT_SKIP_SANITIZERS:-0}" != 1 ]; then
  # The runtime's thread-safety claims (DESIGN 5): one Module instantiated and
  # run from several threads, traps and faults on all of them.
  # And wasi-threads: the threaded programs under a TSan-built weft (a race
  # exits 66, which the script reports as a wrong exit code).
  echo "== build (clang-14, TSan): runtime unit tests, weft and the threaded programs"
  CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$root/build-tsan" -G Ninja -DWEFT_TSAN=ON > /dev/null
  cmake --build "$root/build-tsan" --target weft_unit_tests weft weft_threads_wasm
  echo "== runtime tests under TSan"
  TSAN_OPTIONS=halt_on_error=1 "$root/build-tsan/tests/weft_unit_tests" \
    --gtest_filter='Sharing.*:Strategies/*:-*DeathTest*'
  echo "== wasi-threads programs under TSan"
  TSAN_OPTIONS=halt_on_error=1 bash "$root/tests/threads/threads_test.sh" "$root/build-tsan/weft" \
    "$root/build-tsan/tests/threads"
fi
