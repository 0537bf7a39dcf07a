#include "cadre/model.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "cadre/id.h"
#include "cadre/json.h"
#include "cadre/period.h"
#include "model/text_rules.h"

namespace cadre {

using model_internal::CheckAttributes;
using model_internal::CheckKey;
using model_internal::CheckOptionalKey;
using model_internal::CheckOptionalText;
using model_internal::CheckText;
using model_internal::kMaxNameLength;
using model_internal::Quoted;

absl::Status OrgUnit::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckText(path, "name", name, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "parent", parent));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "lead", lead));
  CADRE_RETURN_IF_ERROR(CheckAttributes(path, attributes));
  json::PathScope scope(path, "parent");
  if (kind == OrgUnitKind::kCompany && parent)
    return FieldError(path.str(), "a company is the root of the org tree and has no parent", Quoted(*parent));
  if (kind != OrgUnitKind::kCompany && !parent)
    return FieldError(path.str(), absl::StrCat("required field is missing (every ", AbslView(json::EnumName(kind)),
                                               " sits under a parent unit)"));
  if (parent && *parent == id) return FieldError(path.str(), "a unit cannot be its own parent", Quoted(*parent));
  return absl::OkStatus();
}

absl::Status Manager::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckText(path, "name", name, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckKey(path, "team", team));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "role", role));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "email", email, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "phone", phone, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckAttributes(path, attributes));
  if (level < 1 || level > 99) {
    json::PathScope scope(path, "level");
    return FieldError(path.str(), "must be between 1 and 99", absl::StrCat(level));
  }
  if (email && email->find('@') == std::string::npos) {
    json::PathScope scope(path, "email");
    return FieldError(path.str(), "must be an e-mail address", Quoted(*email));
  }
  if (status == EmploymentStatus::kLeft && !left_on) {
    json::PathScope scope(path, "left_on");
    return FieldError(path.str(), "required field is missing (status is \"left\")");
  }
  if (left_on && status != EmploymentStatus::kLeft) {
    json::PathScope scope(path, "left_on");
    return FieldError(
        path.str(),
        absl::StrCat("only allowed when status is \"left\", but status is \"", AbslView(json::EnumName(status)), "\""),
        Quoted(FormatDay(*left_on)));
  }
  if (left_on && hired_on && *left_on < *hired_on) {
    json::PathScope scope(path, "left_on");
    return FieldError(path.str(), absl::StrCat("must not be before hired_on (", FormatDay(*hired_on), ")"),
                      Quoted(FormatDay(*left_on)));
  }
  return absl::OkStatus();
}

absl::Status Customer::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckText(path, "name", name, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "phone", phone, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "email", email, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "home_store", home_store));
  CADRE_RETURN_IF_ERROR(CheckAttributes(path, attributes));
  {
    json::PathScope scope(path, "tags");
    for (std::size_t i = 0; i < tags.size(); ++i) {
      json::PathScope item(path, i);
      CADRE_RETURN_IF_ERROR(ValidateId(tags[i], path.str()));
    }
  }
  {
    json::PathScope scope(path, "favourite_categories");
    for (std::size_t i = 0; i < favourite_categories.size(); ++i) {
      json::PathScope item(path, i);
      CADRE_RETURN_IF_ERROR(ValidateId(favourite_categories[i], path.str()));
    }
  }
  if (email && email->find('@') == std::string::npos) {
    json::PathScope scope(path, "email");
    return FieldError(path.str(), "must be an e-mail address", Quoted(*email));
  }
  {
    json::PathScope scope(path, "contact_times");
    for (std::size_t i = 0; i < contact_times.size(); ++i) {
      json::PathScope item(path, i);
      CADRE_RETURN_IF_ERROR(contact_times[i].Validate(path));
    }
  }
  {
    json::PathScope scope(path, "preferred_channels");
    for (std::size_t i = 0; i < preferred_channels.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (preferred_channels[j] != preferred_channels[i]) continue;
        json::PathScope item(path, i);
        return FieldError(path.str(), absl::StrCat("repeats preferred_channels[", j, "]"),
                          Quoted(json::EnumName(preferred_channels[i])));
      }
    }
  }
  json::PathScope scope(path, "consent");
  for (const auto& [channel, given] : consent) {
    if (json::EnumFromName<Channel>(channel)) continue;
    json::PathScope item(path, channel);
    std::string names;
    for (const auto& [n, _] : json::internal::EnumNames<Channel>())
      absl::StrAppend(&names, names.empty() ? "" : ", ", n);
    return FieldError(path.str(), absl::StrCat("is not a channel (expected one of: ", names, ")"),
                      given ? "true" : "false");
  }
  return absl::OkStatus();
}

namespace {

// Minutes after midnight of "HH:MM", or -1.
int ParseClock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return -1;
  for (int i : {0, 1, 3, 4})
    if (text[i] < '0' || text[i] > '9') return -1;
  int h = (text[0] - '0') * 10 + (text[1] - '0');
  int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

Weekday WeekdayOf(absl::CivilDay day) {
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday:
      return Weekday::kMon;
    case absl::Weekday::tuesday:
      return Weekday::kTue;
    case absl::Weekday::wednesday:
      return Weekday::kWed;
    case absl::Weekday::thursday:
      return Weekday::kThu;
    case absl::Weekday::friday:
      return Weekday::kFri;
    case absl::Weekday::saturday:
      return Weekday::kSat;
    case absl::Weekday::sunday:
      break;
  }
  return Weekday::kSun;
}

}  // namespace

absl::Status ContactWindow::Validate(json::Path& path) const {
  int start = ParseClock(from);
  if (start < 0) {
    json::PathScope scope(path, "from");
    return FieldError(path.str(), "expected a time of day \"HH:MM\" (00:00 to 24:00)", Quoted(from));
  }
  int end = ParseClock(to);
  if (end < 0) {
    json::PathScope scope(path, "to");
    return FieldError(path.str(), "expected a time of day \"HH:MM\" (00:00 to 24:00)", Quoted(to));
  }
  if (end <= start) {
    json::PathScope scope(path, "to");
    return FieldError(path.str(), absl::StrCat("must be after from (", from, ")"), Quoted(to));
  }
  return absl::OkStatus();
}

bool MayContact(const Customer& customer, Channel channel, absl::Time at, absl::TimeZone zone) {
  auto consent = customer.consent.find(std::string(json::EnumName(channel)));
  if (consent == customer.consent.end() || !consent->second) return false;
  if (customer.contact_times.empty()) return true;
  absl::CivilSecond local = absl::ToCivilSecond(at, zone);
  int minute = local.hour() * 60 + local.minute();
  Weekday day = WeekdayOf(absl::CivilDay(local));
  for (const ContactWindow& w : customer.contact_times) {
    if (!w.days.empty() && std::find(w.days.begin(), w.days.end(), day) == w.days.end()) continue;
    if (minute >= ParseClock(w.from) && minute < ParseClock(w.to)) return true;
  }
  return false;
}

absl::Status Pipeline::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckText(path, "name", name, kMaxNameLength));
  {
    json::PathScope scope(path, "stages");
    int open = 0, won = 0, lost = 0;
    for (std::size_t i = 0; i < stages.size(); ++i) {
      json::PathScope item(path, i);
      const PipelineStage& stage = stages[i];
      CADRE_RETURN_IF_ERROR(CheckKey(path, "id", stage.id));
      CADRE_RETURN_IF_ERROR(CheckText(path, "name", stage.name, kMaxNameLength));
      for (std::size_t j = 0; j < i; ++j) {
        if (stages[j].id != stage.id) continue;
        json::PathScope field(path, "id");
        return FieldError(path.str(), absl::StrCat("repeats the id of stages[", j, "]"), Quoted(stage.id));
      }
      if (stage.outcome == StageOutcome::kOpen && won + lost > 0) {
        json::PathScope field(path, "outcome");
        return FieldError(path.str(), "open stages come before the won and lost stages", "\"open\"");
      }
      open += stage.outcome == StageOutcome::kOpen;
      json::PathScope field(path, "win_probability");
      const Decimal p = stage.win_probability;
      if (p < Decimal() || p > Decimal::FromUnits(Decimal::kOne))
        return FieldError(path.str(), "must be between 0 and 1", Quoted(p.ToString()));
      if (stage.outcome == StageOutcome::kWon && p != Decimal::FromUnits(Decimal::kOne))
        return FieldError(path.str(), "must be 1 for a won stage", Quoted(p.ToString()));
      if (stage.outcome == StageOutcome::kLost && p != Decimal())
        return FieldError(path.str(), "must be 0 for a lost stage", Quoted(p.ToString()));
      won += stage.outcome == StageOutcome::kWon;
      lost += stage.outcome == StageOutcome::kLost;
    }
    if (open == 0 || won == 0 || lost == 0)
      return FieldError(path.str(), "needs at least one open, one won and one lost stage");
  }
  json::PathScope scope(path, "lost_reasons");
  for (std::size_t i = 0; i < lost_reasons.size(); ++i) {
    json::PathScope item(path, i);
    CADRE_RETURN_IF_ERROR(ValidateId(lost_reasons[i], path.str()));
  }
  return absl::OkStatus();
}

const PipelineStage* Pipeline::FindStage(std::string_view stage_id) const {
  int i = StageIndex(stage_id);
  return i < 0 ? nullptr : &stages[static_cast<std::size_t>(i)];
}

int Pipeline::StageIndex(std::string_view stage_id) const {
  for (std::size_t i = 0; i < stages.size(); ++i)
    if (stages[i].id == stage_id) return static_cast<int>(i);
  return -1;
}

}  // namespace cadre
