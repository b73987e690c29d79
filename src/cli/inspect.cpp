// `weft inspect`: what a module contains, for people.
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "format/module_decoder.h"

namespace weft::cli {
namespace {

const char* sectionName(uint8_t id) {
  static const char* const kNames[] = {"custom", "type",   "import", "function", "table", "memory", "global",
                                       "export", "start",  "element", "code",    "data",  "data count"};
  return id < sizeof kNames / sizeof kNames[0] ? kNames[id] : "unknown";
}

std::string signature(const FuncType& type) {
  std::string text = "(";
  for (size_t i = 0; i < type.params.size(); ++i) text += (i ? " " : "") + std::string(valTypeName(type.params[i]));
  text += ") -> (";
  for (size_t i = 0; i < type.results.size(); ++i)
    text += (i ? " " : "") + std::string(valTypeName(type.results[i]));
  return text + ")";
}

std::string limitsText(const Limits& limits) {
  std::string text = std::to_string(limits.min);
  if (limits.max) text += ".." + std::to_string(*limits.max);
  if (limits.shared) text += " shared";
  return text;
}

std::string describeExtern(const ModuleInfo& module, ExternKind kind, uint32_t index) {
  switch (kind) {
    case ExternKind::Func: return "func " + std::to_string(index) + " " + signature(module.functionType(index));
    case ExternKind::Table: {
      const TableType& t = module.tables[index].type;
      return "table " + std::to_string(index) + " " + valTypeName(t.element) + " " + limitsText(t.limits);
    }
    case ExternKind::Memory:
      return "memory " + std::to_string(index) + " pages " + limitsText(module.memories[index].type.limits);
    case ExternKind::Global: {
      const GlobalType& g = module.globals[index].type;
      return "global " + std::to_string(index) + " " + (g.mutable_ ? "mut " : "") + valTypeName(g.type);
    }
  }
  return "?";
}

}  // namespace

int inspectCommand(const std::vector<std::string>& args) {
  bool all = false;
  std::string path;
  for (const std::string& arg : args) {
    if (arg == "--all") {
      all = true;
    } else {
      path = arg;
    }
  }
  if (path.empty()) {
    std::fputs("usage: weft inspect [--all] FILE.wasm\n", stderr);
    return 2;
  }
  auto bytes = readFile(path);
  if (!bytes) return 2;
  Result<ModuleInfo> decoded = decodeModule(*bytes);
  if (!decoded) {
    std::printf("%s:0x%llx: %s: %s\n", path.c_str(), static_cast<unsigned long long>(decoded.error().offset),
                errorKindName(decoded.error().kind), decoded.error().message.c_str());
    return 1;
  }
  const ModuleInfo& m = decoded.value();
  std::printf("%s: %zu bytes", path.c_str(), bytes->size());
  if (m.names.moduleName) std::printf(", module name \"%s\"", m.names.moduleName->c_str());
  std::printf("\n\nsections:\n");
  for (const SectionInfo& s : m.sections) {
    std::printf("  %-10s offset 0x%08x size %10u", sectionName(s.id), s.range.offset, s.range.size);
    if (s.id == 0) std::printf("  \"%s\"", s.name.c_str());
    std::printf("\n");
  }
  std::printf("\ncounts: %zu types, %zu imports, %zu functions (%u imported), %zu tables, %zu memories, "
              "%zu globals, %zu exports, %zu element segments, %zu data segments\n",
              m.types.size(), m.imports.size(), m.functions.size(), m.numImportedFunctions, m.tables.size(),
              m.memories.size(), m.globals.size(), m.exports.size(), m.elements.size(), m.data.size());
  if (m.startFunction) std::printf("start function: %u\n", *m.startFunction);

  const size_t cap = all ? SIZE_MAX : 200;
  auto printCapped = [&](const char* title, size_t total, auto&& printOne) {
    if (total == 0) return;
    std::printf("\n%s:\n", title);
    for (size_t i = 0; i < total && i < cap; ++i) printOne(i);
    if (total > cap) std::printf("  ... %zu more (use --all)\n", total - cap);
  };
  printCapped("imports", m.imports.size(), [&](size_t i) {
    const Import& imp = m.imports[i];
    std::printf("  \"%s\" \"%s\": %s\n", imp.module.c_str(), imp.name.c_str(),
                describeExtern(m, imp.kind, imp.index).c_str());
  });
  printCapped("exports", m.exports.size(), [&](size_t i) {
    const Export& exp = m.exports[i];
    std::printf("  \"%s\": %s\n", exp.name.c_str(), describeExtern(m, exp.kind, exp.index).c_str());
  });
  size_t defined = m.functions.size() - m.numImportedFunctions;
  printCapped("functions (index, body size, signature, name)", defined, [&](size_t i) {
    uint32_t index = static_cast<uint32_t>(m.numImportedFunctions + i);
    const std::string* name = m.functionName(index);
    std::printf("  %6u %8u bytes  %s%s%s\n", index, m.functions[index].body.size,
                signature(m.functionType(index)).c_str(), name ? "  " : "", name ? name->c_str() : "");
  });
  return 0;
}

}  // namespace weft::cli
