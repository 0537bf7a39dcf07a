// The RFC 4180 reader, the line reader and the cell writer under the importer.
#include "io/csv.h"

#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cadre::io_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Row {
  std::vector<std::string> cells;
  std::vector<bool> quoted;
  std::size_t line;
  std::string error;
};

std::vector<Row> ReadAll(const std::string& text, std::size_t max = 1 << 20) {
  std::istringstream in(text);
  CsvReader reader(in, max);
  CsvRecord record;
  std::vector<Row> rows;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(record);
    EXPECT_TRUE(more.ok()) << more.status();
    if (!more.ok() || !*more) break;
    rows.push_back(Row{record.cells, record.quoted, record.line, record.error});
  }
  return rows;
}

TEST(CsvReaderTest, PlainRecordsWithLfAndCrlf) {
  std::vector<Row> rows = ReadAll("a,b,c\r\n1,2,3\n4,,6");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0].cells, ElementsAre("a", "b", "c"));
  EXPECT_THAT(rows[1].cells, ElementsAre("1", "2", "3"));
  EXPECT_THAT(rows[2].cells, ElementsAre("4", "", "6"));  // last record without a line break
  EXPECT_EQ(rows[2].line, 3u);
}

TEST(CsvReaderTest, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  std::vector<Row> rows = ReadAll("id,note\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n3,\"two\r\nlines\nand three\"\n4,x\n");
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_THAT(rows[1].cells, ElementsAre("1", "a, b"));
  EXPECT_THAT(rows[2].cells, ElementsAre("2", "say \"hi\""));
  EXPECT_THAT(rows[3].cells, ElementsAre("3", "two\r\nlines\nand three"));
  EXPECT_EQ(rows[3].line, 4u);
  // The record with embedded line breaks took three physical lines.
  EXPECT_EQ(rows[4].line, 7u);
}

TEST(CsvReaderTest, SpacesAreKeptAndQuotedEmptyIsTold) {
  std::vector<Row> rows = ReadAll(" a , b ,\"\",\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].cells, ElementsAre(" a ", " b ", "", ""));
  EXPECT_THAT(rows[0].quoted, ElementsAre(false, false, true, false));
}

TEST(CsvReaderTest, ByteOrderMarkIsSkippedAndBlankLinesAreNotRecords) {
  std::vector<Row> rows = ReadAll("\xEF\xBB\xBFid,name\n\n1,x\r\n\r\n\n2,y\n\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0].cells, ElementsAre("id", "name"));
  EXPECT_EQ(rows[1].line, 3u);
  EXPECT_EQ(rows[2].line, 6u);
  EXPECT_THAT(rows[2].cells, ElementsAre("2", "y"));
}

TEST(CsvReaderTest, LoneCarriageReturnEndsARecord) {
  std::vector<Row> rows = ReadAll("a,b\r1,2\r");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[1].cells, ElementsAre("1", "2"));
  EXPECT_EQ(rows[1].line, 2u);
}

TEST(CsvReaderTest, QuoteInsideUnquotedFieldIsAnErrorOfThatRowOnly) {
  std::vector<Row> rows = ReadAll("a,b\n1,5\" screen,x\n2,ok\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[1].error, HasSubstr("quote inside an unquoted field"));
  EXPECT_EQ(rows[1].cells.size(), 2u);  // the error is in the second cell
  EXPECT_TRUE(rows[2].error.empty());
  EXPECT_THAT(rows[2].cells, ElementsAre("2", "ok"));
  EXPECT_EQ(rows[2].line, 3u);
}

TEST(CsvReaderTest, TextAfterClosingQuoteIsAnError) {
  std::vector<Row> rows = ReadAll("\"a\"b,c\nd,e\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].error, HasSubstr("after the closing quote"));
  EXPECT_THAT(rows[1].cells, ElementsAre("d", "e"));
}

TEST(CsvReaderTest, UnterminatedQuoteNamesTheLineItOpenedOn) {
  std::vector<Row> rows = ReadAll("a,b\n1,\"open\n2,x\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[1].error, HasSubstr("opened on line 2 is never closed"));
}

TEST(CsvReaderTest, RecordLongerThanTheLimitStopsTheReader) {
  std::istringstream in("a,b\n" + std::string(100, 'x') + ",y\n");
  CsvReader reader(in, 50);
  CsvRecord record;
  ASSERT_TRUE(*reader.Next(record));
  absl::StatusOr<bool> second = reader.Next(record);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(second.status().message(), HasSubstr("line 2"));
}

TEST(CsvReaderTest, FieldsLargerThanTheReadBlockAreWhole) {
  std::string big(200000, 'q');
  std::vector<Row> rows = ReadAll("a,b\n\"" + big + "\"," + big + "\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].cells[0], big);
  EXPECT_EQ(rows[1].cells[1], big);
}

TEST(LineReaderTest, NumbersLinesAndStripsCarriageReturns) {
  std::istringstream in("{}\r\n\n{\"a\":1}");
  LineReader reader(in, 1 << 20);
  std::string line;
  std::size_t number = 0;
  std::vector<std::pair<std::size_t, std::string>> lines;
  while (*reader.Next(line, number)) lines.emplace_back(number, line);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], (std::pair<std::size_t, std::string>{1, "{}"}));
  EXPECT_EQ(lines[1], (std::pair<std::size_t, std::string>{2, ""}));
  EXPECT_EQ(lines[2], (std::pair<std::size_t, std::string>{3, "{\"a\":1}"}));
}

TEST(Utf8Test, FindsTheFirstIllFormedSequence) {
  EXPECT_EQ(FirstInvalidUtf8("plain"), std::nullopt);
  EXPECT_EQ(FirstInvalidUtf8("王芳 €"), std::nullopt);
  EXPECT_EQ(FirstInvalidUtf8("\xF0\x9F\x98\x80"), std::nullopt);  // U+1F600
  EXPECT_EQ(FirstInvalidUtf8("ab\xFF"), 2u);
  EXPECT_EQ(FirstInvalidUtf8("a\xC0\xAF"), 1u);         // overlong '/'
  EXPECT_EQ(FirstInvalidUtf8("\xED\xA0\x80"), 0u);      // surrogate
  EXPECT_EQ(FirstInvalidUtf8("\xF4\x90\x80\x80"), 0u);  // past U+10FFFF
  EXPECT_EQ(FirstInvalidUtf8("x\xE4\xB8"), 1u);         // cut short
}

TEST(CsvWriterTest, QuotesOnlyWhatNeedsIt) {
  std::string out;
  AppendCsvCell(out, "plain");
  out += ',';
  AppendCsvCell(out, "a,b");
  out += ',';
  AppendCsvCell(out, "say \"hi\"");
  out += ',';
  AppendCsvCell(out, "two\nlines");
  out += ',';
  AppendCsvCell(out, "", true);
  EXPECT_EQ(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"\"");
  std::vector<Row> rows = ReadAll(out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].cells, ElementsAre("plain", "a,b", "say \"hi\"", "two\nlines", ""));
}

}  // namespace
}  // namespace cadre::io_internal
