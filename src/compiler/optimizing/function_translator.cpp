// Control flow, calls, locals, globals, the frame and traps of the wasm ->
// LLVM IR translation (function_translator.h, translator.h).
#include "compiler/optimizing/function_translator.h"

#include <llvm/IR/Intrinsics.h>

#include <algorithm>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include "abi/calling_convention.h"
#include "abi/entry_table.h"
#include "compiler/optimizing/in_bounds_loops.h"
#include "compiler/optimizing/object_code.h"
#include "compiler/optimizing/translator.h"

namespace weft {

std::string optimizedFunctionSymbol(uint32_t functionIndex) { return "weft_function_" + std::to_string(functionIndex); }

Status translateFunction(const CompileInput& input, uint32_t functionIndex, ValidatorScratch& scratch,
                         llvm::Module& module) {
  Translator translator(input, functionIndex, scratch, module);
  return translator.translate();
}

Translator::Translator(const CompileInput& input, uint32_t functionIndex, ValidatorScratch& scratch,
                       llvm::Module& module)
    : module_(input.module),
      layout_(input.layout),
      strategy_(input.strategy),
      countsFuel_(input.countsFuel),
      specialization_(input.specialization && input.specialization->memoryBase ? input.specialization : nullptr),
      functionIndex_(functionIndex),
      type_(input.module.functionType(functionIndex)),
      it_(input.module, input.bytes, functionIndex, scratch),
      llvmModule_(module),
      context_(module.getContext()),
      builder_(module.getContext()),
      metadata_(module.getContext()),
      debugInfo_(module) {
  llvm::MDNode* root = metadata_.createTBAARoot("weft instance and guest data");
  const char* names[] = {"vmctx", kLinearMemoryAliasName, "table elements", "global", "frame"};
  for (size_t i = 0; i < 5; ++i) {
    llvm::MDNode* type = metadata_.createTBAAScalarTypeNode(names[i], root);
    aliasTags_[i] = metadata_.createTBAAStructTagNode(type, type, 0);
  }
  invariant_ = llvm::MDNode::get(context_, {});
}

Error Translator::internalError(uint32_t offset, std::string message) const {
  Error error = makeError(ErrorKind::Unsupported, "optimizing tier: " + std::move(message));
  error.offset = offset;
  error.functionIndex = functionIndex_;
  return error;
}

bool Translator::unsupported(const Operator& op) {
  if (!failure_)
    failure_ = internalError(op.offset, std::string("operator ") + opcodeName(op.opcode) + " is not supported yet");
  return false;
}

llvm::Type* Translator::typeOf(ValType type) {
  switch (type) {
    case ValType::I32: return builder_.getInt32Ty();
    case ValType::I64: return builder_.getInt64Ty();
    case ValType::F32: return builder_.getFloatTy();
    case ValType::F64: return builder_.getDoubleTy();
    case ValType::V128: return llvm::FixedVectorType::get(builder_.getInt64Ty(), 2);
    default: return builder_.getInt64Ty();  // references: a pointer-sized value, 0 is null
  }
}

llvm::Value* Translator::zeroOf(ValType type) { return llvm::Constant::getNullValue(typeOf(type)); }

// ---- instance data ----

void Translator::tag(llvm::Instruction* access, Alias alias) {
  access->setMetadata(llvm::LLVMContext::MD_tbaa, aliasTags_[static_cast<size_t>(alias)]);
}

llvm::Align Translator::alignmentOf(llvm::Type* type) const {
  return type->isVectorTy() ? llvm::Align(8) : llvmModule_.getDataLayout().getABITypeAlign(type);
}

llvm::LoadInst* Translator::load(llvm::Type* type, llvm::Value* base, int64_t offset, Alias alias, bool invariant) {
  llvm::Value* address = offset ? builder_.CreateConstInBoundsGEP1_64(builder_.getInt8Ty(), base, offset) : base;
  // A v128 in instance data or a results buffer is only promised 8 bytes of alignment.
  llvm::LoadInst* value = builder_.CreateAlignedLoad(type, address, alignmentOf(type));
  tag(value, alias);
  if (invariant) value->setMetadata(llvm::LLVMContext::MD_invariant_load, invariant_);
  return value;
}

llvm::StoreInst* Translator::store(llvm::Value* value, llvm::Value* base, int64_t offset, Alias alias) {
  llvm::Value* address = offset ? builder_.CreateConstInBoundsGEP1_64(builder_.getInt8Ty(), base, offset) : base;
  llvm::StoreInst* access = builder_.CreateAlignedStore(value, address, alignmentOf(value->getType()));
  tag(access, alias);
  return access;
}

llvm::Value* Translator::builtin(BuiltinId id) {
  llvm::Value* table = load(builder_.getPtrTy(), vmctx_, vmctx::kHelpers, Alias::Vmctx, true);
  return load(builder_.getPtrTy(), table, builtinTableOffset(id), Alias::Vmctx, true);
}

llvm::CallInst* Translator::callBuiltin(BuiltinId id, llvm::FunctionType* type,
                                        std::initializer_list<llvm::Value*> args) {
  return builder_.CreateCall(type, builtin(id), args);
}

// ---- traps ----

void Translator::trapNow(llvm::Value* kind, uint32_t offset) {
  llvm::Type* ptr = builder_.getPtrTy();
  llvm::Function* frameAddress =
      llvm::Intrinsic::getDeclaration(&llvmModule_, llvm::Intrinsic::frameaddress, {ptr});
  llvm::Value* fp = builder_.CreateCall(frameAddress, {builder_.getInt32(0)});
  // The pc only has to be inside this function: the walker takes the
  // bytecode offset from the argument for the trapping frame.
  auto* type =
      llvm::FunctionType::get(builder_.getVoidTy(), {builder_.getInt32Ty(), builder_.getInt32Ty(), ptr, ptr}, false);
  llvm::CallInst* call = builder_.CreateCall(type, builtin(BuiltinId::RaiseTrap), {kind, i32(offset), fp, function_});
  call->setDoesNotReturn();
  builder_.CreateUnreachable();
}

void Translator::trapIf(llvm::Value* condition, TrapKind kind, uint32_t offset) {
  llvm::BasicBlock* trap = newBlock("trap");
  llvm::BasicBlock* next = newBlock("ok");
  llvm::MDNode* unlikely = metadata_.createBranchWeights(1, 1u << 20);
  builder_.CreateCondBr(condition, trap, next, unlikely);
  enterBlock(trap);
  trapNow(i32(static_cast<uint32_t>(kind)), offset);
  enterBlock(next);
}

void Translator::trapIfNonZero(llvm::Value* kindValue, uint32_t offset) {
  llvm::BasicBlock* trap = newBlock("trap");
  llvm::BasicBlock* next = newBlock("ok");
  builder_.CreateCondBr(isNonZero(kindValue), trap, next, metadata_.createBranchWeights(1, 1u << 20));
  enterBlock(trap);
  trapNow(builder_.CreateTrunc(kindValue, builder_.getInt32Ty()), offset);
  enterBlock(next);
}

// ---- frame ----

llvm::FunctionType* Translator::wasmFunctionType(const FuncType& type) {
  std::vector<llvm::Type*> params{builder_.getPtrTy()};
  if (call_abi::usesResultsBuffer(type)) params.push_back(builder_.getPtrTy());
  for (ValType param : type.params) params.push_back(typeOf(param));
  llvm::Type* result = type.results.size() == 1 ? typeOf(type.results[0]) : builder_.getVoidTy();
  return llvm::FunctionType::get(result, params, false);
}

llvm::BasicBlock* Translator::newBlock(const char* name) {
  llvm::BasicBlock* block = llvm::BasicBlock::Create(context_, name);
  created_.push_back(block);
  return block;
}

// A translation that stopped early (invalid code, an unsupported operator)
// leaves blocks no function owns; the function takes them, so they die with
// the LLVM module (deleting them here would leave branches pointing at them).
Translator::~Translator() {
  for (llvm::BasicBlock* block : created_)
    if (!block->getParent() && function_) block->insertInto(function_);
}

void Translator::enterBlock(llvm::BasicBlock* block) {
  if (!block->getParent()) block->insertInto(function_);
  builder_.SetInsertPoint(block);
}

void Translator::emitEntry() {
  function_ = llvm::Function::Create(wasmFunctionType(type_), llvm::GlobalValue::ExternalLinkage,
                                     optimizedFunctionSymbol(functionIndex_), llvmModule_);
  function_->setDSOLocal(true);
  function_->addFnAttr("frame-pointer", "all");
  function_->addFnAttr(llvm::Attribute::NoUnwind);
  if (type_.results.size() == 1 && type_.results[0] == ValType::I32)
    function_->addRetAttr(llvm::Attribute::ZExt);  // the convention: an i32 result zero-extended in rax

  llvmModule_.addModuleFlag(llvm::Module::Warning, "Dwarf Version", 4);
  llvmModule_.addModuleFlag(llvm::Module::Warning, "Debug Info Version", llvm::DEBUG_METADATA_VERSION);
  llvm::DIFile* file = debugInfo_.createFile("module.wasm", ".");
  llvm::DICompileUnit* unit = debugInfo_.createCompileUnit(llvm::dwarf::DW_LANG_C, file, "weft", true, "", 0, "",
                                                           llvm::DICompileUnit::LineTablesOnly);
  subprogram_ = debugInfo_.createFunction(
      unit, function_->getName(), function_->getName(), file, 0,
      debugInfo_.createSubroutineType(debugInfo_.getOrCreateTypeArray({})), 0, llvm::DINode::FlagZero,
      llvm::DISubprogram::SPFlagDefinition | llvm::DISubprogram::SPFlagOptimized);
  function_->setSubprogram(subprogram_);

  llvm::BasicBlock* entry = newBlock("entry");
  enterBlock(entry);
  builder_.SetCurrentDebugLocation(llvm::DILocation::get(context_, 0, 0, subprogram_));
  auto arg = function_->arg_begin();
  vmctx_ = &*arg++;
  // The vmctx is never null, 16-aligned and as large as the layout, which
  // lets LLVM hoist its loads out of loops without proving the path to them.
  function_->addParamAttr(0, llvm::Attribute::NonNull);
  function_->addParamAttr(0, llvm::Attribute::NoUndef);
  function_->addParamAttr(0, llvm::Attribute::getWithAlignment(context_, llvm::Align(16)));
  function_->addDereferenceableParamAttr(0, layout_.size());
  if (call_abi::usesResultsBuffer(type_)) resultsBuffer_ = &*arg++;

  // The vmctx slot first (DESIGN 4): volatile, so it is neither promoted nor
  // dropped; the stack map records where the frame keeps it.
  llvm::AllocaInst* slot = builder_.CreateAlloca(builder_.getPtrTy(), nullptr, "vmctx.slot");
  slot->setAlignment(llvm::Align(8));
  builder_.CreateStore(vmctx_, slot, /*isVolatile=*/true);
  llvm::Function* stackMap = llvm::Intrinsic::getDeclaration(&llvmModule_, llvm::Intrinsic::experimental_stackmap);
  builder_.CreateCall(stackMap, {builder_.getInt64(kVmctxSlotStackMapId), builder_.getInt32(0), slot});

  // Locals live in allocas that SROA turns into SSA values.
  std::span<const ValType> locals = it_.locals();
  localTypes_.assign(locals.begin(), locals.end());
  for (size_t i = 0; i < localTypes_.size(); ++i) {
    llvm::AllocaInst* local = builder_.CreateAlloca(typeOf(localTypes_[i]));
    locals_.push_back(local);
    builder_.CreateStore(i < type_.params.size() ? static_cast<llvm::Value*>(&*arg++) : zeroOf(localTypes_[i]), local);
  }

  // The stack limit, once the frame is allocated: the margin below the
  // limit (trap_handler.cpp) holds any frame this tier makes.
  llvm::Value* sp = builder_.CreatePtrToInt(builder_.CreateStackSave(), builder_.getInt64Ty());
  llvm::Value* limit = load(builder_.getInt64Ty(), vmctx_, vmctx::kStackLimit, Alias::Vmctx);
  trapIf(builder_.CreateICmpULT(sp, limit), TrapKind::StackExhausted, module_.functions[functionIndex_].body.offset);
  // The interrupt checks come after optimization (interrupt_checks.h).

  Control body;
  body.kind = ControlKind::Function;
  body.signature.results = type_.results.data();
  body.signature.numResults = static_cast<uint32_t>(type_.results.size());
  body.end = newBlock("return");
  body.endValues = phisFor(type_.results, body.end);
  controls_.push_back(std::move(body));
}

std::vector<llvm::PHINode*> Translator::phisFor(std::span<const ValType> types, llvm::BasicBlock* block) {
  std::vector<llvm::PHINode*> phis;
  for (ValType type : types) phis.push_back(llvm::PHINode::Create(typeOf(type), 2, "", block));
  return phis;
}

void Translator::addIncoming(std::vector<llvm::PHINode*>& phis, size_t count) {
  size_t first = stack_.size() - count;
  llvm::BasicBlock* from = builder_.GetInsertBlock();
  for (size_t i = 0; i < count; ++i) phis[i]->addIncoming(stack_[first + i], from);
}

void Translator::becomeUnreachable() {
  reachable_ = false;
  stack_.resize(controls_.back().height);
}

void Translator::branchTo(uint32_t depth) {
  Control& target = control(depth);
  if (target.kind == ControlKind::Loop) {
    addIncoming(target.headValues, target.headValues.size());
    builder_.CreateBr(target.header);
  } else {
    addIncoming(target.endValues, target.endValues.size());
    builder_.CreateBr(target.end);
  }
}

void Translator::emitReturn(std::span<llvm::Value* const> results) {
  if (results.empty()) {
    builder_.CreateRetVoid();
  } else if (results.size() == 1) {
    builder_.CreateRet(results[0]);
  } else {
    call_abi::ResultAssigner assigner;
    for (size_t i = 0; i < results.size(); ++i) store(results[i], resultsBuffer_, assigner.next(type_.results[i]), Alias::Frame);
    builder_.CreateRetVoid();
  }
}

// ---- blocks ----

Translator::Control Translator::openControl(ControlKind kind, const Operator& op, const char* endName) {
  Control control;
  control.kind = kind;
  control.signature = op.block;
  control.height = stack_.size() - op.block.numParams;
  control.end = newBlock(endName);
  control.endValues = phisFor(op.block.resultTypes(), control.end);
  return control;
}

void Translator::startBlock(const Operator& op) { controls_.push_back(openControl(ControlKind::Block, op, "block.end")); }

void Translator::startLoop(const Operator& op) {
  Control loop = openControl(ControlKind::Loop, op, "loop.end");
  loop.header = newBlock("loop");
  loop.headValues = phisFor(op.block.paramTypes(), loop.header);
  addIncoming(loop.headValues, op.block.numParams);
  builder_.CreateBr(loop.header);
  stack_.resize(loop.height);
  for (llvm::PHINode* phi : loop.headValues) push(phi);
  enterBlock(loop.header);
  controls_.push_back(std::move(loop));
}

void Translator::startIf(const Operator& op) {
  llvm::Value* condition = isNonZero(pop());
  Control branch = openControl(ControlKind::If, op, "if.end");
  branch.elseBlock = newBlock("else");
  branch.ifParams.assign(stack_.end() - op.block.numParams, stack_.end());
  llvm::BasicBlock* then = newBlock("then");
  builder_.CreateCondBr(condition, then, branch.elseBlock);
  enterBlock(then);
  controls_.push_back(std::move(branch));
}

void Translator::translateElse() {
  Control& branch = controls_.back();
  if (branch.dead) return;
  if (reachable_) branchTo(0);
  stack_.resize(branch.height);
  for (llvm::Value* param : branch.ifParams) push(param);
  enterBlock(branch.elseBlock);
  branch.elseBlock = nullptr;
  branch.kind = ControlKind::Else;
  reachable_ = true;
}

void Translator::translateEnd() {
  if (controls_.back().dead) {  // still unreachable
    controls_.pop_back();
    return;
  }
  if (reachable_) {  // falls through to the end with its results
    addIncoming(controls_.back().endValues, controls_.back().endValues.size());
    builder_.CreateBr(controls_.back().end);
  }
  Control block = std::move(controls_.back());
  controls_.pop_back();
  reachable_ = false;
  if (block.kind == ControlKind::If) {
    // No else: the false path carries the parameters to the end.
    builder_.SetInsertPoint(block.elseBlock);
    block.elseBlock->insertInto(function_);
    for (size_t i = 0; i < block.endValues.size(); ++i) block.endValues[i]->addIncoming(block.ifParams[i], block.elseBlock);
    builder_.CreateBr(block.end);
  }
  stack_.resize(block.height);
  if (llvm::pred_empty(block.end)) {
    for (llvm::PHINode* phi : block.endValues) phi->eraseFromParent();
    created_.erase(std::find(created_.begin(), created_.end(), block.end));
    delete block.end;
    reachable_ = false;
    if (!controls_.empty()) stack_.resize(controls_.back().height);
    return;
  }
  enterBlock(block.end);
  reachable_ = true;
  for (llvm::PHINode* phi : block.endValues) push(phi);
  if (block.kind == ControlKind::Function) {
    std::vector<llvm::Value*> results(stack_.end() - type_.results.size(), stack_.end());
    emitReturn(results);
    reachable_ = false;
  }
}

void Translator::translateBrIf(const Operator& op) {
  llvm::Value* condition = isNonZero(pop());
  llvm::BasicBlock* next = newBlock("br_if.next");
  Control& target = control(op.index);
  if (target.kind == ControlKind::Loop) {
    addIncoming(target.headValues, target.headValues.size());
    builder_.CreateCondBr(condition, target.header, next);
  } else {
    addIncoming(target.endValues, target.endValues.size());
    builder_.CreateCondBr(condition, target.end, next);
  }
  enterBlock(next);
}

// One edge block per distinct target, so each phi sees one predecessor per edge.
void Translator::translateBrTable(const Operator& op) {
  llvm::Value* index = pop();
  std::span<const uint32_t> targets = it_.brTableTargets();
  std::map<uint32_t, llvm::BasicBlock*> edges;
  llvm::BasicBlock* from = builder_.GetInsertBlock();
  auto edgeTo = [&](uint32_t depth) {
    auto found = edges.find(depth);
    if (found != edges.end()) return found->second;
    llvm::BasicBlock* edge = newBlock("br_table.edge");
    enterBlock(edge);
    branchTo(depth);
    edges.emplace(depth, edge);
    return edge;
  };
  llvm::BasicBlock* otherwise = edgeTo(targets.back());
  std::vector<llvm::BasicBlock*> cases;
  for (size_t i = 0; i + 1 < targets.size(); ++i) cases.push_back(edgeTo(targets[i]));
  builder_.SetInsertPoint(from);
  llvm::SwitchInst* table = builder_.CreateSwitch(index, otherwise, static_cast<unsigned>(cases.size()));
  for (size_t i = 0; i < cases.size(); ++i) table->addCase(builder_.getInt32(static_cast<uint32_t>(i)), cases[i]);
  (void)op;
  becomeUnreachable();
}

// ---- calls ----

void Translator::callWasm(const FuncType& type, llvm::Value* code, llvm::Value* calleeVmctx) {
  size_t first = stack_.size() - type.params.size();
  std::vector<llvm::Value*> args{calleeVmctx};
  llvm::AllocaInst* buffer = nullptr;
  bool multi = call_abi::usesResultsBuffer(type);
  if (multi) {
    call_abi::ResultAssigner assigner;
    for (ValType result : type.results) assigner.next(result);
    llvm::IRBuilderBase::InsertPoint here = builder_.saveIP();
    builder_.SetInsertPoint(&function_->getEntryBlock(), function_->getEntryBlock().begin());
    buffer = builder_.CreateAlloca(builder_.getInt8Ty(), builder_.getInt32(assigner.bufferBytes()));
    buffer->setAlignment(llvm::Align(16));
    builder_.restoreIP(here);
    args.push_back(buffer);
  }
  for (size_t i = first; i < stack_.size(); ++i) args.push_back(stack_[i]);
  stack_.resize(first);
  llvm::CallInst* call = builder_.CreateCall(wasmFunctionType(type), code, args);
  // A callee of either tier may rely on i32 arguments zero-extended.
  for (size_t i = 0; i < type.params.size(); ++i)
    if (type.params[i] == ValType::I32) call->addParamAttr(static_cast<unsigned>(i + 1 + (multi ? 1 : 0)), llvm::Attribute::ZExt);
  if (type.results.size() == 1) {
    push(call);
  } else if (multi) {
    call_abi::ResultAssigner assigner;
    for (ValType result : type.results) push(load(typeOf(result), buffer, assigner.next(result), Alias::Frame));
  }
}

// Through a FuncRef: its instance runs on this thread's stack, so it
// inherits this one's stack limit.
void Translator::callFuncRef(const FuncType& type, llvm::Value* funcRef) {
  llvm::Value* calleeVmctx = load(builder_.getPtrTy(), funcRef, vmctx::kFuncRefVmctx, Alias::Vmctx);
  store(load(builder_.getInt64Ty(), vmctx_, vmctx::kStackLimit, Alias::Vmctx), calleeVmctx, vmctx::kStackLimit,
        Alias::Vmctx);
  llvm::Value* entry = load(builder_.getPtrTy(), funcRef, vmctx::kFuncRefEntry, Alias::Vmctx);
  callWasm(type, load(builder_.getPtrTy(), entry, 0, Alias::Vmctx), calleeVmctx);
}

void Translator::translateCall(const Operator& op) {
  const FuncType& callee = module_.functionType(op.index);
  if (op.index < module_.numImportedFunctions) {
    llvm::Value* funcRef = load(builder_.getPtrTy(), vmctx_, layout_.funcRefPtr(op.index), Alias::Vmctx, true);
    callFuncRef(callee, funcRef);
    return;
  }
  // The entry is not invariant: a tier-up replaces it.
  llvm::Value* table = load(builder_.getPtrTy(), vmctx_, vmctx::kEntryTable, Alias::Vmctx, true);
  llvm::Value* code =
      load(builder_.getPtrTy(), table, entryTableOffset(op.index, module_.numImportedFunctions), Alias::Vmctx);
  callWasm(callee, code, vmctx_);
}

void Translator::translateCallIndirect(const Operator& op) {
  const FuncType& callee = module_.types[op.index];
  llvm::Value* index = pop();
  llvm::Value* table = tableDefinition(op.index2);
  llvm::Value* length = load(builder_.getInt32Ty(), table, vmctx::kTableLength, Alias::Table);
  trapIf(builder_.CreateICmpUGE(index, length), TrapKind::UndefinedElement, op.offset);
  llvm::Value* elements = load(builder_.getPtrTy(), table, vmctx::kTableElements, Alias::Table);
  llvm::Value* slot = builder_.CreateInBoundsGEP(builder_.getInt64Ty(), elements, builder_.CreateZExt(index, builder_.getInt64Ty()));
  llvm::LoadInst* funcRef = builder_.CreateLoad(builder_.getPtrTy(), slot);
  tag(funcRef, Alias::Table);
  trapIf(builder_.CreateIsNull(funcRef), TrapKind::UninitializedElement, op.offset);
  llvm::Value* expected = load(builder_.getInt32Ty(), vmctx_, layout_.sigId(op.index), Alias::Vmctx, true);
  llvm::Value* actual = load(builder_.getInt32Ty(), funcRef, vmctx::kFuncRefSigId, Alias::Vmctx);
  trapIf(builder_.CreateICmpNE(expected, actual), TrapKind::IndirectCallTypeMismatch, op.offset);
  callFuncRef(callee, funcRef);
}

// ---- globals ----

llvm::Value* Translator::globalAddress(uint32_t index, int64_t& offset) {
  if (layout_.globalIsImported(index)) {
    offset = 0;
    return load(builder_.getPtrTy(), vmctx_, layout_.global(index), Alias::Vmctx, true);
  }
  offset = layout_.global(index);
  return vmctx_;
}

void Translator::translateGlobalGet(const Operator& op) {
  int64_t offset;
  llvm::Value* base = globalAddress(op.index, offset);
  const GlobalType& global = module_.globals[op.index].type;
  push(load(typeOf(global.type), base, offset, Alias::Global, !global.mutable_));
}

void Translator::translateGlobalSet(const Operator& op) {
  int64_t offset;
  llvm::Value* value = pop();
  llvm::Value* base = globalAddress(op.index, offset);
  store(value, base, offset, Alias::Global);
}

// ---- the pass ----

bool Translator::translateOperator(const Operator& op) {
  using O = Opcode;
  if (!reachable_) {
    switch (op.opcode) {
      case O::Block: case O::Loop: case O::If: {
        Control dead;
        dead.kind = op.opcode == O::Loop ? ControlKind::Loop : op.opcode == O::If ? ControlKind::If : ControlKind::Block;
        dead.dead = true;
        dead.height = stack_.size();
        controls_.push_back(std::move(dead));
        return true;
      }
      case O::Else:
        translateElse();
        return true;
      case O::End:
        translateEnd();
        return true;
      default:
        return true;  // skipped: nothing reaches it
    }
  }
  switch (op.opcode) {
    case O::Unreachable:
      trapNow(i32(static_cast<uint32_t>(TrapKind::Unreachable)), op.offset);
      becomeUnreachable();
      return true;
    case O::Nop: return true;
    case O::Block: startBlock(op); return true;
    case O::Loop: startLoop(op); return true;
    case O::If: startIf(op); return true;
    case O::Else: translateElse(); return true;
    case O::End: translateEnd(); return true;
    case O::Br:
      branchTo(op.index);
      becomeUnreachable();
      return true;
    case O::BrIf: translateBrIf(op); return true;
    case O::BrTable: translateBrTable(op); return true;
    case O::Return:
      branchTo(static_cast<uint32_t>(controls_.size() - 1));
      becomeUnreachable();
      return true;
    case O::Call: translateCall(op); return true;
    case O::CallIndirect: translateCallIndirect(op); return true;
    case O::Drop: pop(); return true;  // a dropped load still faults: Translator::linearMemory
    case O::Select: case O::SelectTyped: {
      llvm::Value* condition = isNonZero(pop());
      llvm::Value* otherwise = pop();
      llvm::Value* then = pop();
      push(builder_.CreateSelect(condition, then, otherwise));
      return true;
    }
    case O::LocalGet:
      push(builder_.CreateLoad(typeOf(localTypes_[op.index]), locals_[op.index]));
      return true;
    case O::LocalSet:
      builder_.CreateStore(pop(), locals_[op.index]);
      return true;
    case O::LocalTee: builder_.CreateStore(stack_.back(), locals_[op.index]); return true;
    case O::GlobalGet: translateGlobalGet(op); return true;
    case O::GlobalSet: translateGlobalSet(op); return true;
    case O::RefNull: push(i64(0)); return true;
    case O::RefIsNull: push(boolToI32(builder_.CreateICmpEQ(pop(), i64(0)))); return true;
    case O::RefFunc:
      push(builder_.CreatePtrToInt(load(builder_.getPtrTy(), vmctx_, layout_.funcRefPtr(op.index), Alias::Vmctx, true),
                                   builder_.getInt64Ty()));
      return true;
    default:
      break;
  }
  switch (opcodeFamily(op.opcode)) {
    case OpcodeFamily::Simd:
      return translateSimd(op);
    case OpcodeFamily::Atomic:
      return translateAtomic(op);
    case OpcodeFamily::Core:
    case OpcodeFamily::Misc:
      return isMemoryOrTableOperator(op.opcode) ? translateMemory(op) : translateNumeric(op);
  }
  return unsupported(op);
}

// The charge of a fuel run, priced when the run ends (compiler/fuel_runs.h).
// As the baseline's (sub, then trap if below zero): an instance reads the
// same fuel after the same run whichever tier ran it.
llvm::BinaryOperator* Translator::chargeFuel(uint32_t offset) {
  llvm::LoadInst* fuel = load(builder_.getInt64Ty(), vmctx_, vmctx::kFuel, Alias::Vmctx);
  auto* left = llvm::BinaryOperator::CreateSub(fuel, builder_.getInt64(0));  // priced by fuelBefore
  builder_.Insert(left);
  store(left, vmctx_, vmctx::kFuel, Alias::Vmctx);
  trapIf(builder_.CreateICmpSLT(left, builder_.getInt64(0)), TrapKind::OutOfFuel, offset);
  return left;
}

Status Translator::translate() {
  if (!it_.readLocals()) return it_.error();
  emitEntry();
  if (countsFuel_) fuel_ = {true, chargeFuel(module_.functions[functionIndex_].body.offset), 0};
  Operator op;
  while (it_.next(op)) {
    // Line = bytecode offset + 1: the object's line table maps code back.
    builder_.SetCurrentDebugLocation(llvm::DILocation::get(context_, op.offset + 1, 0, subprogram_));
    if (countsFuel_)
      fuel_.before(op.opcode, reachable_, [&](llvm::BinaryOperator* price, uint32_t operators) {
        price->setOperand(1, builder_.getInt64(operators));
      });
    if (!translateOperator(op)) {
      if (failure_) return *failure_;
      return internalError(op.offset, "translation failed");
    }
    if (countsFuel_) fuel_.after(reachable_, [&] { return chargeFuel(op.offset); });
  }
  if (it_.failed()) return it_.error();
  debugInfo_.finalize();
  std::string problems;
  llvm::raw_string_ostream stream(problems);
  if (llvm::verifyFunction(*function_, &stream))
    return internalError(0, "invalid IR (a Weft bug): " + stream.str().substr(0, 400));
  return Ok{};
}

}  // namespace weft
