# Sourced by the fuzz/run*.sh scripts: the packages, and the fuzz build
# (clang-14, libFuzzer, ASan + UBSan, assertions on) configured in build-fuzz.
# Sets root and build; the caller builds its targets.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build-fuzz
"$root/scripts/setup-debian.sh"
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DWEFT_FUZZ=ON -DWEFT_SANITIZE=ON -DWEFT_TESTS=OFF > /dev/null
mkdir -p "$root/fuzz/artifacts"
