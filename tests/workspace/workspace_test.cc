#include "cadre/workspace.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cadre/json.h"
#include "cadre/model.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre {
namespace {

using ::testing::HasSubstr;
using testing::T;

std::string PathOf(const absl::Status& s) {
  auto d = GetFieldErrorDetails(s);
  return d ? d->path : "<no path>";
}

Event Sale(std::string id, int64_t amount, const char* when = "2025-06-18T10:00:00+08:00") {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kSale;
  e.occurred_at = T(when);
  e.customer = "C1";
  e.manager = "M1";
  e.amount_minor = amount;
  return e;
}

uint64_t Mark(Workspace& ws) {
  absl::StatusOr<uint64_t> m = ws.HighWaterMark();
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : 0;
}

int64_t SumAmounts(Workspace& ws) {
  int64_t sum = 0;
  EXPECT_TRUE(ws.ScanEvents({}, [&](const StoredEvent& e) {
                  sum += e.event.amount_minor.value_or(0);
                  return true;
                }).ok());
  return sum;
}

// Every test runs against each backend the workspace can be opened on.
class WorkspaceTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::string Uri() { return GetParam() == "memory" ? "memory:" : "sqlite:" + dir_.File("ws.db"); }
  std::unique_ptr<Workspace> OpenOrDie(WorkspaceOptions options = {}) {
    if (!options.clock) options.clock = [this] { return now_; };
    absl::StatusOr<std::unique_ptr<Workspace>> ws = Workspace::Open(Uri(), std::move(options));
    EXPECT_TRUE(ws.ok()) << ws.status();
    return ws.ok() ? *std::move(ws) : nullptr;
  }
  testing::TempDir dir_;
  absl::Time now_ = T("2026-01-05T09:00:00Z");
};

TEST_P(WorkspaceTest, NewWorkspaceDefaults) {
  auto ws = OpenOrDie();
  EXPECT_EQ(ws->currency().code(), "CNY");
  EXPECT_EQ(ws->settings().time_zone, "UTC");
  EXPECT_EQ(ws->settings().created_at, now_);
  EXPECT_EQ(Mark(*ws), 0u);
}

TEST_P(WorkspaceTest, BadSettingsRefused) {
  absl::Status s = Workspace::Open(Uri(), {.currency = "ABC"}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PathOf(s), "currency");
  s = Workspace::Open(Uri(), {.time_zone = "Mars/Olympus"}).status();
  EXPECT_EQ(PathOf(s), "time_zone");
  EXPECT_THAT(s.message(), HasSubstr("Mars/Olympus"));
}

TEST_P(WorkspaceTest, PutGetTypedDocumentInCanonicalForm) {
  auto ws = OpenOrDie();
  absl::StatusOr<Document> d = ws->Put("managers", "M1", R"({ "name": "Li Wei", "team": "T1", "level": 2 })");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->version, 1);
  EXPECT_EQ(d->body, R"({"id":"M1","name":"Li Wei","team":"T1","level":2,"status":"active"})");
  absl::StatusOr<Document> got = ws->Get("managers", "M1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->body, d->body);
  EXPECT_EQ(got->recorded_at, now_);
  EXPECT_EQ(ws->Get("managers", "M2").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(WorkspaceTest, BadDocumentsNamePathAndWriteNothing) {
  auto ws = OpenOrDie();
  absl::Status s = ws->Put("managers", "M1", R"({"name":"Li","team":"T1","level":"senior"})").status();
  EXPECT_EQ(s.message(), R"(level: expected integer, got "senior")");
  s = ws->Put("managers", "M1", R"({"id":"M2","name":"Li","team":"T1"})").status();
  EXPECT_EQ(PathOf(s), "id");
  EXPECT_THAT(s.message(), HasSubstr("must equal the document id \"M1\""));
  s = ws->Put("managers", "M1", R"([1,2])").status();
  EXPECT_THAT(s.message(), HasSubstr("expected a JSON object"));
  s = ws->Put("things", "M1", R"({})").status();
  EXPECT_EQ(PathOf(s), "collection");
  s = ws->Put("managers", "", R"({"name":"Li","team":"T1"})").status();
  EXPECT_EQ(PathOf(s), "id");
  s = ws->Put("managers", "M1", R"({"name":"Li","team":"T1",)").status();
  EXPECT_THAT(s.message(), HasSubstr("invalid JSON at line 1"));
  EXPECT_EQ(ws->Get("managers", "M1").status().code(), absl::StatusCode::kNotFound);
  auto list = ws->List("managers");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST_P(WorkspaceTest, HostCollectionsTakeAnyObject) {
  auto ws = OpenOrDie();
  ASSERT_TRUE(ws->Put("x_erp_links", "K1", R"({"erp_id": 77, "nested": {"a": [1, 2]}})").ok());
  EXPECT_EQ(ws->Get("x_erp_links", "K1")->body, R"({"erp_id":77,"nested":{"a":[1,2]}})");
  EXPECT_EQ(ws->Put("x_Bad", "K1", "{}").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ws->Put("_workspace", "settings", "{}").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(WorkspaceTest, StaleVersionIsAConflict) {
  auto ws = OpenOrDie();
  ASSERT_TRUE(ws->Put("customers", "C1", R"({"name":"A"})").ok());
  ASSERT_TRUE(ws->Put("customers", "C1", R"({"name":"B"})", {.expected_version = 1}).ok());
  absl::Status s = ws->Put("customers", "C1", R"({"name":"C"})", {.expected_version = 1}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(s.message(), HasSubstr("C1"));
  EXPECT_EQ(ws->Put("customers", "C2", R"({"name":"A"})", {.expected_version = 3}).status().code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(ws->Put("customers", "C1", R"({"name":"D"})", {.expected_version = 0}).status().code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(ws->Get("customers", "C1")->body, R"({"id":"C1","name":"B","tier":"standard"})");
}

TEST_P(WorkspaceTest, EffectiveDatedVersionsAnswerAsOf) {
  auto ws = OpenOrDie();
  ASSERT_TRUE(ws->Put("managers", "M1", R"({"name":"A","team":"T1","level":1})").ok());
  ASSERT_TRUE(ws->Put("managers", "M1", R"({"name":"A","team":"T2","level":2})",
                      {.effective_from = T("2025-07-01T00:00:00+08:00")})
                  .ok());
  auto level_at = [&](const char* when) {
    absl::StatusOr<Document> d = ws->Get("managers", "M1", T(when));
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? json::FromText<Manager>(d->body)->level : -1;
  };
  EXPECT_EQ(level_at("2025-06-30T23:59:59+08:00"), 1);
  EXPECT_EQ(level_at("2025-07-01T00:00:00+08:00"), 2);
  EXPECT_EQ(ws->Get("managers", "M1")->version, 2);
  auto history = ws->History("managers", "M1");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].version, 1);
  auto june = ws->List("managers", T("2025-06-15T00:00:00Z"));
  ASSERT_TRUE(june.ok());
  ASSERT_EQ(june->size(), 1u);
  EXPECT_EQ((*june)[0].version, 1);
}

TEST_P(WorkspaceTest, DeleteWritesATombstoneFromItsDate) {
  auto ws = OpenOrDie();
  ASSERT_TRUE(ws->Put("customers", "C1", R"({"name":"A"})").ok());
  absl::StatusOr<int64_t> v = ws->Delete("customers", "C1", {.effective_from = T("2025-03-01T00:00:00Z")});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, 2);
  EXPECT_TRUE(ws->Get("customers", "C1", T("2025-02-01T00:00:00Z")).ok());
  EXPECT_EQ(ws->Get("customers", "C1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ws->Delete("customers", "C9").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(WorkspaceTest, PutAllIsAllOrNothing) {
  auto ws = OpenOrDie();
  std::vector<Workspace::DocumentPut> puts = {
      {"org_units", "CO", R"({"name":"Co","kind":"company"})", {}},
      {"org_units", "R1", R"({"name":"East","kind":"region"})", {}},  // no parent
  };
  absl::Status s = ws->PutAll(puts).status();
  EXPECT_EQ(PathOf(s), "documents[1].parent");
  EXPECT_EQ(ws->Get("org_units", "CO").status().code(), absl::StatusCode::kNotFound);
  puts[1].body = R"({"name":"East","kind":"region","parent":"CO"})";
  absl::StatusOr<std::vector<int64_t>> versions = ws->PutAll(puts);
  ASSERT_TRUE(versions.ok()) << versions.status();
  EXPECT_EQ(*versions, (std::vector<int64_t>{1, 1}));
}

TEST_P(WorkspaceTest, IngestAcceptsCountsDuplicatesAndStampsRecordedAt) {
  auto ws = OpenOrDie();
  std::vector<Event> batch = {Sale("S1", 100), Sale("S2", 250)};
  absl::StatusOr<IngestReport> r = ws->Ingest(batch);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->received, 2u);
  EXPECT_EQ(r->accepted, 2u);
  EXPECT_TRUE(r->committed);
  EXPECT_EQ(r->first_seq, 1u);
  EXPECT_EQ(r->last_seq, 2u);
  absl::StatusOr<StoredEvent> logged = ws->store().FindEvent("S2");
  ASSERT_TRUE(logged.ok());
  EXPECT_EQ(*logged->event.recorded_at, now_);

  now_ += absl::Hours(1);
  batch.push_back(Sale("S3", 5));
  r = ws->Ingest(batch);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->duplicates, 2u);
  EXPECT_EQ(SumAmounts(*ws), 355) << "duplicates must not be counted twice";
  EXPECT_EQ(Mark(*ws), 3u);
  r = ws->Ingest(batch);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->duplicates, 3u);
  EXPECT_FALSE(r->committed) << "a batch of duplicates writes nothing";
}

TEST_P(WorkspaceTest, SameIdOtherContentIsRejectedNotLost) {
  auto ws = OpenOrDie();
  ASSERT_TRUE(ws->Ingest(std::vector<Event>{Sale("S1", 100)}).ok());
  std::vector<Event> batch = {Sale("S2", 7), Sale("S1", 999)};
  absl::StatusOr<IngestReport> r = ws->Ingest(batch, IngestMode::kAtomic);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->committed);
  EXPECT_EQ(r->accepted, 0u);
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_EQ(r->rejected[0].index, 1u);
  EXPECT_EQ(r->rejected[0].path, "events[1].id");
  EXPECT_THAT(r->rejected[0].message, HasSubstr("already recorded with different content"));
  EXPECT_EQ(Mark(*ws), 1u) << "atomic batch with a conflict must write nothing";

  r = ws->Ingest(batch, IngestMode::kBestEffort);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->committed);
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->rejected.size(), 1u);
  EXPECT_EQ(SumAmounts(*ws), 107);
}

TEST_P(WorkspaceTest, AtomicBatchWithABadRowWritesNothing) {
  auto ws = OpenOrDie();
  std::vector<Event> batch = {Sale("S1", 100), Sale("S2", -3), Sale("S3", 1)};
  batch[2].currency = "USD";
  absl::StatusOr<IngestReport> r = ws->Ingest(batch, IngestMode::kAtomic);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->committed);
  ASSERT_EQ(r->rejected.size(), 2u);
  EXPECT_EQ(r->rejected[0].path, "events[1].amount_minor");
  EXPECT_EQ(r->rejected[1].path, "events[2].currency");
  EXPECT_THAT(r->rejected[1].message, HasSubstr("must be the workspace currency CNY"));
  EXPECT_EQ(Mark(*ws), 0u);

  r = ws->Ingest(batch, IngestMode::kBestEffort);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->rejected.size(), 2u);
  EXPECT_EQ(Mark(*ws), 1u);
}

TEST_P(WorkspaceTest, WorkspaceCurrencyIsStoredCanonically) {
  auto ws = OpenOrDie();
  Event a = Sale("S1", 100);
  a.currency = "CNY";
  ASSERT_TRUE(ws->Ingest(std::vector<Event>{a}).ok());
  // The same event without the (implied) currency is a duplicate, not a conflict.
  absl::StatusOr<IngestReport> r = ws->Ingest(std::vector<Event>{Sale("S1", 100)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->duplicates, 1u);
  EXPECT_TRUE(r->rejected.empty());
}

TEST_P(WorkspaceTest, NdjsonReportsLinesAndPaths) {
  auto ws = OpenOrDie();
  std::string ndjson = absl::StrCat(
      R"({"id":"S1","kind":"sale","occurred_at":"2025-06-18T10:00:00+08:00","customer":"C1","amount_minor":100})",
      "\n\n",
      R"({"id":"S2","kind":"sale","occurred_at":"2025-06-18T10:00:00+08:00","customer":"C1","amount_minor":"12k"})",
      "\r\n", R"({"id":"S3", oops})", "\n",
      R"({"id":"S4","kind":"return","occurred_at":"2025-06-19T10:00:00+08:00","customer":"C1","amount_minor":40})");
  absl::StatusOr<IngestReport> r = ws->IngestNdjson(ndjson, IngestMode::kBestEffort);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->received, 4u);
  EXPECT_EQ(r->accepted, 2u);
  ASSERT_EQ(r->rejected.size(), 2u);
  EXPECT_EQ(r->rejected[0].index, 1u);
  EXPECT_EQ(r->rejected[0].line, 3u);
  EXPECT_EQ(r->rejected[0].id, "S2");
  EXPECT_EQ(r->rejected[0].message, R"(events[1].amount_minor: expected integer, got "12k")");
  EXPECT_EQ(r->rejected[1].line, 4u);
  EXPECT_THAT(r->rejected[1].message, HasSubstr("events[2]: invalid JSON at line 1"));
  EXPECT_EQ(SumAmounts(*ws), 140);

  r = ws->IngestNdjson(ndjson, IngestMode::kAtomic);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->committed);
  EXPECT_EQ(Mark(*ws), 2u);
}

TEST_P(WorkspaceTest, ReversalsMustNameALoggedEventOnce) {
  auto ws = OpenOrDie();
  auto reversal = [](std::string id, std::string target) {
    Event e;
    e.id = std::move(id);
    e.kind = EventKind::kReversal;
    e.occurred_at = T("2025-06-20T00:00:00Z");
    e.reverses = std::move(target);
    return e;
  };
  absl::StatusOr<IngestReport> r = ws->Ingest(std::vector<Event>{reversal("X0", "S404")});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_EQ(r->rejected[0].path, "events[0].reverses");

  // A reversal may cancel an event sent earlier in the same batch.
  r = ws->Ingest(std::vector<Event>{Sale("S1", 100), reversal("X1", "S1")});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 2u) << (r->rejected.empty() ? "" : r->rejected[0].message);

  // Never twice, in a later batch or the same one; never a reversal of a reversal.
  r = ws->Ingest(std::vector<Event>{reversal("X2", "S1")});
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_THAT(r->rejected[0].message, HasSubstr(R"(already reversed by event "X1")"));
  r = ws->Ingest(std::vector<Event>{Sale("S2", 5), reversal("X3", "S2"), reversal("X4", "S2")});
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_EQ(r->rejected[0].index, 2u);
  r = ws->Ingest(std::vector<Event>{reversal("X5", "X1")});
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_THAT(r->rejected[0].message, HasSubstr("a reversal cannot be reversed"));
  // Re-sending the accepted reversal is a harmless duplicate.
  r = ws->Ingest(std::vector<Event>{reversal("X1", "S1")});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->duplicates, 1u);
  EXPECT_TRUE(r->rejected.empty());
}

Event Move(std::string id, std::string opportunity, std::string stage, const char* when,
           std::optional<std::string> reason = std::nullopt) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kOpportunity;
  e.occurred_at = T(when);
  e.customer = "C1";
  e.reference = std::move(opportunity);
  e.stage = std::move(stage);
  e.reason = std::move(reason);
  return e;
}

constexpr char kPipelineV1[] = R"({"id":"default","name":"Retail","stages":[)"
                               R"({"id":"lead","name":"Lead","win_probability":"0.1"},)"
                               R"({"id":"won","name":"Won","win_probability":"1","outcome":"won"},)"
                               R"({"id":"lost","name":"Lost","win_probability":"0","outcome":"lost"}],)"
                               R"("lost_reasons":["price","competitor"]})";

TEST_P(WorkspaceTest, OpportunityStagesAreCheckedAgainstThePipelineInForce) {
  auto ws = OpenOrDie();
  // No pipeline yet: refused, naming the collection to fill.
  absl::StatusOr<IngestReport> r = ws->Ingest(std::vector<Event>{Move("O1-a", "O1", "lead", "2025-03-01T00:00:00Z")});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_EQ(r->rejected[0].path, "events[0].pipeline");
  EXPECT_THAT(r->rejected[0].message, HasSubstr(R"(put one in the "pipelines" collection)"));

  ASSERT_TRUE(ws->Put("pipelines", "default", kPipelineV1).ok());
  // From July on, the pipeline gains a "demo" stage.
  std::string v2 = kPipelineV1;
  v2.replace(v2.find(R"({"id":"won")"), 0, R"({"id":"demo","name":"Demo","win_probability":"0.4"},)");
  ASSERT_TRUE(ws->Put("pipelines", "default", v2, PutOptions{.effective_from = T("2025-07-01T00:00:00Z")}).ok());

  r = ws->Ingest(std::vector<Event>{Move("O1-a", "O1", "lead", "2025-03-01T00:00:00Z"),
                                    Move("O1-b", "O1", "demo", "2025-03-05T00:00:00Z")});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_EQ(r->rejected[0].index, 1u);
  EXPECT_EQ(r->rejected[0].path, "events[1].stage");
  EXPECT_THAT(r->rejected[0].message, HasSubstr(R"(not a stage of pipeline "default" (stages: lead, won, lost))"));
  EXPECT_EQ(r->accepted, 0u);  // atomic: nothing written

  r = ws->Ingest(std::vector<Event>{Move("O1-a", "O1", "lead", "2025-03-01T00:00:00Z"),
                                    Move("O1-b", "O1", "demo", "2025-07-05T00:00:00Z")});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 2u) << (r->rejected.empty() ? "" : r->rejected[0].message);

  // A lost move needs one of the listed reasons, and only a lost move has one.
  r = ws->Ingest(std::vector<Event>{Move("O1-c", "O1", "lost", "2025-07-09T00:00:00Z")});
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_EQ(r->rejected[0].path, "events[0].reason");
  EXPECT_THAT(r->rejected[0].message, HasSubstr("required field is missing"));
  r = ws->Ingest(std::vector<Event>{Move("O1-c", "O1", "lost", "2025-07-09T00:00:00Z", "weather")});
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_THAT(r->rejected[0].message,
              HasSubstr("not one of the lost_reasons of pipeline \"default\" (price, competitor)"));
  r = ws->Ingest(std::vector<Event>{Move("O1-c", "O1", "won", "2025-07-09T00:00:00Z", "price")});
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_THAT(r->rejected[0].message, HasSubstr("only a move to a lost stage gives a reason"));
  r = ws->Ingest(std::vector<Event>{Move("O1-c", "O1", "lost", "2025-07-09T00:00:00Z", "price")});
  EXPECT_EQ(r->accepted, 1u);

  // Another pipeline must exist too.
  Event other = Move("O2-a", "O2", "lead", "2025-07-09T00:00:00Z");
  other.pipeline = "b2b";
  r = ws->Ingest(std::vector<Event>{other});
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_EQ(r->rejected[0].path, "events[0].pipeline");
}

TEST_P(WorkspaceTest, FollowUpDoneMustNameAFollowUp) {
  auto ws = OpenOrDie();
  auto done = [](std::string id, std::string task) {
    Event e;
    e.id = std::move(id);
    e.kind = EventKind::kFollowUpDone;
    e.occurred_at = T("2025-06-21T00:00:00Z");
    e.reference = std::move(task);
    return e;
  };
  Event task;
  task.id = "F1";
  task.kind = EventKind::kFollowUp;
  task.occurred_at = T("2025-06-18T00:00:00Z");
  task.customer = "C1";
  task.due_on = absl::CivilDay(2025, 6, 20);
  Event visit;
  visit.id = "I1";
  visit.kind = EventKind::kInteraction;
  visit.occurred_at = T("2025-06-18T00:00:00Z");
  visit.customer = "C1";
  visit.channel = Channel::kVisit;

  absl::StatusOr<IngestReport> r = ws->Ingest(std::vector<Event>{done("D0", "F1")});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_EQ(r->rejected[0].path, "events[0].reference");
  EXPECT_THAT(r->rejected[0].message, HasSubstr("no event with this id in the log or earlier in this batch"));

  // Earlier in the same batch, or already logged.
  r = ws->Ingest(std::vector<Event>{task, done("D1", "F1"), visit});
  EXPECT_EQ(r->accepted, 3u) << (r->rejected.empty() ? "" : r->rejected[0].message);
  r = ws->Ingest(std::vector<Event>{done("D2", "F1")});
  EXPECT_EQ(r->accepted, 1u);

  // An interaction is a task only when it has a next step due.
  r = ws->Ingest(std::vector<Event>{done("D3", "I1")});
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_THAT(r->rejected[0].message, HasSubstr("names a interaction event; a follow-up is a follow_up event"));
  Event visit2 = visit;
  visit2.id = "I2";
  visit2.next_step = "bring the catalogue";
  visit2.due_on = absl::CivilDay(2025, 6, 25);
  r = ws->Ingest(std::vector<Event>{visit2, done("D4", "I2")});
  EXPECT_EQ(r->accepted, 2u) << (r->rejected.empty() ? "" : r->rejected[0].message);
}

TEST_P(WorkspaceTest, ManyReadersOneWriter) {
  auto ws = OpenOrDie();
  constexpr int kBatches = 40, kPerBatch = 25;
  std::atomic<bool> done{false};
  std::atomic<int> torn{0}, reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!done.load()) {
        int64_t n = 0;
        absl::Status s = ws->ScanEvents({}, [&](const StoredEvent&) {
          ++n;
          return true;
        });
        if (!s.ok() || n % kPerBatch != 0) ++torn;
        ++reads;
      }
    });
  }
  for (int b = 0; b < kBatches; ++b) {
    std::vector<Event> batch;
    for (int i = 0; i < kPerBatch; ++i) batch.push_back(Sale(absl::StrCat("S", b, "-", i), 1));
    const int reads_before = reads.load();
    absl::StatusOr<IngestReport> r = ws->Ingest(batch);
    ASSERT_TRUE(r.ok() && r->accepted == kPerBatch);
    // Let a read finish between batches, so reads and writes interleave however
    // loaded the machine is (no timing involved: the readers run until `done`).
    while (reads.load() == reads_before) std::this_thread::yield();
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(torn.load(), 0) << "a reader saw part of a batch";
  EXPECT_GE(reads.load(), kBatches);
  EXPECT_EQ(Mark(*ws), uint64_t{kBatches * kPerBatch});
}

INSTANTIATE_TEST_SUITE_P(Backends, WorkspaceTest, ::testing::Values("memory", "sqlite"),
                         [](const auto& info) { return info.param; });

// ---- persistence ---------------------------------------------------------------

TEST(WorkspacePersistenceTest, SettingsAndDataSurviveReopen) {
  testing::TempDir dir;
  const std::string uri = "sqlite:" + dir.File("crm.db");
  {
    auto ws = Workspace::Open(uri, {.currency = "JPY", .time_zone = "Asia/Tokyo"});
    ASSERT_TRUE(ws.ok()) << ws.status();
    ASSERT_TRUE((*ws)->Ingest(std::vector<Event>{Sale("S1", 100)}).ok());
  }
  auto ws = Workspace::Open(uri);
  ASSERT_TRUE(ws.ok()) << ws.status();
  EXPECT_EQ((*ws)->currency().code(), "JPY");
  EXPECT_EQ((*ws)->settings().time_zone, "Asia/Tokyo");
  EXPECT_EQ(*(*ws)->HighWaterMark(), 1u);
  absl::Status s = Workspace::Open(uri, {.currency = "CNY"}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("created with JPY"));
}

TEST(WorkspacePersistenceTest, UnknownUriSchemeRefused) {
  EXPECT_EQ(Workspace::Open("oracle://x").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cadre
