#include "validation/operator_iterator.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <string>

#include "format/limits.h"

namespace weft {

// A check that rejects invalid input when validating, and only asserts when
// re-decoding a body that was validated before.
#define WEFT_CHECK(cond, onFailure)  \
  do {                               \
    if constexpr (kValidate) {       \
      if (!(cond)) [[unlikely]]      \
        return onFailure;            \
    } else {                         \
      assert(cond);                  \
    }                                \
  } while (0)

namespace {

// Storage for single-value block types, so that every BlockSignature can point
// at its types without allocating.
const ValType* singleType(ValType t) {
  static const ValType kTypes[] = {ValType::I32,  ValType::I64,     ValType::F32,      ValType::F64,
                                   ValType::V128, ValType::FuncRef, ValType::ExternRef};
  for (const ValType& stored : kTypes)
    if (stored == t) return &stored;
  return nullptr;
}

bool isGcValueTypeByte(uint8_t byte) {
  return byte == 0x64 || byte == 0x63 || (byte >= 0x69 && byte <= 0x6e) || (byte >= 0x71 && byte <= 0x73);
}

}  // namespace

template <bool kValidate>
OperatorIteratorT<kValidate>::OperatorIteratorT(const ModuleInfo& module, std::span<const uint8_t> moduleBytes,
                                                uint32_t functionIndex, ValidatorScratch& scratch)
    : module_(module),
      moduleBytes_(moduleBytes),
      functionIndex_(functionIndex),
      scratch_(scratch),
      reader_(moduleBytes.data() + module.functions[functionIndex].body.offset,
              moduleBytes.data() + module.functions[functionIndex].body.end(),
              module.functions[functionIndex].body.offset),
      type_(module.functionType(functionIndex)) {
  scratch_.operands.clear();
  scratch_.controls.clear();
  scratch_.locals.clear();
  scratch_.brTableTargets.clear();
}

template <bool kValidate>
Error OperatorIteratorT<kValidate>::error() const {
  Error error;
  error.kind = errorKind_;
  error.offset = reader_.failureOffset();
  error.message = reader_.failureMessage();
  error.section = 10;  // code section
  error.functionIndex = functionIndex_;
  return error;
}

template <bool kValidate>
bool OperatorIteratorT<kValidate>::fail(const std::string& message) {
  if (!reader_.failed()) errorKind_ = ErrorKind::Invalid;
  return reader_.failAtOffset(opOffset_, message);
}

template <bool kValidate>
bool OperatorIteratorT<kValidate>::malformed(const char* message) {
  if (!reader_.failed()) errorKind_ = ErrorKind::Malformed;
  return reader_.fail(message);
}

template <bool kValidate>
bool OperatorIteratorT<kValidate>::limit(const std::string& message) {
  if (!reader_.failed()) errorKind_ = ErrorKind::LimitExceeded;
  return reader_.failAtOffset(opOffset_, message);
}

template <bool kValidate>
bool OperatorIteratorT<kValidate>::unsupported(const std::string& feature) {
  if (!reader_.failed()) errorKind_ = ErrorKind::Unsupported;
  return reader_.failAtOffset(opOffset_, "unsupported feature: " + feature);
}

template <bool kValidate>
bool OperatorIteratorT<kValidate>::typeMismatch(ValType expected, ValType actual) {
  std::string text = "type mismatch in ";
  text += opcodeName(opcode_);
  text += ": expected ";
  text += valTypeName(expected);
  text += ", got ";
  text += valTypeName(actual);
  return fail(text);
}

template <bool kValidate>
bool OperatorIteratorT<kValidate>::readLocals() {
  scratch_.locals.assign(type_.params.begin(), type_.params.end());
  uint32_t groups;
  if (!reader_.readVarU32(groups)) return malformed("malformed local declarations");
  uint64_t total = scratch_.locals.size();
  for (uint32_t i = 0; i < groups; ++i) {
    const uint8_t* countAt = reader_.pos();
    uint32_t count;
    if (!reader_.readVarU32(count)) return malformed("malformed local declarations");
    total += count;
    if (total > limits::kMaxLocals) {
      errorKind_ = ErrorKind::LimitExceeded;
      return reader_.failAt(countAt, "too many locals: the implementation limit is " +
                                         std::to_string(limits::kMaxLocals));
    }
    uint8_t typeByte;
    const uint8_t* typeAt = reader_.pos();
    if (!reader_.readByte(typeByte)) return malformed("unexpected end");
    const ValType* type = singleType(static_cast<ValType>(typeByte));
    if (!type) {
      reader_.seek(typeAt);
      if (isGcValueTypeByte(typeByte)) {
        opOffset_ = static_cast<uint32_t>(reader_.offset());
        return unsupported("typed function references / GC value types");
      }
      return malformed("malformed value type");
    }
    scratch_.locals.insert(scratch_.locals.end(), count, *type);
  }
  // The function's own frame: branching to it returns.
  BlockSignature signature{type_.params.data(), type_.results.data(), static_cast<uint32_t>(type_.params.size()),
                           static_cast<uint32_t>(type_.results.size())};
  scratch_.controls.push_back({ControlKind::Function, false, 0, signature});
  return true;
}

// ---- operand and control stacks ----

template <bool kValidate>
inline bool OperatorIteratorT<kValidate>::popAny(ValType& out) {
  const ControlFrame& frame = scratch_.controls.back();
  if (scratch_.operands.size() == frame.height) {
    out = ValType::Bottom;
    WEFT_CHECK(frame.unreachable, fail(std::string("type mismatch in ") + opcodeName(opcode_) +
                                       ": not enough operands on the stack"));
    return true;
  }
  out = scratch_.operands.back();
  scratch_.operands.pop_back();
  return true;
}

template <bool kValidate>
inline bool OperatorIteratorT<kValidate>::popExpect(ValType expected) {
  ValType actual;
  if (!popAny(actual)) return false;
  WEFT_CHECK(actual == expected || actual == ValType::Bottom || expected == ValType::Bottom,
             typeMismatch(expected, actual));
  return true;
}

template <bool kValidate>
bool OperatorIteratorT<kValidate>::popTypes(std::span<const ValType> types) {
  for (size_t i = types.size(); i-- > 0;)
    if (!popExpect(types[i])) return false;
  return true;
}

template <bool kValidate>
void OperatorIteratorT<kValidate>::pushTypes(std::span<const ValType> types) {
  scratch_.operands.append(types);
}

template <bool kValidate>
void OperatorIteratorT<kValidate>::markUnreachable() {
  ControlFrame& frame = scratch_.controls.back();
  scratch_.operands.truncate(frame.height);
  frame.unreachable = true;
}

template <bool kValidate>
bool OperatorIteratorT<kValidate>::pushControl(ControlKind kind, const BlockSignature& signature) {
  WEFT_CHECK(scratch_.controls.size() < limits::kMaxControlDepth,
             limit("control nesting deeper than the implementation limit of " +
                   std::to_string(limits::kMaxControlDepth)));
  scratch_.controls.push_back({kind, false, static_cast<uint32_t>(scratch_.operands.size()), signature});
  return true;
}

// At `else` and `end`: the block's results must be exactly what is left.
template <bool kValidate>
bool OperatorIteratorT<kValidate>::popControlResults(const ControlFrame& frame) {
  if (!popTypes(frame.signature.resultTypes())) return false;
  WEFT_CHECK(scratch_.operands.size() == frame.height,
             fail(std::string("type mismatch: block leaves ") +
                  std::to_string(scratch_.operands.size() - frame.height) + " extra value(s) on the stack"));
  return true;
}

// ---- immediates ----

template <bool kValidate>
bool OperatorIteratorT<kValidate>::readBlockType(BlockSignature& out) {
  if (reader_.atEnd()) return malformed("unexpected end");
  uint8_t first = *reader_.pos();
  out = BlockSignature{};
  if (first == 0x40) {
    reader_.seek(reader_.pos() + 1);
    return true;
  }
  if ((first & 0xc0) == 0x40) {  // a one-byte negative s33: a value type
    const ValType* type = singleType(static_cast<ValType>(first));
    if (!type) {
      if (isGcValueTypeByte(first)) return unsupported("typed function references / GC value types");
      return malformed("malformed block type");
    }
    reader_.seek(reader_.pos() + 1);
    out.results = type;
    out.numResults = 1;
    return true;
  }
  int64_t index;
  if (!reader_.readVarS33(index)) {
    errorKind_ = ErrorKind::Malformed;
    return false;
  }
  if (index < 0) return malformed("malformed block type");
  WEFT_CHECK(static_cast<uint64_t>(index) < module_.types.size(), fail("unknown type " + std::to_string(index)));
  const FuncType& type = module_.types[static_cast<size_t>(index)];
  out.params = type.params.data();
  out.numParams = static_cast<uint32_t>(type.params.size());
  out.results = type.results.data();
  out.numResults = static_cast<uint32_t>(type.results.size());
  return true;
}

template <bool kValidate>
inline bool OperatorIteratorT<kValidate>::checkMemory() {
  WEFT_CHECK(!module_.memories.empty(), fail("unknown memory 0"));
  return true;
}

template <bool kValidate>
bool OperatorIteratorT<kValidate>::checkTable(uint32_t index) {
  WEFT_CHECK(index < module_.tables.size(), fail("unknown table " + std::to_string(index)));
  return true;
}

template <bool kValidate>
bool OperatorIteratorT<kValidate>::checkDataIndex(uint32_t index) {
  WEFT_CHECK(module_.dataCount.has_value(), fail("data count section required"));
  WEFT_CHECK(index < *module_.dataCount, fail("unknown data segment " + std::to_string(index)));
  return true;
}

template <bool kValidate>
bool OperatorIteratorT<kValidate>::readZeroByte() {
  uint8_t byte;
  if (!reader_.readByte(byte)) return malformed("unexpected end");
  if (byte != 0) {
    reader_.seek(reader_.pos() - 1);
    return malformed("zero byte expected (multiple memories are not supported)");
  }
  return true;
}

template <bool kValidate>
bool OperatorIteratorT<kValidate>::readMemArg(Operator& op, uint32_t naturalLog2, bool atomic) {
  uint32_t align;
  if (!reader_.readVarU32(align)) return malformed("malformed memory immediate");
  if (align & 0x40) return unsupported("multiple memories");
  if (!reader_.readVarU32(op.memarg.offset)) return malformed("malformed memory immediate");
  op.memarg.alignLog2 = align;
  if (!checkMemory()) return false;
  if (atomic) {
    WEFT_CHECK(align == naturalLog2, fail("alignment must be exactly natural for atomic operators"));
  } else {
    WEFT_CHECK(align <= naturalLog2, fail("alignment must not be larger than natural"));
  }
  return true;
}

template <bool kValidate>
inline bool OperatorIteratorT<kValidate>::readLabel(uint32_t& depth) {
  if (!reader_.readVarU32(depth)) return malformed("malformed label");
  WEFT_CHECK(depth < scratch_.controls.size(), fail("unknown label " + std::to_string(depth)));
  return true;
}

// ---- the operator loop ----

template <bool kValidate>
inline bool OperatorIteratorT<kValidate>::readLocalIndex(Operator& op) {
  if (!reader_.readVarU32(op.index)) return malformed("malformed local index");
  WEFT_CHECK(op.index < scratch_.locals.size(), fail("unknown local " + std::to_string(op.index)));
  op.type = scratch_.locals[op.index];
  return true;
}

template <bool kValidate>
inline bool OperatorIteratorT<kValidate>::readI32Immediate(Operator& op) {
  int32_t value;
  if (!reader_.readVarS32(value)) return malformed("malformed i32 constant");
  op.bits = static_cast<uint32_t>(value);
  return true;
}

template <bool kValidate>
bool OperatorIteratorT<kValidate>::next(Operator& op) {
  if (done_ || reader_.failed()) return false;
  if (reader_.atEnd()) return malformed("unexpected end of function body (missing end)");
  opOffset_ = static_cast<uint32_t>(reader_.offset());
  uint8_t first = *reader_.pos();
  reader_.seek(reader_.pos() + 1);
  op.offset = opOffset_;

  uint32_t key = first;
  if (first >= 0xfc && first <= 0xfe) [[unlikely]] {
    uint32_t sub;
    if (!reader_.readVarU32(sub)) return malformed("malformed opcode");
    if (sub >= 0x100) return unknownOpcode(first, sub);
    key = opcodeKey(first, sub);
  }
  // One dispatch per operator, generated from the opcode list: each case knows
  // its immediates and signature at compile time.
  switch (key) {
#define WEFT_DISPATCH(name, text, prefix, code, imm, sig) \
  case opcodeKey(prefix, code):                           \
    return handle<Opcode::name>(op);
    WEFT_FOR_EACH_OPCODE(WEFT_DISPATCH)
#undef WEFT_DISPATCH
    default:
      return unknownOpcode(key >> 8 ? 0xfb + (key >> 8) : 0, key >> 8 ? key & 0xff : key);
  }
}

template <bool kValidate>
bool OperatorIteratorT<kValidate>::unknownOpcode(uint32_t prefix, uint32_t code) {
  if (const char* proposal = proposalOfUnknownOpcode(prefix, code)) return unsupported(proposal);
  char text[64];
  if (prefix) {
    std::snprintf(text, sizeof text, "illegal opcode 0x%02x 0x%x", prefix, code);
  } else {
    std::snprintf(text, sizeof text, "illegal opcode 0x%02x", code);
  }
  if (!reader_.failed()) errorKind_ = ErrorKind::Malformed;
  return reader_.failAtOffset(opOffset_, text);
}

// Fixed signature, known at compile time: check the operands in place when
// they are all there (the common case; the checks unroll into a few compares),
// and pop one by one when the block is unreachable.
template <bool kValidate>
template <Opcode kOp>
inline bool OperatorIteratorT<kValidate>::applyFixedSignature() {
  constexpr OpSignature sig = kOpcodeInfo[static_cast<uint16_t>(kOp)].sig;
  TypeStack& operands = scratch_.operands;
  const ControlFrame& frame = scratch_.controls.back();
  if (operands.size() >= frame.height + sig.numParams) [[likely]] {
    size_t base = operands.size() - sig.numParams;
    if constexpr (sig.numParams > 0) {
      ValType actual = operands[base];
      WEFT_CHECK(actual == sig.params[0] || actual == ValType::Bottom, typeMismatch(sig.params[0], actual));
    }
    if constexpr (sig.numParams > 1) {
      ValType actual = operands[base + 1];
      WEFT_CHECK(actual == sig.params[1] || actual == ValType::Bottom, typeMismatch(sig.params[1], actual));
    }
    if constexpr (sig.numParams > 2) {
      ValType actual = operands[base + 2];
      WEFT_CHECK(actual == sig.params[2] || actual == ValType::Bottom, typeMismatch(sig.params[2], actual));
    }
    operands.truncate(base);
  } else {
    for (uint32_t i = sig.numParams; i-- > 0;)
      if (!popExpect(sig.params[i])) return false;
  }
  if constexpr (sig.result != ValType::Bottom) operands.push_back(sig.result);
  return true;
}

template <bool kValidate>
template <Opcode kOp>
inline bool OperatorIteratorT<kValidate>::handle(Operator& op) {
  constexpr OpcodeInfo info = kOpcodeInfo[static_cast<uint16_t>(kOp)];
  opcode_ = op.opcode = kOp;
  // The most frequent operators in real code (local.get/set/tee, i32.const)
  // read their immediates and are typed inline; every other one calls its
  // kind's reader and, if special, its typing rule.
  if constexpr (info.imm == ImmKind::Local) {
    if (!readLocalIndex(op)) return false;
  } else if constexpr (info.imm == ImmKind::I32) {
    if (!readI32Immediate(op)) return false;
  } else if constexpr (info.imm != ImmKind::None) {
    if (!decodeImmediates<info.imm>(op)) return false;
  }
  if constexpr (kOp == Opcode::LocalGet) {
    scratch_.operands.push_back(op.type);
    return true;
  } else if constexpr (kOp == Opcode::LocalSet) {
    return popExpect(op.type);
  } else if constexpr (kOp == Opcode::LocalTee) {
    if (!popExpect(op.type)) return false;
    scratch_.operands.push_back(op.type);
    return true;
  } else if constexpr (info.sig.special) {
    return typeSpecial<kOp>(op);
  } else {
    return applyFixedSignature<kOp>();
  }
}

template <bool kValidate>
template <ImmKind kind>
bool OperatorIteratorT<kValidate>::decodeImmediates(Operator& op) {
  switch (kind) {
    case ImmKind::None:
    case ImmKind::BrTable:  // read while typing
    case ImmKind::SelectT:
      break;
    case ImmKind::Block:
      if (!readBlockType(op.block)) return false;
      break;
    case ImmKind::Label:
      if (!readLabel(op.index)) return false;
      break;
    case ImmKind::Func:
      if (!reader_.readVarU32(op.index)) return malformed("malformed function index");
      WEFT_CHECK(op.index < module_.functions.size(), fail("unknown function " + std::to_string(op.index)));
      break;
    case ImmKind::CallIndirect:
      if (!reader_.readVarU32(op.index) || !reader_.readVarU32(op.index2)) return malformed("malformed call_indirect");
      if (!checkTable(op.index2)) return false;
      WEFT_CHECK(op.index < module_.types.size(), fail("unknown type " + std::to_string(op.index)));
      WEFT_CHECK(module_.tables[op.index2].type.element == ValType::FuncRef,
                 fail("type mismatch: call_indirect needs a funcref table"));
      break;
    case ImmKind::Local:
      if (!readLocalIndex(op)) return false;
      break;
    case ImmKind::Global:
      if (!reader_.readVarU32(op.index)) return malformed("malformed global index");
      WEFT_CHECK(op.index < module_.globals.size(), fail("unknown global " + std::to_string(op.index)));
      op.type = module_.globals[op.index].type.type;
      break;
    case ImmKind::Table:
      if (!reader_.readVarU32(op.index)) return malformed("malformed table index");
      if (!checkTable(op.index)) return false;
      op.type = module_.tables[op.index].type.element;
      break;
    case ImmKind::Mem1: case ImmKind::Mem2: case ImmKind::Mem4: case ImmKind::Mem8: case ImmKind::Mem16:
      if (!readMemArg(op, static_cast<uint32_t>(kind) - static_cast<uint32_t>(ImmKind::Mem1), false))
        return false;
      break;
    case ImmKind::MemIdx:
      if (!readZeroByte() || !checkMemory()) return false;
      break;
    case ImmKind::I32:
      if (!readI32Immediate(op)) return false;
      break;
    case ImmKind::I64: {
      int64_t value;
      if (!reader_.readVarS64(value)) return malformed("malformed i64 constant");
      op.bits = static_cast<uint64_t>(value);
      break;
    }
    case ImmKind::F32: {
      uint32_t value;
      if (!reader_.readFixedU32(value)) return malformed("unexpected end");
      op.bits = value;
      break;
    }
    case ImmKind::F64:
      if (!reader_.readFixedU64(op.bits)) return malformed("unexpected end");
      break;
    case ImmKind::V128:
      if (!reader_.readFixedU64(op.bits) || !reader_.readFixedU64(op.bitsHigh)) return malformed("unexpected end");
      break;
    case ImmKind::RefType: {
      uint8_t byte;
      if (!reader_.readByte(byte)) return malformed("unexpected end");
      op.type = static_cast<ValType>(byte);
      if (!isReference(op.type)) {
        reader_.seek(reader_.pos() - 1);
        if (isGcValueTypeByte(byte)) return unsupported("typed function references / GC value types");
        return malformed("malformed reference type");
      }
      break;
    }
    case ImmKind::DataMem:
      if (!reader_.readVarU32(op.index)) return malformed("malformed data index");
      if (!readZeroByte() || !checkMemory() || !checkDataIndex(op.index)) return false;
      break;
    case ImmKind::Data:
      if (!reader_.readVarU32(op.index)) return malformed("malformed data index");
      if (!checkDataIndex(op.index)) return false;
      break;
    case ImmKind::MemMem:
      if (!readZeroByte() || !readZeroByte() || !checkMemory()) return false;
      break;
    case ImmKind::ElemTable:
      if (!reader_.readVarU32(op.index) || !reader_.readVarU32(op.index2)) return malformed("malformed table.init");
      WEFT_CHECK(op.index < module_.elements.size(), fail("unknown elem segment " + std::to_string(op.index)));
      if (!checkTable(op.index2)) return false;
      WEFT_CHECK(module_.elements[op.index].type == module_.tables[op.index2].type.element,
                 fail("type mismatch: element segment and table types differ"));
      break;
    case ImmKind::Elem:
      if (!reader_.readVarU32(op.index)) return malformed("malformed element index");
      WEFT_CHECK(op.index < module_.elements.size(), fail("unknown elem segment " + std::to_string(op.index)));
      break;
    case ImmKind::TableTable:
      if (!reader_.readVarU32(op.index) || !reader_.readVarU32(op.index2)) return malformed("malformed table.copy");
      if (!checkTable(op.index) || !checkTable(op.index2)) return false;
      WEFT_CHECK(module_.tables[op.index].type.element == module_.tables[op.index2].type.element,
                 fail("type mismatch: table.copy between tables of different types"));
      break;
    case ImmKind::Shuffle: {
      const uint8_t* lanes;
      if (!reader_.readBytes(16, lanes)) return malformed("unexpected end");
      for (int i = 0; i < 16; ++i) WEFT_CHECK(lanes[i] < 32, fail("invalid lane index"));
      op.shuffleLanes = lanes;
      break;
    }
    case ImmKind::Lane16: case ImmKind::Lane8: case ImmKind::Lane4: case ImmKind::Lane2: {
      // (& 3: the four kinds; the mask keeps the other kinds' dead copies of
      // this case from shifting by more than the width.)
      uint32_t lanes = 16u >> ((static_cast<uint32_t>(kind) - static_cast<uint32_t>(ImmKind::Lane16)) & 3);
      if (!reader_.readByte(op.lane)) return malformed("unexpected end");
      WEFT_CHECK(op.lane < lanes, fail("invalid lane index"));
      break;
    }
    case ImmKind::MemLane1: case ImmKind::MemLane2: case ImmKind::MemLane4: case ImmKind::MemLane8: {
      uint32_t log2 = (static_cast<uint32_t>(kind) - static_cast<uint32_t>(ImmKind::MemLane1)) & 3;
      if (!readMemArg(op, log2, false)) return false;
      if (!reader_.readByte(op.lane)) return malformed("unexpected end");
      WEFT_CHECK(op.lane < (16u >> log2), fail("invalid lane index"));
      break;
    }
    case ImmKind::Atomic1: case ImmKind::Atomic2: case ImmKind::Atomic4: case ImmKind::Atomic8:
      if (!readMemArg(op, static_cast<uint32_t>(kind) - static_cast<uint32_t>(ImmKind::Atomic1), true))
        return false;
      break;
    case ImmKind::Fence:
      if (!readZeroByte()) return false;
      break;
  }
  return true;
}

template <bool kValidate>
template <Opcode kOp>
bool OperatorIteratorT<kValidate>::typeSpecial(Operator& op) {
  TypeStack& operands = scratch_.operands;
  switch (kOp) {
    case Opcode::Unreachable:
      markUnreachable();
      return true;

    case Opcode::Block:
    case Opcode::Loop:
      if (!popTypes(op.block.paramTypes())) return false;
      if (!pushControl(op.opcode == Opcode::Block ? ControlKind::Block : ControlKind::Loop, op.block)) return false;
      pushTypes(op.block.paramTypes());
      return true;

    case Opcode::If:
      if (!popExpect(ValType::I32) || !popTypes(op.block.paramTypes())) return false;
      if (!pushControl(ControlKind::If, op.block)) return false;
      pushTypes(op.block.paramTypes());
      return true;

    case Opcode::Else: {
      ControlFrame& frame = scratch_.controls.back();
      if (frame.kind != ControlKind::If) {
        if (!reader_.failed()) errorKind_ = ErrorKind::Malformed;
        return reader_.failAtOffset(opOffset_, "else without a matching if");
      }
      if (!popControlResults(frame)) return false;
      frame.kind = ControlKind::Else;
      frame.unreachable = false;
      pushTypes(frame.signature.paramTypes());
      return true;
    }

    case Opcode::End: {
      ControlFrame frame = scratch_.controls.back();
      if (frame.kind == ControlKind::If) {
        // No else: the implicit one passes the parameters through unchanged.
        std::span<const ValType> params = frame.signature.paramTypes(), results = frame.signature.resultTypes();
        WEFT_CHECK(std::equal(params.begin(), params.end(), results.begin(), results.end()),
                   fail("type mismatch: if without else must have matching parameter and result types"));
      }
      if (!popControlResults(frame)) return false;
      scratch_.controls.pop_back();
      pushTypes(frame.signature.resultTypes());
      if (frame.kind == ControlKind::Function) {
        done_ = true;
        if (!reader_.atEnd()) return malformed("operators remaining after the end of the function");
      }
      return true;
    }

    case Opcode::Br:
      if (!popTypes(control(op.index).labelTypes())) return false;
      markUnreachable();
      return true;

    case Opcode::BrIf: {
      if (!popExpect(ValType::I32)) return false;
      std::span<const ValType> labels = control(op.index).labelTypes();
      if (!popTypes(labels)) return false;
      pushTypes(labels);
      return true;
    }

    case Opcode::BrTable: {
      uint32_t count;
      if (!reader_.readVarU32(count)) return malformed("malformed br_table");
      WEFT_CHECK(count <= limits::kMaxBrTableTargets,
                 limit("br_table has more targets than the implementation limit of " +
                       std::to_string(limits::kMaxBrTableTargets)));
      if (count > reader_.remaining()) return malformed("unexpected end");
      std::vector<uint32_t>& targets = scratch_.brTableTargets;
      targets.resize(count + 1);
      for (uint32_t i = 0; i <= count; ++i)
        if (!readLabel(targets[i])) return false;
      op.index = targets[count];  // the default
      if (!popExpect(ValType::I32)) return false;
      size_t arity = control(targets[count]).labelTypes().size();
      for (uint32_t i = 0; i <= count; ++i) {
        std::span<const ValType> labels = control(targets[i]).labelTypes();
        WEFT_CHECK(labels.size() == arity, fail("type mismatch: br_table targets have different arities"));
        if (i == count) break;
        // Each target checks the same operands: pop them, then put back what
        // was found (unknown operands stay unknown), as the spec's algorithm does.
        size_t before = operands.size();
        const ControlFrame& frame = scratch_.controls.back();
        size_t available = before - frame.height;
        size_t have = available < labels.size() ? available : labels.size();
        WEFT_CHECK(have == labels.size() || frame.unreachable,
                   fail("type mismatch in br_table: not enough operands on the stack"));
        for (size_t k = 0; k < have; ++k) {
          ValType actual = operands[before - have + k];
          ValType expected = labels[labels.size() - have + k];
          WEFT_CHECK(actual == expected || actual == ValType::Bottom, typeMismatch(expected, actual));
        }
      }
      if (!popTypes(control(targets[count]).labelTypes())) return false;
      markUnreachable();
      return true;
    }

    case Opcode::Return:
      if (!popTypes(type_.results)) return false;
      markUnreachable();
      return true;

    case Opcode::Call: {
      const FuncType& callee = module_.functionType(op.index);
      if (!popTypes(callee.params)) return false;
      pushTypes(callee.results);
      return true;
    }

    case Opcode::CallIndirect: {
      const FuncType& callee = module_.types[op.index];
      if (!popExpect(ValType::I32) || !popTypes(callee.params)) return false;
      pushTypes(callee.results);
      return true;
    }

    case Opcode::Drop:
      return popAny(op.type);

    case Opcode::Select: {
      ValType first, second;
      if (!popExpect(ValType::I32) || !popAny(first) || !popAny(second)) return false;
      WEFT_CHECK((first == ValType::Bottom || isNumericOrVector(first)) &&
                     (second == ValType::Bottom || isNumericOrVector(second)),
                 fail("type mismatch: select without a type needs numeric or vector operands"));
      WEFT_CHECK(first == second || first == ValType::Bottom || second == ValType::Bottom,
                 typeMismatch(first, second));
      op.type = first != ValType::Bottom ? first : second;
      operands.push_back(op.type);
      return true;
    }

    case Opcode::SelectTyped: {
      uint32_t count;
      if (!reader_.readVarU32(count)) return malformed("malformed select");
      WEFT_CHECK(count == 1, fail("invalid result arity for select"));
      uint8_t byte;
      if (!reader_.readByte(byte)) return malformed("unexpected end");
      const ValType* type = singleType(static_cast<ValType>(byte));
      if (!type) return malformed("malformed value type");
      op.type = *type;
      if (!popExpect(ValType::I32) || !popExpect(op.type) || !popExpect(op.type)) return false;
      operands.push_back(op.type);
      return true;
    }

    // local.get, local.set and local.tee are typed in handle().

    case Opcode::GlobalGet:
      operands.push_back(op.type);
      return true;
    case Opcode::GlobalSet:
      WEFT_CHECK(module_.globals[op.index].type.mutable_, fail("global is immutable"));
      return popExpect(op.type);

    case Opcode::TableGet:
      if (!popExpect(ValType::I32)) return false;
      operands.push_back(op.type);
      return true;
    case Opcode::TableSet:
      return popExpect(op.type) && popExpect(ValType::I32);
    case Opcode::TableGrow:
      if (!popExpect(ValType::I32) || !popExpect(op.type)) return false;
      operands.push_back(ValType::I32);
      return true;
    case Opcode::TableFill:
      return popExpect(ValType::I32) && popExpect(op.type) && popExpect(ValType::I32);

    case Opcode::RefNull:
      operands.push_back(op.type);
      return true;
    case Opcode::RefIsNull: {
      ValType type;
      if (!popAny(type)) return false;
      WEFT_CHECK(type == ValType::Bottom || isReference(type),
                 fail(std::string("type mismatch in ref.is_null: expected a reference, got ") + valTypeName(type)));
      operands.push_back(ValType::I32);
      return true;
    }
    case Opcode::RefFunc:
      WEFT_CHECK(module_.declaredFunctionRefs[op.index], fail("undeclared function reference"));
      operands.push_back(ValType::FuncRef);
      return true;

    default:
      break;
  }
  return fail("internal error: operator without typing rule");
}

template class OperatorIteratorT<true>;
template class OperatorIteratorT<false>;

}  // namespace weft
