// A C++ host of Weft through its public C++ API (<weft/weft.hpp>): the same
// three things as hello.c, a greeting through a host callback, a module
// calling back into the host, and a trap with its trace.
// Run: ./hello_cpp hello.wasm
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <weft/weft.hpp>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s hello.wasm\n", argv[0]);
    return 2;
  }
  std::ifstream file(argv[1], std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  try {
    weft::Engine engine(weft::Config().tier(weft::Tier::Optimizing));
    weft::Store store(engine);
    weft::Module module(store, bytes);

    std::optional<weft::Memory> memory;  // the instance's, once it exists
    weft::Func greet(store, weft::FuncType({weft::ValKind::I32, weft::ValKind::I32}, {}),
                     [&](const std::vector<weft::Val>& args, std::vector<weft::Val>&) -> std::optional<std::string> {
                       uint32_t at = args[0].i32(), length = args[1].i32();
                       if (uint64_t{at} + length > memory->byteLength()) return "greeting out of bounds";
                       std::printf("%.*s\n", static_cast<int>(length), reinterpret_cast<const char*>(memory->data() + at));
                       return std::nullopt;
                     });
    int squareCalls = 0;
    weft::Func square(store, weft::FuncType({weft::ValKind::I32}, {weft::ValKind::I32}),
                      [&](const std::vector<weft::Val>& args, std::vector<weft::Val>& results) -> std::optional<std::string> {
                        ++squareCalls;
                        results[0] = weft::Val::i32(args[0].i32() * args[0].i32());
                        return std::nullopt;
                      });
    weft::Instance instance(store, module, {greet, square});
    memory = instance.memory("memory");

    instance.func("hello").call();
    std::vector<weft::Val> sum = instance.func("sum_of_squares").call({weft::Val::i32(10)});
    std::printf("sum of squares 1..10 = %d (%d host calls)\n", sum[0].i32(), squareCalls);
    try {
      instance.func("thousand_over").call({weft::Val::i32(0)});
      return 1;
    } catch (const weft::Trap& trap) {
      std::printf("trap: %s\n", trap.what());
      for (const weft::Frame& frame : trap.trace())
        std::printf("  at function %u, module offset 0x%zx\n", frame.functionIndex, frame.moduleOffset);
    }
  } catch (const weft::Error& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 1;
  }
  return 0;
}
