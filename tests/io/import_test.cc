// Import: conversions, the per-row error report, atomic and best-effort batches,
// re-imports.
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cadre/io.h"
#include "cadre/json.h"
#include "cadre/model.h"
#include "cadre/workspace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre::io {
namespace {

using cadre::testing::T;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

std::unique_ptr<Workspace> NewWorkspace() {
  WorkspaceOptions options;
  options.clock = [] { return T("2025-07-01T00:00:00Z"); };
  absl::StatusOr<std::unique_ptr<Workspace>> ws = Workspace::Open("memory:", options);
  EXPECT_TRUE(ws.ok()) << ws.status();
  return *std::move(ws);
}

absl::StatusOr<ImportReport> ImportText(Workspace& ws, RecordKind kind, const std::string& text,
                                        ImportOptions options = {}) {
  std::istringstream in(text);
  return Import(ws, kind, in, options);
}

std::vector<Event> Events(Workspace& ws) {
  std::vector<Event> out;
  EventQuery q;
  q.order = ScanOrder::kBySeq;
  EXPECT_TRUE(ws.ScanEvents(q, [&](const StoredEvent& e) {
                  out.push_back(e.event);
                  return true;
                }).ok());
  return out;
}

const char kPurchasesHeader[] = "id,occurred_at,customer,manager,amount_minor,sku\n";

TEST(ImportTest, PurchasesFromCsvDefaultToSales) {
  auto ws = NewWorkspace();
  absl::StatusOr<ImportReport> r = ImportText(*ws, RecordKind::kPurchases,
                                              "id,kind,occurred_at,customer,manager,amount_minor,quantity,"
                                              "attributes.pos,lines\n"
                                              "S1,,2025-06-18T10:00:00+08:00,C1,M1,1500,2,T3,\n"
                                              "R1,return,2025-06-19T10:00:00+08:00,C1,M1,500,,,\n"
                                              "S2,sale,2025-06-20T10:00:00Z,C2,M1,3000,,,\"[{\"\"sku\"\":\"\"A\"\","
                                              "\"\"quantity\"\":1,\"\"amount_minor\"\":1000},{\"\"sku\"\":\"\"B\"\","
                                              "\"\"quantity\"\":2,\"\"amount_minor\"\":2000}]\"\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rows_read, 3u);
  EXPECT_EQ(r->accepted, 3u);
  EXPECT_EQ(r->rejected, 0u) << json::ToText(*r);
  EXPECT_TRUE(r->complete);
  EXPECT_EQ(r->committed_through_row, 3u);
  std::vector<Event> events = Events(*ws);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kind, EventKind::kSale);
  EXPECT_EQ(events[0].occurred_at, T("2025-06-18T02:00:00Z"));
  EXPECT_EQ(events[0].quantity, 2);
  EXPECT_THAT(events[0].attributes, ElementsAre(Pair("pos", "T3")));
  EXPECT_EQ(events[1].kind, EventKind::kReturn);
  EXPECT_FALSE(events[1].quantity.has_value());
  ASSERT_EQ(events[2].lines.size(), 2u);
  EXPECT_EQ(events[2].lines[1].sku, "B");
  EXPECT_EQ(events[2].lines[1].amount_minor, 2000);
}

TEST(ImportTest, BadCellsAreReportedWithRowLineColumnValueAndRule) {
  auto ws = NewWorkspace();
  ImportOptions options;
  options.mode = IngestMode::kBestEffort;
  absl::StatusOr<ImportReport> r = ImportText(*ws, RecordKind::kPurchases,
                                              absl::StrCat(kPurchasesHeader,
                                                           "S1,2025-06-18T10:00:00Z,C1,M1,12k,A\n"
                                                           "\n"  // a blank line: not a row, but it counts as a line
                                                           "S2,2025-06-18,C1,M1,100,A\n"
                                                           "S3,2025-06-18T10:00:00Z,C1,M1,100,A\n"
                                                           "S4,2025-06-18T10:00:00Z,C1,M1\n"),
                                              options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rows_read, 4u);
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->rejected, 3u);
  ASSERT_EQ(r->errors.size(), 3u) << json::ToText(*r);

  const RowError& amount = r->errors[0];
  EXPECT_EQ(amount.row, 1u);
  EXPECT_EQ(amount.line, 2u);
  EXPECT_EQ(amount.id, "S1");
  EXPECT_EQ(amount.column, "amount_minor");
  EXPECT_EQ(amount.path, "amount_minor");
  EXPECT_EQ(amount.value, "12k");
  EXPECT_EQ(amount.rule, "expected integer");
  EXPECT_EQ(amount.message, "row 1 (line 2): amount_minor: expected integer, got \"12k\"");

  const RowError& time = r->errors[1];
  EXPECT_EQ(time.row, 2u);
  EXPECT_EQ(time.line, 4u);
  EXPECT_EQ(time.column, "occurred_at");
  EXPECT_EQ(time.value, "2025-06-18");
  EXPECT_THAT(time.rule, HasSubstr("RFC 3339"));

  const RowError& short_row = r->errors[2];
  EXPECT_EQ(short_row.row, 4u);
  EXPECT_EQ(short_row.column, "");
  EXPECT_EQ(short_row.rule, "expected 6 cells as in the header, got 4");

  // The report is JSON, as the C ABI and Python will hand it on.
  std::string text = json::ToText(*r);
  EXPECT_THAT(text, HasSubstr("\"kind\":\"purchases\""));
  EXPECT_THAT(text, HasSubstr("\"column\":\"amount_minor\""));
}

TEST(ImportTest, CustomerCellsConvertByFieldType) {
  auto ws = NewWorkspace();
  absl::StatusOr<ImportReport> r = ImportText(
      *ws, RecordKind::kCustomers,
      "id,name,tier,joined_on,tags,preferred_channels,consent.call,consent.message,attributes.note,contact_times\n"
      "C1,Wang Fang,gold,2019-11-11,vip|wechat,message|visit,false,true,\"\","
      "\"[{\"\"days\"\":[\"\"sat\"\"],\"\"from\"\":\"\"10:00\"\",\"\"to\"\":\"\"18:00\"\"}]\"\n"
      "C2,Li Na,,,\"[\"\"a|b\"\"]\",,,,,\n");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->accepted, 2u) << json::ToText(*r);
  absl::StatusOr<Document> c1 = ws->Get("customers", "C1");
  ASSERT_TRUE(c1.ok());
  Customer c = *json::FromText<Customer>(c1->body);
  EXPECT_EQ(c.tier, MemberTier::kGold);
  EXPECT_EQ(c.joined_on, absl::CivilDay(2019, 11, 11));
  EXPECT_THAT(c.tags, ElementsAre("vip", "wechat"));
  EXPECT_THAT(c.preferred_channels, ElementsAre(Channel::kMessage, Channel::kVisit));
  EXPECT_THAT(c.consent, ElementsAre(Pair("call", false), Pair("message", true)));
  EXPECT_THAT(c.attributes, ElementsAre(Pair("note", "")));  // "" is the empty string, not absent
  ASSERT_EQ(c.contact_times.size(), 1u);
  EXPECT_EQ(c.contact_times[0].from, "10:00");
  Customer c2 = *json::FromText<Customer>(ws->Get("customers", "C2")->body);
  EXPECT_EQ(c2.tier, MemberTier::kStandard);
  EXPECT_THAT(c2.tags, ElementsAre("a|b"));  // the JSON form of a list cell
  EXPECT_TRUE(c2.consent.empty());
}

TEST(ImportTest, DocumentErrorsNameTheColumn) {
  auto ws = NewWorkspace();
  ImportOptions options;
  options.mode = IngestMode::kBestEffort;
  absl::StatusOr<ImportReport> r = ImportText(*ws, RecordKind::kCustomers,
                                              "id,name,tier,joined_on,consent.call,contact_times\n"
                                              "C1,A,vip,,,\n"
                                              "C2,B,gold,2019-02-30,,\n"
                                              "C3,C,gold,,yes,\n"
                                              "C4,D,gold,,,\"[{\"\"from\"\":1}]\"\n"
                                              "C5,,gold,,,\n"
                                              "C6,F,gold,,,\n",
                                              options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->accepted, 1u);
  ASSERT_EQ(r->errors.size(), 5u) << json::ToText(*r);
  EXPECT_EQ(r->errors[0].column, "tier");
  EXPECT_EQ(r->errors[0].value, "vip");
  EXPECT_THAT(r->errors[0].rule, HasSubstr("expected one of \"standard\", \"silver\""));
  EXPECT_EQ(r->errors[1].column, "joined_on");
  EXPECT_EQ(r->errors[1].value, "2019-02-30");
  EXPECT_EQ(r->errors[2].column, "consent.call");
  EXPECT_EQ(r->errors[2].path, "consent.call");
  EXPECT_EQ(r->errors[2].value, "yes");
  EXPECT_EQ(r->errors[2].rule, "expected true or false");
  EXPECT_EQ(r->errors[3].column, "contact_times");
  EXPECT_EQ(r->errors[3].path, "contact_times[0].from");
  EXPECT_EQ(r->errors[3].value, "[{\"from\":1}]");
  EXPECT_EQ(r->errors[4].column, "name");
  EXPECT_EQ(r->errors[4].row, 5u);
  EXPECT_EQ(r->errors[4].rule, "required field is missing");
  EXPECT_TRUE(ws->Get("customers", "C6").ok());
}

TEST(ImportTest, HeaderProblemsRefuseTheWholeImport) {
  auto ws = NewWorkspace();
  absl::StatusOr<ImportReport> unknown = ImportText(*ws, RecordKind::kManagers, "id,name,team,nmae\n");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("header: unknown column (known: id, name, team, role"));
  EXPECT_THAT(unknown.status().message(), HasSubstr("attributes.KEY), got \"nmae\""));

  absl::StatusOr<ImportReport> duplicate = ImportText(*ws, RecordKind::kManagers, "id,name,team,name\nM1,a,T,b\n");
  EXPECT_EQ(duplicate.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(duplicate.status().message(), HasSubstr("duplicate column (columns 2 and 4), got \"name\""));

  absl::StatusOr<ImportReport> missing = ImportText(*ws, RecordKind::kManagers, "id,name\nM1,a\n");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(), HasSubstr("missing required column \"team\" (managers need id, name, team)"));
  auto details = GetFieldErrorDetails(missing.status());
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->path, "header");

  absl::StatusOr<ImportReport> missing_time = ImportText(*ws, RecordKind::kPurchases, "id,amount_minor\n");
  EXPECT_THAT(missing_time.status().message(), HasSubstr("missing required column \"occurred_at\""));

  absl::StatusOr<ImportReport> empty = ImportText(*ws, RecordKind::kManagers, "");
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);

  EXPECT_TRUE(Events(*ws).empty());
  EXPECT_TRUE(ws->List("managers")->empty());
}

TEST(ImportTest, InvalidUtf8IsRefusedWithRowAndColumn) {
  auto ws = NewWorkspace();
  ImportOptions options;
  options.mode = IngestMode::kBestEffort;
  absl::StatusOr<ImportReport> r = ImportText(*ws, RecordKind::kManagers,
                                              "id,name,team\n"
                                              "M1,Li \xFF Wei,T1\n"
                                              "M2,Zhao,T1\n",
                                              options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->accepted, 1u);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].row, 1u);
  EXPECT_EQ(r->errors[0].column, "name");
  EXPECT_EQ(r->errors[0].rule, "invalid UTF-8 at byte 3");
  EXPECT_EQ(r->errors[0].value, "Li \xEF\xBF\xBD Wei");  // the report itself stays valid UTF-8
  EXPECT_TRUE(json::ParseText(json::ToText(*r)).ok());
}

TEST(ImportTest, KindsOutsideTheRecordKindAreRefused) {
  auto ws = NewWorkspace();
  ImportOptions options;
  options.mode = IngestMode::kBestEffort;
  absl::StatusOr<ImportReport> r = ImportText(*ws, RecordKind::kPurchases,
                                              "id,kind,occurred_at,amount_minor,channel\n"
                                              "I1,interaction,2025-06-18T10:00:00Z,,call\n",
                                              options);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].column, "kind");
  EXPECT_EQ(r->errors[0].value, "interaction");
  EXPECT_EQ(r->errors[0].rule, "expected one of \"sale\", \"return\" (in an import of purchases)");

  absl::StatusOr<ImportReport> interactions = ImportText(*ws, RecordKind::kInteractions,
                                                         "id,occurred_at,customer,manager,channel,outcome\n"
                                                         "I1,2025-06-18T10:00:00Z,C1,M1,call,reached\n");
  ASSERT_TRUE(interactions.ok());
  EXPECT_EQ(interactions->accepted, 1u) << json::ToText(*interactions);
  ASSERT_EQ(Events(*ws).size(), 1u);
  EXPECT_EQ(Events(*ws)[0].kind, EventKind::kInteraction);
}

TEST(ImportTest, AtomicBatchWithABadRowWritesNothingAndStops) {
  auto ws = NewWorkspace();
  std::string text = kPurchasesHeader;
  for (int i = 1; i <= 10; ++i)
    absl::StrAppend(&text, "S", i, ",2025-06-18T10:00:00Z,C1,M1,", i == 6 ? "oops" : "100", ",A\n");
  ImportOptions options;
  options.batch_size = 4;  // rows 1-4, 5-8 (with the bad row 6), 9-10
  std::vector<ImportProgress> seen;
  options.progress = [&](const ImportProgress& p) {
    seen.push_back(p);
    return true;
  };
  absl::StatusOr<ImportReport> r = ImportText(*ws, RecordKind::kPurchases, text, options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->accepted, 4u);
  EXPECT_EQ(r->rejected, 1u);
  EXPECT_EQ(r->not_written, 3u);
  EXPECT_EQ(r->rows_read, 8u);  // stopped after the refused batch
  EXPECT_EQ(r->committed_through_row, 4u);
  EXPECT_EQ(r->batches_committed, 1u);
  EXPECT_FALSE(r->complete);
  EXPECT_EQ(Events(*ws).size(), 4u);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].rows_committed, 4u);
  EXPECT_EQ(seen[1].rows_read, 8u);
  EXPECT_EQ(seen[1].rows_rejected, 1u);

  // Fixed and run again: the first batch is all duplicates, nothing is counted twice.
  text.replace(text.find("oops"), 4, "100");
  absl::StatusOr<ImportReport> again = ImportText(*ws, RecordKind::kPurchases, text, options);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->duplicates, 4u);
  EXPECT_EQ(again->accepted, 6u);
  EXPECT_TRUE(again->complete);
  EXPECT_EQ(Events(*ws).size(), 10u);
}

TEST(ImportTest, BestEffortWritesTheGoodRowsOfEveryBatch) {
  auto ws = NewWorkspace();
  std::string text = kPurchasesHeader;
  for (int i = 1; i <= 10; ++i)
    absl::StrAppend(&text, "S", i, ",2025-06-18T10:00:00Z,C1,M1,", i % 3 == 0 ? "-" : "100", ",A\n");
  ImportOptions options;
  options.batch_size = 4;
  options.mode = IngestMode::kBestEffort;
  absl::StatusOr<ImportReport> r = ImportText(*ws, RecordKind::kPurchases, text, options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->accepted, 7u);
  EXPECT_EQ(r->rejected, 3u);
  EXPECT_EQ(r->batches_committed, 3u);
  EXPECT_EQ(r->committed_through_row, 10u);
  EXPECT_TRUE(r->complete);
  std::vector<std::size_t> rows;
  for (const RowError& e : r->errors) rows.push_back(e.row);
  EXPECT_THAT(rows, ElementsAre(3u, 6u, 9u));
  EXPECT_EQ(Events(*ws).size(), 7u);
}

TEST(ImportTest, ConflictsFoundByTheWorkspaceAreMappedBackToRows) {
  auto ws = NewWorkspace();
  ASSERT_TRUE(
      ImportText(*ws, RecordKind::kPurchases, absl::StrCat(kPurchasesHeader, "S1,2025-06-18T10:00:00Z,C1,M1,100,A\n"))
          .ok());
  ImportOptions options;
  options.mode = IngestMode::kBestEffort;
  absl::StatusOr<ImportReport> r =
      ImportText(*ws, RecordKind::kPurchases,
                 absl::StrCat(kPurchasesHeader,
                              "S2,2025-06-18T10:00:00Z,C1,M1,100,A\n"
                              "S1,2025-06-18T10:00:00Z,C1,M1,999,A\n"),  // same id, other content
                 options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 1u);
  ASSERT_EQ(r->errors.size(), 1u);
  const RowError& e = r->errors[0];
  EXPECT_EQ(e.row, 2u);
  EXPECT_EQ(e.line, 3u);
  EXPECT_EQ(e.column, "id");
  EXPECT_EQ(e.value, "S1");
  EXPECT_THAT(e.rule, HasSubstr("already recorded with different content"));
  EXPECT_THAT(e.message, HasSubstr("row 2 (line 3): id: already recorded"));
}

TEST(ImportTest, DocumentsReimportedUnchangedAreDuplicates) {
  auto ws = NewWorkspace();
  const std::string text =
      "id,name,team,level,hired_on\n"
      "M1,Li Wei,T1,3,2021-03-15\n"
      "M2,Zhao Min,T1,,\n";
  ASSERT_EQ(ImportText(*ws, RecordKind::kManagers, text)->accepted, 2u);
  absl::StatusOr<ImportReport> again = ImportText(*ws, RecordKind::kManagers, text);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->accepted, 0u);
  EXPECT_EQ(again->duplicates, 2u);
  EXPECT_EQ(ws->History("managers", "M1")->size(), 1u);

  // A changed row writes a new version; the same row twice in one batch is one.
  absl::StatusOr<ImportReport> changed = ImportText(*ws, RecordKind::kManagers,
                                                    "id,name,team,level\n"
                                                    "M1,Li Wei,T1,4\n"
                                                    "M1,Li Wei,T1,4\n");
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->accepted, 1u);
  EXPECT_EQ(changed->duplicates, 1u);
  EXPECT_EQ(ws->History("managers", "M1")->size(), 2u);
  Manager m = *json::FromText<Manager>(ws->Get("managers", "M1")->body);
  EXPECT_EQ(m.level, 4);
  EXPECT_FALSE(m.hired_on.has_value());  // an import row is the whole document
}

TEST(ImportTest, EffectiveFromDatesTheImportedVersions) {
  auto ws = NewWorkspace();
  ImportOptions options;
  options.effective_from = T("2025-01-01T00:00:00Z");
  ASSERT_TRUE(ImportText(*ws, RecordKind::kManagers, "id,name,team\nM1,Li,T1\n", options).ok());
  EXPECT_EQ(ws->Get("managers", "M1", T("2024-12-31T00:00:00Z")).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(ws->Get("managers", "M1", T("2025-02-01T00:00:00Z")).ok());
}

TEST(ImportTest, NdjsonRowsAndTheirErrors) {
  auto ws = NewWorkspace();
  ImportOptions options;
  options.format = Format::kNdjson;
  options.mode = IngestMode::kBestEffort;
  absl::StatusOr<ImportReport> r =
      ImportText(*ws, RecordKind::kPurchases,
                 "{\"id\":\"S1\",\"occurred_at\":\"2025-06-18T10:00:00Z\",\"customer\":\"C1\",\"amount_minor\":100}\n"
                 "\n"
                 "{\"id\":\"S2\",\"occurred_at\":\"2025-06-18T10:00:00Z\",\"amount_minor\":\"12k\"}\r\n"
                 "{\"id\":\"S3\",\n"
                 "[1,2]\n"
                 "{\"id\":\"S4\",\"kind\":\"return\",\"occurred_at\":\"2025-06-18T10:00:00Z\",\"amount_minor\":5,"
                 "\"lines\":[{\"sku\":\"A\",\"quantity\":\"x\",\"amount_minor\":5}]}\n",
                 options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rows_read, 5u);
  EXPECT_EQ(r->accepted, 1u);
  ASSERT_EQ(r->errors.size(), 4u) << json::ToText(*r);
  EXPECT_EQ(r->errors[0].row, 2u);
  EXPECT_EQ(r->errors[0].line, 3u);
  EXPECT_EQ(r->errors[0].column, "amount_minor");
  EXPECT_EQ(r->errors[0].value, "\"12k\"");
  EXPECT_EQ(r->errors[0].message, "row 2 (line 3): amount_minor: expected integer, got \"12k\"");
  EXPECT_THAT(r->errors[1].rule, HasSubstr("invalid JSON at line 1"));
  EXPECT_EQ(r->errors[2].rule, "expected a JSON object");
  EXPECT_EQ(r->errors[3].column, "lines");
  EXPECT_EQ(r->errors[3].path, "lines[0].quantity");
  EXPECT_EQ(r->errors[3].id, "S4");
}

TEST(ImportTest, ProgressCallbackMayStopBetweenBatches) {
  auto ws = NewWorkspace();
  std::string text = kPurchasesHeader;
  for (int i = 1; i <= 10; ++i) absl::StrAppend(&text, "S", i, ",2025-06-18T10:00:00Z,C1,M1,100,A\n");
  ImportOptions options;
  options.batch_size = 3;
  options.progress = [](const ImportProgress& p) { return p.rows_committed < 6; };
  absl::StatusOr<ImportReport> r = ImportText(*ws, RecordKind::kPurchases, text, options);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->stopped);
  EXPECT_FALSE(r->complete);
  EXPECT_EQ(r->committed_through_row, 6u);
  EXPECT_EQ(Events(*ws).size(), 6u);
}

TEST(ImportTest, ErrorsBeyondTheLimitAreCountedNotKept) {
  auto ws = NewWorkspace();
  std::string text = kPurchasesHeader;
  for (int i = 1; i <= 50; ++i) absl::StrAppend(&text, "S", i, ",never,C1,M1,100,A\n");
  ImportOptions options;
  options.mode = IngestMode::kBestEffort;
  options.max_errors = 5;
  absl::StatusOr<ImportReport> r = ImportText(*ws, RecordKind::kPurchases, text, options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rejected, 50u);
  EXPECT_EQ(r->errors.size(), 5u);
  EXPECT_EQ(r->errors_omitted, 45u);
}

TEST(ImportTest, BadOptionsAndMissingFiles) {
  auto ws = NewWorkspace();
  ImportOptions options;
  options.batch_size = 0;
  EXPECT_EQ(ImportText(*ws, RecordKind::kManagers, "id,name,team\n", options).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ImportFile(*ws, RecordKind::kManagers, "/nonexistent/managers.csv").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(json::EnumFromName<RecordKind>("interactions"), RecordKind::kInteractions);
}

}  // namespace
}  // namespace cadre::io
