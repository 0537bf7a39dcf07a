#include "cadre/id.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "cadre/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cadre {
namespace {

using ::testing::HasSubstr;

// The rule and value of a refused id, checked in one place.
void ExpectRefused(std::string_view id, std::string_view rule_part) {
  SCOPED_TRACE(QuoteJson(id));
  absl::Status status = ValidateId(id, "events[3].customer");
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("events[3].customer: "));
  EXPECT_THAT(std::string(status.message()), HasSubstr(rule_part));
  std::optional<FieldErrorDetails> details = GetFieldErrorDetails(status);
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->path, "events[3].customer");
  EXPECT_THAT(details->rule, HasSubstr(rule_part));
  EXPECT_EQ(details->value, QuoteJson(id));
}

TEST(ValidateIdTest, AcceptsOrdinaryIds) {
  EXPECT_TRUE(ValidateId("C-00042", "id").ok());
  EXPECT_TRUE(ValidateId("order 17/line 3", "id").ok());         // spaces and punctuation are fine
  EXPECT_TRUE(ValidateId("客户-001", "id").ok());                // CJK, 3-byte sequences
  EXPECT_TRUE(ValidateId("store-\xF0\x9F\x8F\xAA", "id").ok());  // U+1F3EA, 4 bytes
  EXPECT_TRUE(ValidateId("\xC2\xA0nbsp", "id").ok());            // U+00A0 is not a control character
  EXPECT_TRUE(ValidateId("\xEF\xBF\xBD", "id").ok());            // U+FFFD itself is valid
  EXPECT_TRUE(ValidateId("\xF4\x8F\xBF\xBF", "id").ok());        // U+10FFFF, the last code point
  EXPECT_TRUE(ValidateId("\xED\x9F\xBF", "id").ok());            // U+D7FF, just below the surrogates
}

TEST(ValidateIdTest, LengthLimitIsInBytes) {
  EXPECT_TRUE(ValidateId(std::string(kMaxIdLength, 'a'), "id").ok());
  ExpectRefused(std::string(kMaxIdLength + 1, 'a'), "at most 128 bytes, this one has 129");
  std::string cjk;
  for (int i = 0; i < 43; ++i) cjk += "客";  // 43 characters, 129 bytes
  ExpectRefused(cjk, "at most 128 bytes");
  EXPECT_TRUE(ValidateId(cjk.substr(3), "id").ok());  // 42 characters, 126 bytes
}

TEST(ValidateIdTest, EmptyIdNamesPathAndValue) {
  absl::Status status = ValidateId("", "events[3].customer");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "events[3].customer: id must not be empty, got \"\"");
}

TEST(ValidateIdTest, RefusesInvalidUtf8) {
  ExpectRefused("\x80", "valid UTF-8 (bad byte 0x80 at offset 0)");          // lone continuation byte
  ExpectRefused("ab\xE5\xAE", "valid UTF-8 (bad byte 0xE5 at offset 2)");    // truncated 3-byte sequence
  ExpectRefused("a\xC0\xAF", "valid UTF-8 (bad byte 0xC0 at offset 1)");     // overlong '/'
  ExpectRefused("\xC1\xBF", "valid UTF-8");                                  // overlong 2-byte
  ExpectRefused("\xE0\x80\xAF", "valid UTF-8");                              // overlong 3-byte
  ExpectRefused("\xF0\x80\x80\xAF", "valid UTF-8");                          // overlong 4-byte
  ExpectRefused("\xED\xA0\x80", "valid UTF-8 (bad byte 0xED at offset 0)");  // U+D800, a surrogate
  ExpectRefused("\xED\xBF\xBF", "valid UTF-8");                              // U+DFFF, a surrogate
  ExpectRefused("\xF4\x90\x80\x80", "valid UTF-8");                          // above U+10FFFF
  ExpectRefused("\xF5\x80\x80\x80", "valid UTF-8");                          // F5 never appears
  ExpectRefused("\xFF", "valid UTF-8");
  ExpectRefused("\xE5\x41\x41", "valid UTF-8");  // lead byte followed by ASCII
}

TEST(ValidateIdTest, RefusesControlCharacters) {
  ExpectRefused("a\tb", "control characters (U+0009 at offset 1)");
  ExpectRefused(std::string_view("a\0b", 3), "control characters (U+0000 at offset 1)");
  ExpectRefused("line\n", "control characters (U+000A at offset 4)");
  ExpectRefused("\x1F", "control characters (U+001F at offset 0)");
  ExpectRefused("del\x7F", "control characters (U+007F at offset 3)");
  ExpectRefused("\xC2\x80", "control characters (U+0080 at offset 0)");   // first C1
  ExpectRefused("x\xC2\x85", "control characters (U+0085 at offset 1)");  // NEL
  ExpectRefused("\xC2\x9F", "control characters (U+009F at offset 0)");   // last C1
}

TEST(ValidateIdTest, ValueInMessageIsValidJsonEvenForBadBytes) {
  absl::Status status = ValidateId("ab\xFF", "id");
  EXPECT_EQ(status.message(), "id: id must be valid UTF-8 (bad byte 0xFF at offset 2), got \"ab\xEF\xBF\xBD\"");
}

TEST(QuoteJsonTest, EscapesAndReplaces) {
  EXPECT_EQ(QuoteJson(""), "\"\"");
  EXPECT_EQ(QuoteJson("C-1"), "\"C-1\"");
  EXPECT_EQ(QuoteJson("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
  EXPECT_EQ(QuoteJson("a\tb\nc\rd"), "\"a\\tb\\nc\\rd\"");
  EXPECT_EQ(QuoteJson(std::string_view("\0\x1F\x7F", 3)), "\"\\u0000\\u001f\\u007f\"");
  EXPECT_EQ(QuoteJson("\xC2\x85"), "\"\\u0085\"");
  EXPECT_EQ(QuoteJson("客户"), "\"客户\"");
  // Each bad byte becomes one U+FFFD; the good text around it is kept.
  EXPECT_EQ(QuoteJson("a\xC0\xAF"
                      "b"),
            "\"a\xEF\xBF\xBD\xEF\xBF\xBD"
            "b\"");
}

TEST(InternerTest, AssignsDenseKeysInOrderOfFirstSight) {
  Interner interner;
  EXPECT_EQ(interner.size(), 0u);
  EXPECT_EQ(interner.Intern("C-2"), 0u);
  EXPECT_EQ(interner.Intern("C-1"), 1u);
  EXPECT_EQ(interner.Intern("C-2"), 0u);
  EXPECT_EQ(interner.Intern(""), 2u);
  EXPECT_EQ(interner.size(), 3u);
  EXPECT_EQ(interner.Name(0), "C-2");
  EXPECT_EQ(interner.Name(1), "C-1");
  EXPECT_EQ(interner.Name(2), "");
}

TEST(InternerTest, FindDoesNotAssign) {
  Interner interner;
  EXPECT_EQ(interner.Find("x"), std::nullopt);
  EXPECT_EQ(interner.size(), 0u);
  interner.Intern("x");
  EXPECT_EQ(interner.Find("x"), 0u);
  EXPECT_EQ(interner.Find("y"), std::nullopt);
}

TEST(InternerTest, NamesStayValidAsTheInternerGrows) {
  Interner interner;
  std::string first_text = "customer-0";
  interner.Intern(first_text);
  first_text = "changed";  // the interner keeps its own copy
  std::string_view first = interner.Name(0);
  for (int i = 1; i < 10000; ++i) interner.Intern("customer-" + std::to_string(i));
  EXPECT_EQ(first, "customer-0");
  EXPECT_EQ(first.data(), interner.Name(0).data());
  EXPECT_EQ(interner.Find("customer-9999"), 9999u);
  EXPECT_EQ(interner.Find("customer-0"), 0u);
  EXPECT_EQ(interner.Name(5000), "customer-5000");
}

// Names fill 64 KiB blocks; one that does not fit the rest of a block starts a
// new one, and a long text gets a block of its own. Every name must come back
// byte for byte, with its key, whichever way it was stored.
TEST(InternerTest, KeepsNamesAcrossBlocksAndLongTexts) {
  Interner interner;
  std::vector<std::string> names;
  for (int i = 0; i < 40000; ++i) {
    std::string name = "id-" + std::to_string(i);
    if (i % 997 == 0) name.append(static_cast<std::size_t>(i % 5000) * 7 + 100, static_cast<char>('a' + i % 26));
    if (i % 4999 == 0) name.append(std::size_t{70000}, 'z');  // longer than a block
    if (i == 12345) name.push_back('\0');                     // any bytes, not C strings
    names.push_back(std::move(name));
  }
  std::vector<std::string_view> views;
  for (std::size_t i = 0; i < names.size(); ++i) {
    ASSERT_EQ(interner.Intern(names[i]), i);
    views.push_back(interner.Name(static_cast<uint32_t>(i)));
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(interner.Intern(names[i]), i) << i;
    EXPECT_EQ(interner.Find(names[i]), i) << i;
    EXPECT_EQ(interner.Name(static_cast<uint32_t>(i)), names[i]) << i;
    EXPECT_EQ(views[i].data(), interner.Name(static_cast<uint32_t>(i)).data()) << i;
  }
  EXPECT_EQ(interner.size(), names.size());
  EXPECT_EQ(interner.Find("id-12345"), std::nullopt);  // a prefix of a name is not the name
  EXPECT_EQ(interner.Find(names[1].substr(0, 3)), std::nullopt);
  EXPECT_GE(interner.MemoryBytes(), std::size_t{70000} * 9);
}

// A name's length is kept before its bytes in one byte below 128, two below
// 16,384, three beyond (the long texts with a block of their own).
TEST(InternerTest, KeepsNamesOfEveryLengthPrefixSize) {
  Interner interner;
  std::vector<std::string> names;
  for (std::size_t n : {0, 1, 126, 127, 128, 129, 255, 256, 16383, 16384, 16385, 65535, 65536, 65537, 200000}) {
    names.push_back(std::string(n, static_cast<char>('a' + n % 26)));
    names.push_back(std::string(n, '\x80') + "!");  // bytes with the high bit, as in UTF-8
  }
  for (std::size_t i = 0; i < names.size(); ++i) ASSERT_EQ(interner.Intern(names[i]), i) << names[i].size();
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(interner.Name(static_cast<uint32_t>(i)), names[i]) << names[i].size();
    EXPECT_EQ(interner.Find(names[i]), i) << names[i].size();
  }
}

}  // namespace
}  // namespace cadre
