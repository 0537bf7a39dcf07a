// crm_tool — a small CRM tool of one's own, on cadre's C++ API.
//
//   crm_tool DB load                 loads a small synthetic retailer into DB
//   crm_tool DB customer C000100     a customer's profile, owner and purchases
//
// DB is a SQLite file (created if missing). `load` uses cadre's seeded generator
// (cadre/synth.h), so every run loads the same people and sales; loading twice
// is harmless (every event is then a duplicate). `customer` reads everything
// back from the workspace: the customer document and the events logged for them.
//
// The pattern to copy: functions return absl::Status / absl::StatusOr, the
// CADRE_ASSIGN_OR_RETURN and CADRE_RETURN_IF_ERROR macros pass failures up, and
// main() prints the one status that comes out.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "cadre/json.h"
#include "cadre/model.h"
#include "cadre/status.h"
#include "cadre/synth.h"
#include "cadre/workspace.h"

namespace {

using cadre::AbslView;

// A workspace's currency and time zone are fixed when it is created.
absl::StatusOr<std::unique_ptr<cadre::Workspace>> OpenWorkspace(const std::string& path) {
  return cadre::Workspace::Open("sqlite:" + path, {.currency = "CNY", .time_zone = "Asia/Shanghai"});
}

// "1299.00" from minor units (CNY has two minor digits).
std::string Yuan(int64_t minor) {
  const int64_t abs = minor < 0 ? -minor : minor;
  return absl::StrFormat("%s%d.%02d", minor < 0 ? "-" : "", abs / 100, abs % 100);
}

absl::Status Load(const std::string& path) {
  CADRE_ASSIGN_OR_RETURN(std::unique_ptr<cadre::Workspace> ws, OpenWorkspace(path));
  // One region, two stores, six managers, 300 customers, a year of sales.
  cadre::SynthOptions options;
  options.regions = 1;
  options.stores_per_region = 2;
  options.teams_per_store = 1;
  options.managers_per_team = 3;
  options.customers = 300;
  const cadre::SynthDataset data = cadre::GenerateRetail(options);
  CADRE_RETURN_IF_ERROR(cadre::LoadDataset(*ws, data));
  CADRE_ASSIGN_OR_RETURN(uint64_t high_water_mark, ws->HighWaterMark());
  std::printf("loaded %zu org units, %zu managers, %zu customers, %zu events into %s (log at seq %llu)\n",
              data.org_units.size(), data.managers.size(), data.customers.size(), data.events.size(), path.c_str(),
              static_cast<unsigned long long>(high_water_mark));
  return absl::OkStatus();
}

absl::Status ShowCustomer(const std::string& path, const std::string& id) {
  CADRE_ASSIGN_OR_RETURN(std::unique_ptr<cadre::Workspace> ws, OpenWorkspace(path));

  // The profile: the newest version of the document, read into its typed form.
  absl::StatusOr<cadre::Document> doc = ws->Get("customers", id);
  if (absl::IsNotFound(doc.status())) {
    return absl::NotFoundError(absl::StrCat("no customer ", AbslView(id), " in ", AbslView(path)));
  }
  CADRE_RETURN_IF_ERROR(doc.status());
  CADRE_ASSIGN_OR_RETURN(cadre::Customer customer, cadre::json::FromText<cadre::Customer>(doc->body, "customer"));

  std::printf("%s  %s\n", customer.id.c_str(), customer.name.c_str());
  std::printf("  tier        %s\n", std::string(cadre::json::EnumName(customer.tier)).c_str());
  if (customer.phone) std::printf("  phone       %s\n", customer.phone->c_str());
  if (customer.home_store) std::printf("  home store  %s\n", customer.home_store->c_str());
  if (customer.joined_on) std::printf("  joined on   %s\n", absl::FormatCivilTime(*customer.joined_on).c_str());
  std::printf("  document    version %lld\n", static_cast<long long>(doc->version));

  // The history: every event logged for the customer, in time order. Sales and
  // returns are the purchase history; assignments say who owns the customer.
  cadre::EventQuery query;
  query.customer = id;
  std::optional<std::string> owner;
  int64_t net = 0;
  int interactions = 0;
  std::printf("\nPurchase history (%s)\n", ws->time_zone().name().c_str());
  CADRE_RETURN_IF_ERROR(ws->ScanEvents(query, [&](const cadre::StoredEvent& stored) {
    const cadre::Event& e = stored.event;
    // Later modules add kinds of events (reversals, pool reminders, ...); a
    // tool picks the ones it shows and passes over the rest.
    if (e.kind == cadre::EventKind::kSale || e.kind == cadre::EventKind::kReturn) {
      const bool is_return = e.kind == cadre::EventKind::kReturn;
      const int64_t amount = e.amount_minor.value_or(0);
      net += is_return ? -amount : amount;
      std::printf("  %s  %-7s %-10s %-12s %12s  by %s\n",
                  absl::FormatTime("%Y-%m-%d %H:%M", e.occurred_at, ws->time_zone()).c_str(),
                  is_return ? "return" : "sale", e.id.c_str(), e.category.value_or("").c_str(),
                  Yuan(is_return ? -amount : amount).c_str(), e.manager.value_or("-").c_str());
    } else if (e.kind == cadre::EventKind::kAssignment) {
      owner = e.manager;  // absent: released to the customer pool
    } else if (e.kind == cadre::EventKind::kInteraction) {
      ++interactions;
    }
    return true;  // keep scanning
  }));
  std::printf("  %-44s %12s\n", "net", Yuan(net).c_str());
  std::string owner_text = "(none: in the customer pool)";
  if (owner) {
    owner_text = *owner;
    // The manager's name, if the manager document exists (it may not: events
    // may name people the host has not sent yet).
    absl::StatusOr<cadre::Document> m = ws->Get("managers", *owner);
    if (m.ok()) {
      CADRE_ASSIGN_OR_RETURN(cadre::Manager manager, cadre::json::FromText<cadre::Manager>(m->body, "manager"));
      absl::StrAppend(&owner_text, "  ", manager.name);
    } else if (!absl::IsNotFound(m.status())) {
      return m.status();
    }
  }
  std::printf("\nAccount manager  %s\n", owner_text.c_str());
  std::printf("Interactions     %d\n", interactions);
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc >= 3 ? argv[2] : "";
  absl::Status status;
  if (argc == 3 && command == "load") {
    status = Load(argv[1]);
  } else if (argc == 4 && command == "customer") {
    status = ShowCustomer(argv[1], argv[3]);
  } else {
    std::fprintf(stderr, "usage: crm_tool DB load\n       crm_tool DB customer CUSTOMER_ID\n");
    return 2;
  }
  if (!status.ok()) {
    std::fprintf(stderr, "crm_tool: %.*s\n", static_cast<int>(status.message().size()), status.message().data());
    return 1;
  }
  return 0;
}
