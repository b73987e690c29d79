#include "format/module_decoder.h"

#include <algorithm>
#include <string_view>
#include <unordered_set>

#include "format/limits.h"
#include "format/name_section.h"
#include "format/opcodes.h"
#include "support/byte_reader.h"
#include "support/utf8.h"

namespace weft {
namespace {

constexpr uint32_t kMagic = 0x6d736100;  // "\0asm"
constexpr uint32_t kVersion = 1;

enum SectionId : uint8_t {
  kCustomSection = 0,
  kTypeSection = 1,
  kImportSection = 2,
  kFunctionSection = 3,
  kTableSection = 4,
  kMemorySection = 5,
  kGlobalSection = 6,
  kExportSection = 7,
  kStartSection = 8,
  kElementSection = 9,
  kCodeSection = 10,
  kDataSection = 11,
  kDataCountSection = 12,
  kTagSection = 13,
};

// Where a section may stand: the data count section sits between the element
// and code sections although its id is larger.
int sectionRank(uint8_t id) {
  switch (id) {
    case kTypeSection: return 1;
    case kImportSection: return 2;
    case kFunctionSection: return 3;
    case kTableSection: return 4;
    case kMemorySection: return 5;
    case kTagSection: return 6;
    case kGlobalSection: return 7;
    case kExportSection: return 8;
    case kStartSection: return 9;
    case kElementSection: return 10;
    case kDataCountSection: return 11;
    case kCodeSection: return 12;
    case kDataSection: return 13;
    default: return -1;
  }
}

class ModuleDecoder {
  // Backtraces of modules without a name section fall back to export names.
  void indexExportedFunctionNames() {
    for (const Export& exp : module_.exports)
      if (exp.kind == ExternKind::Func) module_.exportedFunctionNames.push_back({exp.index, exp.name});
    // Stable: a function exported twice keeps its first name.
    std::stable_sort(module_.exportedFunctionNames.begin(), module_.exportedFunctionNames.end(),
                     [](const NameAssoc& a, const NameAssoc& b) { return a.index < b.index; });
  }

 public:
  explicit ModuleDecoder(std::span<const uint8_t> bytes)
      : bytes_(bytes), reader_(bytes.data(), bytes.data() + bytes.size()) {}

  Result<ModuleInfo> run() {
    if (!decode()) {
      Error error;
      error.kind = kind_;
      error.offset = reader_.failureOffset();
      error.message = reader_.failureMessage();
      if (currentSection_ >= 0) error.section = static_cast<uint8_t>(currentSection_);
      return error;
    }
    indexExportedFunctionNames();
    return std::move(module_);
  }

 private:
  // Failure helpers: the reader keeps the first message and offset; we keep its kind.
  bool malformed(const char* message) { return malformedAt(reader_.pos(), message); }
  bool malformedAt(const uint8_t* where, const std::string& message) {
    if (!reader_.failed()) kind_ = ErrorKind::Malformed;
    return reader_.failAt(where, message);
  }
  bool invalidAt(const uint8_t* where, const std::string& message) {
    if (!reader_.failed()) kind_ = ErrorKind::Invalid;
    return reader_.failAt(where, message);
  }
  bool unsupportedAt(const uint8_t* where, const std::string& feature) {
    if (!reader_.failed()) kind_ = ErrorKind::Unsupported;
    return reader_.failAt(where, "unsupported feature: " + feature);
  }
  bool limitAt(const uint8_t* where, const std::string& what, uint64_t limit) {
    if (!reader_.failed()) kind_ = ErrorKind::LimitExceeded;
    return reader_.failAt(where, what + " exceeds the implementation limit of " + std::to_string(limit));
  }

  bool readCount(uint32_t& count, uint32_t limit, const char* what) {
    const uint8_t* at = reader_.pos();
    if (!reader_.readVarU32(count)) return false;
    if (count > limit) return limitAt(at, std::string("number of ") + what, limit);
    // Every element takes at least one byte: a count beyond the bytes left is
    // malformed, and rejecting it here keeps reserve() from over-allocating.
    if (count > reader_.remaining()) return malformedAt(at, "unexpected end of section or function");
    return true;
  }

  bool readName(std::string& out) {
    uint32_t length;
    const uint8_t* at = reader_.pos();
    if (!reader_.readVarU32(length)) return false;
    if (length > limits::kMaxNameLength) return limitAt(at, "name length", limits::kMaxNameLength);
    const uint8_t* data;
    if (!reader_.readBytes(length, data)) return malformedAt(at, "unexpected end of section or function");
    if (!isValidUtf8(data, length)) return malformedAt(at, "malformed UTF-8 encoding");
    out.assign(reinterpret_cast<const char*>(data), length);
    return true;
  }

  bool readValType(ValType& out) {
    const uint8_t* at = reader_.pos();
    uint8_t byte;
    if (!reader_.readByte(byte)) return false;
    switch (byte) {
      case 0x7f: case 0x7e: case 0x7d: case 0x7c: case 0x7b: case 0x70: case 0x6f:
        out = static_cast<ValType>(byte);
        return true;
      case 0x64: case 0x63: case 0x6e: case 0x6d: case 0x6c: case 0x6b: case 0x6a:
      case 0x71: case 0x72: case 0x73: case 0x69:
        return unsupportedAt(at, "typed function references / GC value types");
      default:
        return malformedAt(at, "malformed value type");
    }
  }

  bool readRefType(ValType& out) {
    const uint8_t* at = reader_.pos();
    if (!readValType(out)) return false;
    if (!isReference(out)) return malformedAt(at, "malformed reference type");
    return true;
  }

  bool readLimits(Limits& out, bool isMemory) {
    const uint8_t* at = reader_.pos();
    uint8_t flags;
    if (!reader_.readByte(flags)) return false;
    if (flags > 0x07) return malformedAt(at, "malformed limits flags");
    if (flags & 0x04) return unsupportedAt(at, "memory64");
    if (!isMemory && flags > 0x01) return malformedAt(at, "malformed limits flags");
    out.shared = (flags & 0x02) != 0;
    uint32_t value;
    if (!reader_.readVarU32(value)) return false;
    out.min = value;
    if (flags & 0x01) {
      if (!reader_.readVarU32(value)) return false;
      out.max = value;
    } else {
      out.max.reset();
    }
    if (isMemory) {
      if (out.min > kMaxMemory32Pages || (out.max && *out.max > kMaxMemory32Pages))
        return invalidAt(at, "memory size must be at most 65536 pages (4GiB)");
      if (out.shared && !out.max) return invalidAt(at, "shared memory must have maximum");
    }
    if (out.max && out.min > *out.max) return invalidAt(at, "size minimum must not be greater than maximum");
    return true;
  }

  bool readTableType(TableType& out) {
    if (!readRefType(out.element)) return false;
    return readLimits(out.limits, /*isMemory=*/false);
  }

  bool readGlobalType(GlobalType& out) {
    if (!readValType(out.type)) return false;
    const uint8_t* at = reader_.pos();
    uint8_t mut;
    if (!reader_.readByte(mut)) return false;
    if (mut > 1) return malformedAt(at, "malformed mutability");
    out.mutable_ = mut == 1;
    return true;
  }

  bool checkTypeIndex(const uint8_t* at, uint32_t index) {
    if (index >= module_.types.size()) return invalidAt(at, "unknown type " + std::to_string(index));
    return true;
  }

  void declareFunctionRef(uint32_t functionIndex) {
    if (module_.declaredFunctionRefs.size() < module_.functions.size())
      module_.declaredFunctionRefs.resize(module_.functions.size(), false);
    module_.declaredFunctionRefs[functionIndex] = true;
  }

  // A constant expression of one instruction and `end`. Only imported immutable
  // globals may be read (WebAssembly 2.0); ref.func declares its function.
  bool readConstExpr(ValType expected, ConstExpr& out) {
    out.offset = static_cast<uint32_t>(reader_.offset());
    const uint8_t* at = reader_.pos();
    uint8_t opcode;
    if (!reader_.readByte(opcode)) return false;
    switch (opcode) {
      case opcodeCode(Opcode::I32Const): {
        int32_t v;
        if (!reader_.readVarS32(v)) return false;
        out.kind = ConstExpr::Kind::I32Const, out.type = ValType::I32, out.bits = static_cast<uint32_t>(v);
        break;
      }
      case opcodeCode(Opcode::I64Const): {
        int64_t v;
        if (!reader_.readVarS64(v)) return false;
        out.kind = ConstExpr::Kind::I64Const, out.type = ValType::I64, out.bits = static_cast<uint64_t>(v);
        break;
      }
      case opcodeCode(Opcode::F32Const): {
        uint32_t v;
        if (!reader_.readFixedU32(v)) return false;
        out.kind = ConstExpr::Kind::F32Const, out.type = ValType::F32, out.bits = v;
        break;
      }
      case opcodeCode(Opcode::F64Const): {
        uint64_t v;
        if (!reader_.readFixedU64(v)) return false;
        out.kind = ConstExpr::Kind::F64Const, out.type = ValType::F64, out.bits = v;
        break;
      }
      case opcodePrefix(Opcode::V128Const): {
        uint32_t sub;
        if (!reader_.readVarU32(sub)) return false;
        if (sub != opcodeCode(Opcode::V128Const)) return invalidAt(at, "constant expression required");
        if (!reader_.readFixedU64(out.bits) || !reader_.readFixedU64(out.bitsHigh)) return false;
        out.kind = ConstExpr::Kind::V128Const, out.type = ValType::V128;
        break;
      }
      case opcodeCode(Opcode::RefNull): {
        ValType t;
        if (!readRefType(t)) return false;
        out.kind = ConstExpr::Kind::RefNull, out.type = t;
        break;
      }
      case opcodeCode(Opcode::RefFunc): {
        uint32_t index;
        const uint8_t* indexAt = reader_.pos();
        if (!reader_.readVarU32(index)) return false;
        if (index >= module_.functions.size())
          return invalidAt(indexAt, "unknown function " + std::to_string(index));
        declareFunctionRef(index);
        out.kind = ConstExpr::Kind::RefFunc, out.type = ValType::FuncRef, out.bits = index;
        break;
      }
      case opcodeCode(Opcode::GlobalGet): {
        uint32_t index;
        const uint8_t* indexAt = reader_.pos();
        if (!reader_.readVarU32(index)) return false;
        if (index >= module_.numImportedGlobals)
          return invalidAt(indexAt, "unknown global " + std::to_string(index));
        const GlobalType& type = module_.globals[index].type;
        if (type.mutable_) return invalidAt(at, "constant expression required");
        out.kind = ConstExpr::Kind::GlobalGet, out.type = type.type, out.bits = index;
        break;
      }
      case opcodeCode(Opcode::End):
        return invalidAt(at, "type mismatch: constant expression is empty");
      default:
        return invalidAt(at, "constant expression required");
    }
    const uint8_t* endAt = reader_.pos();
    uint8_t end;
    if (!reader_.readByte(end)) return false;
    if (end != opcodeCode(Opcode::End)) return invalidAt(endAt, "constant expression required");
    if (out.type != expected)
      return invalidAt(at, std::string("type mismatch: constant expression has type ") + valTypeName(out.type) +
                               ", expected " + valTypeName(expected));
    return true;
  }

  bool decode() {
    if (bytes_.size() > limits::kMaxModuleBytes)
      return limitAt(reader_.pos(), "module size", limits::kMaxModuleBytes);
    uint32_t magic, version;
    if (reader_.remaining() < 4) return malformedAt(bytes_.data(), "unexpected end: magic header not detected");
    if (!reader_.readFixedU32(magic) || magic != kMagic) return malformedAt(bytes_.data(), "magic header not detected");
    if (reader_.remaining() < 4) return malformedAt(reader_.pos(), "unexpected end: unknown binary version");
    if (!reader_.readFixedU32(version) || version != kVersion)
      return malformedAt(bytes_.data() + 4, "unknown binary version");

    int lastRank = 0;
    while (!reader_.atEnd()) {
      const uint8_t* sectionStart = reader_.pos();
      uint8_t id;
      uint32_t size;
      if (!reader_.readByte(id)) return false;
      currentSection_ = id;
      if (!reader_.readVarU32(size)) return false;
      if (size > reader_.remaining()) return malformedAt(sectionStart, "section size out of bounds");
      const uint8_t* payload = reader_.pos();
      const uint8_t* payloadEnd = payload + size;

      if (id != kCustomSection) {
        int rank = sectionRank(id);
        if (rank < 0) return malformedAt(sectionStart, "malformed section id " + std::to_string(id));
        if (rank <= lastRank) return malformedAt(sectionStart, "unexpected section: out of order or duplicate");
        lastRank = rank;
      }

      SectionInfo info;
      info.id = id;
      info.range = {static_cast<uint32_t>(payload - bytes_.data()), size};

      // Each section decodes within its own bounds.
      ByteReader outer = reader_;
      reader_ = ByteReader(payload, payloadEnd, info.range.offset);
      bool ok = decodeSection(id, info);
      if (ok && !reader_.atEnd()) ok = malformed("section size mismatch");
      if (!ok) {
        // Keep the failure, with the kind already recorded.
        return false;
      }
      reader_ = outer;
      reader_.seek(payloadEnd);
      module_.sections.push_back(std::move(info));
    }
    currentSection_ = -1;

    uint32_t definedFunctions = static_cast<uint32_t>(module_.functions.size()) - module_.numImportedFunctions;
    if (definedFunctions != codeCount_)
      return malformedAt(reader_.pos(), "function and code section have inconsistent lengths");
    if (module_.dataCount && *module_.dataCount != module_.data.size())
      return malformedAt(reader_.pos(), "data count and data section have inconsistent lengths");
    module_.declaredFunctionRefs.resize(module_.functions.size(), false);
    return true;
  }

  bool decodeSection(uint8_t id, SectionInfo& info) {
    switch (id) {
      case kCustomSection: return decodeCustomSection(info);
      case kTypeSection: return decodeTypeSection();
      case kImportSection: return decodeImportSection();
      case kFunctionSection: return decodeFunctionSection();
      case kTableSection: return decodeTableSection();
      case kMemorySection: return decodeMemorySection();
      case kGlobalSection: return decodeGlobalSection();
      case kExportSection: return decodeExportSection();
      case kStartSection: return decodeStartSection();
      case kElementSection: return decodeElementSection();
      case kCodeSection: return decodeCodeSection();
      case kDataSection: return decodeDataSection();
      case kDataCountSection: return decodeDataCountSection();
      case kTagSection: return unsupportedAt(reader_.pos(), "exception handling (tag section)");
    }
    return malformed("malformed section id");
  }

  bool decodeCustomSection(SectionInfo& info) {
    if (!readName(info.name)) return false;
    if (info.name == "name") {
      // Custom sections never make a module invalid: a bad name section is ignored.
      decodeNameSection(bytes_, static_cast<uint32_t>(reader_.offset()), info.range.end(), module_.names);
    }
    reader_.seek(reader_.end());
    return true;
  }

  bool decodeTypeSection() {
    uint32_t count;
    if (!readCount(count, limits::kMaxTypes, "types")) return false;
    module_.types.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      const uint8_t* at = reader_.pos();
      uint8_t form;
      if (!reader_.readByte(form)) return false;
      if (form == 0x5e || form == 0x5f || form == 0x50 || form == 0x4f || form == 0x4e)
        return unsupportedAt(at, "garbage collection (struct, array and recursive types)");
      if (form != 0x60) return malformedAt(at, "malformed function type: expected 0x60");
      FuncType type;
      if (!readValTypeVector(type.params, limits::kMaxParams, "params")) return false;
      if (!readValTypeVector(type.results, limits::kMaxResults, "results")) return false;
      module_.types.push_back(std::move(type));
    }
    return true;
  }

  bool readValTypeVector(std::vector<ValType>& out, uint32_t limit, const char* what) {
    uint32_t count;
    if (!readCount(count, limit, what)) return false;
    out.resize(count);
    for (uint32_t i = 0; i < count; ++i)
      if (!readValType(out[i])) return false;
    return true;
  }

  bool decodeImportSection() {
    uint32_t count;
    if (!readCount(count, limits::kMaxImports, "imports")) return false;
    module_.imports.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      Import import;
      if (!readName(import.module) || !readName(import.name)) return false;
      const uint8_t* at = reader_.pos();
      uint8_t kind;
      if (!reader_.readByte(kind)) return false;
      switch (kind) {
        case 0x00: {
          uint32_t typeIndex;
          const uint8_t* typeAt = reader_.pos();
          if (!reader_.readVarU32(typeIndex) || !checkTypeIndex(typeAt, typeIndex)) return false;
          if (module_.functions.size() >= limits::kMaxFunctions)
            return limitAt(at, "number of functions", limits::kMaxFunctions);
          import.index = static_cast<uint32_t>(module_.functions.size());
          module_.functions.push_back({typeIndex, true, {}});
          ++module_.numImportedFunctions;
          break;
        }
        case 0x01: {
          TableDecl table;
          table.imported = true;
          if (!readTableType(table.type)) return false;
          if (module_.tables.size() >= limits::kMaxTables) return limitAt(at, "number of tables", limits::kMaxTables);
          import.index = static_cast<uint32_t>(module_.tables.size());
          module_.tables.push_back(table);
          ++module_.numImportedTables;
          break;
        }
        case 0x02: {
          MemoryDecl memory;
          memory.imported = true;
          if (!readLimits(memory.type.limits, /*isMemory=*/true)) return false;
          if (module_.memories.size() >= limits::kMaxMemories) return unsupportedAt(at, "multiple memories");
          import.index = static_cast<uint32_t>(module_.memories.size());
          module_.memories.push_back(memory);
          ++module_.numImportedMemories;
          break;
        }
        case 0x03: {
          GlobalDecl global;
          global.imported = true;
          if (!readGlobalType(global.type)) return false;
          if (module_.globals.size() >= limits::kMaxGlobals)
            return limitAt(at, "number of globals", limits::kMaxGlobals);
          import.index = static_cast<uint32_t>(module_.globals.size());
          module_.globals.push_back(global);
          ++module_.numImportedGlobals;
          break;
        }
        case 0x04:
          return unsupportedAt(at, "exception handling (tag import)");
        default:
          return malformedAt(at, "malformed import kind");
      }
      import.kind = static_cast<ExternKind>(kind);
      module_.imports.push_back(std::move(import));
    }
    return true;
  }

  bool decodeFunctionSection() {
    uint32_t count;
    if (!readCount(count, limits::kMaxFunctions, "functions")) return false;
    if (module_.functions.size() + count > limits::kMaxFunctions)
      return limitAt(reader_.pos(), "number of functions", limits::kMaxFunctions);
    module_.functions.reserve(module_.functions.size() + count);
    for (uint32_t i = 0; i < count; ++i) {
      const uint8_t* at = reader_.pos();
      uint32_t typeIndex;
      if (!reader_.readVarU32(typeIndex) || !checkTypeIndex(at, typeIndex)) return false;
      module_.functions.push_back({typeIndex, false, {}});
    }
    functionSectionCount_ = count;
    return true;
  }

  bool decodeTableSection() {
    uint32_t count;
    if (!readCount(count, limits::kMaxTables, "tables")) return false;
    if (module_.tables.size() + count > limits::kMaxTables)
      return limitAt(reader_.pos(), "number of tables", limits::kMaxTables);
    for (uint32_t i = 0; i < count; ++i) {
      TableDecl table;
      const uint8_t* at = reader_.pos();
      if (!readTableType(table.type)) return false;
      if (table.type.limits.min > limits::kMaxTableSize)
        return limitAt(at, "initial table size", limits::kMaxTableSize);
      module_.tables.push_back(table);
    }
    return true;
  }

  bool decodeMemorySection() {
    uint32_t count;
    if (!readCount(count, 0xffffffffu, "memories")) return false;
    for (uint32_t i = 0; i < count; ++i) {
      const uint8_t* at = reader_.pos();
      MemoryDecl memory;
      if (!readLimits(memory.type.limits, /*isMemory=*/true)) return false;
      if (module_.memories.size() >= limits::kMaxMemories) return unsupportedAt(at, "multiple memories");
      module_.memories.push_back(memory);
    }
    return true;
  }

  bool decodeGlobalSection() {
    uint32_t count;
    if (!readCount(count, limits::kMaxGlobals, "globals")) return false;
    if (module_.globals.size() + count > limits::kMaxGlobals)
      return limitAt(reader_.pos(), "number of globals", limits::kMaxGlobals);
    module_.globals.reserve(module_.globals.size() + count);
    for (uint32_t i = 0; i < count; ++i) {
      GlobalDecl global;
      if (!readGlobalType(global.type) || !readConstExpr(global.type.type, global.init)) return false;
      module_.globals.push_back(global);
    }
    return true;
  }

  bool decodeExportSection() {
    uint32_t count;
    if (!readCount(count, limits::kMaxExports, "exports")) return false;
    std::unordered_set<std::string_view> seen;
    seen.reserve(count);
    module_.exports.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      Export exp;
      const uint8_t* nameAt = reader_.pos();
      if (!readName(exp.name)) return false;
      const uint8_t* at = reader_.pos();
      uint8_t kind;
      uint32_t index;
      if (!reader_.readByte(kind)) return false;
      if (kind > 0x03) {
        if (kind == 0x04) return unsupportedAt(at, "exception handling (tag export)");
        return malformedAt(at, "malformed export kind");
      }
      const uint8_t* indexAt = reader_.pos();
      if (!reader_.readVarU32(index)) return false;
      exp.kind = static_cast<ExternKind>(kind);
      exp.index = index;
      size_t bound = exp.kind == ExternKind::Func     ? module_.functions.size()
                     : exp.kind == ExternKind::Table  ? module_.tables.size()
                     : exp.kind == ExternKind::Memory ? module_.memories.size()
                                                      : module_.globals.size();
      if (index >= bound)
        return invalidAt(indexAt, std::string("unknown ") + externKindName(exp.kind) + " " + std::to_string(index));
      if (exp.kind == ExternKind::Func) declareFunctionRef(index);
      module_.exports.push_back(std::move(exp));
      if (!seen.insert(module_.exports.back().name).second)
        return invalidAt(nameAt, "duplicate export name \"" + module_.exports.back().name + "\"");
    }
    return true;
  }

  bool decodeStartSection() {
    const uint8_t* at = reader_.pos();
    uint32_t index;
    if (!reader_.readVarU32(index)) return false;
    if (index >= module_.functions.size()) return invalidAt(at, "unknown function " + std::to_string(index));
    const FuncType& type = module_.functionType(index);
    if (!type.params.empty() || !type.results.empty())
      return invalidAt(at, "start function must have type [] -> []");
    module_.startFunction = index;
    return true;
  }

  bool checkTableIndex(const uint8_t* at, uint32_t index) {
    if (index >= module_.tables.size()) return invalidAt(at, "unknown table " + std::to_string(index));
    return true;
  }

  bool decodeElementSection() {
    uint32_t count;
    if (!readCount(count, limits::kMaxElementSegments, "element segments")) return false;
    module_.elements.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      const uint8_t* at = reader_.pos();
      uint32_t flags;
      if (!reader_.readVarU32(flags)) return false;
      if (flags > 7) return malformedAt(at, "malformed elements segment kind");
      ElementSegment segment;
      bool passiveOrDeclarative = flags & 0x01;
      bool explicitTable = flags & 0x02;
      bool usesExpressions = flags & 0x04;
      if (passiveOrDeclarative) {
        segment.mode = explicitTable ? SegmentMode::Declarative : SegmentMode::Passive;
      } else {
        segment.mode = SegmentMode::Active;
        if (explicitTable) {
          const uint8_t* tableAt = reader_.pos();
          if (!reader_.readVarU32(segment.tableIndex) || !checkTableIndex(tableAt, segment.tableIndex))
            return false;
        } else if (!checkTableIndex(at, 0)) {
          return false;
        }
        if (!readConstExpr(ValType::I32, segment.offset)) return false;
      }
      // Flags 0 and 4 imply funcref; the others name the element kind or type.
      if (passiveOrDeclarative || explicitTable) {
        if (usesExpressions) {
          if (!readRefType(segment.type)) return false;
        } else {
          const uint8_t* kindAt = reader_.pos();
          uint8_t elemKind;
          if (!reader_.readByte(elemKind)) return false;
          if (elemKind != 0x00) return malformedAt(kindAt, "malformed element kind");
          segment.type = ValType::FuncRef;
        }
      }
      uint32_t itemCount;
      if (!readCount(itemCount, limits::kMaxElementSegmentSize, "elements in a segment")) return false;
      segment.items.resize(itemCount);
      for (uint32_t k = 0; k < itemCount; ++k) {
        ConstExpr& item = segment.items[k];
        if (usesExpressions) {
          if (!readConstExpr(segment.type, item)) return false;
        } else {
          item.offset = static_cast<uint32_t>(reader_.offset());
          const uint8_t* indexAt = reader_.pos();
          uint32_t index;
          if (!reader_.readVarU32(index)) return false;
          if (index >= module_.functions.size())
            return invalidAt(indexAt, "unknown function " + std::to_string(index));
          declareFunctionRef(index);
          item.kind = ConstExpr::Kind::RefFunc, item.type = ValType::FuncRef, item.bits = index;
        }
      }
      if (segment.mode == SegmentMode::Active && module_.tables[segment.tableIndex].type.element != segment.type)
        return invalidAt(at, "type mismatch: element segment type does not match the table");
      module_.elements.push_back(std::move(segment));
    }
    return true;
  }

  bool decodeCodeSection() {
    uint32_t count;
    const uint8_t* at = reader_.pos();
    if (!readCount(count, limits::kMaxFunctions, "function bodies")) return false;
    if (count != functionSectionCount_)
      return malformedAt(at, "function and code section have inconsistent lengths");
    codeCount_ = count;
    for (uint32_t i = 0; i < count; ++i) {
      const uint8_t* sizeAt = reader_.pos();
      uint32_t size;
      if (!reader_.readVarU32(size)) return false;
      if (size > limits::kMaxFunctionBodyBytes)
        return limitAt(sizeAt, "function body size", limits::kMaxFunctionBodyBytes);
      if (size == 0) return malformedAt(sizeAt, "function body is empty");
      uint32_t bodyOffset = static_cast<uint32_t>(reader_.offset());
      const uint8_t* body;
      if (!reader_.readBytes(size, body)) return malformedAt(sizeAt, "unexpected end of section or function");
      module_.functions[module_.numImportedFunctions + i].body = {bodyOffset, size};
    }
    return true;
  }

  bool decodeDataSection() {
    uint32_t count;
    const uint8_t* at = reader_.pos();
    if (!readCount(count, limits::kMaxDataSegments, "data segments")) return false;
    if (module_.dataCount && *module_.dataCount != count)
      return malformedAt(at, "data count and data section have inconsistent lengths");
    module_.data.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      const uint8_t* segmentAt = reader_.pos();
      uint32_t flags;
      if (!reader_.readVarU32(flags)) return false;
      DataSegment segment;
      switch (flags) {
        case 0:
          segment.mode = SegmentMode::Active;
          break;
        case 1:
          segment.mode = SegmentMode::Passive;
          break;
        case 2: {
          segment.mode = SegmentMode::Active;
          const uint8_t* memAt = reader_.pos();
          if (!reader_.readVarU32(segment.memoryIndex)) return false;
          if (segment.memoryIndex >= module_.memories.size())
            return invalidAt(memAt, "unknown memory " + std::to_string(segment.memoryIndex));
          break;
        }
        default:
          return malformedAt(segmentAt, "malformed data segment kind");
      }
      if (segment.mode == SegmentMode::Active) {
        if (module_.memories.empty()) return invalidAt(segmentAt, "unknown memory 0");
        if (!readConstExpr(ValType::I32, segment.offset)) return false;
      }
      uint32_t size;
      const uint8_t* sizeAt = reader_.pos();
      if (!reader_.readVarU32(size)) return false;
      uint32_t dataOffset = static_cast<uint32_t>(reader_.offset());
      const uint8_t* data;
      if (!reader_.readBytes(size, data)) return malformedAt(sizeAt, "unexpected end of section or function");
      segment.bytes = {dataOffset, size};
      module_.data.push_back(segment);
    }
    return true;
  }

  bool decodeDataCountSection() {
    uint32_t count;
    const uint8_t* at = reader_.pos();
    if (!reader_.readVarU32(count)) return false;
    if (count > limits::kMaxDataSegments) return limitAt(at, "number of data segments", limits::kMaxDataSegments);
    module_.dataCount = count;
    return true;
  }

  std::span<const uint8_t> bytes_;
  ByteReader reader_;
  ModuleInfo module_;
  ErrorKind kind_ = ErrorKind::Malformed;
  int currentSection_ = -1;
  uint32_t functionSectionCount_ = 0;
  uint32_t codeCount_ = 0;
};

}  // namespace

Result<ModuleInfo> decodeModule(std::span<const uint8_t> bytes) { return ModuleDecoder(bytes).run(); }

}  // namespace weft
