// The synthetic retail generator (see cadre/synth.h for the contract).
//
// How the data is made, in brief:
//
// * Population. One company, `regions` regions (East China, South China, ...),
//   `stores_per_region` stores named after cities of the region, teams of
//   `managers_per_team` account managers. The first manager of each team is its
//   lead (senior, hired years ago, never leaves), so every team always has someone
//   to take over customers. Among the others, a fixed share leaves during the year
//   (status left, left_on), a few go on leave (status on_leave, attribute
//   leave_from), and a few are hired mid-year. Customers belong to a spend segment
//   (whale, vip, regular, occasional, rare) drawn from a per-mille table; the
//   segment sets how often they buy, how expensive their baskets are and their
//   member tier. That gives the long tail of spend.
// * Ownership. On 1 January 00:00 every customer is assigned to an active manager
//   of its home store's teams. During the year, at 09:00 before stores open, the
//   customers of a manager who leaves or goes on leave move to a teammate; a new
//   hire receives a share of the team's customers two weeks after starting; and a
//   few customers ask for another manager of their store (09:10-09:59). The owner
//   of every customer is therefore always an active manager of its home store.
// * Sales. Each day has an integer weight: weekends busier, 618 (June 1-18) and
//   Double 11 (Nov 1-11) campaigns with the 18th and the 11th as the peaks, the
//   shopping rush before Spring Festival and the quiet festival days, National Day,
//   Double 12. The day's count of sales is the year's expected count times the
//   day's share of the total weight; each sale picks a customer by spend weight, a
//   category (mostly one of the customer's favourites), a SKU and a quantity. Most
//   sales name the customer's owner, some a colleague who served the customer, and
//   some no manager at all (credited to the owner downstream).
// * Returns. When a sale is made, it is decided whether (return_per_mille / 1000)
//   and when (3 to 30 days later) it comes back, and for how much (the whole
//   amount or part of it). Pending returns wait in a queue per day; after
//   31 December the generator keeps going until the queue is empty, emitting
//   returns only.
//   Some sales (line_items_per_mille) are baskets of 2-4 line items; a return of
//   such a sale brings back its first line (or part of it) or the whole basket.
// * Interactions. Owners contact their customers (visit, call, message, store
//   meeting, note) on weekdays more than on weekends and more before the campaigns.
// * Customers state preferred channels, some a contact window or two, and most
//   record consent per channel (a preferred channel is always consented to).
// * Follow-ups. Some interactions with a forward-looking outcome record a next
//   step with a due day (the interaction becomes a task), and owners set follow_up
//   tasks for some customers. When a task is set it is decided whether and when it
//   is done: mostly by its due day, some late, some never. The follow_up_done is by
//   the customer's owner of that moment (attribute done_by), so always by an
//   employed manager; a task whose customer changed hands is done only sometimes.
// * Opportunities. Each employed manager opens opportunities_per_manager_month
//   (fewer with a portfolio under kFullPortfolio customers) for large-ticket
//   categories (appliances, electronics, furnishing projects, ...) with customers
//   of their portfolio. When one opens, its way through the pipeline
//   (RetailPipelines) is planned: each open stage moves on, is lost with a reason,
//   or stalls, days to weeks later; a won one is mostly rung up as a sale
//   (reference = the opportunity) right after. Moves name the customer's owner of
//   the moment. What would happen after the year is left out.
// * Surveys. After some sales (surveys_per_mille) the customer answers a survey
//   1-10 days later (within the year): CSAT (1-5) for about 60 % of them, NPS
//   (0-10) for the rest, by message or email (online orders: online), with the
//   sale as reference. About half of the answers name the sale's manager; the
//   others name nobody and are credited to the customer's owner at the time.
//   Each manager has a service quality drawn once (leaning a little to
//   seniority), the share of answers drawn from the satisfied table instead of
//   the dissatisfied one, so CSAT and NPS differ from manager to manager.
//
// Each kind of activity draws from a random stream of its own, so adding one
// leaves the draws of the others as they were.
//
// Determinism: all randomness comes from xoshiro256** streams seeded through
// splitmix64 from (seed, purpose, day), and all arithmetic is integer: no
// std::*_distribution (their algorithms differ between standard libraries) and no
// floating point. Each day's events are generated, sorted by (occurred_at, id) and
// emitted, so GenerateRetail and GenerateRetailEvents produce identical sequences.
#include "cadre/synth.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cadre/json.h"
#include "cadre/period.h"
#include "cadre/status.h"
#include "cadre/workspace.h"

namespace cadre {
namespace {

// ---- Randomness ---------------------------------------------------------------

__extension__ using Uint128 = unsigned __int128;  // GCC and Clang; -Wpedantic otherwise objects

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// xoshiro256** (Blackman & Vigna), written out because the standard library has no
// generator whose bounded draws are specified bit for bit across implementations.
class Rng {
 public:
  // One independent stream per (seed, purpose, index).
  Rng(uint64_t seed, uint64_t purpose, uint64_t index) {
    uint64_t sm = seed ^ (purpose * 0xd1b54a32d192ed03ULL) ^ (index * 0x8cb92ba72f3d8dd7ULL);
    for (uint64_t& word : s_) word = SplitMix64(sm);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n) for n > 0 (multiply-shift; the bias is below 2^-40 for our n).
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>((static_cast<Uint128>(Next()) * n) >> 64); }
  int Int(int lo, int hi) { return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo + 1))); }  // [lo, hi]
  bool PerMille(int p) { return static_cast<int>(Below(1000)) < p; }

  // An index drawn with the given integer weights.
  template <std::size_t N>
  int Pick(const std::array<int, N>& weights) {
    int total = 0;
    for (int w : weights) total += w;
    int r = static_cast<int>(Below(static_cast<uint64_t>(total)));
    for (std::size_t i = 0; i < N; ++i) {
      if (r < weights[i]) return static_cast<int>(i);
      r -= weights[i];
    }
    return static_cast<int>(N - 1);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// Purposes of the random streams; changing one never shifts another.
enum Stream : uint64_t {
  kStreamOrg = 1,
  kStreamManagers,
  kStreamCustomers,
  kStreamOwners,
  kStreamAssignments,
  kStreamSales,
  kStreamInteractions,
  kStreamContactPreferences,
  kStreamLineItems,
  kStreamNextSteps,
  kStreamFollowUps,
  kStreamFollowUpsDone,
  kStreamOpportunities,
  kStreamSurveys,         // which sales are followed by a survey answer, when, on which scale
  kStreamSurveyAnswers,   // the answers, drawn on the day they are given
  kStreamServiceQuality,  // each manager's service quality, drawn once
  kStreamComplaints,      // which sales lead to a complaint, and the case's whole course
};

// ---- Tables ---------------------------------------------------------------------

struct RegionTable {
  std::string_view name;
  std::array<std::string_view, 8> cities;
};
constexpr std::array<RegionTable, 7> kRegions = {{
    {"East China", {"Shanghai", "Hangzhou", "Nanjing", "Suzhou", "Ningbo", "Hefei", "Xiamen", "Qingdao"}},
    {"South China", {"Guangzhou", "Shenzhen", "Dongguan", "Foshan", "Zhuhai", "Nanning", "Haikou", "Shantou"}},
    {"North China", {"Beijing", "Tianjin", "Shijiazhuang", "Taiyuan", "Hohhot", "Baoding", "Tangshan", "Langfang"}},
    {"Southwest China", {"Chengdu", "Chongqing", "Kunming", "Guiyang", "Mianyang", "Lhasa", "Zunyi", "Dali"}},
    {"Central China", {"Wuhan", "Changsha", "Zhengzhou", "Nanchang", "Luoyang", "Yichang", "Xiangyang", "Zhuzhou"}},
    {"Northeast China", {"Shenyang", "Dalian", "Harbin", "Changchun", "Anshan", "Jilin", "Daqing", "Dandong"}},
    {"Northwest China", {"Xi'an", "Lanzhou", "Urumqi", "Yinchuan", "Xining", "Baotou", "Baoji", "Kashgar"}},
}};

constexpr std::array<std::string_view, 24> kSurnames = {
    "Wang", "Li",  "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu",    "Zhou",  "Xu",  "Sun",
    "Ma",   "Zhu", "Hu",    "Guo", "He",   "Lin",  "Gao",   "Luo",  "Zheng", "Liang", "Xie", "Tang"};
constexpr std::array<std::string_view, 32> kGivenNames = {
    "Wei", "Fang", "Na",   "Min",  "Jing", "Lei",  "Yang", "Jie",     "Qiang", "Xiuying", "Jun",
    "Yan", "Hui",  "Tao",  "Ming", "Lan",  "Ping", "Gang", "Hong",    "Xin",   "Yu",      "Chen",
    "Hao", "Yi",   "Ting", "Bo",   "Xue",  "Kai",  "Rui",  "Mengyao", "Zihan", "Haoran"};

constexpr std::array<std::string_view, 8> kCategories = {"appliances", "electronics", "apparel", "beauty",
                                                         "grocery",    "home",        "sports",  "baby"};
// How often a category is bought when it is not a favourite (per mille).
constexpr std::array<int, 8> kCategoryPopularity = {80, 120, 200, 150, 220, 110, 70, 50};

struct Sku {
  std::string_view sku;
  int category;         // index into kCategories
  int64_t price_minor;  // CNY fen
  int max_quantity;
};
constexpr std::array<Sku, 43> kSkus = {{
    {"APL-AC-01", 0, 329900, 2}, {"APL-FR-01", 0, 459900, 1}, {"APL-WM-01", 0, 259900, 1}, {"APL-MW-01", 0, 59900, 1},
    {"APL-RC-01", 0, 39900, 2},  {"APL-VC-01", 0, 179900, 1}, {"ELE-PH-01", 1, 599900, 2}, {"ELE-PH-02", 1, 269900, 2},
    {"ELE-LT-01", 1, 699900, 1}, {"ELE-TB-01", 1, 329900, 1}, {"ELE-EB-01", 1, 79900, 2},  {"ELE-CH-01", 1, 12900, 3},
    {"APP-TS-01", 2, 9900, 4},   {"APP-JN-01", 2, 29900, 2},  {"APP-DR-01", 2, 49900, 2},  {"APP-CT-01", 2, 129900, 1},
    {"APP-SN-01", 2, 59900, 2},  {"APP-SK-01", 2, 3900, 6},   {"BEA-SR-01", 3, 69900, 2},  {"BEA-LS-01", 3, 32000, 3},
    {"BEA-MK-01", 3, 15900, 4},  {"BEA-PF-01", 3, 89900, 1},  {"BEA-CL-01", 3, 12800, 3},  {"GRO-RC-01", 4, 4990, 6},
    {"GRO-OL-01", 4, 6990, 4},   {"GRO-TE-01", 4, 19900, 3},  {"GRO-MK-01", 4, 6900, 6},   {"GRO-SN-01", 4, 2990, 8},
    {"GRO-FR-01", 4, 12800, 3},  {"HOM-BD-01", 5, 59900, 2},  {"HOM-CK-01", 5, 39900, 1},  {"HOM-TW-01", 5, 8900, 4},
    {"HOM-LP-01", 5, 19900, 2},  {"HOM-SF-01", 5, 599900, 1}, {"SPO-RN-01", 6, 69900, 2},  {"SPO-YM-01", 6, 12900, 2},
    {"SPO-BK-01", 6, 259900, 1}, {"SPO-TR-01", 6, 39900, 2},  {"BAB-DP-01", 7, 15900, 6},  {"BAB-FM-01", 7, 35800, 4},
    {"BAB-ST-01", 7, 199900, 1}, {"BAB-TY-01", 7, 12900, 3},  {"BAB-CS-01", 7, 129900, 1},
}};

// Spend segments: the long tail. Purchases are expected purchases per year in
// thousandths; `premium_draws` SKUs are drawn and the dearest kept.
struct Segment {
  std::string_view name;
  int per_mille;
  int purchases_milli;
  MemberTier tiers[2];
  int premium_draws;
  int extra_quantity_per_mille;
};
constexpr std::array<Segment, 5> kSegments = {{
    {"whale", 10, 36000, {MemberTier::kDiamond, MemberTier::kPlatinum}, 3, 400},
    {"vip", 40, 16000, {MemberTier::kPlatinum, MemberTier::kGold}, 2, 300},
    {"regular", 200, 7000, {MemberTier::kGold, MemberTier::kSilver}, 1, 200},
    {"occasional", 450, 2500, {MemberTier::kSilver, MemberTier::kStandard}, 1, 150},
    {"rare", 300, 800, {MemberTier::kStandard, MemberTier::kStandard}, 1, 100},
}};

// Career levels 1..5 of managers who are not team leads (per mille).
constexpr std::array<int, 5> kLevelWeights = {300, 300, 220, 130, 50};

// Hours of the day in which sales happen: in store (10:00-21:59) and online.
constexpr std::array<int, 12> kStoreHourWeights = {5, 8, 9, 7, 6, 7, 8, 9, 11, 11, 8, 5};  // from 10:00
constexpr std::array<int, 24> kOnlineHourWeights = {2, 1, 0, 0, 0, 0, 0, 1, 2,  3,  4,  4,
                                                    5, 5, 4, 4, 4, 5, 6, 8, 10, 11, 10, 6};
// On the peak days (June 18, November 11) online shopping starts at midnight.
constexpr std::array<int, 24> kPeakOnlineHourWeights = {30, 10, 3, 1, 0, 0, 0, 1, 2,  3,  4,  4,
                                                        5,  5,  4, 4, 4, 5, 6, 8, 10, 12, 12, 8};

constexpr std::array<Channel, 5> kInteractionChannels = {Channel::kCall, Channel::kMessage, Channel::kVisit,
                                                         Channel::kStoreMeeting, Channel::kNote};
constexpr std::array<int, 5> kInteractionChannelWeights = {350, 330, 110, 110, 100};
constexpr std::array<std::string_view, 6> kOutcomes = {"reached",         "no_answer",      "follow_up",
                                                       "purchase_intent", "not_interested", "appointment_booked"};
constexpr std::array<int, 6> kOutcomeWeights = {400, 150, 200, 120, 80, 50};

constexpr std::array<std::string_view, 5> kReturnReasons = {"defective", "wrong_size", "changed_mind",
                                                            "not_as_described", "late_delivery"};
constexpr std::array<int, 5> kReturnReasonWeights = {250, 250, 300, 150, 50};

// How customers like to be contacted. Preferred channels are drawn from these
// (email only for customers with an address).
constexpr std::array<Channel, 5> kContactChannels = {Channel::kMessage, Channel::kCall, Channel::kVisit,
                                                     Channel::kStoreMeeting, Channel::kEmail};
constexpr std::array<int, 5> kContactChannelWeights = {400, 300, 100, 100, 100};
// Per channel consented to, the per mille who say yes (the others say no).
struct ConsentRule {
  Channel channel;
  int yes_per_mille;
};
constexpr std::array<ConsentRule, 5> kConsentRules = {{{Channel::kMessage, 950},
                                                       {Channel::kCall, 800},
                                                       {Channel::kEmail, 700},
                                                       {Channel::kVisit, 550},
                                                       {Channel::kStoreMeeting, 900}}};
constexpr int kConsentRecordedPerMille = 880;
constexpr int kOneContactWindowPerMille = 300;
constexpr int kTwoContactWindowsPerMille = 100;
struct ContactWindowTable {
  std::array<Weekday, 5> days;
  int day_count;  // 0: every day
  std::string_view from, to;
};
constexpr std::array<ContactWindowTable, 5> kContactWindows = {{
    {{Weekday::kMon, Weekday::kTue, Weekday::kWed, Weekday::kThu, Weekday::kFri}, 5, "18:00", "21:00"},
    {{Weekday::kSat, Weekday::kSun}, 2, "10:00", "18:00"},
    {{}, 0, "12:00", "13:30"},
    {{Weekday::kMon, Weekday::kTue, Weekday::kWed, Weekday::kThu, Weekday::kFri}, 5, "09:00", "12:00"},
    {{}, 0, "19:00", "22:00"},
}};

// Follow-ups. An interaction whose outcome looks forward may record a next step;
// the others (reached, no_answer, not_interested) and notes do not.
struct NextStepTable {
  std::string_view outcome;
  std::array<std::string_view, 2> steps;
  int max_days;  // due 1..max_days days later
};
constexpr std::array<NextStepTable, 3> kNextSteps = {{
    {"follow_up", {"call back", "send catalogue"}, 10},
    {"purchase_intent", {"send quote", "reserve stock"}, 7},
    {"appointment_booked", {"store appointment", "home visit"}, 7},
}};
// Standalone follow_up tasks, due 2..21 days after they are set.
constexpr std::array<std::string_view, 6> kFollowUpSteps = {"birthday greeting",  "warranty reminder",
                                                            "membership renewal", "new arrivals",
                                                            "delivery check",     "after-sales care call"};
constexpr int kFollowUpNamesManagerPerMille = 800;  // the others leave it to the owner
constexpr int kFollowUpLatePerMille = 250;          // of the tasks done
constexpr int kMaxDaysLate = 10;
// A task whose customer changed hands is done by the new owner only sometimes.
constexpr int kHandedOverDonePerMille = 500;
constexpr std::array<std::string_view, 5> kDoneOutcomes = {"reached", "no_answer", "purchase_intent",
                                                           "appointment_booked", "not_interested"};
constexpr std::array<int, 5> kDoneOutcomeWeights = {500, 150, 150, 100, 100};

// Opportunities: large-ticket purchases that take days or weeks to close. Each
// pipeline has four open stages, then won and lost.
struct PipelineTable {
  std::string_view id, name;
  std::array<std::string_view, 4> stages;
  std::array<std::string_view, 4> stage_names;
  std::array<int, 4> win_per_mille;
  // Per open stage, per mille: moves on (the last one: won), is lost, or stalls
  // there (stays open with no further move); and the days until that next move.
  std::array<int, 4> advance_per_mille, lost_per_mille;
  std::array<int, 4> min_days, max_days;
  std::array<std::string_view, 5> lost_reasons;
  std::array<int, 5> lost_reason_weights;
};
constexpr std::array<PipelineTable, 2> kPipelines = {{
    {"default",
     "Retail sales",
     {"lead", "qualified", "proposal", "negotiation"},
     {"Lead", "Qualified", "Proposal", "Negotiation"},
     {100, 250, 500, 750},
     {700, 750, 720, 650},
     {250, 200, 230, 300},
     {1, 2, 3, 2},
     {7, 10, 14, 21},
     {"price", "competitor", "no_budget", "timing", "no_response"},
     {350, 250, 150, 150, 100}},
    {"home_project",
     "Home furnishing project",
     {"consultation", "measurement", "design", "quote"},
     {"Consultation", "Measurement", "Design", "Quote"},
     {100, 300, 500, 700},
     {750, 800, 750, 600},
     {200, 150, 200, 350},
     {2, 3, 5, 3},
     {10, 14, 21, 21},
     {"price", "competitor", "no_budget", "timing", "design_rejected"},
     {300, 200, 150, 150, 200}},
}};
constexpr int kOpenStages = 4;
// Categories in which opportunities arise, and the pipeline each uses.
struct OpportunityCategory {
  int category;  // index into kCategories
  int weight;
  int pipeline;  // index into kPipelines
};
constexpr std::array<OpportunityCategory, 5> kOpportunityCategories = {{
    {0, 450, 0},  // appliances
    {1, 250, 0},  // electronics
    {5, 200, 1},  // home: furnishing projects
    {6, 50, 0},   // sports
    {7, 50, 0},   // baby
}};
// A manager with this many customers or more opens opportunities_per_manager_month;
// one with a smaller portfolio opens fewer, in proportion.
constexpr int kFullPortfolio = 100;
constexpr int64_t kBigTicketMinor = 100000;  // an opportunity starts from a SKU of at least CNY 1,000
constexpr int kWonThenSalePerMille = 800;    // a won opportunity is rung up as a sale the same day

// Survey answers after sales: the scale (CSAT 1-5 or NPS 0-10), whether the answer
// names the manager of the sale (else the owner at the time is credited), and how
// long after the sale it comes.
constexpr int kSurveyCsatPerMille = 600;
constexpr int kSurveyNamesManagerPerMille = 500;
constexpr int kMinSurveyDelayDays = 1;
constexpr int kMaxSurveyDelayDays = 10;
constexpr int kSurveyByEmailPerMille = 300;  // of the store sales' surveys, when the customer has an email
// Each manager's service quality: the share of their customers who answer from
// the satisfied table below (the rest from the dissatisfied one), drawn once as
// kServiceQualityMin..kServiceQualityMax plus kServiceQualityPerLevel per level,
// so scores differ from manager to manager and lean a little to seniority.
// Complaints after sales: when the case opens, how urgent it is, how it came in,
// and its course. A manager's service quality (below) sets how soon they answer
// and how often the fix holds: the better one answers within hours, the worse
// one may take a day or two.
constexpr int kMinComplaintDelayDays = 1;
constexpr int kMaxComplaintDelayDays = 20;
constexpr std::array<int, 4> kSeverityWeights = {50, 200, 450, 300};      // critical, high, medium, low
constexpr std::array<int, 3> kComplaintChannelWeights = {500, 300, 200};  // call, store, message
constexpr std::array<std::string_view, 6> kRootCauses = {"product_defect", "delivery_delay", "staff_attitude",
                                                         "billing_error",  "stock_out",      "installation"};
constexpr std::array<int, 6> kRootCauseWeights = {300, 250, 100, 100, 100, 150};
constexpr int kComplaintWaitsPerMille = 200;   // the case waits on the customer for a while
constexpr int kComplaintNoCausePerMille = 50;  // resolved without a root cause recorded

constexpr int kServiceQualityMin = 350;
constexpr int kServiceQualityMax = 800;
constexpr int kServiceQualityPerLevel = 25;
constexpr std::array<int, 5> kCsatSatisfiedWeights = {0, 10, 80, 380, 530};                      // scores 1..5
constexpr std::array<int, 5> kCsatDissatisfiedWeights = {120, 230, 350, 230, 70};                // scores 1..5
constexpr std::array<int, 11> kNpsSatisfiedWeights = {0, 0, 0, 0, 0, 5, 20, 75, 200, 330, 370};  // 0..10
constexpr std::array<int, 11> kNpsDissatisfiedWeights = {50, 50, 70, 90, 110, 160, 160, 140, 90, 50, 30};  // 0..10

// Spring Festival (Chinese New Year's day) by Gregorian year; other years have no
// festival effect.
struct SpringFestival {
  int year, month, day;
};
constexpr std::array<SpringFestival, 16> kSpringFestivals = {{
    {2020, 1, 25},
    {2021, 2, 12},
    {2022, 2, 1},
    {2023, 1, 22},
    {2024, 2, 10},
    {2025, 1, 29},
    {2026, 2, 17},
    {2027, 2, 6},
    {2028, 1, 26},
    {2029, 2, 13},
    {2030, 2, 3},
    {2031, 1, 23},
    {2032, 2, 11},
    {2033, 1, 31},
    {2034, 2, 19},
    {2035, 2, 8},
}};

constexpr int kMaxReturnDelayDays = 30;
constexpr int kMinReturnDelayDays = 3;
constexpr int kNewHireRebalanceDelayDays = 14;

// ---- Small helpers --------------------------------------------------------------

// "M" + zero-padded number: readable ids that sort like their numbers.
std::string NumberedId(std::string_view prefix, int64_t number, int width) {
  std::string digits = absl::StrCat(number);
  std::string out(prefix);
  if (static_cast<int>(digits.size()) < width) out.append(static_cast<std::size_t>(width) - digits.size(), '0');
  out += digits;
  return out;
}

std::string TwoDigits(int n) { return NumberedId("", n, 2); }

int64_t Scale(int64_t value, int per_mille) { return value * per_mille / 1000; }

std::string PersonName(Rng& rng) {
  return absl::StrCat(AbslView(kSurnames[rng.Below(kSurnames.size())]), " ",
                      AbslView(kGivenNames[rng.Below(kGivenNames.size())]));
}

std::string MobilePhone(Rng& rng) {
  static constexpr std::array<std::string_view, 8> kPrefixes = {"135", "136", "138", "139", "150", "158", "186", "188"};
  return absl::StrCat("+86 ", AbslView(kPrefixes[rng.Below(kPrefixes.size())]), " ",
                      NumberedId("", rng.Int(0, 9999), 4), " ", NumberedId("", rng.Int(0, 9999), 4));
}

// ---- The calendar of a year --------------------------------------------------------

struct DayProfile {
  int sales_weight = 1000;        // relative number of sales
  int interaction_weight = 1000;  // relative number of interactions
  int online_per_mille = 150;     // share of sales online
  int discount_per_mille = 1000;  // price paid / list price, on average
  bool peak_day = false;          // June 18, November 11
  std::optional<std::string> campaign;
};

DayProfile ProfileOf(absl::CivilDay day) {
  DayProfile p;
  static constexpr std::array<int, 12> kMonthPerMille = {1000, 900, 950,  950,  1000, 1000,
                                                         950,  950, 1000, 1000, 1050, 1100};
  p.sales_weight = kMonthPerMille[day.month() - 1];
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::saturday:
      p.sales_weight = Scale(p.sales_weight, 1500);
      p.interaction_weight = 700;
      break;
    case absl::Weekday::sunday:
      p.sales_weight = Scale(p.sales_weight, 1400);
      p.interaction_weight = 500;
      break;
    case absl::Weekday::friday:
      p.sales_weight = Scale(p.sales_weight, 1100);
      break;
    default:
      break;
  }
  const int m = day.month(), d = day.day();
  const std::string year = absl::StrCat(day.year());
  if (m == 6 && d <= 18) {  // 618
    p.campaign = absl::StrCat("CP-618-", year);
    p.peak_day = d == 18;
    p.sales_weight = Scale(p.sales_weight, p.peak_day ? 4000 : 1500);
    p.interaction_weight = Scale(p.interaction_weight, 1300);
    p.online_per_mille = p.peak_day ? 600 : 350;
    p.discount_per_mille = p.peak_day ? 850 : 920;
  } else if (m == 11 && d <= 11) {  // Double 11
    p.campaign = absl::StrCat("CP-1111-", year);
    p.peak_day = d == 11;
    p.sales_weight = Scale(p.sales_weight, p.peak_day ? 5000 : 1600);
    p.interaction_weight = Scale(p.interaction_weight, 1300);
    p.online_per_mille = p.peak_day ? 600 : 350;
    p.discount_per_mille = p.peak_day ? 830 : 910;
  } else if (m == 12 && d == 12) {  // Double 12
    p.campaign = absl::StrCat("CP-1212-", year);
    p.sales_weight = Scale(p.sales_weight, 1800);
    p.online_per_mille = 400;
    p.discount_per_mille = 920;
  } else if (m == 10 && d <= 7) {  // National Day golden week
    p.sales_weight = Scale(p.sales_weight, 1300);
    p.interaction_weight = Scale(p.interaction_weight, 400);
  }
  for (const SpringFestival& sf : kSpringFestivals) {
    if (sf.year != day.year()) continue;
    const int64_t offset = day - absl::CivilDay(sf.year, sf.month, sf.day);
    if (offset >= -14 && offset <= -2) {  // New Year shopping rush
      p.sales_weight = Scale(p.sales_weight, 1600);
      p.campaign = absl::StrCat("CP-SPRING-", year);
    } else if (offset == -1) {  // New Year's Eve: families at home
      p.sales_weight = Scale(p.sales_weight, 800);
      p.interaction_weight = Scale(p.interaction_weight, 200);
    } else if (offset >= 0 && offset <= 2) {
      p.sales_weight = Scale(p.sales_weight, 500);
      p.interaction_weight = Scale(p.interaction_weight, 200);
    } else if (offset >= 3 && offset <= 6) {
      p.sales_weight = Scale(p.sales_weight, 900);
      p.interaction_weight = Scale(p.interaction_weight, 500);
    }
  }
  return p;
}

// Draws a count whose mean is numerator / denominator, with a +-8 % daily wobble.
int64_t DrawCount(Rng& rng, uint64_t numerator, uint64_t denominator) {
  if (denominator == 0) return 0;
  const uint64_t wobble = static_cast<uint64_t>(rng.Int(920, 1080));
  const uint64_t scaled = numerator / 1000 * wobble + numerator % 1000 * wobble / 1000;
  const uint64_t whole = scaled / denominator;
  const uint64_t rest = scaled % denominator;
  return static_cast<int64_t>(whole + (rng.Below(denominator) < rest ? 1 : 0));
}

// ---- The population -----------------------------------------------------------------

enum class Departure { kNone, kLeft, kOnLeave };

struct ManagerPlan {
  int store = 0;  // index into Population::stores
  int team = 0;   // index into Population::teams
  int level = 1;
  absl::CivilDay active_from;               // hired_on
  std::optional<absl::CivilDay> active_to;  // first day no longer active (left_on / leave_from)
  Departure departure = Departure::kNone;
  bool lead = false;
};

struct CustomerPlan {
  int store = 0;
  int segment = 0;
  std::vector<int> favourites;  // category indices
};

struct Population {
  absl::TimeZone tz;
  absl::CivilDay first_day;  // January 1 of options.year
  int days_in_year = 365;

  std::vector<OrgUnit> org_units;
  std::vector<Manager> managers;
  std::vector<Customer> customers;

  std::vector<std::string> store_ids;
  std::vector<std::vector<int>> store_managers;   // manager indices per store
  std::vector<std::vector<int>> team_managers;    // manager indices per team
  std::vector<std::vector<int>> store_customers;  // customer indices per store
  std::vector<ManagerPlan> manager_plans;
  std::vector<CustomerPlan> customer_plans;
  std::vector<uint64_t> spend_cumulative;  // running sum of the customers' purchase weights
};

bool ActiveOn(const ManagerPlan& m, absl::CivilDay day) {
  return m.active_from <= day && (!m.active_to || day < *m.active_to);
}

void BuildOrg(const SynthOptions& o, Population& pop) {
  OrgUnit company;
  company.id = "CO";
  company.name = "Cadre Retail Group";
  company.kind = OrgUnitKind::kCompany;
  pop.org_units.push_back(company);

  Rng rng(o.seed, kStreamManagers, 0);
  int manager_number = 0;
  for (int r = 0; r < o.regions; ++r) {
    const RegionTable& table = kRegions[static_cast<std::size_t>(r) % kRegions.size()];
    OrgUnit region;
    region.id = "R" + TwoDigits(r + 1);
    region.name = r < static_cast<int>(kRegions.size())
                      ? std::string(table.name)
                      : absl::StrCat(AbslView(table.name), " ", r / static_cast<int>(kRegions.size()) + 1);
    region.kind = OrgUnitKind::kRegion;
    region.parent = company.id;
    const std::size_t region_index = pop.org_units.size();
    pop.org_units.push_back(region);
    for (int s = 0; s < o.stores_per_region; ++s) {
      const int cities = static_cast<int>(table.cities.size());
      const std::string city(table.cities[static_cast<std::size_t>(s % cities)]);
      OrgUnit store;
      store.id = "ST" + TwoDigits(r + 1) + TwoDigits(s + 1);
      store.name = s < cities ? absl::StrCat(city, " Store") : absl::StrCat(city, " Store ", s / cities + 1);
      store.kind = OrgUnitKind::kStore;
      store.parent = region.id;
      store.attributes["city"] = city;
      const int store_index = static_cast<int>(pop.store_ids.size());
      pop.store_ids.push_back(store.id);
      pop.store_managers.emplace_back();
      const std::size_t store_unit = pop.org_units.size();
      pop.org_units.push_back(store);
      for (int t = 0; t < o.teams_per_store; ++t) {
        OrgUnit team;
        team.id = "T" + TwoDigits(r + 1) + TwoDigits(s + 1) + TwoDigits(t + 1);
        team.name = t < 26 ? absl::StrCat(city, " Team ", std::string(1, static_cast<char>('A' + t)))
                           : absl::StrCat(city, " Team ", t + 1);
        team.kind = OrgUnitKind::kTeam;
        team.parent = store.id;
        const int team_index = static_cast<int>(pop.team_managers.size());
        pop.team_managers.emplace_back();
        for (int k = 0; k < o.managers_per_team; ++k) {
          ++manager_number;
          ManagerPlan plan;
          plan.store = store_index;
          plan.team = team_index;
          plan.lead = k == 0;
          plan.level = plan.lead ? rng.Int(4, 5) : rng.Pick(kLevelWeights) + 1;
          // Seniority follows level: a level-L manager joined 1..2L+1 years ago.
          const int years_back = rng.Int(1, 2 * plan.level + 1);
          plan.active_from = absl::CivilDay(o.year - years_back, 1, 1) + rng.Int(0, 364);
          Manager m;
          m.id = NumberedId("M", manager_number, 4);
          m.name = PersonName(rng);
          m.team = team.id;
          m.role = plan.lead ? "team_lead" : "account_manager";
          m.level = plan.level;
          m.email = absl::StrCat(absl::AsciiStrToLower(m.id), "@cadre-retail.example");
          m.phone = MobilePhone(rng);
          if (plan.lead) team.lead = m.id;
          pop.team_managers.back().push_back(static_cast<int>(pop.managers.size()));
          pop.store_managers.back().push_back(static_cast<int>(pop.managers.size()));
          pop.managers.push_back(std::move(m));
          pop.manager_plans.push_back(plan);
        }
        if (t == 0) pop.org_units[store_unit].lead = team.lead;
        pop.org_units.push_back(std::move(team));
      }
      if (s == 0) pop.org_units[region_index].lead = pop.org_units[store_unit].lead;
    }
  }

  // Departures and mid-year hires: exact shares of the managers who are not leads,
  // chosen by a deterministic shuffle, so even a small organisation has each case.
  std::vector<int> others;
  for (int i = 0; i < static_cast<int>(pop.manager_plans.size()); ++i)
    if (!pop.manager_plans[static_cast<std::size_t>(i)].lead) others.push_back(i);
  for (int i = static_cast<int>(others.size()) - 1; i > 0; --i)
    std::swap(others[static_cast<std::size_t>(i)], others[rng.Below(static_cast<uint64_t>(i) + 1)]);
  const int n = static_cast<int>(others.size());
  const int leavers = n >= 5 ? std::max(1, (n * 4 + 50) / 100) : 0;
  const int on_leave = n >= 10 ? std::max(1, (n * 2 + 50) / 100) : 0;
  const int hires = n >= 5 ? std::max(1, (n * 6 + 50) / 100) : 0;
  for (int k = 0; k < leavers + on_leave + hires && k < n; ++k) {
    const int i = others[static_cast<std::size_t>(k)];
    ManagerPlan& plan = pop.manager_plans[static_cast<std::size_t>(i)];
    Manager& m = pop.managers[static_cast<std::size_t>(i)];
    if (k < leavers) {
      plan.departure = Departure::kLeft;
      plan.active_to = pop.first_day + rng.Int(45, 315);
      m.status = EmploymentStatus::kLeft;
      m.left_on = plan.active_to;
    } else if (k < leavers + on_leave) {
      plan.departure = Departure::kOnLeave;
      plan.active_to = pop.first_day + rng.Int(100, 300);
      m.status = EmploymentStatus::kOnLeave;
      m.attributes["leave_from"] = FormatDay(*plan.active_to);
    } else {
      plan.level = 1;
      m.level = 1;
      plan.active_from = pop.first_day + rng.Int(31, 230);
    }
  }
  for (std::size_t i = 0; i < pop.managers.size(); ++i) pop.managers[i].hired_on = pop.manager_plans[i].active_from;
}

// Preferred channels, contact windows and consent. Drawn from a stream of their
// own, so the rest of the customer does not depend on them.
void AddContactPreferences(const SynthOptions& o, int index, Customer& cu) {
  Rng rng(o.seed, kStreamContactPreferences, static_cast<uint64_t>(index));
  const int wanted = rng.Int(1, 3);
  for (int tries = 0; tries < 8 && static_cast<int>(cu.preferred_channels.size()) < wanted; ++tries) {
    const Channel channel = kContactChannels[static_cast<std::size_t>(rng.Pick(kContactChannelWeights))];
    if (channel == Channel::kEmail && !cu.email) continue;
    if (std::find(cu.preferred_channels.begin(), cu.preferred_channels.end(), channel) == cu.preferred_channels.end())
      cu.preferred_channels.push_back(channel);
  }
  const int windows = static_cast<int>(rng.Below(1000));
  const int window_count = windows < kTwoContactWindowsPerMille                               ? 2
                           : windows < kTwoContactWindowsPerMille + kOneContactWindowPerMille ? 1
                                                                                              : 0;
  const std::size_t first = rng.Below(kContactWindows.size());
  const std::size_t second = (first + 1 + rng.Below(kContactWindows.size() - 1)) % kContactWindows.size();
  for (std::size_t w : {first, second}) {
    if (static_cast<int>(cu.contact_times.size()) == window_count) break;
    const ContactWindowTable& table = kContactWindows[w];
    ContactWindow window;
    window.days.assign(table.days.begin(), table.days.begin() + table.day_count);
    window.from = std::string(table.from);
    window.to = std::string(table.to);
    cu.contact_times.push_back(std::move(window));
  }
  // Most customers have a consent record; a preferred channel is one they agreed to.
  if (!rng.PerMille(kConsentRecordedPerMille)) return;
  for (const ConsentRule& rule : kConsentRules) {
    const bool yes = rng.PerMille(rule.yes_per_mille);
    if (rule.channel == Channel::kEmail && !cu.email) continue;
    const bool preferred = std::find(cu.preferred_channels.begin(), cu.preferred_channels.end(), rule.channel) !=
                           cu.preferred_channels.end();
    cu.consent[std::string(json::EnumName(rule.channel))] = yes || preferred;
  }
}

void BuildCustomers(const SynthOptions& o, Population& pop) {
  Rng rng(o.seed, kStreamCustomers, 0);
  const int stores = static_cast<int>(pop.store_ids.size());
  // Bigger cities (the first of each region) draw more members.
  std::vector<uint64_t> store_cumulative;
  uint64_t total = 0;
  for (int s = 0; s < stores; ++s) {
    const int rank = s % std::max(1, o.stores_per_region);
    total += rank == 0 ? 5 : rank == 1 ? 4 : 3;
    store_cumulative.push_back(total);
  }
  pop.store_customers.assign(static_cast<std::size_t>(stores), {});
  std::array<int, kSegments.size()> segment_weights;
  for (std::size_t i = 0; i < kSegments.size(); ++i) segment_weights[i] = kSegments[i].per_mille;

  uint64_t spend = 0;
  for (int c = 0; c < o.customers; ++c) {
    CustomerPlan plan;
    const uint64_t r = rng.Below(total);
    plan.store = static_cast<int>(std::upper_bound(store_cumulative.begin(), store_cumulative.end(), r) -
                                  store_cumulative.begin());
    plan.segment = rng.Pick(segment_weights);
    const Segment& seg = kSegments[static_cast<std::size_t>(plan.segment)];
    const int favourites = rng.Int(1, 3);
    while (static_cast<int>(plan.favourites.size()) < favourites) {
      const int cat = rng.Pick(kCategoryPopularity);
      if (std::find(plan.favourites.begin(), plan.favourites.end(), cat) == plan.favourites.end())
        plan.favourites.push_back(cat);
    }
    // Individual appetite: 50 % to 150 % of the segment's frequency.
    spend += static_cast<uint64_t>(Scale(seg.purchases_milli, rng.Int(500, 1500)));
    pop.spend_cumulative.push_back(spend);

    Customer cu;
    cu.id = NumberedId("C", c + 1, 6);
    cu.name = PersonName(rng);
    cu.tier = seg.tiers[rng.Below(2)];
    cu.phone = MobilePhone(rng);
    if (rng.PerMille(400)) {
      std::string handle = absl::AsciiStrToLower(cu.name);
      std::replace(handle.begin(), handle.end(), ' ', '.');
      cu.email = absl::StrCat(handle, rng.Int(1, 999), "@mail.example");
    }
    cu.home_store = pop.store_ids[static_cast<std::size_t>(plan.store)];
    // Long-standing members are the bigger spenders.
    const int years_back = plan.segment <= 1 ? rng.Int(3, 10) : rng.Int(1, 8);
    cu.joined_on = absl::CivilDay(o.year - years_back, 1, 1) + rng.Int(0, 364);
    if (plan.segment <= 1) cu.tags.push_back("vip");
    if (std::find(plan.favourites.begin(), plan.favourites.end(), 7) != plan.favourites.end())
      cu.tags.push_back("young_family");
    if (rng.PerMille(550)) cu.tags.push_back("wechat");
    for (int f : plan.favourites) cu.favourite_categories.emplace_back(kCategories[static_cast<std::size_t>(f)]);
    cu.attributes["segment"] = std::string(seg.name);
    AddContactPreferences(o, c, cu);

    pop.store_customers[static_cast<std::size_t>(plan.store)].push_back(c);
    pop.customer_plans.push_back(std::move(plan));
    pop.customers.push_back(std::move(cu));
  }
}

SynthOptions Sanitised(SynthOptions o) {
  o.regions = std::max(1, o.regions);
  o.stores_per_region = std::max(1, o.stores_per_region);
  o.teams_per_store = std::max(1, o.teams_per_store);
  o.managers_per_team = std::max(1, o.managers_per_team);
  o.customers = std::max(0, o.customers);
  o.return_per_mille = std::clamp(o.return_per_mille, 0, 1000);
  o.interactions_per_customer = std::max(0, o.interactions_per_customer);
  o.line_items_per_mille = std::clamp(o.line_items_per_mille, 0, 1000);
  o.next_step_per_mille = std::clamp(o.next_step_per_mille, 0, 1000);
  o.follow_ups_per_mille = std::max(0, o.follow_ups_per_mille);
  o.follow_up_done_per_mille = std::clamp(o.follow_up_done_per_mille, 0, 1000);
  o.opportunities_per_manager_month = std::max(0, o.opportunities_per_manager_month);
  o.surveys_per_mille = std::clamp(o.surveys_per_mille, 0, 1000);
  o.complaints_per_mille = std::clamp(o.complaints_per_mille, 0, 1000);
  return o;
}

Population BuildPopulation(const SynthOptions& o) {
  Population pop;
  // An unknown zone leaves `tz` at UTC, which absl's LoadTimeZone also does.
  if (!absl::LoadTimeZone(AbslView(o.time_zone), &pop.tz)) pop.tz = absl::UTCTimeZone();
  pop.first_day = absl::CivilDay(o.year, 1, 1);
  pop.days_in_year = static_cast<int>(absl::CivilDay(o.year + 1, 1, 1) - pop.first_day);
  BuildOrg(o, pop);
  // Company first, then regions, stores, teams (as synth.h promises): parents
  // always precede their children.
  std::stable_sort(pop.org_units.begin(), pop.org_units.end(),
                   [](const OrgUnit& a, const OrgUnit& b) { return a.kind < b.kind; });
  BuildCustomers(o, pop);
  return pop;
}

// ---- The events -------------------------------------------------------------------

struct PendingReturn {
  absl::Time at;
  int64_t sale_number = 0;
  int customer = 0;
  std::optional<int> manager;
  int64_t amount_minor = 0;
  int64_t quantity = 0;
  int sku = 0;
  int reason = 0;
  std::vector<LineItem> lines;  // a sale with lines comes back as lines (some or all of them)
};

// A follow-up task's completion, decided when the task was set.
struct PendingDone {
  absl::Time at;
  int64_t order = 0;  // when it was decided, for a stable order
  std::string task;   // id of the follow_up or interaction event
  int customer = 0;
  int task_manager = 0;  // who set the task (its customer's owner then)
  int outcome = 0;       // index into kDoneOutcomes
};

// An opportunity, as planned when it opens: what the customer would buy.
struct OpportunityPlan {
  int customer = 0;
  int pipeline = 0;             // index into kPipelines
  int category = 0;             // index into kCategories
  std::vector<LineItem> items;  // at the negotiated prices
  int64_t list_amount = 0;      // the expected value until negotiation
  int64_t negotiated_amount = 0;
};

// A later move of an opportunity (or the sale that rings up a won one).
struct PendingMove {
  absl::Time at;
  int64_t opportunity = 0;  // its number (1, 2, ...)
  int step = 0;             // 2, 3, ...: the suffix of the event id
  int stage = 0;            // index into the pipeline's stages: kOpenStages = won, kOpenStages + 1 = lost
  int64_t amount_minor = 0;
  absl::CivilDay due_on;
  int reason = -1;  // index into the pipeline's lost reasons
  bool sale = false;
};

std::string OpportunityId(int64_t number) { return NumberedId("OP", number, 5); }

// A survey answer about a sale, decided when the sale was made; the score is
// drawn when it is given, from the service quality of the manager credited then.
// One event of a complaint case, decided when the sale was made.
struct PendingCaseEvent {
  absl::Time at;
  int64_t case_number = 0;
  int step = 0;  // order within the case
  Event event;
};

struct PendingSurvey {
  absl::Time at;
  int64_t sale_number = 0;
  int customer = 0;
  std::optional<int> manager;  // the sale's manager, when the answer names one
  bool nps = false;            // else csat
  Channel channel = Channel::kMessage;
};

class EventGenerator {
 public:
  explicit EventGenerator(const SynthOptions& options)
      : o_(Sanitised(options)),
        pop_(BuildPopulation(o_)),
        owner_(pop_.customers.size(), -1),
        pending_(static_cast<std::size_t>(pop_.days_in_year + kMaxReturnDelayDays + 1)),
        pending_done_(static_cast<std::size_t>(pop_.days_in_year)),
        pending_moves_(static_cast<std::size_t>(pop_.days_in_year)),
        pending_surveys_(static_cast<std::size_t>(pop_.days_in_year)),
        pending_cases_(static_cast<std::size_t>(pop_.days_in_year)),
        open_until_(pop_.customers.size(), -1) {
    Rng quality(o_.seed, kStreamServiceQuality, 0);
    for (const ManagerPlan& plan : pop_.manager_plans)
      service_quality_.push_back(quality.Int(kServiceQualityMin, kServiceQualityMax) +
                                 kServiceQualityPerLevel * plan.level);
    for (int d = 0; d < pop_.days_in_year; ++d) {
      const DayProfile p = ProfileOf(pop_.first_day + d);
      total_sales_weight_ += static_cast<uint64_t>(p.sales_weight);
      total_interaction_weight_ += static_cast<uint64_t>(p.interaction_weight);
    }
  }

  Population& population() { return pop_; }

  // Generates every event, one day at a time; stops when `fn` returns false.
  void Run(absl::FunctionRef<bool(const Event&)> fn) {
    std::vector<Event> day_events;
    std::vector<std::size_t> order;
    const int last_day = pop_.days_in_year + kMaxReturnDelayDays;
    for (int d = 0; d < last_day; ++d) {
      day_events.clear();
      if (d < pop_.days_in_year) {
        Assignments(d, day_events);
        Sales(d, day_events);
      }
      Returns(d, day_events);
      if (d < pop_.days_in_year) {
        Surveys(d, day_events);
        CaseEvents(d, day_events);
        Interactions(d, day_events);
        FollowUps(d, day_events);
        FollowUpsDone(d, day_events);
        Opportunities(d, day_events);
      }
      order.resize(day_events.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const Event& x = day_events[a];
        const Event& y = day_events[b];
        if (x.occurred_at != y.occurred_at) return x.occurred_at < y.occurred_at;
        return x.id < y.id;
      });
      for (std::size_t i : order)
        if (!fn(day_events[i])) return;
    }
  }

 private:
  absl::Time At(int day, int hour, int minute, int second) const {
    const absl::CivilDay cd = pop_.first_day + day;
    return absl::FromCivil(absl::CivilSecond(cd.year(), cd.month(), cd.day(), hour, minute, second), pop_.tz);
  }

  const ManagerPlan& Plan(int manager) const { return pop_.manager_plans[static_cast<std::size_t>(manager)]; }
  const std::string& ManagerId(int manager) const { return pop_.managers[static_cast<std::size_t>(manager)].id; }

  void Assign(absl::Time at, int customer, int manager, std::string_view reason, std::vector<Event>& out) {
    owner_[static_cast<std::size_t>(customer)] = manager;
    Event e;
    e.id = NumberedId("A", ++assignments_, 6);
    e.kind = EventKind::kAssignment;
    e.occurred_at = at;
    e.customer = pop_.customers[static_cast<std::size_t>(customer)].id;
    e.manager = ManagerId(manager);
    e.reason = std::string(reason);
    out.push_back(std::move(e));
  }

  // Who can take over the customers of `manager` on `day`: the active teammates,
  // or if there are none the active managers of the store.
  std::vector<int> Successors(int manager, absl::CivilDay day) const {
    std::vector<int> out;
    for (int m : pop_.team_managers[static_cast<std::size_t>(Plan(manager).team)])
      if (m != manager && ActiveOn(Plan(m), day)) out.push_back(m);
    if (out.empty())
      for (int m : pop_.store_managers[static_cast<std::size_t>(Plan(manager).store)])
        if (m != manager && ActiveOn(Plan(m), day)) out.push_back(m);
    return out;
  }

  void Assignments(int d, std::vector<Event>& out) {
    Rng rng(o_.seed, kStreamAssignments, static_cast<uint64_t>(d));
    const absl::CivilDay day = pop_.first_day + d;
    if (d == 0) {
      // The year's portfolios: every customer to an active manager of its home
      // store, seniors holding more customers.
      Rng owners(o_.seed, kStreamOwners, 0);
      const absl::Time at = At(0, 0, 0, 0);
      for (std::size_t s = 0; s < pop_.store_customers.size(); ++s) {
        std::vector<int> candidates;
        std::vector<uint64_t> cumulative;
        uint64_t total = 0;
        for (int m : pop_.store_managers[s]) {
          if (!ActiveOn(Plan(m), day)) continue;
          candidates.push_back(m);
          total += static_cast<uint64_t>(2 + Plan(m).level);
          cumulative.push_back(total);
        }
        for (int c : pop_.store_customers[s]) {
          const uint64_t r = owners.Below(total);
          const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), r);
          owner_[static_cast<std::size_t>(c)] = candidates[static_cast<std::size_t>(it - cumulative.begin())];
        }
      }
      for (std::size_t c = 0; c < owner_.size(); ++c)
        Assign(at, static_cast<int>(c), owner_[c], "annual portfolio allocation", out);
      return;
    }
    // 09:00: portfolios of managers who leave or go on leave today move to teammates.
    for (int m = 0; m < static_cast<int>(pop_.manager_plans.size()); ++m) {
      const ManagerPlan& plan = Plan(m);
      if (!plan.active_to || *plan.active_to != day) continue;
      const std::vector<int> successors = Successors(m, day);
      if (successors.empty()) continue;
      const std::string_view reason = plan.departure == Departure::kLeft ? "previous manager left" : "manager on leave";
      for (int c : pop_.store_customers[static_cast<std::size_t>(plan.store)])
        if (owner_[static_cast<std::size_t>(c)] == m)
          Assign(At(d, 9, 0, 0), c, successors[rng.Below(successors.size())], reason, out);
    }
    // 09:05: two weeks after starting, a new hire takes over a share of the team's customers.
    for (int m = 0; m < static_cast<int>(pop_.manager_plans.size()); ++m) {
      const ManagerPlan& plan = Plan(m);
      if (plan.active_from <= pop_.first_day || plan.active_from + kNewHireRebalanceDelayDays != day) continue;
      if (!ActiveOn(plan, day)) continue;
      int teammates = 0;
      for (int t : pop_.team_managers[static_cast<std::size_t>(plan.team)])
        if (ActiveOn(Plan(t), day)) ++teammates;
      const int share = 1000 / std::max(2, teammates);
      for (int c : pop_.store_customers[static_cast<std::size_t>(plan.store)]) {
        const int current = owner_[static_cast<std::size_t>(c)];
        if (current == m || Plan(current).team != plan.team) continue;
        if (rng.PerMille(share)) Assign(At(d, 9, 5, 0), c, m, "rebalancing for new hire", out);
      }
    }
    // 09:10-09:59: a few customers ask for another manager of their store
    // (about one customer in 400 a year).
    const int64_t requests = DrawCount(rng, static_cast<uint64_t>(o_.customers), 400ULL * 365);
    std::vector<int> seconds;
    for (int64_t i = 0; i < requests; ++i) seconds.push_back(rng.Int(0, 50 * 60 - 1));
    std::sort(seconds.begin(), seconds.end());
    for (int s : seconds) {
      if (pop_.customers.empty()) break;
      const int c = static_cast<int>(rng.Below(pop_.customers.size()));
      const int current = owner_[static_cast<std::size_t>(c)];
      std::vector<int> candidates;
      for (int m :
           pop_.store_managers[static_cast<std::size_t>(pop_.customer_plans[static_cast<std::size_t>(c)].store)])
        if (m != current && ActiveOn(Plan(m), day)) candidates.push_back(m);
      if (candidates.empty()) continue;
      Assign(At(d, 9, 10 + s / 60, s % 60), c, candidates[rng.Below(candidates.size())], "customer request", out);
    }
  }

  int DrawCustomerBySpend(Rng& rng) const {
    const uint64_t r = rng.Below(pop_.spend_cumulative.back());
    return static_cast<int>(std::upper_bound(pop_.spend_cumulative.begin(), pop_.spend_cumulative.end(), r) -
                            pop_.spend_cumulative.begin());
  }

  int DrawSku(Rng& rng, const CustomerPlan& customer, const Segment& seg) const {
    const int category =
        rng.PerMille(650) ? customer.favourites[rng.Below(customer.favourites.size())] : rng.Pick(kCategoryPopularity);
    int first = 0, count = 0;
    for (int i = 0; i < static_cast<int>(kSkus.size()); ++i) {
      if (kSkus[static_cast<std::size_t>(i)].category != category) continue;
      if (count++ == 0) first = i;
    }
    int best = first + static_cast<int>(rng.Below(static_cast<uint64_t>(count)));
    for (int k = 1; k < seg.premium_draws; ++k) {
      const int other = first + static_cast<int>(rng.Below(static_cast<uint64_t>(count)));
      if (kSkus[static_cast<std::size_t>(other)].price_minor > kSkus[static_cast<std::size_t>(best)].price_minor)
        best = other;
    }
    return best;
  }

  // Turns the single SKU of sale `e` into its first line and adds 1-3 more
  // (other SKUs, each at the day's price give or take), so that amount_minor is
  // the sum of the lines and sku, category and quantity are left to the lines.
  void AddLines(Rng& rng, int customer, const DayProfile& profile, Event& e) const {
    const CustomerPlan& cp = pop_.customer_plans[static_cast<std::size_t>(customer)];
    const Segment& seg = kSegments[static_cast<std::size_t>(cp.segment)];
    e.lines.push_back(LineItem{*e.sku, e.category, *e.quantity, *e.amount_minor});
    const int extra = rng.Int(1, 3);
    for (int tries = 0; static_cast<int>(e.lines.size()) < 1 + extra && tries < 3 * extra; ++tries) {
      const Sku& sku = kSkus[static_cast<std::size_t>(DrawSku(rng, cp, seg))];
      const int64_t quantity = sku.max_quantity > 1 && rng.PerMille(250) ? rng.Int(2, sku.max_quantity) : 1;
      const int discount = std::min(1000, profile.discount_per_mille + rng.Int(-40, 40));
      const int64_t amount = std::max<int64_t>(1, Scale(sku.price_minor * quantity, discount));
      auto same = std::find_if(e.lines.begin(), e.lines.end(), [&](const LineItem& l) { return l.sku == sku.sku; });
      if (same != e.lines.end()) continue;  // one line per SKU
      e.lines.push_back(LineItem{std::string(sku.sku), std::string(kCategories[static_cast<std::size_t>(sku.category)]),
                                 quantity, amount});
    }
    if (e.lines.size() < 2) {  // every extra SKU was already in the basket
      e.lines.clear();
      return;
    }
    int64_t total = 0;
    for (const LineItem& line : e.lines) total += line.amount_minor;
    e.amount_minor = total;
    e.sku.reset();
    e.category.reset();
    e.quantity.reset();
  }

  void Sales(int d, std::vector<Event>& out) {
    if (pop_.customers.empty()) return;
    Rng rng(o_.seed, kStreamSales, static_cast<uint64_t>(d));
    const absl::CivilDay day = pop_.first_day + d;
    const DayProfile profile = ProfileOf(day);
    // Expected sales today = purchases per year * today's share of the year's weight.
    const int64_t count = DrawCount(rng, pop_.spend_cumulative.back() * static_cast<uint64_t>(profile.sales_weight),
                                    total_sales_weight_ * 1000);

    struct Draft {
      absl::Time at;
      int customer;
      std::optional<int> manager;
      bool online;
      int sku;
      int64_t quantity;
      int64_t amount;
      int64_t seq;
    };
    std::vector<Draft> drafts;
    drafts.reserve(static_cast<std::size_t>(count));
    for (int64_t i = 0; i < count; ++i) {
      Draft s;
      s.seq = i;
      s.customer = DrawCustomerBySpend(rng);
      const CustomerPlan& cp = pop_.customer_plans[static_cast<std::size_t>(s.customer)];
      const Segment& seg = kSegments[static_cast<std::size_t>(cp.segment)];
      s.online = rng.PerMille(profile.online_per_mille);
      const int hour = s.online ? rng.Pick(profile.peak_day ? kPeakOnlineHourWeights : kOnlineHourWeights)
                                : 10 + rng.Pick(kStoreHourWeights);
      s.at = At(d, hour, rng.Int(0, 59), rng.Int(0, 59));
      // Who is credited: mostly the owner; sometimes a colleague on the floor;
      // sometimes nobody (the host leaves it to owner-based crediting).
      const int owner = owner_[static_cast<std::size_t>(s.customer)];
      const int who = static_cast<int>(rng.Below(100));
      if (who < 10) {
        s.manager = std::nullopt;
      } else if (who < 15 && !s.online) {
        const std::vector<int>& staff = pop_.store_managers[static_cast<std::size_t>(cp.store)];
        const int colleague = staff[rng.Below(staff.size())];
        s.manager = ActiveOn(Plan(colleague), day) ? colleague : owner;
      } else {
        s.manager = owner;
      }
      s.sku = DrawSku(rng, cp, seg);
      const Sku& sku = kSkus[static_cast<std::size_t>(s.sku)];
      s.quantity = 1;
      if (sku.max_quantity > 1 && rng.PerMille(seg.extra_quantity_per_mille + 150))
        s.quantity = rng.Int(2, sku.max_quantity);
      // Price paid: list price less the day's discount, +-4 % of haggling and coupons.
      const int discount = std::min(1000, profile.discount_per_mille + rng.Int(-40, 40));
      s.amount = std::max<int64_t>(1, Scale(sku.price_minor * s.quantity, discount));
      drafts.push_back(s);
    }
    std::sort(drafts.begin(), drafts.end(), [](const Draft& a, const Draft& b) {
      if (a.at != b.at) return a.at < b.at;
      return a.seq < b.seq;
    });
    // Line items come from a stream of their own, so the draws above (and the
    // returns below) stay what they were without them.
    Rng line_rng(o_.seed, kStreamLineItems, static_cast<uint64_t>(d));
    Rng survey_rng(o_.seed, kStreamSurveys, static_cast<uint64_t>(d));        // likewise
    Rng complaint_rng(o_.seed, kStreamComplaints, static_cast<uint64_t>(d));  // likewise
    for (const Draft& s : drafts) {
      const int64_t number = ++sales_;
      const Sku& sku = kSkus[static_cast<std::size_t>(s.sku)];
      Event e;
      e.id = NumberedId("S", number, 7);
      e.kind = EventKind::kSale;
      e.occurred_at = s.at;
      if (s.manager) e.manager = ManagerId(*s.manager);
      e.customer = pop_.customers[static_cast<std::size_t>(s.customer)].id;
      e.amount_minor = s.amount;
      e.quantity = s.quantity;
      e.category = std::string(kCategories[static_cast<std::size_t>(sku.category)]);
      e.sku = std::string(sku.sku);
      e.channel = s.online ? Channel::kOnline : Channel::kStore;
      e.reference = profile.campaign;
      if (line_rng.PerMille(o_.line_items_per_mille)) AddLines(line_rng, s.customer, profile, e);
      const std::vector<LineItem> lines = e.lines;
      out.push_back(std::move(e));
      if (survey_rng.PerMille(o_.surveys_per_mille))
        ScheduleSurvey(survey_rng, d, number, s.customer, s.manager, s.online);
      if (complaint_rng.PerMille(o_.complaints_per_mille))
        ScheduleComplaint(complaint_rng, d, number, s.customer, s.manager);

      if (!rng.PerMille(o_.return_per_mille)) continue;
      const int delay = rng.Int(kMinReturnDelayDays, kMaxReturnDelayDays);
      PendingReturn ret;
      ret.at = At(d + delay, 10 + rng.Pick(kStoreHourWeights), rng.Int(0, 59), rng.Int(0, 59));
      ret.sale_number = number;
      ret.customer = s.customer;
      ret.manager = s.manager;
      ret.sku = s.sku;
      ret.reason = rng.Pick(kReturnReasonWeights);
      if (s.quantity > 1 && rng.PerMille(400)) {  // some of the units
        ret.quantity = rng.Int(1, static_cast<int>(s.quantity) - 1);
        ret.amount_minor = std::max<int64_t>(1, s.amount * ret.quantity / s.quantity);
      } else if (rng.PerMille(150)) {  // a partial refund (damaged box, price match)
        ret.quantity = s.quantity;
        ret.amount_minor = std::max<int64_t>(1, Scale(s.amount, rng.Int(100, 500)));
      } else {
        ret.quantity = s.quantity;
        ret.amount_minor = s.amount;
      }
      if (!lines.empty()) {
        // The whole basket, or (as drawn above) some or all of its first line.
        if (line_rng.PerMille(300)) {
          ret.lines = lines;
        } else {
          LineItem first = lines.front();
          first.quantity = ret.quantity;
          first.amount_minor = ret.amount_minor;
          ret.lines.push_back(std::move(first));
        }
        ret.amount_minor = 0;
        for (const LineItem& line : ret.lines) ret.amount_minor += line.amount_minor;
      }
      pending_[static_cast<std::size_t>(d + delay)].push_back(ret);
    }
  }

  // Decides when and on which scale the customer of sale `number` (made on day
  // `d`) answers a survey about it, and whether the answer names the sale's
  // manager. Answers after the year are left out.
  void ScheduleSurvey(Rng& rng, int d, int64_t number, int customer, std::optional<int> manager, bool online) {
    PendingSurvey survey;
    const int day = d + rng.Int(kMinSurveyDelayDays, kMaxSurveyDelayDays);
    // From 10:00, after the day's reassignments, so "the owner at the time" is the owner of the day.
    survey.at = At(day, rng.Int(10, 21), rng.Int(0, 59), rng.Int(0, 59));
    survey.sale_number = number;
    survey.customer = customer;
    if (rng.PerMille(kSurveyNamesManagerPerMille)) survey.manager = manager;
    survey.nps = !rng.PerMille(kSurveyCsatPerMille);
    const bool email = rng.PerMille(kSurveyByEmailPerMille);
    if (online) {
      survey.channel = Channel::kOnline;
    } else if (email && pop_.customers[static_cast<std::size_t>(customer)].email) {
      survey.channel = Channel::kEmail;
    }
    if (day >= pop_.days_in_year) return;
    pending_surveys_[static_cast<std::size_t>(day)].push_back(survey);
  }

  // Decides the whole course of a complaint about sale `number` (made on day `d`):
  // opened 1-20 days later in store hours, answered after a delay that the
  // sale's manager's service quality shortens, perhaps waiting on the customer,
  // resolved with a root cause, and sometimes reopened and resolved again. Its
  // events are dealt to their days; those after the year are left out.
  void ScheduleComplaint(Rng& rng, int d, int64_t number, int customer, std::optional<int> manager) {
    const int64_t case_number = ++complaints_;
    const std::string case_id = NumberedId("CS", case_number, 6);
    const int quality = manager ? service_quality_[static_cast<std::size_t>(*manager)] : 500;
    // 0 (best) .. 450 (worst): stretches every delay below.
    const int slack = std::max(0, kServiceQualityMax + 100 - quality);
    const int day = d + rng.Int(kMinComplaintDelayDays, kMaxComplaintDelayDays);
    absl::Time at = At(day, rng.Int(9, 19), rng.Int(0, 59), rng.Int(0, 59));
    int step = 0;
    auto deal = [&](Event e) {
      e.id = absl::StrCat(case_id, "-", step);
      e.kind = EventKind::kCase;
      e.occurred_at = at;
      e.reference = case_id;
      const int64_t day_index = absl::ToCivilDay(at, pop_.tz) - pop_.first_day;
      if (day_index >= 0 && day_index < pop_.days_in_year)
        pending_cases_[static_cast<std::size_t>(day_index)].push_back({at, case_number, step, std::move(e)});
      ++step;
    };
    Event opened;
    opened.stage = "opened";
    opened.category = "complaint";
    opened.customer = pop_.customers[static_cast<std::size_t>(customer)].id;
    if (manager) opened.manager = ManagerId(*manager);
    opened.severity = static_cast<Severity>(rng.Pick(kSeverityWeights));
    constexpr std::array<Channel, 3> kChannels = {Channel::kCall, Channel::kStore, Channel::kMessage};
    opened.channel = kChannels[static_cast<std::size_t>(rng.Pick(kComplaintChannelWeights))];
    opened.note = absl::StrCat("about sale ", NumberedId("S", number, 7));
    deal(std::move(opened));
    // First response: 10 minutes to ~4 hours, plus up to two days for the slowest.
    at += absl::Minutes(rng.Int(10, 240) + rng.Int(0, slack) * 6);
    Event responded;
    responded.stage = "responded";
    if (manager) responded.manager = ManagerId(*manager);
    deal(std::move(responded));
    if (rng.PerMille(kComplaintWaitsPerMille)) {
      at += absl::Minutes(rng.Int(30, 300));
      Event waiting;
      waiting.stage = "waiting";
      waiting.note = "waiting for the customer's photos";
      deal(std::move(waiting));
      at += absl::Hours(rng.Int(12, 72));
      Event resumed;
      resumed.stage = "resumed";
      deal(std::move(resumed));
    }
    auto resolve = [&](int min_hours, int max_hours) {
      at += absl::Hours(rng.Int(min_hours, max_hours) + rng.Int(0, slack) / 10);
      Event resolved;
      resolved.stage = "resolved";
      if (manager) resolved.manager = ManagerId(*manager);
      const int cause = rng.Pick(kRootCauseWeights);
      if (!rng.PerMille(kComplaintNoCausePerMille))
        resolved.reason = std::string(kRootCauses[static_cast<std::size_t>(cause)]);
      resolved.outcome = rng.PerMille(500) ? "replaced" : "refund or voucher";
      deal(std::move(resolved));
    };
    resolve(2, 96);
    // The fix does not hold for some: more often with a weaker manager.
    if (rng.PerMille(40 + slack / 5)) {
      at += absl::Hours(rng.Int(48, 240));
      Event reopened;
      reopened.stage = "reopened";
      reopened.note = "the problem came back";
      deal(std::move(reopened));
      resolve(2, 48);
    }
  }

  // Today's complaint case events, in time order.
  void CaseEvents(int d, std::vector<Event>& out) {
    std::vector<PendingCaseEvent>& due = pending_cases_[static_cast<std::size_t>(d)];
    if (due.empty()) return;
    std::sort(due.begin(), due.end(), [](const PendingCaseEvent& a, const PendingCaseEvent& b) {
      return std::tie(a.at, a.case_number, a.step) < std::tie(b.at, b.case_number, b.step);
    });
    for (PendingCaseEvent& c : due) out.push_back(std::move(c.event));
    std::vector<PendingCaseEvent>().swap(due);
  }

  // Today's survey answers. The score leans on the service quality of the manager
  // credited: the one named, else the customer's owner now.
  void Surveys(int d, std::vector<Event>& out) {
    std::vector<PendingSurvey>& due = pending_surveys_[static_cast<std::size_t>(d)];
    if (due.empty()) return;
    Rng rng(o_.seed, kStreamSurveyAnswers, static_cast<uint64_t>(d));
    std::sort(due.begin(), due.end(), [](const PendingSurvey& a, const PendingSurvey& b) {
      if (a.at != b.at) return a.at < b.at;
      return a.sale_number < b.sale_number;
    });
    for (const PendingSurvey& survey : due) {
      const int credited = survey.manager ? *survey.manager : owner_[static_cast<std::size_t>(survey.customer)];
      const bool satisfied =
          credited < 0 || rng.PerMille(service_quality_[static_cast<std::size_t>(credited)]);  // < 0: cannot happen
      const int score = survey.nps ? rng.Pick(satisfied ? kNpsSatisfiedWeights : kNpsDissatisfiedWeights)
                                   : 1 + rng.Pick(satisfied ? kCsatSatisfiedWeights : kCsatDissatisfiedWeights);
      Event e;
      e.id = NumberedId("SV", ++surveys_, 6);
      e.kind = EventKind::kSurveyResponse;
      e.occurred_at = survey.at;
      if (survey.manager) e.manager = ManagerId(*survey.manager);
      e.customer = pop_.customers[static_cast<std::size_t>(survey.customer)].id;
      e.category = survey.nps ? "nps" : "csat";
      e.score = Decimal::FromUnits(score * Decimal::kOne);
      e.channel = survey.channel;
      e.reference = NumberedId("S", survey.sale_number, 7);  // the sale it is about
      out.push_back(std::move(e));
    }
    std::vector<PendingSurvey>().swap(due);
  }

  void Returns(int d, std::vector<Event>& out) {
    std::vector<PendingReturn>& due = pending_[static_cast<std::size_t>(d)];
    std::sort(due.begin(), due.end(), [](const PendingReturn& a, const PendingReturn& b) {
      if (a.at != b.at) return a.at < b.at;
      return a.sale_number < b.sale_number;
    });
    for (const PendingReturn& r : due) {
      const Sku& sku = kSkus[static_cast<std::size_t>(r.sku)];
      Event e;
      e.id = NumberedId("RT", ++returns_, 6);
      e.kind = EventKind::kReturn;
      e.occurred_at = r.at;
      if (r.manager) e.manager = ManagerId(*r.manager);
      e.customer = pop_.customers[static_cast<std::size_t>(r.customer)].id;
      e.amount_minor = r.amount_minor;
      if (r.lines.empty()) {
        e.quantity = r.quantity;
        e.category = std::string(kCategories[static_cast<std::size_t>(sku.category)]);
        e.sku = std::string(sku.sku);
      } else {
        e.lines = r.lines;
      }
      e.reference = NumberedId("S", r.sale_number, 7);
      e.attributes["reason"] = std::string(kReturnReasons[static_cast<std::size_t>(r.reason)]);
      out.push_back(std::move(e));
    }
    std::vector<PendingReturn>().swap(due);
  }

  void Interactions(int d, std::vector<Event>& out) {
    if (pop_.customers.empty()) return;
    Rng rng(o_.seed, kStreamInteractions, static_cast<uint64_t>(d));
    const absl::CivilDay day = pop_.first_day + d;
    const DayProfile profile = ProfileOf(day);
    const uint64_t per_year = static_cast<uint64_t>(o_.customers) * static_cast<uint64_t>(o_.interactions_per_customer);
    const int64_t count =
        DrawCount(rng, per_year * static_cast<uint64_t>(profile.interaction_weight), total_interaction_weight_);
    struct Draft {
      absl::Time at;
      int customer;
      int channel;
      int outcome;
      int64_t seq;
    };
    std::vector<Draft> drafts;
    drafts.reserve(static_cast<std::size_t>(count));
    for (int64_t i = 0; i < count; ++i) {
      Draft x;
      x.seq = i;
      // Half the attention goes by value, half is spread over the whole portfolio.
      x.customer = rng.Below(2) == 0 ? DrawCustomerBySpend(rng) : static_cast<int>(rng.Below(pop_.customers.size()));
      x.channel = rng.Pick(kInteractionChannelWeights);
      x.outcome = rng.Pick(kOutcomeWeights);
      x.at = At(d, rng.Int(10, 20), rng.Int(0, 59), rng.Int(0, 59));
      drafts.push_back(x);
    }
    std::sort(drafts.begin(), drafts.end(), [](const Draft& a, const Draft& b) {
      if (a.at != b.at) return a.at < b.at;
      return a.seq < b.seq;
    });
    // Next steps come from a stream of their own, so the draws above stay what
    // they were without them.
    Rng steps(o_.seed, kStreamNextSteps, static_cast<uint64_t>(d));
    for (const Draft& x : drafts) {
      const int owner = owner_[static_cast<std::size_t>(x.customer)];
      if (owner < 0 || !ActiveOn(Plan(owner), day)) continue;  // cannot happen: owners are always active
      const Channel channel = kInteractionChannels[static_cast<std::size_t>(x.channel)];
      Event e;
      e.id = NumberedId("I", ++interactions_, 7);
      e.kind = EventKind::kInteraction;
      e.occurred_at = x.at;
      e.manager = ManagerId(owner);
      e.customer = pop_.customers[static_cast<std::size_t>(x.customer)].id;
      e.channel = channel;
      e.outcome = channel == Channel::kNote ? "noted" : std::string(kOutcomes[static_cast<std::size_t>(x.outcome)]);
      e.reference = profile.campaign;
      for (const NextStepTable& next : kNextSteps) {
        if (channel == Channel::kNote || next.outcome != *e.outcome) continue;
        if (!steps.PerMille(o_.next_step_per_mille)) break;
        e.next_step = std::string(next.steps[steps.Below(next.steps.size())]);
        const int due = d + steps.Int(1, next.max_days);
        e.due_on = pop_.first_day + due;
        ScheduleDone(steps, e.id, x.customer, owner, d, due);
        break;
      }
      out.push_back(std::move(e));
    }
  }

  // ---- Follow-ups ---------------------------------------------------------------------

  // Decides whether and when the task `task` (set on day `created` by `manager`,
  // due on day `due` > `created`) is done: mostly on time (after the day it was
  // set, by the end of its due day), some late, some never; and with what outcome.
  // Completions after the year are left out: those tasks are open at its end.
  void ScheduleDone(Rng& rng, const std::string& task, int customer, int manager, int created, int due) {
    if (!rng.PerMille(o_.follow_up_done_per_mille)) return;
    const int day =
        rng.PerMille(kFollowUpLatePerMille) ? due + rng.Int(1, kMaxDaysLate) : created + rng.Int(1, due - created);
    const int outcome = rng.Pick(kDoneOutcomeWeights);
    const absl::Time at = At(day, rng.Int(10, 20), rng.Int(0, 59), rng.Int(0, 59));
    if (day >= pop_.days_in_year) return;
    pending_done_[static_cast<std::size_t>(day)].push_back(
        PendingDone{at, ++dones_scheduled_, task, customer, manager, outcome});
  }

  // follow_up tasks the owners set for their customers (birthday greetings,
  // warranty reminders, ...), with the rhythm of the interactions.
  void FollowUps(int d, std::vector<Event>& out) {
    if (pop_.customers.empty() || o_.follow_ups_per_mille == 0) return;
    Rng rng(o_.seed, kStreamFollowUps, static_cast<uint64_t>(d));
    const absl::CivilDay day = pop_.first_day + d;
    const DayProfile profile = ProfileOf(day);
    const uint64_t per_year_milli =
        static_cast<uint64_t>(o_.customers) * static_cast<uint64_t>(o_.follow_ups_per_mille);
    const int64_t count = DrawCount(rng, per_year_milli * static_cast<uint64_t>(profile.interaction_weight),
                                    total_interaction_weight_ * 1000);
    struct Draft {
      absl::Time at;
      int customer;
      int step;
      bool names_manager;
      int due_days;
      int64_t seq;
    };
    std::vector<Draft> drafts;
    drafts.reserve(static_cast<std::size_t>(count));
    for (int64_t i = 0; i < count; ++i) {
      Draft f;
      f.seq = i;
      f.customer = rng.Below(2) == 0 ? DrawCustomerBySpend(rng) : static_cast<int>(rng.Below(pop_.customers.size()));
      f.step = static_cast<int>(rng.Below(kFollowUpSteps.size()));
      f.names_manager = rng.PerMille(kFollowUpNamesManagerPerMille);
      f.due_days = rng.Int(2, 21);
      f.at = At(d, rng.Int(10, 20), rng.Int(0, 59), rng.Int(0, 59));
      drafts.push_back(f);
    }
    std::sort(drafts.begin(), drafts.end(), [](const Draft& a, const Draft& b) {
      if (a.at != b.at) return a.at < b.at;
      return a.seq < b.seq;
    });
    for (const Draft& f : drafts) {
      const int owner = owner_[static_cast<std::size_t>(f.customer)];
      if (owner < 0 || !ActiveOn(Plan(owner), day)) continue;  // cannot happen: owners are always active
      Event e;
      e.id = NumberedId("F", ++follow_ups_, 6);
      e.kind = EventKind::kFollowUp;
      e.occurred_at = f.at;
      if (f.names_manager) e.manager = ManagerId(owner);
      e.customer = pop_.customers[static_cast<std::size_t>(f.customer)].id;
      e.next_step = std::string(kFollowUpSteps[static_cast<std::size_t>(f.step)]);
      e.due_on = day + f.due_days;
      ScheduleDone(rng, e.id, f.customer, owner, d, d + f.due_days);
      out.push_back(std::move(e));
    }
  }

  // The tasks done today, by the customer's owner of the moment (always an
  // employed manager). A task whose customer changed hands since it was set is
  // done by the new owner only sometimes; the others stay open.
  void FollowUpsDone(int d, std::vector<Event>& out) {
    std::vector<PendingDone>& due = pending_done_[static_cast<std::size_t>(d)];
    if (due.empty()) return;
    Rng rng(o_.seed, kStreamFollowUpsDone, static_cast<uint64_t>(d));
    const absl::CivilDay day = pop_.first_day + d;
    std::sort(due.begin(), due.end(), [](const PendingDone& a, const PendingDone& b) {
      if (a.at != b.at) return a.at < b.at;
      return a.order < b.order;
    });
    for (const PendingDone& done : due) {
      const int owner = owner_[static_cast<std::size_t>(done.customer)];
      if (owner < 0 || !ActiveOn(Plan(owner), day)) continue;  // cannot happen: owners are always active
      if (owner != done.task_manager && !rng.PerMille(kHandedOverDonePerMille)) continue;
      Event e;
      e.id = NumberedId("FD", ++follow_ups_done_, 6);
      e.kind = EventKind::kFollowUpDone;
      e.occurred_at = done.at;
      e.reference = done.task;
      e.outcome = std::string(kDoneOutcomes[static_cast<std::size_t>(done.outcome)]);
      e.attributes["done_by"] = ManagerId(owner);
      out.push_back(std::move(e));
    }
    std::vector<PendingDone>().swap(due);
  }

  // ---- Opportunities --------------------------------------------------------------------

  // Today's moves of opportunities opened before, then the opportunities opened
  // today: opportunities_per_manager_month per employed manager with a full
  // portfolio (fewer for a smaller one), each with a customer of the manager's
  // portfolio that has no open one.
  void Opportunities(int d, std::vector<Event>& out) {
    std::vector<PendingMove>& moves = pending_moves_[static_cast<std::size_t>(d)];
    std::sort(moves.begin(), moves.end(), [](const PendingMove& a, const PendingMove& b) {
      if (a.at != b.at) return a.at < b.at;
      if (a.opportunity != b.opportunity) return a.opportunity < b.opportunity;
      return a.step < b.step;
    });
    for (const PendingMove& move : moves) EmitMove(move, out);
    std::vector<PendingMove>().swap(moves);

    if (pop_.customers.empty() || o_.opportunities_per_manager_month == 0) return;
    Rng rng(o_.seed, kStreamOpportunities, static_cast<uint64_t>(d));
    const absl::CivilDay day = pop_.first_day + d;
    // Each employed manager weighs by their portfolio, up to a full one.
    std::vector<int> portfolio(pop_.manager_plans.size(), 0);
    for (int owner : owner_)
      if (owner >= 0) ++portfolio[static_cast<std::size_t>(owner)];
    std::vector<int> employed;
    std::vector<uint64_t> cumulative;
    uint64_t total = 0;
    for (int m = 0; m < static_cast<int>(pop_.manager_plans.size()); ++m) {
      const int weight = std::min(kFullPortfolio, portfolio[static_cast<std::size_t>(m)]);
      if (!ActiveOn(Plan(m), day) || weight == 0) continue;
      employed.push_back(m);
      total += static_cast<uint64_t>(weight);
      cumulative.push_back(total);
    }
    if (employed.empty()) return;
    const int64_t count = DrawCount(rng, total * static_cast<uint64_t>(o_.opportunities_per_manager_month) * 12,
                                    static_cast<uint64_t>(kFullPortfolio) * static_cast<uint64_t>(pop_.days_in_year));
    struct Draft {
      absl::Time at;
      int manager;
      int64_t seq;
    };
    std::vector<Draft> drafts;
    for (int64_t i = 0; i < count; ++i) {
      const absl::Time at = At(d, rng.Int(10, 19), rng.Int(0, 59), rng.Int(0, 59));
      const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), rng.Below(total));
      drafts.push_back(Draft{at, employed[static_cast<std::size_t>(it - cumulative.begin())], i});
    }
    std::sort(drafts.begin(), drafts.end(), [](const Draft& a, const Draft& b) {
      if (a.at != b.at) return a.at < b.at;
      return a.seq < b.seq;
    });
    for (const Draft& draft : drafts) Open(rng, d, draft.at, draft.manager, out);
  }

  // Opens an opportunity of `manager` at `at` on day `d` and plans its way
  // through the pipeline: each open stage moves on, is lost (with a reason) or
  // stalls, some days later; moves after the year are left out (the opportunity
  // is open at its end). A won opportunity is mostly rung up as a sale right after.
  void Open(Rng& rng, int d, absl::Time at, int manager, std::vector<Event>& out) {
    std::vector<int> candidates;
    for (int c : pop_.store_customers[static_cast<std::size_t>(Plan(manager).store)])
      if (owner_[static_cast<std::size_t>(c)] == manager && open_until_[static_cast<std::size_t>(c)] < d)
        candidates.push_back(c);
    if (candidates.empty()) return;
    // The bigger spender of two draws.
    int customer = candidates[rng.Below(candidates.size())];
    const int other = candidates[rng.Below(candidates.size())];
    auto segment = [&](int c) { return pop_.customer_plans[static_cast<std::size_t>(c)].segment; };
    if (segment(other) < segment(customer)) customer = other;
    const CustomerPlan& cp = pop_.customer_plans[static_cast<std::size_t>(customer)];

    // What it is about: half the time a large-ticket favourite of the customer.
    std::array<int, kOpportunityCategories.size()> weights;
    for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = kOpportunityCategories[i].weight;
    int choice = rng.Pick(weights);
    if (rng.PerMille(500)) {
      for (std::size_t i = 0; i < kOpportunityCategories.size(); ++i)
        if (std::find(cp.favourites.begin(), cp.favourites.end(), kOpportunityCategories[i].category) !=
            cp.favourites.end()) {
          choice = static_cast<int>(i);
          break;
        }
    }
    const OpportunityCategory& oc = kOpportunityCategories[static_cast<std::size_t>(choice)];
    const PipelineTable& pipe = kPipelines[static_cast<std::size_t>(oc.pipeline)];
    std::vector<int> big, any;
    for (int i = 0; i < static_cast<int>(kSkus.size()); ++i) {
      if (kSkus[static_cast<std::size_t>(i)].category != oc.category) continue;
      any.push_back(i);
      if (kSkus[static_cast<std::size_t>(i)].price_minor >= kBigTicketMinor) big.push_back(i);
    }
    std::vector<std::pair<int, int64_t>> picks;  // SKU, quantity
    picks.emplace_back(big[rng.Below(big.size())], 1);
    const int more = oc.pipeline == 1 ? rng.Int(1, 3) : rng.Int(0, 1);  // projects furnish a room
    for (int k = 0; k < more; ++k) {
      const int sku = any[rng.Below(any.size())];
      auto same = std::find_if(picks.begin(), picks.end(), [&](const auto& p) { return p.first == sku; });
      if (same == picks.end()) {
        picks.emplace_back(sku, 1);
      } else if (same->second < kSkus[static_cast<std::size_t>(sku)].max_quantity) {
        ++same->second;
      }
    }
    OpportunityPlan plan;
    plan.customer = customer;
    plan.pipeline = oc.pipeline;
    plan.category = oc.category;
    const int discount = rng.Int(900, 970);  // what negotiation takes off the list price
    for (const auto& [index, quantity] : picks) {
      const Sku& sku = kSkus[static_cast<std::size_t>(index)];
      plan.list_amount += sku.price_minor * quantity;
      const int64_t amount = std::max<int64_t>(1, Scale(sku.price_minor * quantity, discount));
      plan.negotiated_amount += amount;
      plan.items.push_back(LineItem{
          std::string(sku.sku), std::string(kCategories[static_cast<std::size_t>(sku.category)]), quantity, amount});
    }
    opportunities_.push_back(std::move(plan));
    const int64_t number = static_cast<int64_t>(opportunities_.size());
    const OpportunityPlan& planned = opportunities_.back();

    // The way through the stages.
    absl::CivilDay due = pop_.first_day + d + rng.Int(14, 45);  // expected close
    int stage = 0, day = d, step = 1;
    int& open_until = open_until_[static_cast<std::size_t>(customer)];
    open_until = std::numeric_limits<int>::max();
    EmitMove(PendingMove{at, number, step, stage, planned.list_amount, due, -1, false}, out);
    while (true) {
      const int r = static_cast<int>(rng.Below(1000));
      const std::size_t s = static_cast<std::size_t>(stage);
      if (r >= pipe.advance_per_mille[s] + pipe.lost_per_mille[s]) break;  // stalls
      day += rng.Int(pipe.min_days[s], pipe.max_days[s]);
      const bool advances = r < pipe.advance_per_mille[s];
      const int next = advances ? stage + 1 : kOpenStages + 1;  // stage + 1 == kOpenStages: won
      const int reason = advances ? -1 : rng.Pick(pipe.lost_reason_weights);
      const absl::Time move_at = At(day, rng.Int(10, 19), rng.Int(0, 59), rng.Int(0, 59));
      const bool negotiated = next == kOpenStages - 1 || stage == kOpenStages - 1;
      if (next == kOpenStages - 1) due = pop_.first_day + day + rng.Int(3, 14);  // revised in negotiation
      if (next >= kOpenStages) due = pop_.first_day + day;                       // closed
      const bool sale = next == kOpenStages && rng.PerMille(kWonThenSalePerMille);
      const absl::Time sale_at = move_at + absl::Minutes(rng.Int(5, 60));
      if (day >= pop_.days_in_year) break;
      std::vector<PendingMove>& pending = pending_moves_[static_cast<std::size_t>(day)];
      const int64_t amount = negotiated ? planned.negotiated_amount : planned.list_amount;
      pending.push_back(PendingMove{move_at, number, ++step, next, amount, due, reason, false});
      if (next < kOpenStages) {
        stage = next;
        continue;
      }
      open_until = day;
      if (sale) pending.push_back(PendingMove{sale_at, number, ++step, next, amount, due, -1, true});
      break;
    }
  }

  void EmitMove(const PendingMove& move, std::vector<Event>& out) {
    const OpportunityPlan& plan = opportunities_[static_cast<std::size_t>(move.opportunity - 1)];
    const PipelineTable& pipe = kPipelines[static_cast<std::size_t>(plan.pipeline)];
    const int owner = owner_[static_cast<std::size_t>(plan.customer)];
    Event e;
    e.occurred_at = move.at;
    e.customer = pop_.customers[static_cast<std::size_t>(plan.customer)].id;
    if (owner >= 0) e.manager = ManagerId(owner);  // the owner of the moment: employed
    e.reference = OpportunityId(move.opportunity);
    e.amount_minor = move.amount_minor;
    if (move.sale) {
      e.id = NumberedId("SO", ++opportunity_sales_, 6);
      e.kind = EventKind::kSale;
      e.channel = Channel::kStore;
      if (plan.items.size() == 1) {
        e.sku = plan.items.front().sku;
        e.category = plan.items.front().category;
        e.quantity = plan.items.front().quantity;
      } else {
        e.lines = plan.items;
      }
      out.push_back(std::move(e));
      return;
    }
    e.id = absl::StrCat(AbslView(*e.reference), "-", move.step);
    e.kind = EventKind::kOpportunity;
    if (move.stage < kOpenStages) {
      e.stage = std::string(pipe.stages[static_cast<std::size_t>(move.stage)]);
    } else {
      e.stage = move.stage == kOpenStages ? "won" : "lost";
    }
    if (plan.pipeline != 0) e.pipeline = std::string(pipe.id);  // absent: "default"
    e.due_on = move.due_on;
    if (move.reason >= 0) e.reason = std::string(pipe.lost_reasons[static_cast<std::size_t>(move.reason)]);
    e.attributes["category"] = std::string(kCategories[static_cast<std::size_t>(plan.category)]);
    out.push_back(std::move(e));
  }

  SynthOptions o_;
  Population pop_;
  std::vector<int> owner_;                                    // current owner (manager index) per customer
  std::vector<std::vector<PendingReturn>> pending_;           // returns due, per day index
  std::vector<std::vector<PendingDone>> pending_done_;        // follow-ups done, per day index (within the year)
  std::vector<std::vector<PendingMove>> pending_moves_;       // opportunity moves, per day index (within the year)
  std::vector<std::vector<PendingSurvey>> pending_surveys_;   // survey answers, per day index (within the year)
  std::vector<std::vector<PendingCaseEvent>> pending_cases_;  // complaint case events, per day index (within the year)
  std::vector<int> service_quality_;                          // per manager, per mille
  std::vector<OpportunityPlan> opportunities_;                // by number - 1
  std::vector<int> open_until_;  // per customer: the last day of its open opportunity (-1: none; INT_MAX: open)
  uint64_t total_sales_weight_ = 0;
  uint64_t total_interaction_weight_ = 0;
  int64_t assignments_ = 0, sales_ = 0, returns_ = 0, interactions_ = 0;
  int64_t follow_ups_ = 0, dones_scheduled_ = 0, follow_ups_done_ = 0, opportunity_sales_ = 0;
  int64_t surveys_ = 0, complaints_ = 0;
};

}  // namespace

SynthDataset GenerateRetail(const SynthOptions& options) {
  EventGenerator generator(options);
  SynthDataset data;
  generator.Run([&](const Event& e) {
    data.events.push_back(e);
    return true;
  });
  Population& pop = generator.population();
  data.org_units = std::move(pop.org_units);
  data.managers = std::move(pop.managers);
  data.customers = std::move(pop.customers);
  data.pipelines = RetailPipelines();
  return data;
}

std::vector<Pipeline> RetailPipelines() {
  std::vector<Pipeline> out;
  for (const PipelineTable& table : kPipelines) {
    Pipeline p;
    p.id = std::string(table.id);
    p.name = std::string(table.name);
    for (int i = 0; i < kOpenStages; ++i) {
      const std::size_t s = static_cast<std::size_t>(i);
      p.stages.push_back(PipelineStage{std::string(table.stages[s]), std::string(table.stage_names[s]),
                                       Decimal::FromUnits(Decimal::kOne / 1000 * table.win_per_mille[s]),
                                       StageOutcome::kOpen});
    }
    p.stages.push_back(PipelineStage{"won", "Won", Decimal::FromUnits(Decimal::kOne), StageOutcome::kWon});
    p.stages.push_back(PipelineStage{"lost", "Lost", Decimal(), StageOutcome::kLost});
    for (std::string_view reason : table.lost_reasons) p.lost_reasons.emplace_back(reason);
    out.push_back(std::move(p));
  }
  return out;
}

void GenerateRetailEvents(const SynthOptions& options, absl::FunctionRef<bool(const Event&)> fn) {
  EventGenerator generator(options);
  generator.Run(fn);
}

absl::Status LoadDataset(Workspace& workspace, const SynthDataset& data, std::size_t batch_size) {
  if (batch_size == 0) return absl::InvalidArgumentError("LoadDataset: batch_size must be positive");
  std::vector<Workspace::DocumentPut> puts;
  puts.reserve(data.org_units.size() + data.managers.size() + data.customers.size() + data.pipelines.size());
  auto add = [&](const auto& entity) {
    using T = std::remove_cvref_t<decltype(entity)>;
    puts.push_back({std::string(T::kCollection), entity.id, json::ToText(entity), {}});
  };
  for (const OrgUnit& u : data.org_units) add(u);
  for (const Manager& m : data.managers) add(m);
  for (const Customer& c : data.customers) add(c);
  for (const Pipeline& p : data.pipelines) add(p);  // before the opportunity events checked against them
  if (!puts.empty()) {
    absl::StatusOr<std::vector<int64_t>> versions = workspace.PutAll(puts);
    if (!versions.ok()) return versions.status();
  }
  const std::span<const Event> events(data.events);
  for (std::size_t begin = 0; begin < events.size(); begin += batch_size) {
    const std::size_t n = std::min(batch_size, events.size() - begin);
    absl::StatusOr<IngestReport> report = workspace.Ingest(events.subspan(begin, n), IngestMode::kAtomic);
    if (!report.ok()) return report.status();
    if (!report->rejected.empty()) {
      const RejectedRow& first = report->rejected.front();
      return absl::InvalidArgumentError(absl::StrCat("LoadDataset: events ", begin, "..", begin + n - 1, ": ",
                                                     report->rejected.size(), " rejected; first (", AbslView(first.id),
                                                     "): ", AbslView(first.message)));
    }
  }
  return absl::OkStatus();
}

}  // namespace cadre
