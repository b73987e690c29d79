#include "compiler/optimizing/select_logic.h"

#include <llvm/ADT/SmallPtrSet.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>

#include <vector>

namespace weft {
namespace {

// Bounds on the search, per select: its depth and the values it visits.
constexpr int kMaxDepth = 48;
constexpr size_t kMaxVisited = 256;

// Whether {value} is never poison. Phis on a cycle are assumed not to be
// while their other inputs are checked: poison has to enter a cycle from
// somewhere. A value seen before passed (the search stops at the first that
// fails). Conservative: anything not listed, or too far, is "maybe". A call
// is a wasm function or a builtin: machine code, whose result is a value.
bool neverPoison(const llvm::Value* value, int depth, llvm::SmallPtrSetImpl<const llvm::Value*>& visiting) {
  if (llvm::isa<llvm::ConstantInt>(value) || llvm::isa<llvm::Argument>(value)) return true;
  const auto* instruction = llvm::dyn_cast<llvm::Instruction>(value);
  if (!instruction || depth > kMaxDepth || visiting.size() > kMaxVisited) return false;
  if (!visiting.insert(instruction).second) return true;  // seen: on the cycle being checked, or passed
  if (instruction->hasPoisonGeneratingFlags() || instruction->hasPoisonGeneratingMetadata()) return false;
  switch (instruction->getOpcode()) {
    case llvm::Instruction::Load:
      return !llvm::cast<llvm::LoadInst>(instruction)->getType()->isVectorTy();
    case llvm::Instruction::Add: case llvm::Instruction::Sub: case llvm::Instruction::Mul:
    case llvm::Instruction::And: case llvm::Instruction::Or: case llvm::Instruction::Xor:
    case llvm::Instruction::UDiv: case llvm::Instruction::SDiv:
    case llvm::Instruction::URem: case llvm::Instruction::SRem:  // these trap before they make poison
    case llvm::Instruction::ICmp: case llvm::Instruction::ZExt: case llvm::Instruction::SExt:
    case llvm::Instruction::Trunc: case llvm::Instruction::Select: case llvm::Instruction::PHI:
    case llvm::Instruction::Freeze:
      break;
    case llvm::Instruction::Call:
      return !llvm::isa<llvm::IntrinsicInst>(instruction) && instruction->getType()->isIntegerTy();
    default:
      return false;  // shifts (by the width or more), float conversions, calls, vectors...
  }
  if (instruction->getOpcode() == llvm::Instruction::Freeze) return true;
  if (!instruction->getType()->isIntegerTy()) return false;
  for (const llvm::Value* operand : instruction->operands())
    if (!neverPoison(operand, depth + 1, visiting)) return false;
  return true;
}

}  // namespace

bool selectsToLogic(llvm::Function& function) {
  std::vector<llvm::SelectInst*> selects;
  for (llvm::BasicBlock& block : function)
    for (llvm::Instruction& instruction : block)
      if (auto* select = llvm::dyn_cast<llvm::SelectInst>(&instruction); select && select->getType()->isIntegerTy(1))
        selects.push_back(select);
  bool changed = false;
  for (llvm::SelectInst* select : selects) {
    auto* ifTrue = llvm::dyn_cast<llvm::ConstantInt>(select->getTrueValue());
    auto* ifFalse = llvm::dyn_cast<llvm::ConstantInt>(select->getFalseValue());
    bool isOr = ifTrue && ifTrue->isOne();
    bool isAnd = ifFalse && ifFalse->isZero();
    if (isOr == isAnd) continue;  // neither, or a constant select that needs nothing
    llvm::Value* other = isOr ? select->getFalseValue() : select->getTrueValue();
    llvm::SmallPtrSet<const llvm::Value*, 16> visiting;
    if (!neverPoison(other, 0, visiting)) continue;
    llvm::IRBuilder<> builder(select);
    llvm::Value* logic =
        isOr ? builder.CreateOr(select->getCondition(), other) : builder.CreateAnd(select->getCondition(), other);
    if (auto* instruction = llvm::dyn_cast<llvm::Instruction>(logic)) instruction->setDebugLoc(select->getDebugLoc());
    select->replaceAllUsesWith(logic);
    select->eraseFromParent();
    changed = true;
  }
  return changed;
}

}  // namespace weft
