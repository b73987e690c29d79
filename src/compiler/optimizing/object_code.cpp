// Reads LLVM's ELF object for one function: sections, relocations, the stack
// map and the DWARF 4 line table (object_code.h).
#include "compiler/optimizing/object_code.h"

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

namespace weft {
namespace {

// Bounds-checked little-endian reads over a byte span: a damaged or
// unexpected object is an error, never a read past its end.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  template <typename T>
  bool read(T& out) {
    if (bytes_.size() - at_ < sizeof(T) || at_ > bytes_.size()) return fail();
    std::memcpy(&out, bytes_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return true;
  }
  bool uleb(uint64_t& out) {
    out = 0;
    for (uint32_t shift = 0; shift < 64; shift += 7) {
      uint8_t byte;
      if (!read(byte)) return false;
      out |= uint64_t{byte & 0x7fu} << shift;
      if (!(byte & 0x80)) return true;
    }
    return fail();
  }
  bool sleb(int64_t& out) {
    uint64_t value = 0;
    uint32_t shift = 0;
    uint8_t byte;
    do {
      if (shift >= 64 || !read(byte)) return fail();
      value |= uint64_t{byte & 0x7fu} << shift;
      shift += 7;
    } while (byte & 0x80);
    if (shift < 64 && (byte & 0x40)) value |= ~uint64_t{0} << shift;
    out = static_cast<int64_t>(value);
    return true;
  }
  bool cstring() {
    while (true) {
      uint8_t c;
      if (!read(c)) return false;
      if (c == 0) return true;
    }
  }
  bool skip(uint64_t n) {
    if (n > bytes_.size() - at_) return fail();
    at_ += n;
    return true;
  }
  bool seek(uint64_t at) {
    if (at > bytes_.size()) return fail();
    at_ = at;
    return true;
  }
  uint64_t position() const { return at_; }
  bool atEnd() const { return at_ >= bytes_.size(); }
  bool failed() const { return failed_; }

 private:
  bool fail() {
    failed_ = true;
    return false;
  }
  std::span<const uint8_t> bytes_;
  uint64_t at_ = 0;
  bool failed_ = false;
};

struct Section {
  Elf64_Shdr header{};
  std::string name;
  std::optional<uint64_t> placedAt;  // offset in the blob, for placed sections
};

class ObjectLinker {
 public:
  ObjectLinker(std::span<const uint8_t> object, uint32_t errorOffset) : object_(object), errorOffset_(errorOffset) {}

  Result<ObjectCodeResult> link(const std::string& symbol) {
    if (!readSections()) return failure();
    if (!readSymbols()) return failure();
    const Elf64_Sym* function = findSymbol(symbol);
    if (!function || function->st_shndx == SHN_UNDEF || function->st_shndx >= sections_.size())
      return fail("the object has no function " + symbol);
    if (!place(function->st_shndx)) return failure();
    if (function->st_value != 0) return fail("the function does not start its text section");
    for (size_t i = 0; i < sections_.size(); ++i) {
      const Elf64_Shdr& rela = sections_[i].header;
      if (rela.sh_type != SHT_RELA || rela.sh_info >= sections_.size()) continue;
      Section& target = sections_[rela.sh_info];
      if (target.placedAt) {
        if (!relocatePlaced(rela, target)) return failure();
      }
    }
    ObjectCodeResult result;
    result.function.code = std::move(blob_);
    result.function.siteKind = SiteKind::Ranges;
    if (!readStackMap(result)) return failure();
    if (!readLineTable(result.function)) return failure();
    return result;
  }

 private:
  Error failure() const {
    Error error = makeError(ErrorKind::Unsupported, "optimizing tier: " + message_);
    error.offset = errorOffset_;
    return error;
  }
  Error fail(std::string message) {
    message_ = std::move(message);
    return failure();
  }
  bool error(std::string message) {
    message_ = std::move(message);
    return false;
  }

  std::span<const uint8_t> bytesOf(const Section& section) const {
    if (section.header.sh_type == SHT_NOBITS) return {};
    return object_.subspan(section.header.sh_offset, section.header.sh_size);
  }

  bool readSections() {
    Elf64_Ehdr header;
    if (object_.size() < sizeof header) return error("the object is truncated");
    std::memcpy(&header, object_.data(), sizeof header);
    if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64 ||
        header.e_ident[EI_DATA] != ELFDATA2LSB || header.e_type != ET_REL || header.e_machine != EM_X86_64 ||
        header.e_shentsize != sizeof(Elf64_Shdr))
      return error("the object is not an x86-64 ELF relocatable file");
    if (header.e_shoff > object_.size() || header.e_shnum > (object_.size() - header.e_shoff) / sizeof(Elf64_Shdr))
      return error("the object's section table is out of bounds");
    sections_.resize(header.e_shnum);
    for (size_t i = 0; i < sections_.size(); ++i) {
      std::memcpy(&sections_[i].header, object_.data() + header.e_shoff + i * sizeof(Elf64_Shdr), sizeof(Elf64_Shdr));
      const Elf64_Shdr& s = sections_[i].header;
      if (s.sh_type != SHT_NOBITS && (s.sh_offset > object_.size() || s.sh_size > object_.size() - s.sh_offset))
        return error("a section is out of bounds");
    }
    if (header.e_shstrndx >= sections_.size()) return error("no section names");
    std::span<const uint8_t> names = bytesOf(sections_[header.e_shstrndx]);
    for (Section& section : sections_) {
      if (section.header.sh_name >= names.size()) return error("a section name is out of bounds");
      const char* begin = reinterpret_cast<const char*>(names.data()) + section.header.sh_name;
      section.name.assign(begin, strnlen(begin, names.size() - section.header.sh_name));
    }
    return true;
  }

  bool readSymbols() {
    for (size_t i = 0; i < sections_.size(); ++i) {
      if (sections_[i].header.sh_type != SHT_SYMTAB) continue;
      if (symbols_.size()) return error("two symbol tables");
      std::span<const uint8_t> table = bytesOf(sections_[i]);
      symbols_.resize(table.size() / sizeof(Elf64_Sym));
      std::memcpy(symbols_.data(), table.data(), symbols_.size() * sizeof(Elf64_Sym));
      if (sections_[i].header.sh_link >= sections_.size()) return error("symbol names are missing");
      symbolNames_ = bytesOf(sections_[sections_[i].header.sh_link]);
    }
    return true;
  }

  std::string symbolName(const Elf64_Sym& symbol) const {
    if (symbol.st_name >= symbolNames_.size()) return "?";
    const char* begin = reinterpret_cast<const char*>(symbolNames_.data()) + symbol.st_name;
    return std::string(begin, strnlen(begin, symbolNames_.size() - symbol.st_name));
  }

  const Elf64_Sym* findSymbol(const std::string& name) const {
    for (const Elf64_Sym& symbol : symbols_)
      if (symbolName(symbol) == name) return &symbol;
    return nullptr;
  }

  // The function's text at 0, then every other allocated section the code
  // may refer to (constant pools, jump tables), each at its alignment.
  bool place(uint16_t textIndex) {
    auto append = [&](Section& section) {
      uint64_t align = std::max<uint64_t>(section.header.sh_addralign, 1);
      if (align > 4096 || (align & (align - 1))) return error("section " + section.name + " has an odd alignment");
      uint64_t at = (blob_.size() + align - 1) / align * align;
      std::span<const uint8_t> bytes = bytesOf(section);
      if (at + section.header.sh_size > (1u << 30)) return error("the function's code is too large");
      blob_.resize(at + section.header.sh_size, 0);
      if (!bytes.empty()) std::memcpy(blob_.data() + at, bytes.data(), bytes.size());
      section.placedAt = at;
      return true;
    };
    if (!append(sections_[textIndex])) return false;
    for (size_t i = 0; i < sections_.size(); ++i) {
      Section& section = sections_[i];
      if (i == textIndex || !(section.header.sh_flags & SHF_ALLOC) || section.header.sh_size == 0) continue;
      if (section.name == ".llvm_stackmaps" || section.name == ".eh_frame") continue;  // read, not placed
      if (section.header.sh_flags & SHF_WRITE)
        return error("the code needs writable data (" + section.name + "); code pages are never writable");
      if (section.header.sh_type != SHT_PROGBITS) return error("unexpected section " + section.name);
      if (!append(section)) return false;
    }
    return true;
  }

  // Where symbol {index} lands in the blob; error when it is not there.
  bool symbolAddress(uint32_t index, uint64_t& out) {
    if (index >= symbols_.size()) return error("a relocation names no symbol");
    const Elf64_Sym& symbol = symbols_[index];
    if (symbol.st_shndx == SHN_UNDEF)
      return error("the code calls " + symbolName(symbol) +
                   ", outside the function (LLVM lowered an operator to a library call)");
    if (symbol.st_shndx >= sections_.size() || !sections_[symbol.st_shndx].placedAt)
      return error("the code refers to a section that is not placed: " + symbolName(symbol));
    out = *sections_[symbol.st_shndx].placedAt + symbol.st_value;
    return true;
  }

  bool relocatePlaced(const Elf64_Shdr& relaHeader, const Section& target) {
    std::span<const uint8_t> entries = object_.subspan(relaHeader.sh_offset, relaHeader.sh_size);
    for (size_t at = 0; at + sizeof(Elf64_Rela) <= entries.size(); at += sizeof(Elf64_Rela)) {
      Elf64_Rela rela;
      std::memcpy(&rela, entries.data() + at, sizeof rela);
      uint32_t type = ELF64_R_TYPE(rela.r_info);
      if (rela.r_offset > target.header.sh_size || target.header.sh_size - rela.r_offset < 4)
        return error("a relocation is out of its section");
      uint64_t place = *target.placedAt + rela.r_offset;
      uint64_t address;
      if (!symbolAddress(ELF64_R_SYM(rela.r_info), address)) return false;
      if (type == R_X86_64_PC32 || type == R_X86_64_PLT32) {
        int64_t value = static_cast<int64_t>(address) + rela.r_addend - static_cast<int64_t>(place);
        if (value < INT32_MIN || value > INT32_MAX) return error("a PC-relative reference is out of range");
        auto value32 = static_cast<int32_t>(value);
        std::memcpy(blob_.data() + place, &value32, 4);
      } else {
        return error("the code needs relocation type " + std::to_string(type) +
                     " in " + target.name + "; only PC-relative references are position-independent");
      }
    }
    return true;
  }

  // A copy of a section that is read, not placed, with its 64-bit references
  // to placed code resolved to blob offsets.
  bool resolvedCopy(size_t index, std::vector<uint8_t>& out) {
    const Section& section = sections_[index];
    std::span<const uint8_t> bytes = bytesOf(section);
    out.assign(bytes.begin(), bytes.end());
    for (const Section& rela : sections_) {
      if (rela.header.sh_type != SHT_RELA || rela.header.sh_info != index) continue;
      std::span<const uint8_t> entries = bytesOf(rela);
      for (size_t at = 0; at + sizeof(Elf64_Rela) <= entries.size(); at += sizeof(Elf64_Rela)) {
        Elf64_Rela entry;
        std::memcpy(&entry, entries.data() + at, sizeof entry);
        uint32_t type = ELF64_R_TYPE(entry.r_info);
        uint32_t size = type == R_X86_64_64 ? 8 : type == R_X86_64_32 ? 4 : 0;
        if (size == 0 || entry.r_offset > out.size() || out.size() - entry.r_offset < size) continue;
        uint32_t symbolIndex = ELF64_R_SYM(entry.r_info);
        if (symbolIndex >= symbols_.size()) continue;
        const Elf64_Sym& symbol = symbols_[symbolIndex];
        if (symbol.st_shndx >= sections_.size() || !sections_[symbol.st_shndx].placedAt) continue;
        uint64_t value = *sections_[symbol.st_shndx].placedAt + symbol.st_value + entry.r_addend;
        std::memcpy(out.data() + entry.r_offset, &value, size);
      }
    }
    return true;
  }

  // The vmctx slot: the one stack-map record with our id, whose location is
  // the slot's address, rbp-relative (Direct, DWARF register 6).
  bool readStackMap(ObjectCodeResult& result) {
    for (const Section& section : sections_) {
      if (section.name != ".llvm_stackmaps") continue;
      Reader r(bytesOf(section));
      uint8_t version, reserved8;
      uint16_t reserved16;
      uint32_t functions, constants, records;
      if (!r.read(version) || !r.read(reserved8) || !r.read(reserved16) || version != 3)
        return error("unexpected stack map version");
      if (!r.read(functions) || !r.read(constants) || !r.read(records) || functions != 1)
        return error("unexpected stack map");
      uint64_t address, stackSize, recordCount;
      if (!r.read(address) || !r.read(stackSize) || !r.read(recordCount)) return error("truncated stack map");
      result.frameBytes = stackSize;
      if (!r.skip(8 * uint64_t{constants})) return error("truncated stack map");
      for (uint32_t i = 0; i < records; ++i) {
        uint64_t id;
        uint32_t offset;
        uint16_t flags, locations;
        if (!r.read(id) || !r.read(offset) || !r.read(flags) || !r.read(locations))
          return error("truncated stack map");
        for (uint16_t l = 0; l < locations; ++l) {
          uint8_t type, reserved;
          uint16_t size, reg, reserved2;
          int32_t value;
          if (!r.read(type) || !r.read(reserved) || !r.read(size) || !r.read(reg) || !r.read(reserved2) ||
              !r.read(value))
            return error("truncated stack map");
          if (id != kVmctxSlotStackMapId || l != 0) continue;
          if (type != 2 || reg != 6)
            return error("the vmctx slot is not addressed from the frame pointer");
          if (value >= 0 || value % 8 != 0) return error("the vmctx slot is not below the frame pointer");
          result.function.vmctxSlot = value;
        }
        if (r.position() % 8 && !r.skip(8 - r.position() % 8)) return error("truncated stack map");
        uint16_t padding, liveOuts;
        if (!r.read(padding) || !r.read(liveOuts) || !r.skip(4 * uint64_t{liveOuts})) return error("truncated stack map");
        if (r.position() % 8 && !r.skip(8 - r.position() % 8)) return error("truncated stack map");
      }
      if (result.function.vmctxSlot == CompiledFunction{}.vmctxSlot && records == 0)
        return error("no stack map record of the vmctx slot");
      return true;
    }
    return error("the object has no stack map (the vmctx slot is unknown)");
  }

  // Rows of the DWARF 4 line program: (address, line) where a line is a
  // bytecode offset + 1 and 0 means none. Kept as sites where the line changes.
  bool readLineTable(CompiledFunction& function) {
    size_t index = sections_.size();
    for (size_t i = 0; i < sections_.size(); ++i)
      if (sections_[i].name == ".debug_line") index = i;
    if (index == sections_.size()) return error("the object has no line table");
    std::vector<uint8_t> bytes;
    resolvedCopy(index, bytes);
    Reader r(bytes);
    std::vector<CodeSite> rows;
    while (!r.atEnd()) {
      uint32_t unitLength;
      if (!r.read(unitLength) || unitLength >= 0xfffffff0u) return error("unexpected line table");
      uint64_t unitEnd = r.position() + unitLength;
      uint16_t version;
      uint32_t headerLength;
      if (!r.read(version) || version != 4 || !r.read(headerLength)) return error("unexpected line table version");
      uint64_t programStart = r.position() + headerLength;
      uint8_t minInstruction, maxOps, defaultIsStmt, lineRange, opcodeBase;
      int8_t lineBase;
      if (!r.read(minInstruction) || !r.read(maxOps) || !r.read(defaultIsStmt) || !r.read(lineBase) ||
          !r.read(lineRange) || !r.read(opcodeBase) || lineRange == 0 || opcodeBase == 0)
        return error("unexpected line table header");
      std::vector<uint8_t> standardLengths(opcodeBase - 1);
      for (uint8_t& length : standardLengths)
        if (!r.read(length)) return error("truncated line table");
      if (!r.seek(programStart)) return error("truncated line table");
      uint64_t address = 0;
      int64_t line = 1;
      // Line 0 marks code LLVM moved away from its operator (a load hoisted or
      // sunk into another block): it keeps the offset of the row before it,
      // the nearest operator, rather than none (a fault there is still the
      // guest's; trap_handler.cpp tells faults in its memory from others).
      auto emit = [&] {
        if (line <= 0 && !rows.empty()) return;
        uint32_t offset = line <= 0 || line > UINT32_MAX ? kNoBytecodeOffset : static_cast<uint32_t>(line - 1);
        if (address < function.code.size()) rows.push_back({static_cast<uint32_t>(address), offset});
      };
      while (r.position() < unitEnd) {
        uint8_t opcode;
        if (!r.read(opcode)) return error("truncated line table");
        if (opcode >= opcodeBase) {
          uint32_t adjusted = opcode - opcodeBase;
          address += (adjusted / lineRange) * minInstruction;
          line += lineBase + static_cast<int32_t>(adjusted % lineRange);
          emit();
          continue;
        }
        uint64_t u;
        int64_t s;
        switch (opcode) {
          case 0: {
            uint64_t length;
            uint8_t sub;
            if (!r.uleb(length) || length == 0) return error("truncated line table");
            uint64_t end = r.position() + length;
            if (!r.read(sub)) return error("truncated line table");
            if (sub == 1) {  // end_sequence
              address = 0;
              line = 1;
            } else if (sub == 2) {  // set_address
              if (!r.read(address)) return error("truncated line table");
            }
            if (!r.seek(end)) return error("truncated line table");
            break;
          }
          case 1: emit(); break;                                    // copy
          case 2: if (!r.uleb(u)) return false; address += u * minInstruction; break;
          case 3: if (!r.sleb(s)) return false; line += s; break;
          case 8: address += ((255u - opcodeBase) / lineRange) * minInstruction; break;
          case 9: { uint16_t delta; if (!r.read(delta)) return false; address += delta; break; }
          default:
            for (uint8_t n = 0; n < standardLengths[opcode - 1]; ++n)
              if (!r.uleb(u)) return error("truncated line table");
        }
      }
      if (!r.seek(unitEnd)) return error("truncated line table");
    }
    if (r.failed()) return error("truncated line table");
    std::stable_sort(rows.begin(), rows.end(),
                     [](const CodeSite& a, const CodeSite& b) { return a.codeOffset < b.codeOffset; });
    // The last row at an address is the one that holds; a row that repeats
    // its predecessor's offset adds nothing.
    for (size_t i = 0; i < rows.size(); ++i) {
      if (i + 1 < rows.size() && rows[i + 1].codeOffset == rows[i].codeOffset) continue;
      if (!function.sites.empty() && function.sites.back().bytecodeOffset == rows[i].bytecodeOffset) continue;
      function.sites.push_back(rows[i]);
    }
    return true;
  }

  std::span<const uint8_t> object_;
  uint32_t errorOffset_;
  std::vector<Section> sections_;
  std::vector<Elf64_Sym> symbols_;
  std::span<const uint8_t> symbolNames_;
  std::vector<uint8_t> blob_;
  std::string message_;
};

}  // namespace

Result<ObjectCodeResult> linkObjectCode(std::span<const uint8_t> object, const std::string& symbol,
                                        uint32_t errorOffset) {
  return ObjectLinker(object, errorOffset).link(symbol);
}

}  // namespace weft
