// Export -> import into a fresh workspace -> the same documents and events, for
// every record kind, both formats, and both storage backends.
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cadre/io.h"
#include "cadre/json.h"
#include "cadre/model.h"
#include "cadre/synth.h"
#include "cadre/workspace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre::io {
namespace {

using cadre::testing::T;
using cadre::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::unique_ptr<Workspace> OpenOrDie(const std::string& uri) {
  WorkspaceOptions options;
  options.clock = [] { return T("2026-01-02T03:04:05Z"); };
  absl::StatusOr<std::unique_ptr<Workspace>> ws = Workspace::Open(uri, options);
  EXPECT_TRUE(ws.ok()) << ws.status();
  return ws.ok() ? *std::move(ws) : nullptr;
}

// Customers and managers whose values exercise quoting, lists, maps, empty strings
// and JSON cells, on top of a small synthetic retailer.
void Fill(Workspace& ws) {
  SynthOptions opt;
  opt.regions = 1;
  opt.stores_per_region = 2;
  opt.customers = 120;
  SynthDataset data = GenerateRetail(opt);

  Customer odd;
  odd.id = "C-odd";
  odd.name = "Wang \"Fang\", Jr.\nsecond line";
  odd.tier = MemberTier::kDiamond;
  odd.tags = {"a|b", "[x]", "plain"};
  odd.favourite_categories = {"wine"};
  odd.preferred_channels = {Channel::kStoreMeeting, Channel::kCall};
  odd.contact_times = {ContactWindow{{Weekday::kSat}, "10:00", "12:00"}};
  odd.consent = {{"call", false}, {"message", true}};
  odd.attributes = {{"empty", ""}, {"my key", "v, with comma"}, {"dotted.key", "x"}};
  data.customers.push_back(odd);
  Manager m;
  m.id = "M-odd";
  m.name = "Zhao, Min";
  m.team = "T1";
  m.attributes = {{"desk", "3F"}};
  data.managers.push_back(m);

  std::vector<Workspace::DocumentPut> puts;
  for (const Manager& x : data.managers) puts.push_back({"managers", x.id, json::ToText(x), {}});
  for (const Customer& x : data.customers) puts.push_back({"customers", x.id, json::ToText(x), {}});
  ASSERT_TRUE(ws.PutAll(puts).ok());

  std::vector<Event> events;
  for (const Event& e : data.events)
    if (e.kind == EventKind::kSale || e.kind == EventKind::kReturn || e.kind == EventKind::kInteraction)
      events.push_back(e);
  Event tricky;
  tricky.id = "S-tricky";
  tricky.kind = EventKind::kSale;
  tricky.occurred_at = T("2025-03-01T12:00:00.125+08:00");
  tricky.customer = "C-odd";
  tricky.amount_minor = 300;
  tricky.lines = {LineItem{"A", "food", 1, 100}, LineItem{"B", std::nullopt, 2, 200}};
  tricky.attributes = {{"note", "line1\r\nline2"}, {"empty", ""}};
  events.push_back(tricky);
  absl::StatusOr<IngestReport> r = ws.Ingest(events);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->rejected.empty()) << json::ToText(*r);
}

std::vector<std::pair<std::string, std::string>> Documents(Workspace& ws, std::string_view collection) {
  std::vector<std::pair<std::string, std::string>> out;
  absl::StatusOr<std::vector<Document>> documents = ws.List(collection);
  EXPECT_TRUE(documents.ok()) << documents.status();
  if (documents.ok())
    for (const Document& d : *documents) out.emplace_back(d.id, d.body);
  return out;
}

std::vector<std::string> EventTexts(Workspace& ws, std::vector<EventKind> kinds) {
  std::vector<std::string> out;
  EventQuery q;
  q.kinds = std::move(kinds);
  EXPECT_TRUE(ws.ScanEvents(q, [&](const StoredEvent& e) {
                  out.push_back(json::ToText(e.event));  // recorded_at included
                  return true;
                }).ok());
  return out;
}

// Exports `kind` from `from`, imports it into `to`; returns the exported text.
std::string Transfer(Workspace& from, Workspace& to, RecordKind kind, Format format) {
  std::ostringstream out;
  ExportOptions eo;
  eo.format = format;
  absl::StatusOr<ExportReport> exported = Export(from, kind, out, eo);
  EXPECT_TRUE(exported.ok()) << exported.status();
  std::istringstream in(out.str());
  ImportOptions io;
  io.format = format;
  io.batch_size = 37;  // several batches
  absl::StatusOr<ImportReport> imported = Import(to, kind, in, io);
  EXPECT_TRUE(imported.ok()) << imported.status();
  if (imported.ok() && exported.ok()) {
    EXPECT_TRUE(imported->complete) << json::ToText(*imported);
    EXPECT_EQ(imported->rejected, 0u) << json::ToText(*imported);
    EXPECT_EQ(imported->rows_read, exported->rows);
    EXPECT_EQ(imported->accepted, exported->rows);
  }
  return out.str();
}

class RoundTripTest : public ::testing::TestWithParam<std::tuple<std::string, Format>> {
 protected:
  std::string Uri(const std::string& name) {
    return std::get<0>(GetParam()) == "memory" ? "memory:" : "sqlite:" + dir_.File(name);
  }
  Format format() const { return std::get<1>(GetParam()); }
  TempDir dir_;
};

TEST_P(RoundTripTest, EveryKindComesBackTheSame) {
  auto from = OpenOrDie(Uri("from.db"));
  auto to = OpenOrDie(Uri("to.db"));
  Fill(*from);

  Transfer(*from, *to, RecordKind::kManagers, format());
  EXPECT_EQ(Documents(*to, "managers"), Documents(*from, "managers"));
  Transfer(*from, *to, RecordKind::kCustomers, format());
  EXPECT_EQ(Documents(*to, "customers"), Documents(*from, "customers"));
  EXPECT_GT(Documents(*to, "customers").size(), 100u);

  Transfer(*from, *to, RecordKind::kPurchases, format());
  std::vector<std::string> purchases = EventTexts(*from, {EventKind::kSale, EventKind::kReturn});
  EXPECT_GT(purchases.size(), 100u);
  EXPECT_EQ(EventTexts(*to, {EventKind::kSale, EventKind::kReturn}), purchases);
  EXPECT_TRUE(EventTexts(*to, {EventKind::kInteraction}).empty());

  Transfer(*from, *to, RecordKind::kInteractions, format());
  std::vector<std::string> interactions = EventTexts(*from, {EventKind::kInteraction});
  EXPECT_GT(interactions.size(), 100u);
  EXPECT_EQ(EventTexts(*to, {EventKind::kInteraction}), interactions);

  // Once more: everything is a duplicate, nothing is written twice.
  std::ostringstream out;
  ExportOptions eo;
  eo.format = format();
  ASSERT_TRUE(Export(*from, RecordKind::kPurchases, out, eo).ok());
  std::istringstream in(out.str());
  ImportOptions io;
  io.format = format();
  absl::StatusOr<ImportReport> again = Import(*to, RecordKind::kPurchases, in, io);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->accepted, 0u);
  EXPECT_EQ(again->duplicates, purchases.size());
  EXPECT_EQ(EventTexts(*to, {EventKind::kSale, EventKind::kReturn}), purchases);
}

INSTANTIATE_TEST_SUITE_P(Backends, RoundTripTest,
                         ::testing::Combine(::testing::Values("memory", "sqlite"),
                                            ::testing::Values(Format::kCsv, Format::kNdjson)),
                         [](const auto& info) {
                           return absl::StrCat(std::get<0>(info.param), "_",
                                               std::get<1>(info.param) == Format::kCsv ? "csv" : "ndjson");
                         });

TEST(ExportTest, CsvHeaderHasTheColumnsInUseInFieldOrder) {
  auto ws = OpenOrDie("memory:");
  ASSERT_TRUE(ws->Put("managers", "M2", R"({"id":"M2","name":"B","team":"T1","attributes":{"z":"1","a":"2"}})").ok());
  ASSERT_TRUE(ws->Put("managers", "M1", R"({"id":"M1","name":"A","team":"T1","email":"a@example.com"})").ok());
  std::ostringstream out;
  ExportOptions options;
  options.crlf = false;
  absl::StatusOr<ExportReport> r = Export(*ws, RecordKind::kManagers, out, options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rows, 2u);
  EXPECT_EQ(out.str(),
            "id,name,team,level,status,email,attributes.a,attributes.z\n"
            "M1,A,T1,1,active,a@example.com,,\n"
            "M2,B,T1,1,active,,2,1\n");
  EXPECT_THAT(r->columns,
              ElementsAre("id", "name", "team", "level", "status", "email", "attributes.a", "attributes.z"));
}

TEST(ExportTest, AllColumnsAndEmptyExports) {
  auto ws = OpenOrDie("memory:");
  std::ostringstream empty;
  ASSERT_TRUE(Export(*ws, RecordKind::kPurchases, empty).ok());
  EXPECT_EQ(empty.str(), "id,kind,occurred_at\r\n");  // the required columns, CRLF by default

  std::ostringstream all;
  ExportOptions options;
  options.all_columns = true;
  ASSERT_TRUE(Export(*ws, RecordKind::kCustomers, all, options).ok());
  EXPECT_EQ(all.str(),
            "id,name,tier,phone,email,home_store,joined_on,tags,favourite_categories,preferred_channels,"
            "contact_times\r\n");

  // An empty export imports as nothing, and its header is accepted.
  std::istringstream in(empty.str());
  absl::StatusOr<ImportReport> r = Import(*ws, RecordKind::kPurchases, in);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rows_read, 0u);
  EXPECT_TRUE(r->complete);
}

TEST(ExportTest, EventFiltersAndKinds) {
  auto ws = OpenOrDie("memory:");
  absl::StatusOr<IngestReport> ingested = ws->IngestNdjson(
      R"({"id":"S1","kind":"sale","occurred_at":"2025-01-01T00:00:00Z","amount_minor":1,"manager":"M1"}
{"id":"S2","kind":"sale","occurred_at":"2025-02-01T00:00:00Z","amount_minor":2,"manager":"M2"}
{"id":"R1","kind":"return","occurred_at":"2025-03-01T00:00:00Z","amount_minor":1,"manager":"M1"}
{"id":"I1","kind":"interaction","occurred_at":"2025-03-02T00:00:00Z","channel":"call","manager":"M1","customer":"C1"})");
  ASSERT_TRUE(ingested.ok());
  ASSERT_TRUE(ingested->rejected.empty()) << json::ToText(*ingested);
  auto ids = [&](ExportOptions options) {
    options.format = Format::kNdjson;
    std::ostringstream out;
    absl::StatusOr<ExportReport> r = Export(*ws, RecordKind::kPurchases, out, options);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> got;
    std::istringstream lines(out.str());
    for (std::string line; std::getline(lines, line);) got.push_back(json::FromText<Event>(line)->id);
    return got;
  };
  EXPECT_THAT(ids({}), ElementsAre("S1", "S2", "R1"));
  ExportOptions by_manager;
  by_manager.events.manager = "M1";
  EXPECT_THAT(ids(by_manager), ElementsAre("S1", "R1"));
  ExportOptions by_time;
  by_time.events.from = T("2025-01-15T00:00:00Z");
  by_time.events.until = T("2025-03-01T00:00:00Z");
  EXPECT_THAT(ids(by_time), ElementsAre("S2"));
  ExportOptions returns;
  returns.events.kinds = {EventKind::kReturn};
  EXPECT_THAT(ids(returns), ElementsAre("R1"));

  ExportOptions wrong;
  wrong.events.kinds = {EventKind::kInteraction};
  std::ostringstream out;
  absl::StatusOr<ExportReport> r = Export(*ws, RecordKind::kPurchases, out, wrong);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("not a kind of purchases events"));
}

TEST(ExportTest, ListCellsFallBackToJsonOnlyWhenNeeded) {
  auto ws = OpenOrDie("memory:");
  ASSERT_TRUE(ws->Put("customers", "C1", R"({"id":"C1","name":"A","tags":["vip","wine"]})").ok());
  ASSERT_TRUE(ws->Put("customers", "C2", R"({"id":"C2","name":"B","tags":["a|b"]})").ok());
  std::ostringstream out;
  ExportOptions options;
  options.crlf = false;
  ASSERT_TRUE(Export(*ws, RecordKind::kCustomers, out, options).ok());
  EXPECT_THAT(out.str(), StartsWith("id,name,tier,tags\nC1,A,standard,vip|wine\nC2,B,standard,\"[\"\"a|b\"\"]\"\n"));
}

TEST(ExportTest, FailingStreamIsDataLoss) {
  auto ws = OpenOrDie("memory:");
  ASSERT_TRUE(ws->Put("managers", "M1", R"({"id":"M1","name":"A","team":"T1"})").ok());
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  EXPECT_EQ(Export(*ws, RecordKind::kManagers, out).status().code(), absl::StatusCode::kDataLoss);
}

TEST(ExportTest, FilesRoundTrip) {
  TempDir dir;
  auto from = OpenOrDie("memory:");
  auto to = OpenOrDie("memory:");
  ASSERT_TRUE(from->Put("managers", "M1", R"({"id":"M1","name":"A","team":"T1"})").ok());
  ASSERT_TRUE(ExportFile(*from, RecordKind::kManagers, dir.File("m.csv")).ok());
  absl::StatusOr<ImportReport> r = ImportFile(*to, RecordKind::kManagers, dir.File("m.csv"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(Documents(*to, "managers"), Documents(*from, "managers"));
  EXPECT_EQ(ExportFile(*from, RecordKind::kManagers, dir.File("no/such/dir/m.csv")).status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace cadre::io
