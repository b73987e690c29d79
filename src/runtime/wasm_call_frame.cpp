#include "runtime/wasm_call_frame.h"

#include <cstring>

namespace weft {
namespace {

using call_abi::Where;

// A value's bytes in the embedding API's slots: 8, or 16 for a v128.
size_t slotBytes(ValType type) { return 8 * argumentSlotUnits(type); }

// Where parameter {location} lives in {frame} (stack arguments at {stack}).
uint8_t* placeOf(const call_abi::Location& location, WasmCallFrame& frame, uint8_t* stack) {
  switch (location.where) {
    case Where::IntegerRegister: return reinterpret_cast<uint8_t*>(&frame.integer[location.index]);
    case Where::FloatRegister: return frame.floats[location.index];
    case Where::Stack: return stack + location.stackOffset;
  }
  return nullptr;
}

}  // namespace

uint32_t stackArgumentBytes(const FuncType& type) {
  call_abi::ArgumentAssigner arguments(call_abi::usesResultsBuffer(type));
  for (ValType t : type.params) arguments.next(t);
  return arguments.stackBytes();
}

uint32_t resultsBufferBytes(const FuncType& type) {
  if (!call_abi::usesResultsBuffer(type)) return 0;
  call_abi::ResultAssigner results;
  for (ValType t : type.results) results.next(t);
  return results.bufferBytes();
}

void argumentsIntoFrame(const FuncType& type, const uint64_t* slots, WasmCallFrame& frame, uint8_t* stackArea,
                        uint8_t* resultsBuffer) {
  bool buffer = call_abi::usesResultsBuffer(type);
  call_abi::ArgumentAssigner arguments(buffer);
  if (buffer) frame.integer[0] = reinterpret_cast<uintptr_t>(resultsBuffer);
  for (ValType t : type.params) {
    std::memcpy(placeOf(arguments.next(t), frame, stackArea), slots, slotBytes(t));
    slots += argumentSlotUnits(t);
  }
  frame.stack = stackArea;
  frame.stackBytes = arguments.stackBytes();
}

void resultsFromFrame(const FuncType& type, const WasmCallFrame& frame, const uint8_t* resultsBuffer,
                      uint64_t* slots) {
  if (type.results.size() == 1) {
    ValType t = type.results[0];
    if (call_abi::inFloatRegister(t)) {
      slots[0] = slots[1] = 0;
      std::memcpy(slots, frame.resultFloat, t == ValType::F32 ? 4 : slotBytes(t));
    } else {
      // An i32 comes back with bits 32-63 open (LLVM leaves them so).
      slots[0] = t == ValType::I32 ? static_cast<uint32_t>(frame.resultInteger) : frame.resultInteger;
    }
    return;
  }
  call_abi::ResultAssigner results;
  for (ValType t : type.results) {
    std::memcpy(slots, resultsBuffer + results.next(t), slotBytes(t));
    if (t == ValType::I32 || t == ValType::F32) slots[0] &= 0xffffffffu;
    slots += argumentSlotUnits(t);
  }
}

void argumentsFromFrame(const FuncType& type, const WasmCallFrame& frame, uint64_t* slots) {
  call_abi::ArgumentAssigner arguments(call_abi::usesResultsBuffer(type));
  auto& mutableFrame = const_cast<WasmCallFrame&>(frame);  // placeOf only reads through it here
  auto* stack = const_cast<uint8_t*>(frame.stack);
  for (ValType t : type.params) {
    std::memcpy(slots, placeOf(arguments.next(t), mutableFrame, stack), slotBytes(t));
    if (t == ValType::I32 || t == ValType::F32) slots[0] &= 0xffffffffu;  // the caller may leave high bits
    slots += argumentSlotUnits(t);
  }
}

void resultsIntoFrame(const FuncType& type, const uint64_t* slots, WasmCallFrame& frame) {
  if (type.results.size() == 1) {
    ValType t = type.results[0];
    if (call_abi::inFloatRegister(t)) std::memcpy(frame.resultFloat, slots, slotBytes(t));
    else frame.resultInteger = slots[0];
    return;
  }
  auto* buffer = reinterpret_cast<uint8_t*>(frame.integer[0]);  // the caller's, passed as the first argument
  call_abi::ResultAssigner results;
  for (ValType t : type.results) {
    std::memcpy(buffer + results.next(t), slots, slotBytes(t));
    slots += argumentSlotUnits(t);
  }
}

}  // namespace weft
