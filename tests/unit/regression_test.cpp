// Regression corpus: inputs that once crashed, hung or were misjudged (most
// found by the fuzzer), named after what they exercised. Each file's name says
// what Weft must conclude: NAME.valid.wasm must validate, NAME.invalid.wasm must
// be rejected. Every file must be decided without crashing (the ASan/UBSan build
// runs this too).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "validation/validator.h"

namespace weft {
namespace {

namespace fs = std::filesystem;

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TEST(Regression, EveryCorpusFileIsDecidedAsItsNameSays) {
  size_t checked = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(WEFT_REGRESS_DIR)) {
    std::string name = entry.path().filename().string();
    bool expectValid = endsWith(name, ".valid.wasm");
    bool expectInvalid = endsWith(name, ".invalid.wasm");
    if (!expectValid && !expectInvalid) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Result<ModuleInfo> module = decodeAndValidate(bytes);
    EXPECT_EQ(module.ok(), expectValid) << name << ": " << (module.ok() ? "accepted" : module.error().describe());
    ++checked;
  }
  EXPECT_GT(checked, 0u) << "the regression corpus in " << WEFT_REGRESS_DIR << " is empty";
}

}  // namespace
}  // namespace weft
