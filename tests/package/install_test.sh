#!/usr/bin/env bash
# The installed library as an embedder meets it: `cmake --install` into a
# temporary prefix, then the embedding examples (examples/embed) built
# against that prefix with find_package(Weft) (shared and static) and with
# pkg-config, and run. Also: libweft.so's soname, and that it exports the C
# API and nothing else.
#   install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=${1:?usage: install_test.sh BUILD_DIR SOURCE_DIR}
source=${2:?usage: install_test.sh BUILD_DIR SOURCE_DIR}
for tool in pkg-config wat2wasm cc c++ nm objdump; do
  command -v "$tool" > /dev/null || { echo "install_test: $tool is missing (scripts/setup-debian.sh installs it)"; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" > "$work/install.log"
libdir=$(dirname "$(find "$prefix" -name 'libweft.so' | head -1)")
[ -n "$libdir" ] || { echo "no libweft.so installed"; exit 1; }
for file in include/wasm.h include/weft.h include/weft/weft.hpp bin/weft; do
  [ -e "$prefix/$file" ] || { echo "not installed: $file"; exit 1; }
done
[ -e "$libdir/libweft.a" ] || { echo "not installed: libweft.a"; exit 1; }

soname=$(objdump -p "$libdir/libweft.so" | awk '/SONAME/ {print $2}')
[ "$soname" = libweft.so.0 ] || { echo "soname is '$soname', not libweft.so.0"; exit 1; }
# Global symbols only (nm's upper-case types): the version script leaves a
# few local ones in the dynamic table (libstdc++'s template statics), which
# nothing outside can bind to.
exported=$(nm -D --defined-only "$libdir/libweft.so" | awk '$2 ~ /^[A-Z]$/ {print $3}')
others=$(echo "$exported" | grep -v -E '^(wasm_|weft_)' || true)
[ -z "$others" ] || { echo "libweft.so exports more than the C API:"; echo "$others" | head -20; exit 1; }
# Every function the installed headers declare (WASM_API_EXTERN) is there.
declared=$(printf '#include "weft.h"\n' | cc -E -P -x c -I"$prefix/include" -DWASM_API_EXTERN=WEFT_DECLARED - |
  tr ';' '\n' | grep WEFT_DECLARED | grep -oE '\b(wasm|weft)_[a-z0-9_]+ *\(' | tr -d '( ' | sort -u)
[ "$(echo "$declared" | wc -l)" -gt 280 ] || { echo "too few declarations found in wasm.h and weft.h"; exit 1; }
missing=$(comm -23 <(echo "$declared") <(echo "$exported" | sort -u))
[ -z "$missing" ] || { echo "declared but not exported by libweft.so:"; echo "$missing"; exit 1; }

expect_output() {  # NAME OUTPUT
  for line in "Hello from WebAssembly!" "sum of squares 1..10 = 385 (11 host calls)" "trap: integer divide by zero" \
              "  at function 4, module offset"; do
    grep -qF -- "$line" <<< "$2" || { echo "$1: no line \"$line\" in:"; echo "$2"; exit 1; }
  done
  echo "$1: ok"
}

# CMake: find_package(Weft), Weft::weft and Weft::weft_static.
cmake -S "$source/examples/embed" -B "$work/examples" -DCMAKE_PREFIX_PATH="$prefix" > "$work/configure.log" ||
  { cat "$work/configure.log"; exit 1; }
cmake --build "$work/examples" > "$work/build.log" || { cat "$work/build.log"; exit 1; }
for program in hello_c hello_c_static hello_cpp; do
  expect_output "cmake $program" "$("$work/examples/$program" "$work/examples/hello.wasm")"
done
if ldd "$work/examples/hello_c_static" | grep -q libweft; then
  echo "hello_c_static links libweft.so"; exit 1
fi

# pkg-config: a C host and a C++ host compiled by hand.
export PKG_CONFIG_PATH=$libdir/pkgconfig
cc -std=c11 -Wall -Wextra -Werror "$source/examples/embed/hello.c" $(pkg-config --cflags --libs weft) \
  -Wl,-rpath,"$libdir" -o "$work/hello_pc"
expect_output "pkg-config C" "$("$work/hello_pc" "$work/examples/hello.wasm")"
c++ -std=c++17 -Wall -Wextra -Werror "$source/examples/embed/hello.cpp" $(pkg-config --cflags --libs weft) \
  -Wl,-rpath,"$libdir" -o "$work/hello_pc_cpp"
expect_output "pkg-config C++" "$("$work/hello_pc_cpp" "$work/examples/hello.wasm")"

# The installed tree can move: both package files find their prefix from where they are.
mv "$prefix" "$work/moved"
moved_libdir=${libdir/$prefix/$work/moved}
PKG_CONFIG_PATH=$moved_libdir/pkgconfig pkg-config --cflags weft | grep -q -- "$work/moved" ||
  { echo "pkg-config does not follow a moved prefix"; exit 1; }
cmake -S "$source/examples/embed" -B "$work/examples-moved" -DCMAKE_PREFIX_PATH="$work/moved" > /dev/null
cmake --build "$work/examples-moved" --target hello_c > /dev/null
expect_output "moved prefix" "$("$work/examples-moved/hello_c" "$work/examples/hello.wasm")"
echo "install_test: all passed"
