// Host functions: creation, and the dispatch the host-call stub runs.
#include <algorithm>
#include <exception>
#include <iterator>

#include "runtime/engine.h"
#include "runtime/func.h"
#include "runtime/instance.h"
#include "runtime/interruption.h"
#include "runtime/trap_handler.h"
#include "runtime/wasm_call_frame.h"

namespace weft {

namespace {

// The callback's outcome for arguments in {slots}, given room for its
// argument and result Values; results written back to {slots}.
[[gnu::always_inline]] inline HostOutcome runCallbackIn(HostFunction& host, Caller& caller, uint64_t* slots,
                                                        std::span<Value> args, std::span<Value> results) {
  const FuncType& type = host.type;
  for (size_t i = 0, unit = 0; i < args.size(); ++i) {
    ValType t = type.params[i];
    args[i] = {t, slots[unit]};
    if (t == ValType::V128) args[i].high = slots[++unit];
    ++unit;
  }
  for (size_t i = 0; i < results.size(); ++i) results[i] = Value{type.results[i], 0};
  HostOutcome outcome = host.callback(caller, args, results);
  if (outcome.trap) return outcome;
  for (size_t i = 0, unit = 0; i < results.size(); ++i) {
    if (results[i].type != type.results[i])
      return HostOutcome::trapWith(std::string("host function returned ") + valTypeName(results[i].type) +
                                   " for a result of type " + valTypeName(type.results[i]));
    slots[unit++] = results[i].bits;
    if (results[i].type == ValType::V128) slots[unit++] = results[i].high;
  }
  return outcome;
}

// Values on this stack for the common arities: a host call allocates nothing.
constexpr size_t kInlineValues = 8;

// The rare signatures with more: their Values on the heap, out of the hot path.
[[gnu::noinline]] HostOutcome runCallbackOnHeap(HostFunction& host, Caller& caller, uint64_t* slots) {
  std::vector<Value> args(host.type.params.size()), results(host.type.results.size());
  return runCallbackIn(host, caller, slots, args, results);
}

[[gnu::always_inline]] inline HostOutcome runCallback(HostFunction& host, Caller& caller, uint64_t* slots) {
  if (!host.valuesFitInline) [[unlikely]]
    return runCallbackOnHeap(host, caller, slots);
  // Left uninitialized (every used element is assigned): clearing 400 bytes
  // per call would cost more than the call.
  union InlineValues {
    InlineValues() {}
    Value values[kInlineValues];
  } inlineArgs, inlineResults;
  return runCallbackIn(host, caller, slots, std::span<Value>(inlineArgs.values, host.type.params.size()),
                       std::span<Value>(inlineResults.values, host.type.results.size()));
}

// A guest interrupted while its host call ran traps as the call returns
// (runtime/interruption.h): a host function is never cut short, and a guest
// that makes no further call and runs no loop still stops.
uint32_t interruptedWhileAway(const Caller& caller) {
  if (!interruption::anySet()) [[likely]]
    return 0;
  Instance* instance = caller.instance();
  return instance && instance->interrupted() ? static_cast<uint32_t>(TrapKind::Interrupted) : 0;
}

}  // namespace

Func makeHostFunction(Engine& engine, FuncType type, HostCallback callback) {
  auto host = std::make_shared<HostFunction>();
  host->code = hostCallStub(type);
  host->record.entry = &host->code;
  host->record.vmctx = host.get();
  host->record.sigId = engine.signatureId(type);
  host->travelsInRegisters = travelsInRegisters(type);
  host->valuesFitInline = type.params.size() <= kInlineValues && type.results.size() <= kInlineValues;
  host->type = type;
  host->callback = std::move(callback);
  Func func;
  func.ref = &host->record;
  func.type = std::move(type);
  func.owner = host;
  return func;
}

// Runs on the wasm thread between wasm frames: everything it creates is gone
// before it returns, so a trap raised by the stub afterwards leaks nothing.
uint32_t hostDispatch(void* hostContext, WasmCallFrame* frame, uintptr_t callerFramePointer,
                      uintptr_t returnAddress) {
  auto* host = static_cast<HostFunction*>(hostContext);
  const FuncType& type = host->type;
  Caller caller = Caller::fromFrame(callerFramePointer, returnAddress);
  auto trapped = [](std::string message, bool endsProgram = false) {
    setPendingHostTrap(std::move(message), endsProgram);
    return static_cast<uint32_t>(TrapKind::HostTrap);
  };
  try {
    if (host->travelsInRegisters) [[likely]] {
      uint64_t slots[2 * call_abi::kIntegerArgRegisters];  // a v128 takes two
      argumentsFromRegisters(type, *frame, slots);
      HostOutcome outcome = runCallback(*host, caller, slots);
      if (outcome.trap) [[unlikely]]
        return trapped(std::move(*outcome.trap), outcome.endsProgram);
      resultsIntoFrame(type, slots, *frame);
      return interruptedWhileAway(caller);
    }
    size_t units = 0, resultUnits = 0;
    for (ValType t : type.params) units += argumentSlotUnits(t);
    for (ValType t : type.results) resultUnits += argumentSlotUnits(t);
    std::vector<uint64_t> slots(std::max(units, resultUnits));
    argumentsFromFrame(type, *frame, slots.data());
    HostOutcome outcome = runCallback(*host, caller, slots.data());
    if (outcome.trap) return trapped(std::move(*outcome.trap), outcome.endsProgram);
    resultsIntoFrame(type, slots.data(), *frame);
    return interruptedWhileAway(caller);
  } catch (const std::exception& e) {
    return trapped(std::string("host function threw: ") + e.what());
  } catch (...) {
    return trapped("host function threw an exception");
  }
}

}  // namespace weft
