// cadre/event.h — the event envelope: every fact cadre knows is one of these.
//
// Facts are events; state is derived (DESIGN.md, principle 1). A sale, a return, a
// customer visit, an ownership change: each is an immutable Event with an id the
// host chooses, which makes ingest idempotent (the same id twice is recorded once).
// A correction is a new event of kind `reversal` naming the id it cancels.
//
// Wire form (see cadre/json.h for the conventions), one event per NDJSON line:
//   {"id":"S-1001","kind":"sale","occurred_at":"2025-06-18T10:00:00+08:00",
//    "customer":"C-42","manager":"M-7","amount_minor":129900,"quantity":1,
//    "category":"appliances","sku":"AC-2","reference":"ORDER-88"}
#ifndef CADRE_EVENT_H_
#define CADRE_EVENT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "boost/describe.hpp"
#include "cadre/decimal.h"

namespace cadre {
namespace json {
class Path;
}

enum class EventKind {
  kSale,          // a purchase by a customer; amount_minor > 0 is the gross amount
  kReturn,        // goods returned; amount_minor > 0 is the amount refunded
  kInteraction,   // a contact with a customer (channel says how)
  kAssignment,    // the customer's owner changes: manager set = assigned, absent = released
  kReversal,      // cancels the event named by `reverses`
  kPoolReminder,  // the owner (`manager`) is reminded that `customer` returns to the pool soon
  kFollowUp,      // a follow-up task: `manager` (or the owner) is to contact `customer` by `due_on`
  kFollowUpDone,  // the follow-up task named by `reference` was done at occurred_at
  kOpportunity,   // the opportunity named by `reference` entered `stage` (the first one opens it)
  // A customer's answer to a survey: `category` says which scale ("csat": a score
  // of 1-5; "nps": 0-10, the likelihood to recommend), `score` the answer,
  // `reference` the survey or campaign. Attributed to `manager` if named, else
  // to the customer's owner when it occurred.
  kSurveyResponse,
  // `manager` enrolled in the course named by `reference`, optionally to pass it by `due_on`.
  kTrainingEnrolled,
  // `manager` completed the course named by `reference`, or its module `category`
  // when given, with an optional `score` (0-100) checked against the pass mark.
  kTrainingCompleted,
  // The case named by `reference` (a customer complaint, or an account manager's
  // support request) entered `stage`: opened, responded, waiting (on the
  // customer: SLA clocks pause), resumed, resolved or reopened. The opening names
  // its `category` ("complaint" for a customer's complaint; any other key, e.g.
  // "technical", "marketing", "product", is a support request), the `customer`
  // and `manager` involved, its `channel` and `severity`; a resolution gives its
  // `outcome` and root cause (`reason`).
  kCase,
  // Step `stage` of the SOP instance named by `reference` was done, by `manager`,
  // with an `outcome` and a `note` where the step asks for them.
  kSopStepDone,
  // An escalation rule of step `stage` of SOP instance `reference` fired:
  // `category` is the action (notify_lead, reassign, raise_severity), `manager`
  // whom it went to, `severity` the case's new severity. Recorded by
  // cadre::SopEngine under an id derived from the rule, so it happens once.
  kSopEscalation,
};
BOOST_DESCRIBE_ENUM(EventKind, kSale, kReturn, kInteraction, kAssignment, kReversal, kPoolReminder, kFollowUp,
                    kFollowUpDone, kOpportunity, kSurveyResponse, kTrainingEnrolled, kTrainingCompleted, kCase,
                    kSopStepDone, kSopEscalation)

// How urgent a case is, most urgent first.
enum class Severity { kCritical, kHigh, kMedium, kLow };
BOOST_DESCRIBE_ENUM(Severity, kCritical, kHigh, kMedium, kLow)

enum class Channel { kVisit, kCall, kMessage, kStoreMeeting, kNote, kEmail, kOnline, kStore };
BOOST_DESCRIBE_ENUM(Channel, kVisit, kCall, kMessage, kStoreMeeting, kNote, kEmail, kOnline, kStore)

// One line of a sale or return: what was bought (or brought back), how many, for
// how much. A sale with lines still gives amount_minor, which must equal the sum
// of the lines' amounts; its own sku, category and quantity stay absent.
struct LineItem {
  static constexpr std::string_view kRequired[] = {"sku", "amount_minor"};

  std::string sku;
  std::optional<std::string> category;
  int64_t quantity = 1;      // defaults to 1
  int64_t amount_minor = 0;  // the line's total, in the workspace currency's minor units

  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const LineItem&, const LineItem&) = default;
};
BOOST_DESCRIBE_STRUCT(LineItem, (), (sku, category, quantity, amount_minor))

struct Event {
  static constexpr std::string_view kRequired[] = {"id", "kind", "occurred_at"};

  std::string id;  // host id; idempotency key
  EventKind kind = EventKind::kSale;
  absl::Time occurred_at;                 // when it happened
  std::optional<absl::Time> recorded_at;  // when cadre recorded it; stamped at ingest if absent
  std::optional<std::string> manager;     // account manager credited / involved
  std::optional<std::string> customer;
  std::optional<int64_t> amount_minor;  // in the workspace currency's minor units
  std::optional<std::string> currency;  // defaults to the workspace currency; must equal it
  std::optional<int64_t> quantity;
  std::optional<std::string> category;
  std::optional<std::string> sku;
  std::optional<Channel> channel;                 // interactions (and the sales channel of a sale)
  std::optional<std::string> outcome;             // interactions: what came of it
  std::optional<Decimal> score;                   // a rating, where the kind has one
  std::optional<std::string> reference;           // order, case or campaign id
  std::optional<std::string> reverses;            // reversal: the id of the cancelled event
  std::optional<std::string> reason;              // assignment, reversal, pool_reminder: why;
                                                  // opportunity: why it was lost
  std::optional<std::string> next_step;           // interaction, follow_up: what is to happen next
  std::optional<absl::CivilDay> due_on;           // follow_up (and an interaction's next step): due by the end of this
                                                  // day in the workspace zone; opportunity: expected close date
  std::optional<std::string> stage;               // opportunity: the stage entered (a stage id of the pipeline)
  std::optional<std::string> pipeline;            // opportunity: the pipeline document's id ("default" if absent)
  std::optional<Severity> severity;               // case: how urgent; sop_escalation: the raised severity
  std::optional<std::string> note;                // case, sop_step_done: free text for the record
  std::vector<LineItem> lines;                    // sale, return: the line items (optional)
  std::map<std::string, std::string> attributes;  // free host attributes

  // Context-free rules of the envelope and of each kind; `path` names the event.
  absl::Status Validate(json::Path& path) const;

  // Equality of content, ignoring recorded_at (which the store stamps): a second
  // event with the same id and equal content is a harmless duplicate, with other
  // content a conflict.
  bool SameContent(const Event& other) const;
};
BOOST_DESCRIBE_STRUCT(Event, (),
                      (id, kind, occurred_at, recorded_at, manager, customer, amount_minor, currency, quantity,
                       category, sku, channel, outcome, score, reference, reverses, reason, next_step, due_on, stage,
                       pipeline, severity, note, lines, attributes))

// An event as stored: with its position in the log (1, 2, 3, ...; the high-water
// mark of a store is the largest seq it holds).
struct StoredEvent {
  uint64_t seq = 0;
  Event event;
};

}  // namespace cadre

#endif  // CADRE_EVENT_H_
