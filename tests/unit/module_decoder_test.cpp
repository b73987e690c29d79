#include "format/module_decoder.h"

#include <gtest/gtest.h>

#include "module_builder.h"

namespace weft {
namespace {

using namespace weft::test;

TEST(ModuleDecoder, DecodesAMinimalModule) {
  Bytes bytes = singleFunctionModule(funcType({}, {I32}), {0x41, 0x07, 0x0b});
  Result<ModuleInfo> module = decodeModule(bytes);
  ASSERT_TRUE(module.ok()) << module.error().describe();
  ASSERT_EQ(module->functions.size(), 1u);
  EXPECT_EQ(module->functions[0].typeIndex, 0u);
  EXPECT_FALSE(module->functions[0].imported);
  EXPECT_EQ(module->functions[0].body.size, 4u);  // locals count + 3 code bytes
  ASSERT_EQ(module->types.size(), 1u);
  EXPECT_EQ(module->types[0].results, std::vector<ValType>{ValType::I32});
}

TEST(ModuleDecoder, ReportsBadHeadersWithOffsets) {
  Bytes wrongMagic = {0x00, 0x61, 0x73, 0x6e, 0x01, 0x00, 0x00, 0x00};
  Result<ModuleInfo> a = decodeModule(wrongMagic);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(a.error().message, "magic header not detected");
  EXPECT_EQ(a.error().offset, 0u);

  Bytes wrongVersion = {0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00};
  Result<ModuleInfo> b = decodeModule(wrongVersion);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().message, "unknown binary version");
  EXPECT_EQ(b.error().offset, 4u);
}

TEST(ModuleDecoder, RejectsSectionsOutOfOrderAndSizeMismatches) {
  Bytes outOfOrder = cat({header(), section(3, vec({})), section(1, vec({}))});
  Result<ModuleInfo> a = decodeModule(outOfOrder);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().offset, 11u);  // the second section's id byte
  EXPECT_NE(a.error().message.find("out of order"), std::string::npos);

  // A type section whose declared size leaves a byte unread.
  Bytes oversized = cat({header(), Bytes{0x01, 0x02, 0x00, 0x00}});
  Result<ModuleInfo> b = decodeModule(oversized);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().message, "section size mismatch");
  EXPECT_EQ(b.error().section, std::optional<uint8_t>(1));

  Bytes beyondEnd = cat({header(), Bytes{0x01, 0x10, 0x00}});
  Result<ModuleInfo> c = decodeModule(beyondEnd);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "section size out of bounds");
}

TEST(ModuleDecoder, FunctionAndCodeCountsMustAgree) {
  Bytes bytes = cat({header(), section(1, vec({funcType({}, {})})), section(3, vec({u32(0), u32(0)})),
                     section(10, vec({body(u32(0), {0x0b})}))});
  Result<ModuleInfo> module = decodeModule(bytes);
  ASSERT_FALSE(module.ok());
  EXPECT_EQ(module.error().message, "function and code section have inconsistent lengths");
}

TEST(ModuleDecoder, LaterProposalsAreUnsupportedNotMalformed) {
  // memory64: limits flag 0x04
  Bytes memory64 = cat({header(), section(5, vec({Bytes{0x04, 0x01}}))});
  Result<ModuleInfo> a = decodeModule(memory64);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().kind, ErrorKind::Unsupported);
  EXPECT_EQ(a.error().message, "unsupported feature: memory64");

  // exception handling: the tag section
  Bytes tags = cat({header(), section(13, vec({}))});
  Result<ModuleInfo> b = decodeModule(tags);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().kind, ErrorKind::Unsupported);

  // GC: a struct type
  Bytes gc = cat({header(), section(1, vec({Bytes{0x5f, 0x00}}))});
  Result<ModuleInfo> c = decodeModule(gc);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, ErrorKind::Unsupported);
}

TEST(ModuleDecoder, SharedMemoriesNeedAMaximum) {
  Bytes sharedWithMax = cat({header(), section(5, vec({Bytes{0x03, 0x01, 0x02}}))});
  Result<ModuleInfo> a = decodeModule(sharedWithMax);
  ASSERT_TRUE(a.ok()) << a.error().describe();
  EXPECT_TRUE(a->memories[0].type.limits.shared);
  EXPECT_EQ(a->memories[0].type.limits.max, std::optional<uint64_t>(2));

  Bytes sharedNoMax = cat({header(), section(5, vec({Bytes{0x02, 0x01}}))});
  Result<ModuleInfo> b = decodeModule(sharedNoMax);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().kind, ErrorKind::Invalid);
  EXPECT_EQ(b.error().message, "shared memory must have maximum");
}

TEST(ModuleDecoder, ExportNamesMustBeUnique) {
  Bytes exportEntry = cat({u32(1), Bytes{'f'}, Bytes{0x00}, u32(0)});
  Bytes bytes = cat({header(), section(1, vec({funcType({}, {})})), section(3, vec({u32(0)})),
                     section(7, vec({exportEntry, exportEntry})), section(10, vec({body(u32(0), {0x0b})}))});
  Result<ModuleInfo> module = decodeModule(bytes);
  ASSERT_FALSE(module.ok());
  EXPECT_EQ(module.error().kind, ErrorKind::Invalid);
  EXPECT_EQ(module.error().message, "duplicate export name \"f\"");
}

TEST(ModuleDecoder, DecodesTheNameSection) {
  Bytes moduleName = cat({Bytes{0x00}, u32(4), u32(3), Bytes{'a', 'b', 'c'}});
  Bytes functionNames = cat({Bytes{0x01}, u32(6), vec({cat({u32(0), u32(3), Bytes{'f', 'o', 'o'}})})});
  Bytes localNames = cat({Bytes{0x02}, u32(6), vec({cat({u32(0), vec({cat({u32(0), u32(1), Bytes{'x'}})})})})});
  Bytes payload = cat({u32(4), Bytes{'n', 'a', 'm', 'e'}, moduleName, functionNames, localNames});
  Bytes bytes = cat({singleFunctionModule(funcType({I32}, {}), {0x0b}), section(0, payload)});
  Result<ModuleInfo> module = decodeModule(bytes);
  ASSERT_TRUE(module.ok()) << module.error().describe();
  EXPECT_EQ(module->names.moduleName, std::optional<std::string>("abc"));
  ASSERT_NE(module->functionName(0), nullptr);
  EXPECT_EQ(*module->functionName(0), "foo");
  EXPECT_EQ(module->functionName(1), nullptr);
  ASSERT_EQ(module->names.localNames.size(), 1u);
  EXPECT_EQ(module->names.localNames[0].locals[0].name, "x");
}

TEST(ModuleDecoder, MalformedNameSectionIsIgnored) {
  Bytes payload = cat({u32(4), Bytes{'n', 'a', 'm', 'e'}, Bytes{0x01, 0x7f, 0x01}});
  Bytes bytes = cat({singleFunctionModule(funcType({}, {}), {0x0b}), section(0, payload)});
  Result<ModuleInfo> module = decodeModule(bytes);
  ASSERT_TRUE(module.ok()) << module.error().describe();
  EXPECT_TRUE(module->names.functionNames.empty());
}

TEST(ModuleDecoder, DecodesEveryElementSegmentEncoding) {
  Bytes table = section(4, vec({Bytes{FUNCREF, 0x00, 0x04}}));
  Bytes offset = {0x41, 0x00, 0x0b};            // i32.const 0
  Bytes refFunc = {0xd2, 0x00, 0x0b};           // ref.func 0
  Bytes refNull = {0xd0, FUNCREF, 0x0b};        // ref.null func
  Bytes segments = vec({
      cat({u32(0), offset, vec({u32(0)})}),                          // active, table 0, funcidx
      cat({u32(1), Bytes{0x00}, vec({u32(0)})}),                     // passive, funcidx
      cat({u32(2), u32(0), offset, Bytes{0x00}, vec({u32(0)})}),     // active, explicit table
      cat({u32(3), Bytes{0x00}, vec({u32(0)})}),                     // declarative, funcidx
      cat({u32(4), offset, vec({refFunc, refNull})}),                // active, expressions
      cat({u32(5), Bytes{FUNCREF}, vec({refNull})}),                 // passive, expressions
      cat({u32(6), u32(0), offset, Bytes{FUNCREF}, vec({refFunc})}),  // active, explicit, expressions
      cat({u32(7), Bytes{FUNCREF}, vec({refFunc})}),                 // declarative, expressions
  });
  Bytes bytes = cat({header(), section(1, vec({funcType({}, {})})), section(3, vec({u32(0)})), table,
                     section(9, segments), section(10, vec({body(u32(0), {0x0b})}))});
  Result<ModuleInfo> module = decodeModule(bytes);
  ASSERT_TRUE(module.ok()) << module.error().describe();
  ASSERT_EQ(module->elements.size(), 8u);
  EXPECT_EQ(module->elements[1].mode, SegmentMode::Passive);
  EXPECT_EQ(module->elements[3].mode, SegmentMode::Declarative);
  EXPECT_EQ(module->elements[4].items[1].kind, ConstExpr::Kind::RefNull);
  EXPECT_EQ(module->elements[6].mode, SegmentMode::Active);
  EXPECT_TRUE(module->declaredFunctionRefs[0]);
}

TEST(ModuleDecoder, ConstantExpressionsMayOnlyReadImportedImmutableGlobals) {
  Bytes definedGlobal = cat({Bytes{I32, 0x00}, Bytes{0x41, 0x01, 0x0b}});
  Bytes readsDefined = cat({Bytes{I32, 0x00}, Bytes{0x23, 0x00, 0x0b}});
  Bytes bytes = cat({header(), section(6, vec({definedGlobal, readsDefined}))});
  Result<ModuleInfo> module = decodeModule(bytes);
  ASSERT_FALSE(module.ok());
  EXPECT_EQ(module.error().message, "unknown global 0");

  Bytes nonConstant = cat({Bytes{I32, 0x00}, Bytes{0x41, 0x01, 0x41, 0x02, 0x6a, 0x0b}});
  Result<ModuleInfo> sum = decodeModule(cat({header(), section(6, vec({nonConstant}))}));
  ASSERT_FALSE(sum.ok());
  EXPECT_EQ(sum.error().message, "constant expression required");
}

TEST(ModuleDecoder, HugeCountsFailWithoutAllocating) {
  // 2^32-1 types declared in a 5-byte section: rejected before reserving memory.
  Bytes bytes = cat({header(), section(1, Bytes{0xff, 0xff, 0xff, 0xff, 0x0f})});
  Result<ModuleInfo> module = decodeModule(bytes);
  ASSERT_FALSE(module.ok());
  EXPECT_EQ(module.error().kind, ErrorKind::LimitExceeded);
}

}  // namespace
}  // namespace weft
