#include "compiler/optimizing/faulting_loads.h"

#include <llvm/Analysis/AssumptionCache.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Metadata.h>
#include <llvm/Transforms/Utils/PromoteMemToReg.h>

#include <unordered_set>
#include <vector>

namespace weft {
namespace {

bool isLinearMemoryAccess(const llvm::Instruction& instruction) {
  llvm::MDNode* tag = instruction.getMetadata(llvm::LLVMContext::MD_tbaa);
  if (!tag || tag->getNumOperands() < 1) return false;
  auto* type = llvm::dyn_cast<llvm::MDNode>(tag->getOperand(0));
  if (!type || type->getNumOperands() < 1) return false;
  auto* name = llvm::dyn_cast<llvm::MDString>(type->getOperand(0));
  return name && name->getString() == kLinearMemoryAliasName;
}

// Locals live in allocas until promoted; a value stored into a local that is
// never read again looks used until then.
void promoteLocals(llvm::Function& function) {
  std::vector<llvm::AllocaInst*> promotable;
  for (llvm::Instruction& instruction : function.getEntryBlock())
    if (auto* slot = llvm::dyn_cast<llvm::AllocaInst>(&instruction); slot && llvm::isAllocaPromotable(slot))
      promotable.push_back(slot);
  if (promotable.empty()) return;
  llvm::DominatorTree tree(function);
  llvm::AssumptionCache assumptions(function);
  llvm::PromoteMemToReg(promotable, tree, &assumptions);
}

}  // namespace

uint32_t keepDeadFaultingLoads(llvm::Function& function) {
  promoteLocals(function);
  // Live: what side effects and control flow use, transitively.
  std::unordered_set<llvm::Instruction*> live;
  std::vector<llvm::Instruction*> work;
  for (llvm::BasicBlock& block : function)
    for (llvm::Instruction& instruction : block)
      if (instruction.isTerminator() || instruction.mayHaveSideEffects()) {
        live.insert(&instruction);
        work.push_back(&instruction);
      }
  while (!work.empty()) {
    llvm::Instruction* user = work.back();
    work.pop_back();
    for (llvm::Value* operand : user->operands())
      if (auto* definition = llvm::dyn_cast<llvm::Instruction>(operand); definition && live.insert(definition).second)
        work.push_back(definition);
  }
  uint32_t kept = 0;
  for (llvm::BasicBlock& block : function)
    for (llvm::Instruction& instruction : block)
      if (auto* load = llvm::dyn_cast<llvm::LoadInst>(&instruction);
          load && !load->isVolatile() && !live.count(load) && isLinearMemoryAccess(*load)) {
        load->setVolatile(true);
        ++kept;
      }
  return kept;
}

}  // namespace weft
