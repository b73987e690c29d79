// Validation throughput: decode + validate each module repeatedly in-process and
// report the median MB/s (module bytes per second, one thread).
//   weft_bench_validate [--runs N] FILE.wasm...
// Prints one line per file: "NAME BYTES MEDIAN_SECONDS MB_PER_S".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "support/file.h"
#include "validation/validator.h"

int main(int argc, char** argv) {
  int runs = 11;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) {
    std::fputs("usage: weft_bench_validate [--runs N] FILE.wasm...\n", stderr);
    return 2;
  }
  for (const std::string& path : files) {
    std::vector<uint8_t> bytes;
    std::string error;
    if (!weft::readWholeFile(path, bytes, error)) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(), error.c_str());
      return 1;
    }
    std::vector<double> seconds;
    for (int run = 0; run < runs; ++run) {
      auto start = std::chrono::steady_clock::now();
      weft::Result<weft::ModuleInfo> module = weft::decodeAndValidate(bytes);
      auto stop = std::chrono::steady_clock::now();
      if (!module) {
        std::fprintf(stderr, "%s: invalid: %s\n", path.c_str(), module.error().describe().c_str());
        return 1;
      }
      seconds.push_back(std::chrono::duration<double>(stop - start).count());
    }
    std::sort(seconds.begin(), seconds.end());
    double median = seconds[seconds.size() / 2];
    std::printf("%s %zu %.6f %.1f\n", path.c_str(), bytes.size(), median, bytes.size() / median / 1e6);
  }
  return 0;
}
