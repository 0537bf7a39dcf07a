#include <map>
#include <optional>
#include <string>
#include <vector>

#include "boost/describe.hpp"
#include "cadre/json.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cadre {
namespace {

using ::testing::HasSubstr;

enum class Colour { kRed, kDeepBlue };
BOOST_DESCRIBE_ENUM(Colour, kRed, kDeepBlue)

struct Inner {
  int32_t n = 0;
  absl::Status Validate(json::Path& path) const {
    if (n == 13) {
      json::PathScope scope(path, "n");
      return FieldError(path.str(), "must not be 13", "13");
    }
    return absl::OkStatus();
  }
};
BOOST_DESCRIBE_STRUCT(Inner, (), (n))

struct Outer {
  static constexpr std::string_view kRequired[] = {"name"};
  std::string name;
  Colour colour = Colour::kRed;
  std::optional<int64_t> count;
  std::vector<Inner> items;
  std::map<std::string, std::string> tags;
  bool flag = false;
  uint8_t small = 0;
};
BOOST_DESCRIBE_STRUCT(Outer, (), (name, colour, count, items, tags, flag, small))

std::string PathOf(const absl::Status& s) {
  auto d = GetFieldErrorDetails(s);
  return d ? d->path : "<no path>";
}

TEST(JsonTest, RoundTripsAndOmitsEmpty) {
  Outer o;
  o.name = "x";
  o.colour = Colour::kDeepBlue;
  EXPECT_EQ(json::ToText(o), R"({"name":"x","colour":"deep_blue","flag":false,"small":0})");
  o.count = 5;
  o.items = {Inner{1}, Inner{2}};
  o.tags = {{"a", "b"}};
  std::string text = json::ToText(o);
  absl::StatusOr<Outer> back = json::FromText<Outer>(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(json::ToText(*back), text);
}

TEST(JsonTest, NestedPaths) {
  absl::Status s = json::FromText<Outer>(R"({"name":"x","items":[{"n":1},{"n":"two"}]})", "root").status();
  EXPECT_EQ(s.message(), R"(root.items[1].n: expected integer, got "two")");
  s = json::FromText<Outer>(R"({"name":"x","items":[{"n":1},{"n":13}]})").status();
  EXPECT_EQ(PathOf(s), "items[1].n");
  EXPECT_THAT(s.message(), HasSubstr("must not be 13"));
}

TEST(JsonTest, IntegerRanges) {
  EXPECT_EQ(PathOf(json::FromText<Outer>(R"({"name":"x","small":256})").status()), "small");
  EXPECT_EQ(PathOf(json::FromText<Outer>(R"({"name":"x","small":-1})").status()), "small");
  EXPECT_TRUE(json::FromText<Outer>(R"({"name":"x","small":255})").ok());
  EXPECT_TRUE(json::FromText<Outer>(R"({"name":"x","count":12.0})").ok());
  EXPECT_EQ(PathOf(json::FromText<Outer>(R"({"name":"x","count":1e300})").status()), "count");
  EXPECT_EQ(PathOf(json::FromText<Outer>(R"({"name":"x","count":18446744073709551615})").status()), "count");
  EXPECT_EQ(PathOf(json::FromText<Outer>(R"({"name":"x","count":true})").status()), "count");
}

TEST(JsonTest, NullClearsOptionalButNotRequired) {
  absl::StatusOr<Outer> o = json::FromText<Outer>(R"({"name":"x","count":null})");
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->count.has_value());
  EXPECT_EQ(PathOf(json::FromText<Outer>(R"({"name":null})").status()), "name");
  EXPECT_EQ(json::FromText<Outer>(R"({})").status().message(), "name: required field is missing");
}

TEST(JsonTest, SyntaxErrorsGiveLineAndColumn) {
  absl::Status s = json::FromText<Outer>("{\"name\":\"x\",\n  \"flag\": tru }", "doc").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("doc: invalid JSON at line 2"));
  EXPECT_THAT(json::FromText<Outer>(R"({"name":"x"} trailing)").status().message(), HasSubstr("invalid JSON"));
  EXPECT_THAT(json::FromText<Outer>("").status().message(), HasSubstr("invalid JSON"));
}

TEST(JsonTest, DuplicateKeysRefused) {
  absl::Status s = json::FromText<Outer>(R"({"name":"x","tags":{"a":"1","a":"2"}})").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr(R"(duplicate key "a")"));
  EXPECT_TRUE(json::FromText<Outer>(R"({"name":"x","items":[{"n":1},{"n":1}]})").ok())
      << "equal keys in different objects are fine";
}

TEST(JsonTest, LongValuesShortenedInMessageOnly) {
  std::string big(500, 'z');
  absl::Status s = json::FromText<Outer>(R"({"name":"x","count":")" + big + R"("})").status();
  EXPECT_LT(s.message().size(), 200u);
  EXPECT_EQ(GetFieldErrorDetails(s)->value.size(), big.size() + 2);
}

TEST(JsonTest, EnumWireNames) {
  EXPECT_EQ(json::EnumWireName("kStoreMeeting"), "store_meeting");
  EXPECT_EQ(json::EnumWireName("kSale"), "sale");
  EXPECT_EQ(json::EnumWireName("keep"), "keep");
  EXPECT_EQ(json::EnumFromName<Colour>("deep_blue"), Colour::kDeepBlue);
  EXPECT_FALSE(json::EnumFromName<Colour>("kDeepBlue").has_value());
}

TEST(JsonTest, OddKeysQuotedInPaths) {
  absl::Status s = json::FromText<Outer>(R"({"name":"x","tags":{"a.b":5}})").status();
  EXPECT_EQ(PathOf(s), R"(tags["a.b"])");
}

TEST(StatusTest, PrefixPathKeepsDetails) {
  absl::Status s = PrefixPath(FieldError("amount_minor", "expected integer", "\"x\""), "events[2]");
  EXPECT_EQ(s.message(), R"(events[2].amount_minor: expected integer, got "x")");
  EXPECT_EQ(PathOf(s), "events[2].amount_minor");
  EXPECT_EQ(PathOf(PrefixPath(FieldError("[1].x", "r"), "a")), "a[1].x");
}

}  // namespace
}  // namespace cadre
