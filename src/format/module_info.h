// {ModuleInfo}: everything the module decoder learns about a module, outside the
// function bodies. It is compile-time metadata only (Wasmtime's "environ"): the
// compilers, the runtime and the CLI read it; nothing here depends on an instance.
//
// Index spaces follow the spec: imported functions, tables, memories and globals
// come first, then the module's own definitions. Byte ranges ({ByteRange}) point
// into the module binary, which the owner of the ModuleInfo keeps alive; nothing
// is copied out of it except names.
//
// A ModuleInfo is immutable once decoding returns and may be read from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "format/types.h"

namespace weft {

struct ByteRange {
  uint32_t offset = 0;
  uint32_t size = 0;
  uint32_t end() const { return offset + size; }
};

// A constant expression, already checked: one of the few forms the spec allows.
struct ConstExpr {
  enum class Kind : uint8_t { I32Const, I64Const, F32Const, F64Const, V128Const, RefNull, RefFunc, GlobalGet };
  Kind kind = Kind::I32Const;
  ValType type = ValType::I32;  // the value's type
  uint64_t bits = 0;            // the constant's bits, or the function/global index
  uint64_t bitsHigh = 0;        // upper half of a v128 constant
  uint32_t offset = 0;          // where the expression starts in the binary
};

struct FunctionDecl {
  uint32_t typeIndex = 0;
  bool imported = false;
  ByteRange body;  // defined functions: the body, locals included
};

struct TableDecl {
  TableType type;
  bool imported = false;
};

struct MemoryDecl {
  MemoryType type;
  bool imported = false;
};

struct GlobalDecl {
  GlobalType type;
  bool imported = false;
  ConstExpr init;  // defined globals only
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;  // into functions / tables / memories / globals
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElementSegment {
  SegmentMode mode = SegmentMode::Active;
  ValType type = ValType::FuncRef;
  uint32_t tableIndex = 0;
  ConstExpr offset;                 // active only
  std::vector<ConstExpr> items;     // ref.func / ref.null / global.get
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Active;
  uint32_t memoryIndex = 0;
  ConstExpr offset;  // active only
  ByteRange bytes;
};

struct SectionInfo {
  uint8_t id = 0;
  ByteRange range;   // payload, after the id and size
  std::string name;  // custom sections
};

struct NameAssoc {
  uint32_t index = 0;
  std::string name;
};

// The "name" custom section. Malformed name sections are ignored, as the spec
// asks of custom sections, so these may be partial.
struct NameSection {
  std::optional<std::string> moduleName;
  std::vector<NameAssoc> functionNames;  // sorted by index
  struct LocalNames {
    uint32_t functionIndex = 0;
    std::vector<NameAssoc> locals;
  };
  std::vector<LocalNames> localNames;  // sorted by function index
};

struct ModuleInfo {
  std::vector<FuncType> types;
  std::vector<Import> imports;
  std::vector<FunctionDecl> functions;
  std::vector<TableDecl> tables;
  std::vector<MemoryDecl> memories;
  std::vector<GlobalDecl> globals;
  std::vector<Export> exports;
  std::optional<uint32_t> startFunction;
  std::vector<ElementSegment> elements;
  std::vector<DataSegment> data;
  std::optional<uint32_t> dataCount;
  std::vector<SectionInfo> sections;  // in file order
  NameSection names;

  uint32_t numImportedFunctions = 0;
  uint32_t numImportedTables = 0;
  uint32_t numImportedMemories = 0;
  uint32_t numImportedGlobals = 0;

  // Functions that may be the operand of ref.func in a body: those referenced
  // outside function bodies (element segments, exports, global initializers).
  std::vector<bool> declaredFunctionRefs;
  // The first export name of each exported function, sorted by index.
  std::vector<NameAssoc> exportedFunctionNames;

  const FuncType& functionType(uint32_t functionIndex) const {
    return types[functions[functionIndex].typeIndex];
  }
  // The function's name from the name section, or null.
  const std::string* functionName(uint32_t functionIndex) const;
  // The name it is first exported under, or null.
  const std::string* exportedFunctionName(uint32_t functionIndex) const;
};

}  // namespace weft
