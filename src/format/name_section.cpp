#include "format/name_section.h"

#include <algorithm>

#include "format/limits.h"
#include "support/byte_reader.h"
#include "support/utf8.h"

namespace weft {
namespace {

constexpr uint8_t kModuleNameSubsection = 0;
constexpr uint8_t kFunctionNamesSubsection = 1;
constexpr uint8_t kLocalNamesSubsection = 2;

bool readName(ByteReader& reader, std::string& out) {
  uint32_t length;
  const uint8_t* data;
  if (!reader.readVarU32(length) || length > limits::kMaxNameLength || !reader.readBytes(length, data))
    return false;
  if (!isValidUtf8(data, length)) return false;
  out.assign(reinterpret_cast<const char*>(data), length);
  return true;
}

// A name map: vec((index, name)), which the format requires sorted by index.
bool readNameMap(ByteReader& reader, std::vector<NameAssoc>& out) {
  uint32_t count;
  if (!reader.readVarU32(count) || count > reader.remaining()) return false;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    NameAssoc assoc;
    if (!reader.readVarU32(assoc.index) || !readName(reader, assoc.name)) return false;
    if (!out.empty() && assoc.index <= out.back().index) return false;
    out.push_back(std::move(assoc));
  }
  return true;
}

}  // namespace

void decodeNameSection(std::span<const uint8_t> module, uint32_t begin, uint32_t end, NameSection& out) {
  ByteReader reader(module.data() + begin, module.data() + end, begin);
  int lastId = -1;
  while (!reader.atEnd()) {
    uint8_t id;
    uint32_t size;
    const uint8_t* payload;
    if (!reader.readByte(id) || !reader.readVarU32(size) || !reader.readBytes(size, payload)) return;
    if (id <= lastId) return;  // subsections come once each, in order
    lastId = id;
    ByteReader sub(payload, payload + size, reader.offsetOf(payload));
    switch (id) {
      case kModuleNameSubsection: {
        std::string name;
        if (!readName(sub, name)) return;
        out.moduleName = std::move(name);
        break;
      }
      case kFunctionNamesSubsection: {
        std::vector<NameAssoc> names;
        bool ok = readNameMap(sub, names);
        out.functionNames = std::move(names);
        if (!ok) return;
        break;
      }
      case kLocalNamesSubsection: {
        uint32_t count;
        if (!sub.readVarU32(count) || count > sub.remaining()) return;
        for (uint32_t i = 0; i < count; ++i) {
          NameSection::LocalNames entry;
          if (!sub.readVarU32(entry.functionIndex)) return;
          if (!out.localNames.empty() && entry.functionIndex <= out.localNames.back().functionIndex) return;
          bool ok = readNameMap(sub, entry.locals);
          out.localNames.push_back(std::move(entry));
          if (!ok) return;
        }
        break;
      }
      default:
        break;  // later subsections (labels, types, ...) are not used yet
    }
  }
}

}  // namespace weft
