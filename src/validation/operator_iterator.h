// The validating operator iterator: the one place where function bodies are
// decoded and where the typing rules of WebAssembly instructions live (DESIGN:
// "one decoder, many consumers").
//
// Consumers pull operators one at a time:
//
//   OperatorIterator it(module, bytes, functionIndex, scratch);
//   if (!it.readLocals()) ...;
//   Operator op;
//   while (it.next(op)) { ... switch (op.opcode) ... }
//   if (it.failed()) report(it.error());
//
// Each operator comes decoded (immediates unpacked into {Operator}) and already
// type-checked against the operand stack. The validator is the consumer that
// does nothing with them; the baseline and optimizing compilers read the same
// stream and keep their own value locations beside the iterator's types. At
// control flow the consumer asks for the frames ({control}), which carry the
// block signature and whether the rest of the block is unreachable.
//
// kValidate=false re-decodes a body already validated (tier-up): every check
// becomes an assertion, the decoding and type tracking stay.
//
// Memory: all stacks live in a {ValidatorScratch} the caller reuses across
// functions, so steady-state validation allocates nothing per operator.
// Threads: an iterator is used by one thread; distinct iterators over the same
// ModuleInfo may run concurrently (it is only read).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "format/module_info.h"
#include "format/opcodes.h"
#include "support/byte_reader.h"
#include "support/error.h"

namespace weft {

struct BlockSignature {
  const ValType* params = nullptr;
  const ValType* results = nullptr;
  uint32_t numParams = 0;
  uint32_t numResults = 0;

  std::span<const ValType> paramTypes() const { return {params, numParams}; }
  std::span<const ValType> resultTypes() const { return {results, numResults}; }
};

enum class ControlKind : uint8_t { Function, Block, Loop, If, Else };

struct ControlFrame {
  ControlKind kind = ControlKind::Block;
  bool unreachable = false;  // the rest of this block cannot execute
  uint32_t height = 0;       // operand stack height below the block's own values
  BlockSignature signature;

  // Branching to a loop re-enters it with its parameters; any other block is left
  // with its results.
  std::span<const ValType> labelTypes() const {
    return kind == ControlKind::Loop ? signature.paramTypes() : signature.resultTypes();
  }
};

struct MemArg {
  uint32_t alignLog2 = 0;
  uint32_t offset = 0;
};

// One decoded operator. Only the fields its opcode uses are meaningful.
struct Operator {
  Opcode opcode = Opcode::Nop;
  uint32_t offset = 0;   // module offset of the opcode's first byte
  uint32_t index = 0;    // label depth, local, global, function, type, table, data or element index
  uint32_t index2 = 0;   // call_indirect: table; table.copy: source table; table.init: table
  MemArg memarg;
  uint8_t lane = 0;
  ValType type = ValType::Bottom;  // select, drop: operand type; ref.null and table ops: reference type
  uint64_t bits = 0;      // constant bits (i32 zero-extended, f32/f64 raw bits, v128 low half)
  uint64_t bitsHigh = 0;  // v128 high half
  const uint8_t* shuffleLanes = nullptr;  // i8x16.shuffle: 16 lane indices, inside the module bytes
  BlockSignature block;   // block, loop, if
};

// The operand type stack. Its storage only grows, so popping and truncating are
// plain size changes the compiler inlines (std::vector::resize was not).
class TypeStack {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  ValType back() const { return data_[size_ - 1]; }
  ValType operator[](size_t i) const { return data_[i]; }
  void clear() { size_ = 0; }
  void pop_back() { --size_; }
  void truncate(size_t size) { size_ = size; }
  [[gnu::always_inline]] void push_back(ValType type) {
    if (size_ == data_.size()) [[unlikely]]
      grow(1);
    data_[size_++] = type;
  }
  void append(std::span<const ValType> types) {
    if (size_ + types.size() > data_.size()) [[unlikely]]
      grow(types.size());
    for (ValType type : types) data_[size_++] = type;
  }

 private:
  void grow(size_t atLeast) { data_.resize(std::max(data_.size() * 2, size_ + atLeast + 64)); }
  std::vector<ValType> data_;
  size_t size_ = 0;
};

struct ValidatorScratch {
  TypeStack operands;
  std::vector<ControlFrame> controls;
  std::vector<ValType> locals;
  std::vector<uint32_t> brTableTargets;
};

template <bool kValidate>
class OperatorIteratorT {
 public:
  OperatorIteratorT(const ModuleInfo& module, std::span<const uint8_t> moduleBytes, uint32_t functionIndex,
                    ValidatorScratch& scratch);

  // Decodes the local declarations; call once before next().
  [[nodiscard]] bool readLocals();
  std::span<const ValType> locals() const { return scratch_.locals; }

  // Decodes and checks the next operator. Returns false at the end of the body
  // (after the function's final `end` was returned) or on failure.
  [[nodiscard]] bool next(Operator& op);

  bool done() const { return done_; }
  // The first byte of the next operator (its opcode or prefix), not yet
  // decoded or checked; -1 at the end of the body. For a compiler that fuses
  // an operator with the one after it.
  int peekOpcodeByte() const { return reader_.atEnd() ? -1 : *reader_.pos(); }
  // The local the next operator writes when it is local.set or local.tee,
  // its index not yet checked; nullopt for any other operator. For a
  // compiler that puts a result straight where that write wants it.
  std::optional<uint32_t> peekLocalWrite() const {
    ByteReader ahead(reader_.pos(), reader_.end());
    uint8_t opcode = 0;
    uint32_t index = 0;
    if (!ahead.readByte(opcode) ||
        (opcode != opcodeCode(Opcode::LocalSet) && opcode != opcodeCode(Opcode::LocalTee)) || !ahead.readVarU32(index))
      return std::nullopt;
    return index;
  }
  // The body's bytes from the next operator on, not yet decoded or checked:
  // for a compiler's look-ahead (compiler/baseline/loop_scan.h).
  std::span<const uint8_t> remainingBody() const { return {reader_.pos(), reader_.remaining()}; }
  bool failed() const { return reader_.failed(); }
  Error error() const;

  // Frames from the innermost (depth 0) outwards.
  const ControlFrame& control(uint32_t depth) const {
    return scratch_.controls[scratch_.controls.size() - 1 - depth];
  }
  size_t controlDepth() const { return scratch_.controls.size(); }
  bool unreachable() const { return !scratch_.controls.empty() && scratch_.controls.back().unreachable; }
  size_t operandCount() const { return scratch_.operands.size(); }
  // Bottom where the operand comes from unreachable code.
  ValType operandType(uint32_t depthFromTop) const {
    return scratch_.operands[scratch_.operands.size() - 1 - depthFromTop];
  }
  // The targets of the last br_table, default last.
  std::span<const uint32_t> brTableTargets() const { return scratch_.brTableTargets; }

 private:
  bool fail(const std::string& message);                 // invalid, at the operator
  bool malformed(const char* message);                   // malformed, at the read position
  bool limit(const std::string& message);                // implementation limit, at the operator
  bool unsupported(const std::string& feature);          // post-2.0 proposal, at the operator
  bool typeMismatch(ValType expected, ValType actual);

  bool popExpect(ValType expected);
  bool popAny(ValType& out);
  bool popTypes(std::span<const ValType> types);
  void pushTypes(std::span<const ValType> types);
  void markUnreachable();
  bool pushControl(ControlKind kind, const BlockSignature& signature);
  bool popControlResults(const ControlFrame& frame);

  bool readBlockType(BlockSignature& out);
  bool readMemArg(Operator& op, uint32_t naturalLog2, bool atomic);
  bool readZeroByte();
  bool checkMemory();
  bool checkTable(uint32_t index);
  bool checkDataIndex(uint32_t index);
  bool readLabel(uint32_t& depth);

  // Templates on what the opcode list says of each opcode, each kind and
  // each special opcode its own function: a direct call from the dispatch,
  // not a second switch per operator whose jump mispredicted.
  template <ImmKind kind>
  [[gnu::noinline]] bool decodeImmediates(Operator& op);
  template <Opcode kOp>
  bool handle(Operator& op);
  template <Opcode kOp>
  bool applyFixedSignature();
  bool unknownOpcode(uint32_t prefix, uint32_t code);
  [[gnu::always_inline]] bool readLocalIndex(Operator& op);
  [[gnu::always_inline]] bool readI32Immediate(Operator& op);
  template <Opcode kOp>
  [[gnu::noinline]] bool typeSpecial(Operator& op);

  const ModuleInfo& module_;
  std::span<const uint8_t> moduleBytes_;
  uint32_t functionIndex_;
  ValidatorScratch& scratch_;
  ByteReader reader_;
  ErrorKind errorKind_ = ErrorKind::Invalid;
  uint32_t opOffset_ = 0;        // the operator being decoded: where type errors point
  Opcode opcode_ = Opcode::Nop;
  const FuncType& type_;
  bool done_ = false;
};

using OperatorIterator = OperatorIteratorT<true>;
using ValidatedOperatorIterator = OperatorIteratorT<false>;

extern template class OperatorIteratorT<true>;
extern template class OperatorIteratorT<false>;

}  // namespace weft
