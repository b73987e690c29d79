#include "compiler/optimizing/interrupt_checks.h"

#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/CFG.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>

#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "abi/builtins.h"
#include "abi/trap_kind.h"
#include "abi/vmctx_layout.h"

namespace weft {
namespace {

// Targets of retreating edges, found without recursion (functions can have
// hundreds of thousands of blocks).
std::vector<llvm::BasicBlock*> cycleHeads(llvm::Function& function) {
  enum class Mark : uint8_t { OnPath, Done };
  std::unordered_map<llvm::BasicBlock*, Mark> marks;
  std::vector<llvm::BasicBlock*> heads;  // in the order found: the code is the same every compile
  std::unordered_set<llvm::BasicBlock*> isHead;
  struct Step {
    llvm::BasicBlock* block;
    llvm::succ_iterator next, end;
  };
  std::vector<Step> path;
  llvm::BasicBlock* entry = &function.getEntryBlock();
  marks[entry] = Mark::OnPath;
  path.push_back({entry, llvm::succ_begin(entry), llvm::succ_end(entry)});
  while (!path.empty()) {
    Step& top = path.back();
    if (top.next == top.end) {
      marks[top.block] = Mark::Done;
      path.pop_back();
      continue;
    }
    llvm::BasicBlock* successor = *top.next++;
    auto [at, fresh] = marks.try_emplace(successor, Mark::OnPath);
    if (fresh) {
      path.push_back({successor, llvm::succ_begin(successor), llvm::succ_end(successor)});
    } else if (at->second == Mark::OnPath && isHead.insert(successor).second) {
      heads.push_back(successor);
    }
  }
  return heads;
}

// The bytecode offset a block's code came from: the first debug line in it
// (lines are offsets + 1, function_translator.cpp).
uint32_t bytecodeOffsetOf(llvm::BasicBlock& block, uint32_t fallback) {
  for (llvm::Instruction& instruction : block)
    if (const llvm::DebugLoc& location = instruction.getDebugLoc(); location && location.getLine() > 0)
      return location.getLine() - 1;
  return fallback;
}

}  // namespace

uint32_t insertLoopInterruptChecks(llvm::Function& function, uint32_t fallbackBytecodeOffset) {
  if (function.empty()) return 0;
  llvm::LLVMContext& context = function.getContext();
  llvm::Value* vmctx = function.getArg(0);
  llvm::MDNode* unlikely = llvm::MDBuilder(context).createBranchWeights(1, 1u << 20);
  llvm::Type* ptr = llvm::PointerType::get(context, 0);
  llvm::Function* frameAddress =
      llvm::Intrinsic::getDeclaration(function.getParent(), llvm::Intrinsic::frameaddress, {ptr});
  std::vector<llvm::BasicBlock*> heads = cycleHeads(function);
  for (llvm::BasicBlock* head : heads) {
    uint32_t offset = bytecodeOffsetOf(*head, fallbackBytecodeOffset);
    llvm::DILocation* line = llvm::DILocation::get(context, offset + 1, 0, function.getSubprogram());
    // head: its phis, the check; rest: what the head did.
    llvm::BasicBlock* rest = head->splitBasicBlock(head->getFirstNonPHIIt(), head->getName() + ".go");
    head->getTerminator()->eraseFromParent();
    llvm::BasicBlock* trap = llvm::BasicBlock::Create(context, "interrupted", &function);
    llvm::IRBuilder<> builder(head);
    builder.SetCurrentDebugLocation(line);
    llvm::Value* flagAddress = builder.CreateConstInBoundsGEP1_64(builder.getInt8Ty(), vmctx, vmctx::kInterruptFlag);
    llvm::LoadInst* flag = builder.CreateAlignedLoad(builder.getInt32Ty(), flagAddress, llvm::Align(4));
    flag->setVolatile(true);
    builder.CreateCondBr(builder.CreateICmpNE(flag, builder.getInt32(0)), trap, rest, unlikely);

    builder.SetInsertPoint(trap);
    builder.SetCurrentDebugLocation(line);
    llvm::Value* fp = builder.CreateCall(frameAddress, {builder.getInt32(0)});
    llvm::Value* helpers = builder.CreateAlignedLoad(
        ptr, builder.CreateConstInBoundsGEP1_64(builder.getInt8Ty(), vmctx, vmctx::kHelpers), llvm::Align(8));
    llvm::Value* raiseTrap = builder.CreateAlignedLoad(
        ptr, builder.CreateConstInBoundsGEP1_64(builder.getInt8Ty(), helpers, builtinTableOffset(BuiltinId::RaiseTrap)),
        llvm::Align(8));
    auto* type = llvm::FunctionType::get(builder.getVoidTy(),
                                         {builder.getInt32Ty(), builder.getInt32Ty(), ptr, ptr}, false);
    // As the translator's traps: the pc argument only has to be inside this
    // function, the bytecode offset travels as an argument.
    llvm::CallInst* call = builder.CreateCall(
        type, raiseTrap,
        {builder.getInt32(static_cast<uint32_t>(TrapKind::Interrupted)), builder.getInt32(offset), fp, &function});
    call->setDoesNotReturn();
    builder.CreateUnreachable();
  }
  return static_cast<uint32_t>(heads.size());
}

}  // namespace weft
