// cadre/synth.h — a seeded, deterministic synthetic retail organisation.
//
// Tests, the retail demo and every benchmark share this generator, so they all
// speak about the same kind of data: regions, stores, teams, account managers with
// levels and hire dates, customers with a long tail of spend (and their preferred
// channels, contact times and consent), and a year of sales with a weekly rhythm
// and retail peaks (618 in June, Double 11 in November), some of them with several
// line items, about 5 % of them returned, and the CRM activity around them:
// interactions, follow-up tasks and their completion, opportunities moving
// through the stages of a sales pipeline, and survey answers after about 8 % of
// the sales (CSAT 1-5 or NPS 0-10), whose scores lean on a service quality drawn
// for each manager, so satisfaction differs from one manager to the next.
//
// The same options give the same dataset, bit for bit, on every machine: the
// generator uses its own integer PRNG and integer arithmetic only.
//
//   SynthOptions opt;           // 144 managers, 20,000 customers, year 2025
//   opt.customers = 500;        // smaller for a unit test
//   SynthDataset data = GenerateRetail(opt);
//   CADRE_RETURN_IF_ERROR(LoadDataset(*workspace, data));
#ifndef CADRE_SYNTH_H_
#define CADRE_SYNTH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "cadre/event.h"
#include "cadre/model.h"

namespace cadre {

class Workspace;

struct SynthOptions {
  uint64_t seed = 20250618;
  int regions = 3;
  int stores_per_region = 4;
  int teams_per_store = 2;
  int managers_per_team = 6;
  int customers = 20000;
  int year = 2025;                          // sales cover this calendar year
  std::string time_zone = "Asia/Shanghai";  // civil times are generated in this zone
  int return_per_mille = 50;                // share of sales later returned (50 = 5 %)
  int interactions_per_customer = 6;        // mean per year
  int line_items_per_mille = 300;           // share of sales with 2-4 line items instead of one SKU
  // Share of the interactions with a forward-looking outcome (follow_up,
  // purchase_intent, appointment_booked) that record a next step with a due day,
  // which makes the interaction a task.
  int next_step_per_mille = 200;
  int follow_ups_per_mille = 300;      // follow_up tasks a year per 1000 customers
  int follow_up_done_per_mille = 850;  // share of tasks done (about a quarter of them late)
  // Opportunities opened a month by each employed manager holding 100 customers or
  // more; one holding fewer opens fewer, in proportion.
  int opportunities_per_manager_month = 2;
  // Share of sales the customer answers a survey about, 1-10 days later (80 =
  // 8 %; sales that ring up a won opportunity are not surveyed): about 60 % CSAT
  // (score 1-5), 40 % NPS (0-10), with the sale as reference. About half of the
  // answers name the sale's manager; the others name none (the owner at the time
  // is credited). Answers that would come after the year are left out.
  int surveys_per_mille = 80;
  // Share of sales the customer complains about, 1-20 days later (10 = 1 %; 0,
  // the default, keeps the dataset of earlier versions): a complaint case opened
  // in store hours with a severity and channel, answered after a delay that the
  // sale's manager's service quality shortens, sometimes waiting on the customer
  // for a while, resolved with a root cause, and sometimes reopened and resolved
  // again (more often with a weaker manager). Case events after the year are
  // left out, so a late case may be open at the year's end.
  int complaints_per_mille = 0;
};

struct SynthDataset {
  std::vector<OrgUnit> org_units;  // company first, then regions, stores, teams
  std::vector<Manager> managers;
  std::vector<Customer> customers;
  std::vector<Pipeline> pipelines;  // RetailPipelines(): in force for all time
  // Assignments (at the start of the year), then sales, returns, survey
  // responses, interactions, follow-ups and opportunity moves, ordered by
  // occurred_at and then id.
  std::vector<Event> events;
};

SynthDataset GenerateRetail(const SynthOptions& options);

// The sales pipelines the opportunities move through: "default" (lead, qualified,
// proposal, negotiation, then won or lost) and "home_project" (furnishing
// projects). A host that streams the events (GenerateRetailEvents) puts these in
// the workspace first: ingest checks every opportunity event against them.
std::vector<Pipeline> RetailPipelines();

// Streams the same events as GenerateRetail(options).events, in the same order,
// without holding them all (for benchmarks at scale). `fn` may stop by returning false.
void GenerateRetailEvents(const SynthOptions& options, absl::FunctionRef<bool(const Event&)> fn);

// Writes the org units, managers, customers and pipelines (one transaction, with
// no effective_from: in force for all time) and then the events (in batches of `batch_size`, atomic mode) into
// `workspace`.
absl::Status LoadDataset(Workspace& workspace, const SynthDataset& data, std::size_t batch_size = 10000);

}  // namespace cadre

#endif  // CADRE_SYNTH_H_
