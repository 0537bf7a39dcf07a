#include "cadre/event.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/mp11/algorithm.hpp"
#include "cadre/json.h"
#include "cadre/money.h"
#include "model/text_rules.h"

namespace cadre {
namespace {

using model_internal::CheckAttributes;
using model_internal::CheckKey;
using model_internal::CheckOptionalKey;
using model_internal::CheckOptionalText;
using model_internal::CheckText;
using model_internal::kMaxTextLength;

constexpr int kKinds = static_cast<int>(boost::mp11::mp_size<boost::describe::describe_enumerators<EventKind>>::value);
constexpr int Bit(EventKind k) { return 1 << static_cast<int>(k); }
constexpr int kAllKinds = (1 << kKinds) - 1;
constexpr int kMoneyKinds = Bit(EventKind::kSale) | Bit(EventKind::kReturn);
constexpr int kTrainingKinds = Bit(EventKind::kTrainingEnrolled) | Bit(EventKind::kTrainingCompleted);
constexpr int kSopKinds = Bit(EventKind::kSopStepDone) | Bit(EventKind::kSopEscalation);

// Which kinds may carry each optional field. A field a kind does not use is
// refused rather than ignored: it is almost always a mistake in the sender (a
// score on a sale, an amount on a visit), and ignoring it would lose data silently.
struct FieldUse {
  std::string_view field;
  int kinds;
  bool (*is_set)(const Event&);
};
#define CADRE_FIELD_USE(name, kinds)                                \
  FieldUse {                                                        \
#name, kinds, [](const Event& e) { return e.name.has_value(); } \
  }
constexpr std::array kFieldUse = {
    CADRE_FIELD_USE(manager, kAllKinds & ~Bit(EventKind::kReversal) & ~Bit(EventKind::kFollowUpDone)),
    CADRE_FIELD_USE(customer, kAllKinds & ~Bit(EventKind::kReversal) & ~Bit(EventKind::kFollowUpDone) &
                                  ~kTrainingKinds & ~kSopKinds),
    CADRE_FIELD_USE(amount_minor, kMoneyKinds | Bit(EventKind::kOpportunity)),
    CADRE_FIELD_USE(currency, kMoneyKinds),
    CADRE_FIELD_USE(quantity, kMoneyKinds),
    CADRE_FIELD_USE(category, kMoneyKinds | Bit(EventKind::kInteraction) | Bit(EventKind::kSurveyResponse) |
                                  Bit(EventKind::kTrainingCompleted) | Bit(EventKind::kCase) |
                                  Bit(EventKind::kSopEscalation)),
    CADRE_FIELD_USE(sku, kMoneyKinds),
    CADRE_FIELD_USE(channel, Bit(EventKind::kSale) | Bit(EventKind::kInteraction) | Bit(EventKind::kSurveyResponse) |
                                 Bit(EventKind::kCase)),
    CADRE_FIELD_USE(outcome, Bit(EventKind::kInteraction) | Bit(EventKind::kFollowUpDone) | Bit(EventKind::kCase) |
                                 Bit(EventKind::kSopStepDone)),
    CADRE_FIELD_USE(
        score, Bit(EventKind::kInteraction) | Bit(EventKind::kSurveyResponse) | Bit(EventKind::kTrainingCompleted)),
    CADRE_FIELD_USE(reference, kAllKinds),
    CADRE_FIELD_USE(reverses, Bit(EventKind::kReversal)),
    CADRE_FIELD_USE(reason, Bit(EventKind::kAssignment) | Bit(EventKind::kReversal) | Bit(EventKind::kPoolReminder) |
                                Bit(EventKind::kOpportunity) | Bit(EventKind::kCase)),
    CADRE_FIELD_USE(next_step, Bit(EventKind::kInteraction) | Bit(EventKind::kFollowUp)),
    CADRE_FIELD_USE(due_on, Bit(EventKind::kInteraction) | Bit(EventKind::kFollowUp) | Bit(EventKind::kOpportunity) |
                                Bit(EventKind::kTrainingEnrolled)),
    CADRE_FIELD_USE(stage, Bit(EventKind::kOpportunity) | Bit(EventKind::kCase) | kSopKinds),
    CADRE_FIELD_USE(pipeline, Bit(EventKind::kOpportunity)),
    CADRE_FIELD_USE(severity, Bit(EventKind::kCase) | Bit(EventKind::kSopEscalation)),
    CADRE_FIELD_USE(note, Bit(EventKind::kCase) | Bit(EventKind::kSopStepDone)),
    FieldUse{"lines", kMoneyKinds, [](const Event& e) { return !e.lines.empty(); }},
};
#undef CADRE_FIELD_USE

std::string KindsUsing(int kinds) {
  std::vector<std::string> names;
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<EventKind>>([&](auto d) {
    if (kinds & Bit(d.value)) names.push_back(std::string(json::EnumName(d.value)));
  });
  return absl::StrJoin(names, ", ");
}

}  // namespace

absl::Status LineItem::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "sku", sku));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "category", category));
  if (quantity <= 0) {
    json::PathScope scope(path, "quantity");
    return FieldError(path.str(), "must be positive", absl::StrCat(quantity));
  }
  if (amount_minor < 0) {
    json::PathScope scope(path, "amount_minor");
    return FieldError(path.str(), "must not be negative", absl::StrCat(amount_minor));
  }
  return absl::OkStatus();
}

absl::Status Event::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  std::string_view kind_name = json::EnumName(kind);
  for (const FieldUse& use : kFieldUse) {
    if (!(use.kinds & Bit(kind)) && use.is_set(*this)) {
      json::PathScope scope(path, use.field);
      return FieldError(path.str(), absl::StrCat("not used by ", AbslView(kind_name),
                                                 " events (only by: ", KindsUsing(use.kinds), ")"));
    }
  }
  if (occurred_at == absl::InfiniteFuture() || occurred_at == absl::InfinitePast()) {
    json::PathScope scope(path, "occurred_at");
    return FieldError(path.str(), "must be a finite time");
  }
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "manager", manager));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "customer", customer));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "category", category));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "sku", sku));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "reference", reference));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "reverses", reverses));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "outcome", outcome, kMaxTextLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "reason", reason, kMaxTextLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "next_step", next_step, kMaxTextLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "note", note, kMaxTextLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "stage", stage));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "pipeline", pipeline));
  CADRE_RETURN_IF_ERROR(CheckAttributes(path, attributes));
  if (!lines.empty()) {
    int64_t sum = 0;
    {
      json::PathScope lines_scope(path, "lines");
      for (std::size_t i = 0; i < lines.size(); ++i) {
        json::PathScope scope(path, i);
        CADRE_RETURN_IF_ERROR(lines[i].Validate(path));
        if (__builtin_add_overflow(sum, lines[i].amount_minor, &sum)) {
          json::PathScope amount(path, "amount_minor");
          return FieldError(path.str(), "the lines' amounts overflow a 64-bit sum",
                            absl::StrCat(lines[i].amount_minor));
        }
      }
    }
    const std::pair<std::string_view, bool> per_line[] = {
        {"sku", sku.has_value()}, {"category", category.has_value()}, {"quantity", quantity.has_value()}};
    for (const auto& [field, set] : per_line) {
      if (!set) continue;
      json::PathScope scope(path, field);
      return FieldError(path.str(), "must be absent when the event has lines (each line names its own)");
    }
    if (amount_minor && *amount_minor != sum) {
      json::PathScope scope(path, "amount_minor");
      return FieldError(path.str(), absl::StrCat("must equal the sum of the lines' amounts (", sum, ")"),
                        absl::StrCat(*amount_minor));
    }
  }
  if (currency) {
    json::PathScope scope(path, "currency");
    absl::StatusOr<Currency> c = Currency::Parse(*currency);
    if (!c.ok())
      return FieldError(path.str(), "expected an active ISO 4217 currency code", model_internal::Quoted(*currency));
  }

  switch (kind) {
    case EventKind::kSale:
    case EventKind::kReturn: {
      if (!manager && !customer) {
        return FieldError(path.str(), absl::StrCat(AbslView(kind_name), " events must name a customer or a manager"));
      }
      if (amount_minor && *amount_minor > 0) break;
      json::PathScope scope(path, "amount_minor");
      if (!amount_minor) return FieldError(path.str(), "required field is missing");
      return FieldError(path.str(),
                        kind == EventKind::kSale ? "must be positive (record money back as a return event)"
                                                 : "must be positive (the amount refunded)",
                        absl::StrCat(*amount_minor));
    }
    case EventKind::kInteraction: {
      if (!customer) {
        json::PathScope scope(path, "customer");
        return FieldError(path.str(), "required field is missing (interaction events are with a customer)");
      }
      if (!channel) {
        json::PathScope scope(path, "channel");
        return FieldError(path.str(), "required field is missing (how the contact happened)");
      }
      if (score && (*score < Decimal() || *score > Decimal::FromUnits(100 * Decimal::kOne))) {
        json::PathScope scope(path, "score");
        return FieldError(path.str(), "must be between 0 and 100", model_internal::Quoted(score->ToString()));
      }
      break;
    }
    case EventKind::kAssignment:
      if (!customer) {
        json::PathScope scope(path, "customer");
        return FieldError(path.str(), "required field is missing (the customer whose owner changes)");
      }
      break;
    case EventKind::kPoolReminder:
      if (!customer) {
        json::PathScope scope(path, "customer");
        return FieldError(path.str(), "required field is missing (the customer about to return to the pool)");
      }
      if (!manager) {
        json::PathScope scope(path, "manager");
        return FieldError(path.str(), "required field is missing (the owner who is reminded)");
      }
      break;
    case EventKind::kFollowUp:
      if (!customer) {
        json::PathScope scope(path, "customer");
        return FieldError(path.str(), "required field is missing (the customer to follow up)");
      }
      if (!due_on) {
        json::PathScope scope(path, "due_on");
        return FieldError(path.str(), "required field is missing (the day the follow-up is due)");
      }
      break;
    case EventKind::kFollowUpDone:
      if (!reference) {
        json::PathScope scope(path, "reference");
        return FieldError(path.str(), "required field is missing (the id of the follow_up event that was done)");
      }
      break;
    case EventKind::kOpportunity:
      if (!reference) {
        json::PathScope scope(path, "reference");
        return FieldError(path.str(), "required field is missing (the opportunity's id)");
      }
      if (!customer) {
        json::PathScope scope(path, "customer");
        return FieldError(path.str(), "required field is missing (the customer the opportunity is with)");
      }
      if (!stage) {
        json::PathScope scope(path, "stage");
        return FieldError(path.str(), "required field is missing (the stage the opportunity entered)");
      }
      if (amount_minor && *amount_minor < 0) {
        json::PathScope scope(path, "amount_minor");
        return FieldError(path.str(), "must not be negative (the expected value)", absl::StrCat(*amount_minor));
      }
      break;
    case EventKind::kSurveyResponse: {
      if (!customer) {
        json::PathScope scope(path, "customer");
        return FieldError(path.str(), "required field is missing (the customer who answered)");
      }
      if (!category) {
        json::PathScope scope(path, "category");
        return FieldError(path.str(), "required field is missing (the survey's scale: \"csat\" or \"nps\")");
      }
      const bool csat = *category == "csat";
      if (!csat && *category != "nps") {
        json::PathScope scope(path, "category");
        return FieldError(path.str(), "must be \"csat\" (a score of 1-5) or \"nps\" (a score of 0-10)",
                          model_internal::Quoted(*category));
      }
      if (!score) {
        json::PathScope scope(path, "score");
        return FieldError(path.str(), "required field is missing (the customer's answer)");
      }
      const int64_t low = csat ? 1 : 0, high = csat ? 5 : 10;
      if (score->units() % Decimal::kOne != 0 || *score < Decimal::FromUnits(low * Decimal::kOne) ||
          *score > Decimal::FromUnits(high * Decimal::kOne)) {
        json::PathScope scope(path, "score");
        return FieldError(path.str(),
                          absl::StrCat("must be a whole number from ", low, " to ", high, " on the ",
                                       csat ? "csat" : "nps", " scale"),
                          score->ToString());
      }
      break;
    }
    case EventKind::kTrainingEnrolled:
    case EventKind::kTrainingCompleted: {
      const bool enrolled = kind == EventKind::kTrainingEnrolled;
      if (!manager) {
        json::PathScope scope(path, "manager");
        return FieldError(path.str(), enrolled ? "required field is missing (the manager who is enrolled)"
                                               : "required field is missing (the manager who completed it)");
      }
      if (!reference) {
        json::PathScope scope(path, "reference");
        return FieldError(path.str(), "required field is missing (the course's id)");
      }
      // Scores are percentages with at most two decimals, like the pass marks they meet.
      if (score && (*score < Decimal() || *score > Decimal::FromUnits(100 * Decimal::kOne) ||
                    score->units() % (Decimal::kOne / 100) != 0)) {
        json::PathScope scope(path, "score");
        return FieldError(path.str(), "must be between 0 and 100 with at most two decimals",
                          model_internal::Quoted(score->ToString()));
      }
      break;
    }
    case EventKind::kCase: {
      if (!reference) {
        json::PathScope scope(path, "reference");
        return FieldError(path.str(), "required field is missing (the case's id)");
      }
      if (!stage) {
        json::PathScope scope(path, "stage");
        return FieldError(path.str(), "required field is missing (the stage the case entered)");
      }
      const std::string_view st = *stage;
      if (st != "opened" && st != "responded" && st != "waiting" && st != "resumed" && st != "resolved" &&
          st != "reopened") {
        json::PathScope scope(path, "stage");
        return FieldError(path.str(), "must be one of opened, responded, waiting, resumed, resolved, reopened",
                          model_internal::Quoted(*stage));
      }
      if (st == "opened") {
        if (!category) {
          json::PathScope scope(path, "category");
          return FieldError(path.str(),
                            "required field is missing (what the case is: \"complaint\" or a support category)");
        }
        if (*category == "complaint" && !customer) {
          json::PathScope scope(path, "customer");
          return FieldError(path.str(), "required field is missing (the customer who complains)");
        }
      } else if (category) {
        json::PathScope scope(path, "category");
        return FieldError(path.str(), "only the opening names the case's category", model_internal::Quoted(*category));
      }
      if (st != "resolved" && (outcome || reason)) {
        json::PathScope scope(path, outcome ? "outcome" : "reason");
        return FieldError(path.str(), absl::StrCat("only a resolution gives an outcome and a root cause (stage is ",
                                                   model_internal::Quoted(*stage), ")"));
      }
      break;
    }
    case EventKind::kSopStepDone:
    case EventKind::kSopEscalation: {
      if (!reference) {
        json::PathScope scope(path, "reference");
        return FieldError(path.str(), "required field is missing (the SOP instance's id)");
      }
      if (!stage) {
        json::PathScope scope(path, "stage");
        return FieldError(path.str(), "required field is missing (the step's id)");
      }
      if (kind == EventKind::kSopEscalation) {
        if (!category) {
          json::PathScope scope(path, "category");
          return FieldError(path.str(),
                            "required field is missing (the action: notify_lead, reassign or raise_severity)");
        }
        if (*category != "notify_lead" && *category != "reassign" && *category != "raise_severity") {
          json::PathScope scope(path, "category");
          return FieldError(path.str(), "must be notify_lead, reassign or raise_severity",
                            model_internal::Quoted(*category));
        }
      }
      break;
    }
    case EventKind::kReversal:
      if (!reverses) {
        json::PathScope scope(path, "reverses");
        return FieldError(path.str(), "required field is missing (the id of the event to reverse)");
      }
      if (*reverses == id) {
        json::PathScope scope(path, "reverses");
        return FieldError(path.str(), "an event cannot reverse itself", model_internal::Quoted(*reverses));
      }
      break;
  }
  if (quantity && *quantity <= 0) {
    json::PathScope scope(path, "quantity");
    return FieldError(path.str(), "must be positive", absl::StrCat(*quantity));
  }
  return absl::OkStatus();
}

bool Event::SameContent(const Event& other) const {
  bool same = true;
  boost::mp11::mp_for_each<boost::describe::describe_members<Event, boost::describe::mod_public>>([&](auto d) {
    if (std::string_view(d.name) == "recorded_at") return;
    same = same && (this->*d.pointer == other.*d.pointer);
  });
  return same;
}

}  // namespace cadre
