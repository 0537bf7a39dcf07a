// testing/store_conformance.cc — the tests of the store conformance suite.
#include "testing/store_conformance.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "boost/describe.hpp"
#include "boost/mp11/algorithm.hpp"
#include "cadre/json.h"
#include "gmock/gmock.h"

namespace cadre::testing {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// ---- Helpers -------------------------------------------------------------------

namespace internal {
int StoreConformanceAnchor() { return 0; }
}  // namespace internal

std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info) { return info.param.name; }

void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }

void StoreConformanceTest::SetUp() {
  absl::StatusOr<std::unique_ptr<Store>> opened = GetParam().open(dir_.path());
  ASSERT_TRUE(opened.ok()) << opened.status();
  store_ = *std::move(opened);
}

void StoreConformanceTest::TearDown() { store_.reset(); }

void StoreConformanceTest::Reopen() {
  store_.reset();
  absl::StatusOr<std::unique_ptr<Store>> opened = GetParam().open(dir_.path());
  ASSERT_TRUE(opened.ok()) << opened.status();
  store_ = *std::move(opened);
}

absl::Time At(int64_t minutes) {
  static const absl::Time base = absl::FromCivil(absl::CivilSecond(2025, 6, 1, 0, 0, 0), absl::UTCTimeZone());
  return base + absl::Minutes(minutes);
}

Event Sale(std::string id, absl::Time occurred_at, std::string manager, std::string customer, int64_t amount_minor) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kSale;
  e.occurred_at = occurred_at;
  e.recorded_at = occurred_at + absl::Hours(1);
  if (!manager.empty()) e.manager = std::move(manager);
  if (!customer.empty()) e.customer = std::move(customer);
  e.amount_minor = amount_minor;
  e.quantity = 1;
  return e;
}

Event RichEvent(std::string id, absl::Time occurred_at) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kInteraction;
  e.occurred_at = occurred_at + absl::Milliseconds(123);
  e.recorded_at = occurred_at + absl::Seconds(7) + absl::Nanoseconds(42);
  e.manager = "M-经理-7";
  e.customer = "C-42";
  e.amount_minor = -129900;
  e.currency = "CNY";
  e.quantity = 3;
  e.category = "appliances";
  e.sku = "AC-2";
  e.channel = Channel::kStoreMeeting;
  e.outcome = "follow-up booked";
  e.score = Decimal::FromUnits(4'500'000'001);
  e.reference = "ORDER-88";
  e.reverses = "S-1";
  e.reason = "a \"quoted\" reason, with 中文";
  e.next_step = "call back after the 618 sale";
  e.due_on = absl::CivilDay(2025, 6, 20);
  e.stage = "proposal";
  e.pipeline = "default";
  e.severity = Severity::kCritical;
  e.note = "customer called twice; 请回电";
  e.lines = {LineItem{.sku = "AC-2", .category = "appliances", .quantity = 1, .amount_minor = 100000},
             LineItem{.sku = "FIL-9", .category = std::nullopt, .quantity = 2, .amount_minor = 29900}};
  e.attributes = {{"campaign", "618"}, {"note", "line1\nline2"}, {"empty", ""}};
  return e;
}

WriteBatch Events(std::vector<Event> events, bool all_or_nothing) {
  WriteBatch b;
  b.events = std::move(events);
  b.all_or_nothing = all_or_nothing;
  return b;
}

DocumentWrite Put(std::string collection, std::string id, std::string body, std::optional<int64_t> expected_version,
                  absl::Time effective_from) {
  DocumentWrite d;
  d.collection = std::move(collection);
  d.id = std::move(id);
  d.body = std::move(body);
  d.expected_version = expected_version;
  d.effective_from = effective_from;
  d.recorded_at = At(10'000);
  return d;
}

DocumentWrite Delete(std::string collection, std::string id, std::optional<int64_t> expected_version,
                     absl::Time effective_from) {
  DocumentWrite d = Put(std::move(collection), std::move(id), "", expected_version, effective_from);
  d.deleted = true;
  return d;
}

std::vector<StoredEvent> Scan(Store& store, const EventQuery& query) {
  std::vector<StoredEvent> out;
  absl::Status s = store.ScanEvents(query, [&](const StoredEvent& e) {
    out.push_back(e);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

std::vector<uint64_t> ScanSeqs(Store& store, const EventQuery& query) {
  std::vector<uint64_t> out;
  absl::Status s = store.ScanEvents(query, [&](const StoredEvent& e) {
    out.push_back(e.seq);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

std::vector<DocumentVersion> List(Store& store, const std::string& collection, std::optional<absl::Time> as_of) {
  std::vector<DocumentVersion> out;
  absl::Status s = store.ListDocuments(collection, as_of, [&](const DocumentVersion& v) { out.push_back(v); });
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

std::vector<DocumentVersion> History(Store& store, const std::string& collection, const std::string& id) {
  std::vector<DocumentVersion> out;
  absl::Status s = store.DocumentHistory(collection, id, [&](const DocumentVersion& v) { out.push_back(v); });
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

::testing::AssertionResult SameEvent(const Event& expected, const Event& actual) {
  if (expected.SameContent(actual) && expected.recorded_at == actual.recorded_at) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "expected " << json::ToText(expected) << "\n     got "
                                       << json::ToText(actual);
}

namespace {

std::string Msg(const absl::Status& s) { return std::string(s.message()); }

std::vector<int64_t> Versions(const std::vector<DocumentVersion>& vs) {
  std::vector<int64_t> out;
  for (const DocumentVersion& v : vs) out.push_back(v.version);
  return out;
}

std::vector<std::string> Ids(const std::vector<DocumentVersion>& vs) {
  std::vector<std::string> out;
  for (const DocumentVersion& v : vs) out.push_back(v.id);
  return out;
}

CommitResult MustCommit(Store& store, const WriteBatch& batch) {
  absl::StatusOr<CommitResult> r = store.Commit(batch);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return {};
  EXPECT_EQ(r->events.size(), batch.events.size());
  EXPECT_EQ(r->seqs.size(), batch.events.size());
  EXPECT_EQ(r->document_versions.size(), batch.documents.size());
  return *std::move(r);
}

int64_t MustPut(Store& store, DocumentWrite write) {
  WriteBatch b;
  b.documents.push_back(std::move(write));
  CommitResult r = MustCommit(store, b);
  EXPECT_TRUE(r.committed);
  return r.document_versions.empty() ? 0 : r.document_versions[0];
}

uint64_t Hwm(Store& store) {
  absl::StatusOr<uint64_t> h = store.HighWaterMark();
  EXPECT_TRUE(h.ok()) << h.status();
  return h.ok() ? *h : 0;
}

// ---- Basics --------------------------------------------------------------------

TEST_P(StoreConformanceTest, NewStoreIsEmpty) {
  EXPECT_EQ(Hwm(store()), 0u);
  EXPECT_EQ(store().FindEvent("S-1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().GetDocument("customers", "C-1", std::nullopt).status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(List(store(), "customers"), IsEmpty());
  EXPECT_THAT(History(store(), "customers", "C-1"), IsEmpty());
  EXPECT_THAT(Scan(store()), IsEmpty());
  EXPECT_FALSE(store().backend().empty());
}

TEST_P(StoreConformanceTest, EmptyBatchCommits) {
  CommitResult r = MustCommit(store(), WriteBatch{});
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(Hwm(store()), 0u);
}

TEST_P(StoreConformanceTest, MalformedBatchIsRefusedAndWritesNothing) {
  Event no_stamp = Sale("S-2", At(1));
  no_stamp.recorded_at.reset();
  WriteBatch b = Events({Sale("S-1", At(0)), no_stamp});
  b.documents.push_back(Put("customers", "C-1", R"({"id":"C-1"})"));
  absl::StatusOr<CommitResult> r = store().Commit(b);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(r.status()), HasSubstr("events[1].recorded_at"));

  Event no_id = Sale("", At(1));
  EXPECT_EQ(store().Commit(Events({no_id})).status().code(), absl::StatusCode::kInvalidArgument);

  WriteBatch no_collection;
  no_collection.documents.push_back(Put("", "C-1", "{}"));
  EXPECT_THAT(Msg(store().Commit(no_collection).status()), HasSubstr("documents[0].collection"));

  WriteBatch no_body;
  no_body.documents.push_back(Put("customers", "C-1", ""));
  EXPECT_EQ(store().Commit(no_body).status().code(), absl::StatusCode::kInvalidArgument);

  EXPECT_EQ(Hwm(store()), 0u);
  EXPECT_EQ(store().FindEvent("S-1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(History(store(), "customers", "C-1"), IsEmpty());
}

// ---- Documents -------------------------------------------------------------------

TEST_P(StoreConformanceTest, DocumentVersionsCountUpAndKeepHistory) {
  EXPECT_EQ(MustPut(store(), Put("customers", "C-1", R"({"name":"Li"})")), 1);
  EXPECT_EQ(MustPut(store(), Put("customers", "C-1", R"({"name":"Li Wei"})")), 2);
  EXPECT_EQ(MustPut(store(), Put("customers", "C-2", R"({"name":"Wang"})")), 1);
  EXPECT_EQ(MustPut(store(), Put("managers", "C-1", R"({"name":"other collection"})")), 1);

  absl::StatusOr<DocumentVersion> v = store().GetDocument("customers", "C-1", std::nullopt);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->collection, "customers");
  EXPECT_EQ(v->id, "C-1");
  EXPECT_EQ(v->version, 2);
  EXPECT_EQ(v->body, R"({"name":"Li Wei"})");
  EXPECT_FALSE(v->deleted);
  EXPECT_EQ(v->effective_from, absl::InfinitePast());
  EXPECT_EQ(v->recorded_at, At(10'000));

  std::vector<DocumentVersion> h = History(store(), "customers", "C-1");
  EXPECT_THAT(Versions(h), ElementsAre(1, 2));
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].body, R"({"name":"Li"})");
}

TEST_P(StoreConformanceTest, DocumentFieldsRoundTrip) {
  DocumentWrite w = Put("x_notes", "n/1 ü", R"({"text":"多语言 \"q\""})", std::nullopt, At(-5));
  w.recorded_at = At(77) + absl::Nanoseconds(9);
  MustPut(store(), w);
  absl::StatusOr<DocumentVersion> v = store().GetDocument("x_notes", "n/1 ü", std::nullopt);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->body, w.body);
  EXPECT_EQ(v->effective_from, w.effective_from);
  EXPECT_EQ(v->recorded_at, w.recorded_at);
}

TEST_P(StoreConformanceTest, ExpectedVersionZeroMeansMustNotExist) {
  EXPECT_EQ(MustPut(store(), Put("customers", "C-1", "{}", 0)), 1);
  absl::StatusOr<CommitResult> again = store().Commit(WriteBatch{{Put("customers", "C-1", R"({"b":1})", 0)}});
  ASSERT_EQ(again.status().code(), absl::StatusCode::kAborted) << again.status();
  EXPECT_THAT(Msg(again.status()), HasSubstr("customers/C-1"));
  EXPECT_THAT(Msg(again.status()), HasSubstr("expected version 0"));
  EXPECT_THAT(Msg(again.status()), HasSubstr("current version 1"));
  EXPECT_THAT(Versions(History(store(), "customers", "C-1")), ElementsAre(1));
}

TEST_P(StoreConformanceTest, StaleExpectedVersionIsAbortedAndWritesNothing) {
  MustPut(store(), Put("customers", "C-1", R"({"v":1})"));
  MustPut(store(), Put("customers", "C-1", R"({"v":2})"));
  EXPECT_EQ(MustPut(store(), Put("customers", "C-1", R"({"v":3})", 2)), 3);

  absl::StatusOr<CommitResult> stale = store().Commit(WriteBatch{{Put("customers", "C-1", R"({"v":"x"})", 2)}});
  ASSERT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(Msg(stale.status()), HasSubstr("customers/C-1"));
  EXPECT_THAT(Msg(stale.status()), HasSubstr("expected version 2"));
  EXPECT_THAT(Msg(stale.status()), HasSubstr("current version 3"));

  absl::StatusOr<CommitResult> missing = store().Commit(WriteBatch{{Put("customers", "C-9", "{}", 4)}});
  ASSERT_EQ(missing.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(Msg(missing.status()), HasSubstr("customers/C-9"));
  EXPECT_THAT(Msg(missing.status()), HasSubstr("expected version 4"));
  EXPECT_THAT(Msg(missing.status()), HasSubstr("current version 0"));

  EXPECT_THAT(Versions(History(store(), "customers", "C-1")), ElementsAre(1, 2, 3));
  EXPECT_THAT(History(store(), "customers", "C-9"), IsEmpty());
}

TEST_P(StoreConformanceTest, AbortedBatchWritesNoneOfItsDocumentsOrEvents) {
  MustPut(store(), Put("customers", "C-1", "{}"));
  WriteBatch b = Events({Sale("S-1", At(0)), Sale("S-2", At(1))});
  b.documents.push_back(Put("customers", "C-2", "{}", 0));          // fine alone
  b.documents.push_back(Put("customers", "C-1", R"({"x":1})", 0));  // stale
  EXPECT_EQ(store().Commit(b).status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Hwm(store()), 0u);
  EXPECT_EQ(store().FindEvent("S-1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(History(store(), "customers", "C-2"), IsEmpty());
  EXPECT_THAT(Versions(History(store(), "customers", "C-1")), ElementsAre(1));
}

TEST_P(StoreConformanceTest, WritesToOneDocumentInOneBatchApplyInOrder) {
  WriteBatch b;
  b.documents.push_back(Put("customers", "C-1", R"({"v":1})", 0));
  b.documents.push_back(Put("customers", "C-1", R"({"v":2})", 1));
  b.documents.push_back(Put("customers", "C-1", R"({"v":3})"));
  CommitResult r = MustCommit(store(), b);
  EXPECT_TRUE(r.committed);
  EXPECT_THAT(r.document_versions, ElementsAre(1, 2, 3));

  WriteBatch stale;
  stale.documents.push_back(Put("customers", "C-2", "{}", 0));
  stale.documents.push_back(Put("customers", "C-2", "{}", 0));  // C-2 exists by now
  EXPECT_EQ(store().Commit(stale).status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(History(store(), "customers", "C-2"), IsEmpty());
}

TEST_P(StoreConformanceTest, AsOfReadsPickNewestEffectiveFromWithTiesToHigherVersion) {
  MustPut(store(), Put("plans", "P", R"({"v":1})", std::nullopt, At(10)));  // v1 from 10
  MustPut(store(), Put("plans", "P", R"({"v":2})", std::nullopt, At(30)));  // v2 from 30
  MustPut(store(), Put("plans", "P", R"({"v":3})", std::nullopt, At(20)));  // v3 from 20 (a backdated change)

  auto version_at = [&](std::optional<absl::Time> as_of) -> int64_t {
    absl::StatusOr<DocumentVersion> v = store().GetDocument("plans", "P", as_of);
    if (!v.ok()) {
      EXPECT_EQ(v.status().code(), absl::StatusCode::kNotFound) << v.status();
      return 0;
    }
    return v->version;
  };
  EXPECT_EQ(version_at(At(9)), 0);
  EXPECT_EQ(version_at(absl::InfinitePast()), 0);
  EXPECT_EQ(version_at(At(10)), 1);
  EXPECT_EQ(version_at(At(19)), 1);
  EXPECT_EQ(version_at(At(20)), 3);
  EXPECT_EQ(version_at(At(29) + absl::Seconds(59)), 3);
  EXPECT_EQ(version_at(At(30)), 2);
  EXPECT_EQ(version_at(absl::InfiniteFuture()), 2);
  EXPECT_EQ(version_at(std::nullopt), 3);  // no as_of: the newest version

  MustPut(store(), Put("plans", "P", R"({"v":4})", std::nullopt, At(20)));  // same instant as v3
  EXPECT_EQ(version_at(At(25)), 4);
  EXPECT_EQ(version_at(At(30)), 2);
}

TEST_P(StoreConformanceTest, InfinitePastIsInForceAlways) {
  MustPut(store(), Put("roles", "R", "{}"));
  EXPECT_TRUE(store().GetDocument("roles", "R", absl::InfinitePast()).ok());
  EXPECT_TRUE(store().GetDocument("roles", "R", At(-1'000'000)).ok());
  EXPECT_TRUE(store().GetDocument("roles", "R", absl::InfiniteFuture()).ok());
}

TEST_P(StoreConformanceTest, TombstonesHideADocumentFromTheirInstantOn) {
  MustPut(store(), Put("customers", "C-1", R"({"v":1})", std::nullopt, At(0)));
  MustPut(store(), Delete("customers", "C-1", 1, At(50)));

  absl::StatusOr<DocumentVersion> newest = store().GetDocument("customers", "C-1", std::nullopt);
  EXPECT_EQ(newest.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().GetDocument("customers", "C-1", At(50)).status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<DocumentVersion> before = store().GetDocument("customers", "C-1", At(49));
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->version, 1);

  std::vector<DocumentVersion> h = History(store(), "customers", "C-1");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_TRUE(h[1].deleted);
  EXPECT_EQ(h[1].body, "");
  EXPECT_EQ(h[1].effective_from, At(50));

  EXPECT_THAT(List(store(), "customers"), IsEmpty());
  EXPECT_THAT(Ids(List(store(), "customers", At(10))), ElementsAre("C-1"));

  // Written again, it is back; the tombstone stays in its history.
  EXPECT_EQ(MustPut(store(), Put("customers", "C-1", R"({"v":3})", 2, At(60))), 3);
  EXPECT_TRUE(store().GetDocument("customers", "C-1", std::nullopt).ok());
  EXPECT_EQ(store().GetDocument("customers", "C-1", At(55)).status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Versions(History(store(), "customers", "C-1")), ElementsAre(1, 2, 3));
}

TEST_P(StoreConformanceTest, ListDocumentsGivesTheVersionInForceByIdInOrder) {
  MustPut(store(), Put("stores", "b", R"({"b":1})", std::nullopt, At(0)));
  MustPut(store(), Put("stores", "a", R"({"a":1})", std::nullopt, At(10)));
  MustPut(store(), Put("stores", "c", R"({"c":1})"));
  MustPut(store(), Put("stores", "b", R"({"b":2})", std::nullopt, At(20)));
  MustPut(store(), Delete("stores", "c", std::nullopt, At(30)));
  MustPut(store(), Put("stores", "B", R"({"B":1})"));  // upper case sorts first (bytewise)
  MustPut(store(), Put("regions", "a", R"({"other":1})"));

  std::vector<DocumentVersion> now = List(store(), "stores");
  EXPECT_THAT(Ids(now), ElementsAre("B", "a", "b"));
  ASSERT_EQ(now.size(), 3u);
  EXPECT_EQ(now[2].body, R"({"b":2})");

  std::vector<DocumentVersion> early = List(store(), "stores", At(5));
  EXPECT_THAT(Ids(early), ElementsAre("B", "b", "c"));
  ASSERT_EQ(early.size(), 3u);
  EXPECT_EQ(early[1].version, 1);

  std::vector<DocumentVersion> mid = List(store(), "stores", At(25));
  EXPECT_THAT(Ids(mid), ElementsAre("B", "a", "b", "c"));
  EXPECT_THAT(Versions(mid), ElementsAre(1, 1, 2, 1));

  EXPECT_THAT(Ids(List(store(), "stores", At(30))), ElementsAre("B", "a", "b"));
  EXPECT_THAT(List(store(), "stores", absl::InfinitePast()), ::testing::SizeIs(2));  // B and c (InfinitePast)
  EXPECT_THAT(List(store(), "nothing"), IsEmpty());
}

// ---- Events ------------------------------------------------------------------------

TEST_P(StoreConformanceTest, EventsRoundTripEveryField) {
  Event rich = RichEvent("I-1", At(5));
  Event bare;
  bare.id = "A-1";
  bare.kind = EventKind::kAssignment;
  bare.occurred_at = At(6);
  bare.recorded_at = At(7);
  CommitResult r = MustCommit(store(), Events({rich, bare}));
  EXPECT_TRUE(r.committed);
  EXPECT_THAT(r.events, ElementsAre(AppendOutcome::kAppended, AppendOutcome::kAppended));
  EXPECT_THAT(r.seqs, ElementsAre(1, 2));

  absl::StatusOr<StoredEvent> got = store().FindEvent("I-1");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->seq, 1u);
  EXPECT_TRUE(SameEvent(rich, got->event));
  got = store().FindEvent("A-1");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->seq, 2u);
  EXPECT_TRUE(SameEvent(bare, got->event));
  EXPECT_FALSE(got->event.manager.has_value());
  EXPECT_FALSE(got->event.score.has_value());
  EXPECT_TRUE(got->event.attributes.empty());

  std::vector<StoredEvent> all = Scan(store());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_TRUE(SameEvent(rich, all[0].event));
  EXPECT_TRUE(SameEvent(bare, all[1].event));
}

// Every kind is stored and read back as itself, and a scan by kind finds it:
// the newest kinds (survey_response, training_enrolled, training_completed) included.
TEST_P(StoreConformanceTest, EveryKindRoundTripsAndScansByKind) {
  std::vector<Event> events;
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<EventKind>>([&](auto d) {
    Event e;
    e.id = absl::StrCat("K-", d.name);
    e.kind = d.value;
    e.occurred_at = At(static_cast<int64_t>(events.size()));
    e.recorded_at = e.occurred_at;
    events.push_back(std::move(e));
  });
  Event& survey = events[static_cast<std::size_t>(EventKind::kSurveyResponse)];
  ASSERT_EQ(survey.kind, EventKind::kSurveyResponse);
  survey.customer = "C-1";
  survey.manager = "M-1";
  survey.category = "nps";
  survey.score = Decimal::FromUnits(9 * Decimal::kOne);
  survey.channel = Channel::kMessage;
  survey.reference = "S-1";
  Event& enrolled = events[static_cast<std::size_t>(EventKind::kTrainingEnrolled)];
  ASSERT_EQ(enrolled.kind, EventKind::kTrainingEnrolled);
  enrolled.manager = "M-1";
  enrolled.reference = "CMP";
  enrolled.due_on = absl::CivilDay(2025, 7, 1);
  Event& completed = events[static_cast<std::size_t>(EventKind::kTrainingCompleted)];
  ASSERT_EQ(completed.kind, EventKind::kTrainingCompleted);
  completed.manager = "M-1";
  completed.reference = "CMP";
  completed.category = "X";
  completed.score = Decimal::FromUnits(8725 * Decimal::kOne / 100);  // 87.25
  Event& opened = events[static_cast<std::size_t>(EventKind::kCase)];
  ASSERT_EQ(opened.kind, EventKind::kCase);
  opened.reference = "CASE-1";
  opened.stage = "opened";
  opened.category = "complaint";
  opened.customer = "C-1";
  opened.manager = "M-1";
  opened.channel = Channel::kCall;
  opened.severity = Severity::kHigh;
  opened.note = "delivery late";
  Event& step = events[static_cast<std::size_t>(EventKind::kSopStepDone)];
  ASSERT_EQ(step.kind, EventKind::kSopStepDone);
  step.reference = "complaint/CASE-1";
  step.stage = "apologise";
  step.manager = "M-1";
  step.outcome = "apology accepted";
  step.note = "voucher offered";
  Event& escalation = events[static_cast<std::size_t>(EventKind::kSopEscalation)];
  ASSERT_EQ(escalation.kind, EventKind::kSopEscalation);
  escalation.reference = "complaint/CASE-1";
  escalation.stage = "apologise";
  escalation.category = "raise_severity";
  escalation.severity = Severity::kCritical;
  MustCommit(store(), Events(events));

  for (const Event& e : events) {
    absl::StatusOr<StoredEvent> got = store().FindEvent(e.id);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->event.kind, e.kind) << e.id;
    EXPECT_TRUE(SameEvent(e, got->event)) << e.id;
    std::vector<StoredEvent> of_kind = Scan(store(), {.kinds = {e.kind}});
    ASSERT_EQ(of_kind.size(), 1u) << e.id;
    EXPECT_EQ(of_kind[0].event.id, e.id);
  }
}

TEST_P(StoreConformanceTest, SeqsAreDenseAndIncreasingAcrossBatches) {
  uint64_t expected = 0;
  for (int b = 0; b < 5; ++b) {
    std::vector<Event> events;
    for (int i = 0; i <= b; ++i) events.push_back(Sale(absl::StrCat("S-", b, "-", i), At(100 - b * 10 + i)));
    CommitResult r = MustCommit(store(), Events(events));
    for (uint64_t seq : r.seqs) EXPECT_EQ(seq, ++expected);
    EXPECT_EQ(Hwm(store()), expected);
  }
  std::vector<uint64_t> seqs = ScanSeqs(store(), {.order = ScanOrder::kBySeq});
  ASSERT_EQ(seqs.size(), expected);
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i + 1);
}

TEST_P(StoreConformanceTest, LoggedIdWithSameContentIsADuplicate) {
  MustCommit(store(), Events({Sale("S-1", At(0)), Sale("S-2", At(1))}));
  Event again = Sale("S-2", At(1));
  again.recorded_at = At(999);  // recorded_at is not content
  CommitResult r = MustCommit(store(), Events({Sale("S-3", At(2)), again}));
  EXPECT_TRUE(r.committed);
  EXPECT_THAT(r.events, ElementsAre(AppendOutcome::kAppended, AppendOutcome::kDuplicate));
  EXPECT_THAT(r.seqs, ElementsAre(3, 2));
  EXPECT_EQ(Hwm(store()), 3u);
  absl::StatusOr<StoredEvent> logged = store().FindEvent("S-2");
  ASSERT_TRUE(logged.ok());
  EXPECT_EQ(logged->event.recorded_at, At(1) + absl::Hours(1));  // the first recording stands
}

TEST_P(StoreConformanceTest, LoggedIdWithOtherContentIsAConflict) {
  MustCommit(store(), Events({Sale("S-1", At(0))}));
  CommitResult r = MustCommit(
      store(), Events({Sale("S-2", At(1)), Sale("S-1", At(0), "M-1", "C-1", 2000)}, /*all_or_nothing=*/false));
  EXPECT_TRUE(r.committed);
  EXPECT_THAT(r.events, ElementsAre(AppendOutcome::kAppended, AppendOutcome::kConflict));
  EXPECT_THAT(r.seqs, ElementsAre(2, 1));
  absl::StatusOr<StoredEvent> logged = store().FindEvent("S-1");
  ASSERT_TRUE(logged.ok());
  EXPECT_EQ(logged->event.amount_minor, 1000);  // untouched
  EXPECT_EQ(Hwm(store()), 2u);
}

TEST_P(StoreConformanceTest, AllOrNothingWithAConflictWritesNothingAtAll) {
  MustCommit(store(), Events({Sale("S-1", At(0))}));
  MustPut(store(), Put("customers", "C-1", "{}"));
  WriteBatch b =
      Events({Sale("S-2", At(1)), Sale("S-1", At(0)), Sale("S-1", At(5)), Sale("S-3", At(2)), Sale("S-3", At(2))});
  b.documents.push_back(Put("customers", "C-1", R"({"v":2})", 1));
  b.documents.push_back(Put("customers", "C-2", "{}"));
  absl::StatusOr<CommitResult> r = store().Commit(b);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->committed);
  EXPECT_THAT(r->events, ElementsAre(AppendOutcome::kAppended, AppendOutcome::kDuplicate, AppendOutcome::kConflict,
                                     AppendOutcome::kAppended, AppendOutcome::kDuplicate));
  // Only what is in the log has a seq.
  EXPECT_THAT(r->seqs, ElementsAre(0, 1, 1, 0, 0));
  EXPECT_THAT(r->document_versions, ElementsAre(0, 0));

  EXPECT_EQ(Hwm(store()), 1u);
  EXPECT_EQ(store().FindEvent("S-2").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().FindEvent("S-3").status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Versions(History(store(), "customers", "C-1")), ElementsAre(1));
  EXPECT_THAT(History(store(), "customers", "C-2"), IsEmpty());
  EXPECT_EQ(Scan(store()).size(), 1u);

  // The store carries on: the same batch without the conflict goes in whole.
  b.events.erase(b.events.begin() + 2);
  CommitResult ok = MustCommit(store(), b);
  EXPECT_TRUE(ok.committed);
  EXPECT_THAT(ok.seqs, ElementsAre(2, 1, 3, 3));
  EXPECT_THAT(ok.document_versions, ElementsAre(2, 1));
}

TEST_P(StoreConformanceTest, DuplicatesWithinOneBatch) {
  CommitResult r = MustCommit(store(), Events({Sale("S-1", At(0)), Sale("S-2", At(1)), Sale("S-1", At(0))}));
  EXPECT_TRUE(r.committed);
  EXPECT_THAT(r.events, ElementsAre(AppendOutcome::kAppended, AppendOutcome::kAppended, AppendOutcome::kDuplicate));
  EXPECT_THAT(r.seqs, ElementsAre(1, 2, 1));

  r = MustCommit(store(), Events({Sale("S-4", At(0)), Sale("S-4", At(3))}, /*all_or_nothing=*/false));
  EXPECT_TRUE(r.committed);
  EXPECT_THAT(r.events, ElementsAre(AppendOutcome::kAppended, AppendOutcome::kConflict));
  EXPECT_THAT(r.seqs, ElementsAre(3, 3));
  EXPECT_EQ(store().FindEvent("S-4")->event.occurred_at, At(0));

  r = MustCommit(store(), Events({Sale("S-5", At(0)), Sale("S-5", At(3))}));
  EXPECT_FALSE(r.committed);
  EXPECT_THAT(r.events, ElementsAre(AppendOutcome::kAppended, AppendOutcome::kConflict));
  EXPECT_THAT(r.seqs, ElementsAre(0, 0));
  EXPECT_EQ(store().FindEvent("S-5").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Hwm(store()), 3u);
}

TEST_P(StoreConformanceTest, BatchOfDuplicatesOnlyCommitsNothingNew) {
  MustCommit(store(), Events({Sale("S-1", At(0)), Sale("S-2", At(1))}));
  CommitResult r = MustCommit(store(), Events({Sale("S-2", At(1)), Sale("S-1", At(0))}));
  EXPECT_TRUE(r.committed);
  EXPECT_THAT(r.events, ElementsAre(AppendOutcome::kDuplicate, AppendOutcome::kDuplicate));
  EXPECT_THAT(r.seqs, ElementsAre(2, 1));
  EXPECT_EQ(Hwm(store()), 2u);
}

TEST_P(StoreConformanceTest, MixedBatchIsVisibleWhole) {
  WriteBatch b = Events({Sale("S-1", At(0)), Sale("S-2", At(1))});
  b.documents.push_back(Put("customers", "C-1", "{}", 0));
  b.documents.push_back(Put("managers", "M-1", "{}", 0));
  CommitResult r = MustCommit(store(), b);
  EXPECT_TRUE(r.committed);
  EXPECT_THAT(r.document_versions, ElementsAre(1, 1));
  EXPECT_THAT(r.seqs, ElementsAre(1, 2));
  EXPECT_TRUE(store().GetDocument("customers", "C-1", std::nullopt).ok());
  EXPECT_TRUE(store().GetDocument("managers", "M-1", std::nullopt).ok());
  EXPECT_EQ(Hwm(store()), 2u);
}

TEST_P(StoreConformanceTest, FindEventOfUnknownIdIsNotFound) {
  MustCommit(store(), Events({Sale("S-1", At(0))}));
  absl::StatusOr<StoredEvent> e = store().FindEvent("S-404");
  EXPECT_EQ(e.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Msg(e.status()), HasSubstr("S-404"));
}

// ---- Scans ---------------------------------------------------------------------

// A log with ties in time, out-of-order batches and absent managers/customers,
// checked against a brute-force filter for every combination of filters.
TEST_P(StoreConformanceTest, ScansMatchEveryFilterInBothOrders) {
  std::mt19937 rng(20250601);
  constexpr EventKind kKinds[] = {EventKind::kSale, EventKind::kReturn, EventKind::kInteraction, EventKind::kAssignment,
                                  EventKind::kReversal};
  std::vector<StoredEvent> logged;
  for (int b = 0; b < 6; ++b) {
    std::vector<Event> events;
    for (int i = 0; i < 50; ++i) {
      // Batch 0 is in time order; the others land anywhere, often on equal instants.
      int64_t minute = b == 0 ? i * 10 : static_cast<int64_t>(rng() % 100) * 5;
      int m = static_cast<int>(rng() % 5);
      int c = static_cast<int>(rng() % 7);
      Event e = Sale(absl::StrCat("E-", b, "-", i), At(minute), m == 4 ? "" : absl::StrCat("M-", m),
                     c == 6 ? "" : absl::StrCat("C-", c), static_cast<int64_t>(rng() % 10000));
      e.kind = kKinds[rng() % 5];
      events.push_back(e);
    }
    CommitResult r = MustCommit(store(), Events(events));
    for (size_t i = 0; i < events.size(); ++i) logged.push_back({r.seqs[i], events[i]});
  }

  const std::vector<std::optional<absl::Time>> froms = {std::nullopt, At(100), At(250)};
  const std::vector<std::optional<absl::Time>> untils = {std::nullopt, At(200), At(400) + absl::Nanoseconds(1)};
  const std::vector<std::vector<EventKind>> kinds = {
      {}, {EventKind::kSale}, {EventKind::kReturn, EventKind::kInteraction, EventKind::kReturn}};
  const std::vector<std::optional<std::string>> managers = {std::nullopt, "M-2", "M-none"};
  const std::vector<std::optional<std::string>> customers = {std::nullopt, "C-3"};
  const std::vector<uint64_t> afters = {0, 40};
  const std::vector<std::optional<uint64_t>> limits = {std::nullopt, 5};
  int checked = 0;
  for (const auto& from : froms)
    for (const auto& until : untils)
      for (const auto& ks : kinds)
        for (const auto& manager : managers)
          for (const auto& customer : customers)
            for (uint64_t after : afters)
              for (ScanOrder order : {ScanOrder::kByTime, ScanOrder::kBySeq})
                for (const auto& limit : limits) {
                  EventQuery q{.from = from,
                               .until = until,
                               .kinds = ks,
                               .manager = manager,
                               .customer = customer,
                               .after_seq = after,
                               .order = order,
                               .limit = limit};
                  std::vector<const StoredEvent*> want;
                  for (const StoredEvent& e : logged) {
                    const Event& ev = e.event;
                    if (from && ev.occurred_at < *from) continue;
                    if (until && ev.occurred_at >= *until) continue;
                    if (!ks.empty() && std::find(ks.begin(), ks.end(), ev.kind) == ks.end()) continue;
                    if (manager && ev.manager != manager) continue;
                    if (customer && ev.customer != customer) continue;
                    if (e.seq <= after) continue;
                    want.push_back(&e);
                  }
                  if (order == ScanOrder::kByTime) {
                    std::sort(want.begin(), want.end(), [](const StoredEvent* a, const StoredEvent* b) {
                      return std::pair(a->event.occurred_at, a->seq) < std::pair(b->event.occurred_at, b->seq);
                    });
                  }
                  if (limit && want.size() > *limit) want.resize(*limit);
                  std::vector<uint64_t> want_seqs;
                  for (const StoredEvent* e : want) want_seqs.push_back(e->seq);
                  std::vector<StoredEvent> got = Scan(store(), q);
                  std::vector<uint64_t> got_seqs;
                  for (const StoredEvent& e : got) got_seqs.push_back(e.seq);
                  ASSERT_EQ(got_seqs, want_seqs)
                      << "from=" << (from ? absl::FormatTime(*from) : "-")
                      << " until=" << (until ? absl::FormatTime(*until) : "-") << " kinds=" << ks.size()
                      << " manager=" << manager.value_or("-") << " customer=" << customer.value_or("-")
                      << " after=" << after << " order=" << static_cast<int>(order)
                      << " limit=" << (limit ? static_cast<int64_t>(*limit) : -1);
                  for (size_t i = 0; i < got.size(); ++i) ASSERT_TRUE(SameEvent(want[i]->event, got[i].event));
                  ++checked;
                }
  EXPECT_EQ(checked, 3 * 3 * 3 * 3 * 2 * 2 * 2 * 2);
}

TEST_P(StoreConformanceTest, ScanByTimeBreaksTiesBySeqAndBySeqFollowsTheLog) {
  MustCommit(store(), Events({Sale("late", At(30)), Sale("tie-a", At(10))}));
  MustCommit(store(), Events({Sale("early", At(0)), Sale("tie-b", At(10))}));
  std::vector<std::string> by_time;
  for (const StoredEvent& e : Scan(store())) by_time.push_back(e.event.id);
  EXPECT_THAT(by_time, ElementsAre("early", "tie-a", "tie-b", "late"));
  std::vector<std::string> by_seq;
  for (const StoredEvent& e : Scan(store(), {.order = ScanOrder::kBySeq})) by_seq.push_back(e.event.id);
  EXPECT_THAT(by_seq, ElementsAre("late", "tie-a", "early", "tie-b"));
}

TEST_P(StoreConformanceTest, ScanTimeBoundsAreHalfOpen) {
  MustCommit(store(), Events({Sale("a", At(0)), Sale("b", At(10)), Sale("c", At(20))}));
  EXPECT_THAT(ScanSeqs(store(), {.from = At(10), .until = At(20)}), ElementsAre(2));
  EXPECT_THAT(ScanSeqs(store(), {.from = At(10) + absl::Nanoseconds(1)}), ElementsAre(3));
  EXPECT_THAT(ScanSeqs(store(), {.until = At(10) + absl::Nanoseconds(1)}), ElementsAre(1, 2));
  EXPECT_THAT(ScanSeqs(store(), {.from = At(20), .until = At(10)}), IsEmpty());
  EXPECT_THAT(ScanSeqs(store(), {.from = absl::InfinitePast(), .until = absl::InfiniteFuture()}), ElementsAre(1, 2, 3));
}

TEST_P(StoreConformanceTest, LimitAndEarlyStop) {
  std::vector<Event> events;
  for (int i = 0; i < 20; ++i) events.push_back(Sale(absl::StrCat("S-", i), At(20 - i)));
  MustCommit(store(), Events(events));
  EXPECT_THAT(ScanSeqs(store(), {.limit = 0}), IsEmpty());
  EXPECT_THAT(ScanSeqs(store(), {.limit = 3}), ElementsAre(20, 19, 18));
  EXPECT_THAT(ScanSeqs(store(), {.order = ScanOrder::kBySeq, .limit = 3}), ElementsAre(1, 2, 3));
  EXPECT_EQ(ScanSeqs(store(), {.limit = 1000}).size(), 20u);

  for (ScanOrder order : {ScanOrder::kByTime, ScanOrder::kBySeq}) {
    int calls = 0;
    absl::Status s = store().ScanEvents({.order = order}, [&](const StoredEvent&) { return ++calls < 4; });
    EXPECT_TRUE(s.ok()) << s;
    EXPECT_EQ(calls, 4);
  }
}

TEST_P(StoreConformanceTest, CatchUpFromAHighWaterMark) {
  MustCommit(store(), Events({Sale("a", At(5)), Sale("b", At(1))}));
  uint64_t mark = Hwm(store());
  MustCommit(store(), Events({Sale("c", At(0)), Sale("d", At(9))}));
  EXPECT_THAT(ScanSeqs(store(), {.after_seq = mark, .order = ScanOrder::kBySeq}), ElementsAre(3, 4));
  EXPECT_THAT(ScanSeqs(store(), {.after_seq = Hwm(store()), .order = ScanOrder::kBySeq}), IsEmpty());
}

// A scan sees the log as it was when the scan began, and its callback may call
// back into the store, even to commit.
TEST_P(StoreConformanceTest, ScanCallbackMayUseTheStore) {
  MustCommit(store(), Events({Sale("a", At(0)), Sale("b", At(1)), Sale("c", At(2))}));
  int seen = 0;
  absl::Status s = store().ScanEvents({}, [&](const StoredEvent& e) {
    ++seen;
    EXPECT_TRUE(store().FindEvent(e.event.id).ok());
    EXPECT_EQ(Scan(store(), {.manager = "M-1", .limit = 1}).size(), 1u);
    if (seen == 1) {
      absl::StatusOr<CommitResult> r = store().Commit(Events({Sale("d", At(3)), Sale("0", At(-1))}));
      EXPECT_TRUE(r.ok()) << r.status();
    }
    return true;
  });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(seen, 3);
  EXPECT_EQ(Scan(store()).size(), 5u);
}

TEST_P(StoreConformanceTest, LargeBatch) {
  std::vector<Event> events;
  for (int i = 0; i < 5000; ++i) {
    events.push_back(
        Sale(absl::StrCat("S-", i), At((i * 7919) % 5000), absl::StrCat("M-", i % 13), absl::StrCat("C-", i % 101)));
  }
  CommitResult r = MustCommit(store(), Events(events));
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(Hwm(store()), 5000u);
  std::vector<StoredEvent> all = Scan(store());
  ASSERT_EQ(all.size(), 5000u);
  for (size_t i = 1; i < all.size(); ++i) ASSERT_LE(all[i - 1].event.occurred_at, all[i].event.occurred_at);
  EXPECT_EQ(ScanSeqs(store(), {.manager = "M-3"}).size(), 385u);
  EXPECT_EQ(ScanSeqs(store(), {.customer = "C-100", .order = ScanOrder::kBySeq}).size(), 49u);
}

// ---- Concurrency ----------------------------------------------------------------

// One writer commits batches of kPerBatch events (half of them for M-1) and a
// document version; readers running beside it must only ever see whole batches.
TEST_P(StoreConformanceTest, ReadersBesideAWriterSeeWholeBatches) {
  constexpr int kBatches = 40;
  constexpr int kPerBatch = 10;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::atomic<int64_t> reads{0};

  auto reader = [&](int which) {
    uint64_t last_count = 0;
    while (!done.load()) {
      int64_t doc_version = 0;
      absl::StatusOr<DocumentVersion> d = store().GetDocument("counters", "batches", std::nullopt);
      if (d.ok()) doc_version = d->version;
      uint64_t count = 0;
      absl::Time last = absl::InfinitePast();
      bool ordered = true;
      EventQuery q;
      if (which == 1) q.order = ScanOrder::kBySeq;
      uint64_t expect_seq = 0;
      absl::Status s = store().ScanEvents(q, [&](const StoredEvent& e) {
        ++count;
        if (which == 1) ordered = ordered && e.seq == ++expect_seq;
        if (which == 0) ordered = ordered && e.event.occurred_at >= last;
        last = e.event.occurred_at;
        return true;
      });
      uint64_t m1 = which == 2 ? ScanSeqs(store(), {.manager = "M-1"}).size() : 0;
      absl::StatusOr<uint64_t> hwm = store().HighWaterMark();
      bool ok = s.ok() && hwm.ok() && ordered && count % kPerBatch == 0 && count >= last_count &&
                *hwm % kPerBatch == 0 && *hwm >= count && m1 % (kPerBatch / 2) == 0 &&
                count >= static_cast<uint64_t>(doc_version) * kPerBatch;
      if (!ok) {
        ADD_FAILURE() << "reader " << which << " saw count=" << count << " hwm=" << (hwm.ok() ? *hwm : 0)
                      << " m1=" << m1 << " doc_version=" << doc_version << " ordered=" << ordered << " " << s;
        failures.fetch_add(1);
        return;
      }
      last_count = count;
      reads.fetch_add(1);
    }
  };

  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) readers.emplace_back(reader, i);
  for (int b = 0; b < kBatches && failures.load() == 0; ++b) {
    // Interleave: let the readers make progress between batches.
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (reads.load() < b && failures.load() == 0 && absl::Now() < deadline) std::this_thread::yield();
    std::vector<Event> events;
    for (int i = 0; i < kPerBatch; ++i) {
      events.push_back(Sale(absl::StrCat("S-", b, "-", i), At((kBatches - b) * 10 + (i * 3) % kPerBatch),
                            i % 2 == 0 ? "M-1" : "M-2", absl::StrCat("C-", b)));
    }
    WriteBatch batch = Events(events);
    batch.documents.push_back(Put("counters", "batches", absl::StrCat(R"({"n":)", b + 1, "}"), b));
    absl::StatusOr<CommitResult> r = store().Commit(batch);
    if (!r.ok()) {
      ADD_FAILURE() << r.status();
      break;
    }
  }
  done.store(true);
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GE(reads.load(), kBatches - 1);
  EXPECT_EQ(Hwm(store()), static_cast<uint64_t>(kBatches * kPerBatch));
}

TEST_P(StoreConformanceTest, ConcurrentWritersAreSerialised) {
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        WriteBatch b = Events({Sale(absl::StrCat("S-", t, "-", i), At(i)), Sale(absl::StrCat("S-shared-", i), At(i))});
        b.documents.push_back(Put("counters", "c", "{}"));
        absl::StatusOr<CommitResult> r = store().Commit(b);
        EXPECT_TRUE(r.ok()) << r.status();
      }
    });
  }
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(Hwm(store()), static_cast<uint64_t>(kThreads * kEach + kEach));
  EXPECT_EQ(History(store(), "counters", "c").size(), static_cast<size_t>(kThreads * kEach));
  std::vector<uint64_t> seqs = ScanSeqs(store(), {.order = ScanOrder::kBySeq});
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i + 1);
}

// ---- Persistence ---------------------------------------------------------------

// Test binaries that link this file but only instantiate the main suite are fine.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(StorePersistenceTest);

TEST_P(StorePersistenceTest, ReopenKeepsEverything) {
  ASSERT_TRUE(GetParam().persistent) << GetParam().name << " is not persistent: instantiate it elsewhere";
  Event rich = RichEvent("I-1", At(5));
  WriteBatch b = Events({rich, Sale("S-1", At(0))});
  b.documents.push_back(Put("plans", "P", R"({"v":1})", 0, At(10)));
  MustCommit(store(), b);
  MustPut(store(), Put("plans", "P", R"({"v":2})", 1, At(20)));
  MustPut(store(), Delete("plans", "Q", 0, At(0)));

  Reopen();
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(Hwm(store()), 2u);
  absl::StatusOr<StoredEvent> got = store().FindEvent("I-1");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(SameEvent(rich, got->event));
  EXPECT_THAT(Versions(History(store(), "plans", "P")), ElementsAre(1, 2));
  EXPECT_EQ(store().GetDocument("plans", "P", At(15))->version, 1);
  EXPECT_TRUE(History(store(), "plans", "Q").at(0).deleted);

  // The log carries on where it was; ids logged before are still known.
  CommitResult r = MustCommit(store(), Events({Sale("S-1", At(0)), Sale("S-2", At(1)), Sale("I-1", At(5))}));
  EXPECT_THAT(r.events, ElementsAre(AppendOutcome::kDuplicate, AppendOutcome::kAppended, AppendOutcome::kConflict));
  EXPECT_THAT(r.seqs, ElementsAre(2, 0, 1));  // not committed: all_or_nothing met the conflict
  EXPECT_FALSE(r.committed);
  r = MustCommit(store(), Events({Sale("S-1", At(0)), Sale("S-2", At(1))}));
  EXPECT_THAT(r.seqs, ElementsAre(2, 3));
  EXPECT_EQ(MustPut(store(), Put("plans", "P", R"({"v":3})", 2)), 3);
}

}  // namespace
}  // namespace cadre::testing
