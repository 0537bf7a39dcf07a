/*
 * capi_test.c — the C ABI tested from C (STYLE.md rule 16).
 *
 * Covers every function of cadre.h: happy paths, misuse (NULL handles and
 * pointers, bad struct sizes), the documented error codes with their details,
 * ingest reports, the fast path, versioned-struct growth, persistence through
 * SQLite, and one workspace shared by several threads.
 *
 *   capi_test SCRATCH_DIR
 *
 * Prints "capi_test: N passed, M failed" and exits non-zero if M > 0.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cadre/cadre.h"
#include "check.h"

#define CHECK_PREFIX(text, prefix)                                                                            \
  check_impl((text) != NULL && strncmp((text), (prefix), strlen(prefix)) == 0, #text " starts with " #prefix, \
             __FILE__, __LINE__)
#define CHECK_LACKS(text, needle) \
  check_impl((text) != NULL && strstr((text), (needle)) == NULL, #text " lacks " #needle, __FILE__, __LINE__)

static const char* g_scratch = ".";

/* Microseconds since the epoch of 2025-06-18T02:00:00Z, plus `minutes`. */
static int64_t june18(int minutes) { return (INT64_C(1750212000) + (int64_t)minutes * 60) * INT64_C(1000000); }

/* A sentinel a failed call must overwrite with NULL. */
static char g_sentinel_byte;
#define SENTINEL ((char*)&g_sentinel_byte)

static cadre_workspace* open_memory(void) {
  cadre_workspace* ws = NULL;
  if (!CHECK_CODE(cadre_workspace_open(&ws, "memory:", NULL), CADRE_OK)) {
    fprintf(stderr, "cannot open a memory workspace: %s\n", cadre_error_message());
    exit(2);
  }
  return ws;
}

/* ---- Version, codes, error state ---------------------------------------------- */

static void test_version(void) {
  char expected[32];
  snprintf(expected, sizeof expected, "%d.%d.%d", CADRE_VERSION_MAJOR, CADRE_VERSION_MINOR, CADRE_VERSION_PATCH);
  CHECK(strcmp(expected, CADRE_VERSION_STRING) == 0);
  CHECK(cadre_version() == CADRE_VERSION_NUMBER);
  CHECK(CADRE_VERSION_NUMBER == CADRE_VERSION_MAJOR * 1000000 + CADRE_VERSION_MINOR * 1000 + CADRE_VERSION_PATCH);
  CHECK(strcmp(cadre_version_string(), CADRE_VERSION_STRING) == 0);
#ifdef CADRE_PROJECT_VERSION
  /* The header's version and CMake's project(VERSION) must agree. */
  CHECK(strcmp(CADRE_VERSION_STRING, CADRE_PROJECT_VERSION) == 0);
#else
  CHECK(!"CADRE_PROJECT_VERSION is not defined by tests/capi/CMakeLists.txt");
#endif
}

static void test_status_codes_are_frozen(void) {
  CHECK(CADRE_OK == 0);
  CHECK(CADRE_ERROR_INVALID_ARGUMENT == 1);
  CHECK(CADRE_ERROR_NOT_FOUND == 2);
  CHECK(CADRE_ERROR_ALREADY_EXISTS == 3);
  CHECK(CADRE_ERROR_CONFLICT == 4);
  CHECK(CADRE_ERROR_FAILED_PRECONDITION == 5);
  CHECK(CADRE_ERROR_OUT_OF_RANGE == 6);
  CHECK(CADRE_ERROR_UNAVAILABLE == 7);
  CHECK(CADRE_ERROR_HOST_CALLBACK == 8);
  CHECK(CADRE_ERROR_INTERNAL == 9);
  CHECK(CADRE_ERROR_NO_MEMORY == 10);
  CHECK(CADRE_ERROR_MISUSE == 11);
  CHECK(CADRE_ERROR_PERMISSION_DENIED == 12);
  CHECK(CADRE_INGEST_ATOMIC == 0 && CADRE_INGEST_BEST_EFFORT == 1);
  CHECK(CADRE_SALE_KIND_SALE == 0 && CADRE_SALE_KIND_RETURN == 1);

  CHECK(strcmp(cadre_status_name(CADRE_OK), "ok") == 0);
  CHECK(strcmp(cadre_status_name(CADRE_ERROR_INVALID_ARGUMENT), "invalid_argument") == 0);
  CHECK(strcmp(cadre_status_name(CADRE_ERROR_NOT_FOUND), "not_found") == 0);
  CHECK(strcmp(cadre_status_name(CADRE_ERROR_ALREADY_EXISTS), "already_exists") == 0);
  CHECK(strcmp(cadre_status_name(CADRE_ERROR_CONFLICT), "conflict") == 0);
  CHECK(strcmp(cadre_status_name(CADRE_ERROR_FAILED_PRECONDITION), "failed_precondition") == 0);
  CHECK(strcmp(cadre_status_name(CADRE_ERROR_OUT_OF_RANGE), "out_of_range") == 0);
  CHECK(strcmp(cadre_status_name(CADRE_ERROR_UNAVAILABLE), "unavailable") == 0);
  CHECK(strcmp(cadre_status_name(CADRE_ERROR_HOST_CALLBACK), "host_callback") == 0);
  CHECK(strcmp(cadre_status_name(CADRE_ERROR_INTERNAL), "internal") == 0);
  CHECK(strcmp(cadre_status_name(CADRE_ERROR_NO_MEMORY), "no_memory") == 0);
  CHECK(strcmp(cadre_status_name(CADRE_ERROR_MISUSE), "misuse") == 0);
  CHECK(strcmp(cadre_status_name(CADRE_ERROR_PERMISSION_DENIED), "permission_denied") == 0);
  CHECK(strcmp(cadre_status_name(13), "unknown") == 0);
  CHECK(strcmp(cadre_status_name(-1), "unknown") == 0);
}

/* The layouts of the public structs are part of the ABI: pinned here for LP64. */
static void test_struct_layout(void) {
#if UINTPTR_MAX == UINT64_MAX
  CHECK(sizeof(cadre_workspace_options) == 24);
  CHECK(offsetof(cadre_workspace_options, currency) == 8);
  CHECK(offsetof(cadre_workspace_options, time_zone) == 16);
  CHECK(sizeof(cadre_put_options) == 24);
  CHECK(offsetof(cadre_put_options, has_expected_version) == 4);
  CHECK(offsetof(cadre_put_options, expected_version) == 8);
  CHECK(offsetof(cadre_put_options, effective_from) == 16);
  CHECK(sizeof(cadre_sale) == 80);
  CHECK(offsetof(cadre_sale, manager) == 8);
  CHECK(offsetof(cadre_sale, customer) == 16);
  CHECK(offsetof(cadre_sale, category) == 24);
  CHECK(offsetof(cadre_sale, sku) == 32);
  CHECK(offsetof(cadre_sale, reference) == 40);
  CHECK(offsetof(cadre_sale, occurred_at) == 48);
  CHECK(offsetof(cadre_sale, amount_minor) == 56);
  CHECK(offsetof(cadre_sale, quantity) == 64);
  CHECK(offsetof(cadre_sale, kind) == 72);
  CHECK(offsetof(cadre_sale, reserved) == 76);
#endif
  {
    cadre_workspace_options o = CADRE_WORKSPACE_OPTIONS_INIT;
    cadre_put_options p = CADRE_PUT_OPTIONS_INIT;
    cadre_sale s = CADRE_SALE_INIT;
    CHECK(o.struct_size == sizeof o && o.currency == NULL && o.time_zone == NULL);
    CHECK(p.struct_size == sizeof p && p.has_expected_version == 0 && p.effective_from == NULL);
    CHECK(s.id == NULL && s.kind == CADRE_SALE_KIND_SALE && s.quantity == 0 && s.reserved == 0);
  }
}

static void test_error_state(void) {
  cadre_workspace* ws = open_memory();
  /* After a success: cleared, never NULL. */
  CHECK(cadre_error_code() == CADRE_OK);
  CHECK(strcmp(cadre_error_message(), "") == 0);
  CHECK(strcmp(cadre_error_details_json(), "{\"code\":\"ok\",\"message\":\"\"}") == 0);

  /* After a failure: the code, a message and details. */
  char* out = SENTINEL;
  CHECK_CODE(cadre_document_get(&out, ws, "managers", "M-404", NULL), CADRE_ERROR_NOT_FOUND);
  CHECK(out == NULL);
  const char* message = cadre_error_message();
  CHECK(message != NULL && message[0] != '\0');
  CHECK_HAS(cadre_error_details_json(), "\"code\":\"not_found\"");
  CHECK_HAS(cadre_error_details_json(), "\"message\":");

  /* Functions that return no status leave the error alone, so it can be read after cleanup. */
  cadre_free(NULL);
  (void)cadre_version();
  (void)cadre_version_string();
  (void)cadre_status_name(3);
  cadre_workspace_close(NULL);
  CHECK(cadre_error_code() == CADRE_ERROR_NOT_FOUND);
  CHECK(cadre_error_message() == message); /* the same text, still valid */

  /* The next status-returning call replaces it. */
  uint64_t hwm = 99;
  CHECK_CODE(cadre_workspace_high_water_mark(&hwm, ws), CADRE_OK);
  CHECK(hwm == 0);
  CHECK(strcmp(cadre_error_message(), "") == 0);
  cadre_workspace_close(ws);
  /* Close leaves the error state alone too. */
  CHECK(cadre_error_code() == CADRE_OK);
}

/* ---- Workspace ---------------------------------------------------------------- */

static void test_workspace_open_and_misuse(void) {
  cadre_workspace* ws = (cadre_workspace*)SENTINEL;

  CHECK_CODE(cadre_workspace_open(NULL, "memory:", NULL), CADRE_ERROR_MISUSE);
  CHECK_HAS(cadre_error_message(), "cadre_workspace_open");
  CHECK_CODE(cadre_workspace_open(&ws, NULL, NULL), CADRE_ERROR_MISUSE);
  CHECK(ws == NULL);
  CHECK_HAS(cadre_error_details_json(), "\"code\":\"misuse\"");

  ws = (cadre_workspace*)SENTINEL;
  CHECK_CODE(cadre_workspace_open(&ws, "nosuchscheme:x", NULL), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK(ws == NULL);

  /* Options: struct_size 0 (not initialised) is misuse. */
  cadre_workspace_options opts;
  memset(&opts, 0, sizeof opts);
  CHECK_CODE(cadre_workspace_open(&ws, "memory:", &opts), CADRE_ERROR_MISUSE);
  CHECK_HAS(cadre_error_message(), "struct_size");

  /* Bad currency and time zone are invalid arguments that name the field. */
  cadre_workspace_options bad = CADRE_WORKSPACE_OPTIONS_INIT;
  bad.currency = "XYZ";
  CHECK_CODE(cadre_workspace_open(&ws, "memory:", &bad), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK(ws == NULL);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"currency\"");
  CHECK_HAS(cadre_error_details_json(), "\"value\":\"XYZ\"");
  bad = (cadre_workspace_options)CADRE_WORKSPACE_OPTIONS_INIT;
  bad.time_zone = "Mars/Olympus_Mons";
  CHECK_CODE(cadre_workspace_open(&ws, "memory:", &bad), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK(ws == NULL);

  /* Defaults (NULL options): CNY, UTC. */
  CHECK_CODE(cadre_workspace_open(&ws, "memory:", NULL), CADRE_OK);
  CHECK(ws != NULL);
  char* settings = SENTINEL;
  CHECK_CODE(cadre_workspace_settings(&settings, ws), CADRE_OK);
  CHECK_HAS(settings, "\"currency\":\"CNY\"");
  CHECK_HAS(settings, "\"time_zone\":\"UTC\"");
  CHECK_HAS(settings, "\"created_at\":\"");
  cadre_free(settings);
  CHECK_CODE(cadre_workspace_settings(NULL, ws), CADRE_ERROR_MISUSE);
  settings = SENTINEL;
  CHECK_CODE(cadre_workspace_settings(&settings, NULL), CADRE_ERROR_MISUSE);
  CHECK(settings == NULL);
  uint64_t hwm = 7;
  CHECK_CODE(cadre_workspace_high_water_mark(&hwm, NULL), CADRE_ERROR_MISUSE);
  CHECK(hwm == 0);
  CHECK_CODE(cadre_workspace_high_water_mark(NULL, ws), CADRE_ERROR_MISUSE);
  cadre_workspace_close(ws);
  ws = NULL;                 /* the host's side of "never use a closed handle" */
  cadre_workspace_close(ws); /* close(NULL) is a no-op */

  /* Explicit options. */
  cadre_workspace_options good = CADRE_WORKSPACE_OPTIONS_INIT;
  good.currency = "JPY";
  good.time_zone = "Asia/Tokyo";
  CHECK_CODE(cadre_workspace_open(&ws, "memory:", &good), CADRE_OK);
  CHECK_CODE(cadre_workspace_settings(&settings, ws), CADRE_OK);
  CHECK_HAS(settings, "\"currency\":\"JPY\"");
  CHECK_HAS(settings, "\"time_zone\":\"Asia/Tokyo\"");
  cadre_free(settings);
  cadre_workspace_close(ws);
}

/* A host compiled against a newer header passes a bigger struct. */
struct newer_options {
  cadre_workspace_options v1;
  const char* some_future_option;
};

static void test_workspace_options_growth(void) {
  cadre_workspace* ws = NULL;
  struct newer_options newer;
  memset(&newer, 0, sizeof newer);
  newer.v1.struct_size = (uint32_t)sizeof newer;
  newer.v1.currency = "EUR";
  /* Unknown fields left zero: accepted. */
  CHECK_CODE(cadre_workspace_open(&ws, "memory:", &newer.v1), CADRE_OK);
  char* settings = NULL;
  CHECK_CODE(cadre_workspace_settings(&settings, ws), CADRE_OK);
  CHECK_HAS(settings, "\"currency\":\"EUR\"");
  cadre_free(settings);
  cadre_workspace_close(ws);
  /* Unknown fields set: refused rather than silently ignored. */
  newer.some_future_option = "on";
  ws = (cadre_workspace*)SENTINEL;
  CHECK_CODE(cadre_workspace_open(&ws, "memory:", &newer.v1), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK(ws == NULL);
  CHECK_HAS(cadre_error_message(), "newer cadre.h");
  /* A struct smaller than the first version is misuse. */
  cadre_workspace_options tiny = CADRE_WORKSPACE_OPTIONS_INIT;
  tiny.struct_size = 8;
  CHECK_CODE(cadre_workspace_open(&ws, "memory:", &tiny), CADRE_ERROR_MISUSE);
}

static void test_workspace_sqlite(void) {
  char uri[1024];
  char path[1000];
  snprintf(path, sizeof path, "%s/capi_test_%ld.db", g_scratch, (long)getpid());
  remove(path);
  snprintf(uri, sizeof uri, "sqlite:%s", path);

  cadre_workspace_options opts = CADRE_WORKSPACE_OPTIONS_INIT;
  opts.currency = "CNY";
  opts.time_zone = "Asia/Shanghai";
  cadre_workspace* ws = NULL;
  CHECK_CODE(cadre_workspace_open(&ws, uri, &opts), CADRE_OK);
  CHECK_CODE(cadre_document_put(NULL, ws, "x_settings", "k", "{\"v\":1}", NULL), CADRE_OK);
  char* report = NULL;
  const char* line =
      "{\"id\":\"S-1\",\"kind\":\"sale\",\"occurred_at\":\"2025-06-18T10:00:00+08:00\","
      "\"manager\":\"M-1\",\"amount_minor\":100}\n";
  CHECK_CODE(cadre_events_ingest_ndjson(&report, ws, line, strlen(line), CADRE_INGEST_ATOMIC), CADRE_OK);
  cadre_free(report);
  cadre_workspace_close(ws);

  /* Reopened (options NULL: as stored), the data is there. */
  ws = NULL;
  CHECK_CODE(cadre_workspace_open(&ws, uri, NULL), CADRE_OK);
  char* doc = NULL;
  CHECK_CODE(cadre_document_get(&doc, ws, "x_settings", "k", NULL), CADRE_OK);
  CHECK_HAS(doc, "\"body\":{\"v\":1}");
  cadre_free(doc);
  uint64_t hwm = 0;
  CHECK_CODE(cadre_workspace_high_water_mark(&hwm, ws), CADRE_OK);
  CHECK(hwm == 1);
  char* settings = NULL;
  CHECK_CODE(cadre_workspace_settings(&settings, ws), CADRE_OK);
  CHECK_HAS(settings, "Asia/Shanghai");
  cadre_free(settings);
  cadre_workspace_close(ws);

  /* A workspace's currency never changes under its data. */
  opts.currency = "USD";
  ws = (cadre_workspace*)SENTINEL;
  CHECK_CODE(cadre_workspace_open(&ws, uri, &opts), CADRE_ERROR_FAILED_PRECONDITION);
  CHECK(ws == NULL);
  CHECK_HAS(cadre_error_message(), "USD");

  /* A file that cannot be created. */
  ws = (cadre_workspace*)SENTINEL;
  CHECK_CODE(cadre_workspace_open(&ws, "sqlite:/nonexistent-dir/for/cadre/x.db", NULL), CADRE_ERROR_UNAVAILABLE);
  CHECK(ws == NULL);

  remove(path);
  char extra[1100];
  snprintf(extra, sizeof extra, "%s-wal", path);
  remove(extra);
  snprintf(extra, sizeof extra, "%s-shm", path);
  remove(extra);
}

/* ---- Documents ---------------------------------------------------------------- */

static const char* kManager = "{\"name\":\"Li Na\",\"team\":\"T-1\",\"level\":2}";

static void test_document_put_get(void) {
  cadre_workspace* ws = open_memory();
  char* meta = SENTINEL;
  CHECK_CODE(cadre_document_put(&meta, ws, "managers", "M-1", kManager, NULL), CADRE_OK);
  CHECK_HAS(meta, "\"collection\":\"managers\"");
  CHECK_HAS(meta, "\"id\":\"M-1\"");
  CHECK_HAS(meta, "\"version\":1");
  CHECK_HAS(meta, "\"effective_from\":null");
  CHECK_HAS(meta, "\"recorded_at\":\"");
  CHECK_LACKS(meta, "\"body\"");
  cadre_free(meta);

  char* doc = SENTINEL;
  CHECK_CODE(cadre_document_get(&doc, ws, "managers", "M-1", NULL), CADRE_OK);
  CHECK_HAS(doc, "\"version\":1");
  CHECK_HAS(doc, "\"body\":{");
  CHECK_HAS(doc, "\"name\":\"Li Na\"");
  CHECK_HAS(doc, "\"id\":\"M-1\""); /* the body gets the id */
  cadre_free(doc);

  /* Host collections hold any object. */
  CHECK_CODE(cadre_document_put(NULL, ws, "x_notes", "n1", "{\"text\":\"\\u5ba2\\u6237\",\"n\":[1,2]}", NULL),
             CADRE_OK);
  CHECK_CODE(cadre_document_get(&doc, ws, "x_notes", "n1", NULL), CADRE_OK);
  CHECK_HAS(doc, "\"n\":[1,2]");
  cadre_free(doc);

  /* A second write makes version 2. */
  CHECK_CODE(cadre_document_put(&meta, ws, "managers", "M-1", "{\"name\":\"Li Na\",\"team\":\"T-2\"}", NULL), CADRE_OK);
  CHECK_HAS(meta, "\"version\":2");
  cadre_free(meta);

  /* Misuse: every required pointer. */
  CHECK_CODE(cadre_document_put(NULL, NULL, "managers", "M-1", kManager, NULL), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_document_put(NULL, ws, NULL, "M-1", kManager, NULL), CADRE_ERROR_MISUSE);
  CHECK_HAS(cadre_error_message(), "collection");
  CHECK_CODE(cadre_document_put(NULL, ws, "managers", NULL, kManager, NULL), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_document_put(NULL, ws, "managers", "M-1", NULL, NULL), CADRE_ERROR_MISUSE);
  meta = SENTINEL;
  CHECK_CODE(cadre_document_put(&meta, NULL, "managers", "M-1", kManager, NULL), CADRE_ERROR_MISUSE);
  CHECK(meta == NULL);
  CHECK_CODE(cadre_document_get(NULL, ws, "managers", "M-1", NULL), CADRE_ERROR_MISUSE);
  doc = SENTINEL;
  CHECK_CODE(cadre_document_get(&doc, NULL, "managers", "M-1", NULL), CADRE_ERROR_MISUSE);
  CHECK(doc == NULL);
  CHECK_CODE(cadre_document_get(&doc, ws, NULL, "M-1", NULL), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_document_get(&doc, ws, "managers", NULL, NULL), CADRE_ERROR_MISUSE);

  /* Not found. */
  doc = SENTINEL;
  CHECK_CODE(cadre_document_get(&doc, ws, "managers", "M-2", NULL), CADRE_ERROR_NOT_FOUND);
  CHECK(doc == NULL);
  cadre_workspace_close(ws);
}

static void test_document_bad_input(void) {
  cadre_workspace* ws = open_memory();
  char* meta = SENTINEL;

  /* A field of the wrong type: the details name the path, the value and the rule. */
  CHECK_CODE(
      cadre_document_put(&meta, ws, "managers", "M-1", "{\"name\":\"A\",\"team\":\"T\",\"level\":\"two\"}", NULL),
      CADRE_ERROR_INVALID_ARGUMENT);
  CHECK(meta == NULL);
  CHECK_HAS(cadre_error_message(), "level");
  const char* details = cadre_error_details_json();
  CHECK_HAS(details, "\"code\":\"invalid_argument\"");
  CHECK_HAS(details, "\"path\":\"level\"");
  CHECK_HAS(details, "\"value\":\"two\"");
  CHECK_HAS(details, "\"rule\":\"");

  /* A missing required field. */
  CHECK_CODE(cadre_document_put(NULL, ws, "managers", "M-1", "{\"name\":\"A\"}", NULL), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"team\"");

  /* An unknown field (a misspelling) is refused. */
  CHECK_CODE(cadre_document_put(NULL, ws, "managers", "M-1", "{\"name\":\"A\",\"team\":\"T\",\"levle\":2}", NULL),
             CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_HAS(cadre_error_message(), "levle");

  /* Not JSON at all; not an object. */
  CHECK_CODE(cadre_document_put(NULL, ws, "x_notes", "n1", "{\"a\":", NULL), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_CODE(cadre_document_put(NULL, ws, "x_notes", "n1", "[1,2]", NULL), CADRE_ERROR_INVALID_ARGUMENT);

  /* A body id that contradicts the document id. */
  CHECK_CODE(cadre_document_put(NULL, ws, "managers", "M-1", "{\"id\":\"M-9\",\"name\":\"A\",\"team\":\"T\"}", NULL),
             CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"id\"");

  /* Unknown collection; bad id. */
  CHECK_CODE(cadre_document_put(NULL, ws, "nonsense", "n1", "{}", NULL), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"collection\"");
  CHECK_HAS(cadre_error_details_json(), "\"value\":\"nonsense\"");
  CHECK_CODE(cadre_document_put(NULL, ws, "x_notes", "", "{}", NULL), CADRE_ERROR_INVALID_ARGUMENT);
  char* out = SENTINEL;
  CHECK_CODE(cadre_document_list(&out, ws, "nonsense", NULL), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK(out == NULL);

  /* Bad times. */
  out = SENTINEL;
  CHECK_CODE(cadre_document_get(&out, ws, "x_notes", "n1", "yesterday"), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK(out == NULL);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"as_of\"");
  CHECK_HAS(cadre_error_details_json(), "\"value\":\"yesterday\"");
  cadre_put_options po = CADRE_PUT_OPTIONS_INIT;
  po.effective_from = "2025-13-01T00:00:00Z";
  CHECK_CODE(cadre_document_put(NULL, ws, "x_notes", "n1", "{}", &po), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"opts.effective_from\"");

  /* Nothing of the refused writes landed. */
  CHECK_CODE(cadre_document_get(&out, ws, "managers", "M-1", NULL), CADRE_ERROR_NOT_FOUND);
  CHECK_CODE(cadre_document_history(&out, ws, "x_notes", "n1"), CADRE_ERROR_NOT_FOUND);
  cadre_workspace_close(ws);
}

static void test_document_versions_and_conflicts(void) {
  cadre_workspace* ws = open_memory();
  cadre_put_options po = CADRE_PUT_OPTIONS_INIT;
  char* meta = NULL;

  /* expected_version 0: must be new. */
  po.has_expected_version = 1;
  po.expected_version = 0;
  CHECK_CODE(cadre_document_put(&meta, ws, "x_plan", "p", "{\"rate\":\"0.03\"}", &po), CADRE_OK);
  CHECK_HAS(meta, "\"version\":1");
  cadre_free(meta);
  meta = SENTINEL;
  CHECK_CODE(cadre_document_put(&meta, ws, "x_plan", "p", "{\"rate\":\"0.04\"}", &po), CADRE_ERROR_CONFLICT);
  CHECK(meta == NULL);
  CHECK_HAS(cadre_error_details_json(), "\"code\":\"conflict\"");

  /* The right version wins; a stale one is a conflict and writes nothing. */
  po.expected_version = 1;
  CHECK_CODE(cadre_document_put(NULL, ws, "x_plan", "p", "{\"rate\":\"0.04\"}", &po), CADRE_OK);
  CHECK_CODE(cadre_document_put(NULL, ws, "x_plan", "p", "{\"rate\":\"0.05\"}", &po), CADRE_ERROR_CONFLICT);
  char* doc = NULL;
  CHECK_CODE(cadre_document_get(&doc, ws, "x_plan", "p", NULL), CADRE_OK);
  CHECK_HAS(doc, "\"version\":2");
  CHECK_HAS(doc, "0.04");
  cadre_free(doc);

  /* A negative expected version is an invalid argument. */
  po.expected_version = -3;
  CHECK_CODE(cadre_document_put(NULL, ws, "x_plan", "p", "{}", &po), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"opts.expected_version\"");

  /* Effective dating: a July plan does not change what June sees. */
  po = (cadre_put_options)CADRE_PUT_OPTIONS_INIT;
  po.effective_from = "2025-07-01T00:00:00+08:00";
  CHECK_CODE(cadre_document_put(&meta, ws, "x_plan", "p", "{\"rate\":\"0.06\"}", &po), CADRE_OK);
  CHECK_HAS(meta, "\"effective_from\":\"2025-06-30T16:00:00Z\"");
  cadre_free(meta);
  CHECK_CODE(cadre_document_get(&doc, ws, "x_plan", "p", "2025-06-15T00:00:00Z"), CADRE_OK);
  CHECK_HAS(doc, "0.04");
  cadre_free(doc);
  CHECK_CODE(cadre_document_get(&doc, ws, "x_plan", "p", "2025-07-02T00:00:00Z"), CADRE_OK);
  CHECK_HAS(doc, "0.06");
  CHECK_HAS(doc, "\"version\":3");
  cadre_free(doc);

  /* Options struct misuse. */
  cadre_put_options bad;
  memset(&bad, 0, sizeof bad);
  CHECK_CODE(cadre_document_put(NULL, ws, "x_plan", "p", "{}", &bad), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_document_delete(NULL, ws, "x_plan", "p", &bad), CADRE_ERROR_MISUSE);
  cadre_workspace_close(ws);
}

static void test_document_list_delete_history(void) {
  cadre_workspace* ws = open_memory();
  char* out = SENTINEL;

  CHECK_CODE(cadre_document_list(&out, ws, "x_items", NULL), CADRE_OK);
  CHECK(out != NULL && strcmp(out, "{\"documents\":[]}") == 0);
  cadre_free(out);

  CHECK_CODE(cadre_document_put(NULL, ws, "x_items", "b", "{\"n\":2}", NULL), CADRE_OK);
  CHECK_CODE(cadre_document_put(NULL, ws, "x_items", "a", "{\"n\":1}", NULL), CADRE_OK);
  CHECK_CODE(cadre_document_put(NULL, ws, "x_items", "c", "{\"n\":3}", NULL), CADRE_OK);
  CHECK_CODE(cadre_document_list(&out, ws, "x_items", NULL), CADRE_OK);
  CHECK_PREFIX(out, "{\"documents\":[{\"collection\":\"x_items\",\"id\":\"a\"");
  CHECK_HAS(out, "\"id\":\"b\"");
  CHECK_HAS(out, "\"id\":\"c\"");
  cadre_free(out);

  /* Delete: a tombstone version; gone from get and list; kept in history. */
  int64_t version = -1;
  CHECK_CODE(cadre_document_delete(&version, ws, "x_items", "b", NULL), CADRE_OK);
  CHECK(version == 2);
  out = SENTINEL;
  CHECK_CODE(cadre_document_get(&out, ws, "x_items", "b", NULL), CADRE_ERROR_NOT_FOUND);
  CHECK(out == NULL);
  CHECK_CODE(cadre_document_list(&out, ws, "x_items", NULL), CADRE_OK);
  CHECK_LACKS(out, "\"id\":\"b\"");
  cadre_free(out);
  CHECK_CODE(cadre_document_history(&out, ws, "x_items", "b"), CADRE_OK);
  CHECK_PREFIX(out, "{\"versions\":[{");
  CHECK_HAS(out, "\"version\":1");
  CHECK_HAS(out, "\"deleted\":false,\"body\":{\"n\":2}");
  CHECK_HAS(out, "\"version\":2");
  CHECK_HAS(out, "\"deleted\":true}");
  cadre_free(out);

  /* List as of a time before the deletion... there is no such time: it was for all time. */
  /* Delete with a stale version is a conflict; deleting the missing is NOT_FOUND. */
  cadre_put_options po = CADRE_PUT_OPTIONS_INIT;
  po.has_expected_version = 1;
  po.expected_version = 5;
  version = -1;
  CHECK_CODE(cadre_document_delete(&version, ws, "x_items", "a", &po), CADRE_ERROR_CONFLICT);
  CHECK(version == 0);
  CHECK_CODE(cadre_document_delete(NULL, ws, "x_items", "zzz", NULL), CADRE_ERROR_NOT_FOUND);
  CHECK_CODE(cadre_document_delete(NULL, ws, "x_items", "a", NULL), CADRE_OK);
  CHECK_CODE(cadre_document_history(&out, ws, "x_items", "never"), CADRE_ERROR_NOT_FOUND);

  /* Misuse. */
  CHECK_CODE(cadre_document_list(NULL, ws, "x_items", NULL), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_document_list(&out, NULL, "x_items", NULL), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_document_list(&out, ws, NULL, NULL), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_document_delete(NULL, NULL, "x_items", "a", NULL), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_document_delete(NULL, ws, NULL, "a", NULL), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_document_delete(NULL, ws, "x_items", NULL, NULL), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_document_history(NULL, ws, "x_items", "a"), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_document_history(&out, NULL, "x_items", "a"), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_document_history(&out, ws, NULL, "a"), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_document_history(&out, ws, "x_items", NULL), CADRE_ERROR_MISUSE);

  /* Effective-dated deletion: in force until the tombstone. */
  CHECK_CODE(cadre_document_put(NULL, ws, "x_items", "d", "{\"n\":4}", NULL), CADRE_OK);
  po = (cadre_put_options)CADRE_PUT_OPTIONS_INIT;
  po.effective_from = "2025-07-01T00:00:00Z";
  CHECK_CODE(cadre_document_delete(NULL, ws, "x_items", "d", &po), CADRE_OK);
  CHECK_CODE(cadre_document_list(&out, ws, "x_items", "2025-06-30T00:00:00Z"), CADRE_OK);
  CHECK_HAS(out, "\"id\":\"d\"");
  cadre_free(out);
  CHECK_CODE(cadre_document_list(&out, ws, "x_items", "2025-07-02T00:00:00Z"), CADRE_OK);
  CHECK_LACKS(out, "\"id\":\"d\"");
  cadre_free(out);
  CHECK_CODE(cadre_document_list(&out, ws, "x_items", "not a time"), CADRE_ERROR_INVALID_ARGUMENT);
  cadre_workspace_close(ws);
}

/* ---- Events: NDJSON ------------------------------------------------------------- */

static const char* kThreeSales =
    "{\"id\":\"S-1\",\"kind\":\"sale\",\"occurred_at\":\"2025-06-18T10:00:00+08:00\",\"manager\":\"M-1\","
    "\"customer\":\"C-1\",\"amount_minor\":129900,\"quantity\":1,\"category\":\"appliances\"}\n"
    "\n"
    "{\"id\":\"S-2\",\"kind\":\"sale\",\"occurred_at\":\"2025-06-18T11:00:00+08:00\",\"manager\":\"M-2\","
    "\"amount_minor\":5000}\r\n"
    "{\"id\":\"R-1\",\"kind\":\"return\",\"occurred_at\":\"2025-06-19T09:00:00+08:00\",\"customer\":\"C-1\","
    "\"amount_minor\":129900}";

static void test_ingest_ndjson(void) {
  cadre_workspace* ws = open_memory();
  char* report = SENTINEL;

  CHECK_CODE(cadre_events_ingest_ndjson(&report, ws, kThreeSales, strlen(kThreeSales), CADRE_INGEST_ATOMIC), CADRE_OK);
  CHECK_HAS(report, "\"received\":3");
  CHECK_HAS(report, "\"accepted\":3");
  CHECK_HAS(report, "\"duplicates\":0");
  CHECK_HAS(report, "\"committed\":true");
  CHECK_HAS(report, "\"first_seq\":1");
  CHECK_HAS(report, "\"last_seq\":3");
  CHECK_LACKS(report, "\"rejected\"");
  cadre_free(report);
  uint64_t hwm = 0;
  CHECK_CODE(cadre_workspace_high_water_mark(&hwm, ws), CADRE_OK);
  CHECK(hwm == 3);

  /* The same batch again: idempotent, reported as duplicates. */
  CHECK_CODE(cadre_events_ingest_ndjson(&report, ws, kThreeSales, strlen(kThreeSales), CADRE_INGEST_ATOMIC), CADRE_OK);
  CHECK_HAS(report, "\"accepted\":0");
  CHECK_HAS(report, "\"duplicates\":3");
  cadre_free(report);
  CHECK_CODE(cadre_workspace_high_water_mark(&hwm, ws), CADRE_OK);
  CHECK(hwm == 3);

  /* One bad row refuses an atomic batch; the report names the row and the field. */
  const char* mixed =
      "{\"id\":\"S-3\",\"kind\":\"sale\",\"occurred_at\":\"2025-06-20T10:00:00Z\",\"manager\":\"M-1\","
      "\"amount_minor\":100}\n"
      "{\"id\":\"S-4\",\"kind\":\"sale\",\"occurred_at\":\"2025-06-20T10:00:00Z\",\"manager\":\"M-1\","
      "\"amount_minor\":\"12k\"}\n"
      "{\"id\":\"S-1\",\"kind\":\"sale\",\"occurred_at\":\"2025-06-20T10:00:00Z\",\"manager\":\"M-9\","
      "\"amount_minor\":1}\n";
  CHECK_CODE(cadre_events_ingest_ndjson(&report, ws, mixed, strlen(mixed), CADRE_INGEST_ATOMIC), CADRE_OK);
  CHECK_HAS(report, "\"received\":3");
  CHECK_HAS(report, "\"accepted\":0");
  CHECK_HAS(report, "\"committed\":false");
  CHECK_HAS(report, "\"rejected\":[{\"index\":1,\"line\":2,\"id\":\"S-4\",\"path\":\"events[1].amount_minor\"");
  cadre_free(report);
  CHECK_CODE(cadre_workspace_high_water_mark(&hwm, ws), CADRE_OK);
  CHECK(hwm == 3);

  /* Best effort writes the good row, rejects the bad one and the conflicting id. */
  CHECK_CODE(cadre_events_ingest_ndjson(&report, ws, mixed, strlen(mixed), CADRE_INGEST_BEST_EFFORT), CADRE_OK);
  CHECK_HAS(report, "\"accepted\":1");
  CHECK_HAS(report, "\"committed\":true");
  CHECK_HAS(report, "\"path\":\"events[1].amount_minor\"");
  CHECK_HAS(report, "\"path\":\"events[2].id\"");
  CHECK_HAS(report, "\"first_seq\":4");
  cadre_free(report);

  /* The text need not be NUL-terminated: only len bytes are read. */
  char buffer[512];
  const char* one =
      "{\"id\":\"S-5\",\"kind\":\"sale\",\"occurred_at\":\"2025-06-21T10:00:00Z\",\"manager\":\"M-1\","
      "\"amount_minor\":7}";
  size_t n = strlen(one);
  memcpy(buffer, one, n);
  memcpy(buffer + n, "garbage", 7);
  CHECK_CODE(cadre_events_ingest_ndjson(&report, ws, buffer, n, CADRE_INGEST_ATOMIC), CADRE_OK);
  CHECK_HAS(report, "\"accepted\":1");
  cadre_free(report);

  /* Empty input; NULL with len 0. */
  CHECK_CODE(cadre_events_ingest_ndjson(&report, ws, NULL, 0, CADRE_INGEST_ATOMIC), CADRE_OK);
  CHECK_HAS(report, "\"received\":0");
  CHECK_HAS(report, "\"committed\":false");
  cadre_free(report);

  /* Misuse and bad mode. */
  report = SENTINEL;
  CHECK_CODE(cadre_events_ingest_ndjson(&report, ws, NULL, 3, CADRE_INGEST_ATOMIC), CADRE_ERROR_MISUSE);
  CHECK(report == NULL);
  CHECK_CODE(cadre_events_ingest_ndjson(NULL, ws, one, n, CADRE_INGEST_ATOMIC), CADRE_ERROR_MISUSE);
  report = SENTINEL;
  CHECK_CODE(cadre_events_ingest_ndjson(&report, NULL, one, n, CADRE_INGEST_ATOMIC), CADRE_ERROR_MISUSE);
  CHECK(report == NULL);
  CHECK_CODE(cadre_events_ingest_ndjson(&report, ws, one, n, 7), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK(report == NULL);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"mode\"");
  cadre_workspace_close(ws);
}

/* ---- Events: the fast path ------------------------------------------------------ */

static cadre_sale make_sale(const char* id, int kind, int minutes, int64_t amount) {
  cadre_sale s = CADRE_SALE_INIT;
  s.id = id;
  s.kind = kind;
  s.occurred_at = june18(minutes);
  s.manager = "M-1";
  s.customer = "C-1";
  s.amount_minor = amount;
  return s;
}

/* A row as a newer header might define it. */
struct newer_sale {
  cadre_sale v1;
  const char* channel;
};

static void test_ingest_sales(void) {
  cadre_workspace* ws = open_memory();
  char* report = SENTINEL;
  cadre_sale rows[4];
  rows[0] = make_sale("S-1", CADRE_SALE_KIND_SALE, 0, 129900);
  rows[0].quantity = 2;
  rows[0].category = "appliances";
  rows[0].sku = "AC-2";
  rows[0].reference = "ORDER-88";
  rows[1] = make_sale("S-2", CADRE_SALE_KIND_SALE, 5, 5000);
  rows[1].customer = NULL;
  rows[2] = make_sale("R-1", CADRE_SALE_KIND_RETURN, 60, 129900);
  rows[3] = make_sale("S-3", CADRE_SALE_KIND_SALE, 90, 1);

  CHECK_CODE(cadre_events_ingest_sales(&report, ws, rows, 4, sizeof(cadre_sale), CADRE_INGEST_ATOMIC), CADRE_OK);
  CHECK_HAS(report, "\"received\":4");
  CHECK_HAS(report, "\"accepted\":4");
  CHECK_HAS(report, "\"committed\":true");
  cadre_free(report);

  /* What was written is what was sent. */
  char* events = NULL;
  CHECK_CODE(cadre_events_scan(&events, ws, "{\"kinds\":[\"sale\"],\"limit\":1}"), CADRE_OK);
  CHECK_HAS(events, "\"seq\":1");
  CHECK_HAS(events, "\"id\":\"S-1\"");
  CHECK_HAS(events, "\"occurred_at\":\"2025-06-18T02:00:00Z\"");
  CHECK_HAS(events, "\"amount_minor\":129900");
  CHECK_HAS(events, "\"quantity\":2");
  CHECK_HAS(events, "\"sku\":\"AC-2\"");
  CHECK_HAS(events, "\"reference\":\"ORDER-88\"");
  CHECK_LACKS(events, "\"id\":\"S-2\"");
  cadre_free(events);
  CHECK_CODE(cadre_events_scan(&events, ws, "{\"kinds\":[\"return\"]}"), CADRE_OK);
  CHECK_HAS(events, "\"kind\":\"return\"");
  CHECK_LACKS(events, "\"quantity\"");
  cadre_free(events);

  /* Again: duplicates. */
  CHECK_CODE(cadre_events_ingest_sales(&report, ws, rows, 4, sizeof(cadre_sale), CADRE_INGEST_ATOMIC), CADRE_OK);
  CHECK_HAS(report, "\"duplicates\":4");
  cadre_free(report);

  /* Bad data is reported per row: a NULL id, a zero amount, a row naming nobody. */
  cadre_sale bad[4];
  bad[0] = make_sale("S-10", CADRE_SALE_KIND_SALE, 100, 10);
  bad[1] = make_sale(NULL, CADRE_SALE_KIND_SALE, 100, 10);
  bad[2] = make_sale("S-12", CADRE_SALE_KIND_SALE, 100, 0);
  bad[3] = make_sale("S-13", CADRE_SALE_KIND_SALE, 100, 10);
  bad[3].manager = NULL;
  bad[3].customer = NULL;
  CHECK_CODE(cadre_events_ingest_sales(&report, ws, bad, 4, sizeof(cadre_sale), CADRE_INGEST_ATOMIC), CADRE_OK);
  CHECK_HAS(report, "\"committed\":false");
  CHECK_HAS(report, "\"index\":1,\"line\":0,\"id\":\"\",\"path\":\"events[1].id\"");
  CHECK_HAS(report, "\"path\":\"events[2].amount_minor\"");
  CHECK_HAS(report, "\"index\":3");
  cadre_free(report);
  CHECK_CODE(cadre_events_ingest_sales(&report, ws, bad, 4, sizeof(cadre_sale), CADRE_INGEST_BEST_EFFORT), CADRE_OK);
  CHECK_HAS(report, "\"accepted\":1");
  CHECK_HAS(report, "\"committed\":true");
  cadre_free(report);

  /* A kind that does not exist or a reserved field set: the caller's bug, the whole call refused. */
  cadre_sale wrong[2];
  wrong[0] = make_sale("S-20", CADRE_SALE_KIND_SALE, 100, 10);
  wrong[1] = make_sale("S-21", 9, 100, 10);
  report = SENTINEL;
  CHECK_CODE(cadre_events_ingest_sales(&report, ws, wrong, 2, sizeof(cadre_sale), CADRE_INGEST_BEST_EFFORT),
             CADRE_ERROR_INVALID_ARGUMENT);
  CHECK(report == NULL);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"rows[1].kind\"");
  CHECK_HAS(cadre_error_details_json(), "\"value\":9");
  wrong[1].kind = CADRE_SALE_KIND_RETURN;
  wrong[1].reserved = 1;
  CHECK_CODE(cadre_events_ingest_sales(&report, ws, wrong, 2, sizeof(cadre_sale), CADRE_INGEST_BEST_EFFORT),
             CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"rows[1].reserved\"");
  char* none = NULL;
  CHECK_CODE(cadre_events_scan(&none, ws, "{\"after_seq\":0,\"order\":\"by_seq\"}"), CADRE_OK);
  CHECK_LACKS(none, "S-20"); /* nothing was written */
  cadre_free(none);

  /* Row growth: a newer, bigger row is read with its stride. */
  struct newer_sale newer[2];
  memset(newer, 0, sizeof newer);
  newer[0].v1 = make_sale("S-30", CADRE_SALE_KIND_SALE, 200, 30);
  newer[1].v1 = make_sale("S-31", CADRE_SALE_KIND_SALE, 201, 31);
  CHECK_CODE(cadre_events_ingest_sales(&report, ws, &newer[0].v1, 2, sizeof newer[0], CADRE_INGEST_ATOMIC), CADRE_OK);
  CHECK_HAS(report, "\"accepted\":2");
  cadre_free(report);
  newer[1].channel = "online"; /* a field this library does not know */
  newer[1].v1.id = "S-32";
  CHECK_CODE(cadre_events_ingest_sales(&report, ws, &newer[0].v1, 2, sizeof newer[0], CADRE_INGEST_ATOMIC),
             CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"rows[1]\"");
  CHECK_HAS(cadre_error_message(), "newer cadre.h");

  /* Misuse. */
  CHECK_CODE(cadre_events_ingest_sales(&report, ws, rows, 1, sizeof(cadre_sale) - 8, CADRE_INGEST_ATOMIC),
             CADRE_ERROR_MISUSE);
  CHECK_HAS(cadre_error_message(), "row_size");
  CHECK_CODE(cadre_events_ingest_sales(&report, ws, rows, 1, 0, CADRE_INGEST_ATOMIC), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_events_ingest_sales(&report, ws, NULL, 1, sizeof(cadre_sale), CADRE_INGEST_ATOMIC),
             CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_events_ingest_sales(NULL, ws, rows, 1, sizeof(cadre_sale), CADRE_INGEST_ATOMIC), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_events_ingest_sales(&report, NULL, rows, 1, sizeof(cadre_sale), CADRE_INGEST_ATOMIC),
             CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_events_ingest_sales(&report, ws, rows, SIZE_MAX, sizeof(cadre_sale), CADRE_INGEST_ATOMIC),
             CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_events_ingest_sales(&report, ws, rows, 1, sizeof(cadre_sale), -1), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_CODE(cadre_events_ingest_sales(&report, ws, NULL, 0, sizeof(cadre_sale), CADRE_INGEST_ATOMIC), CADRE_OK);
  CHECK_HAS(report, "\"received\":0");
  cadre_free(report);
  cadre_workspace_close(ws);
}

/* ---- Events: scanning ------------------------------------------------------------- */

static void test_scan(void) {
  cadre_workspace* ws = open_memory();
  char* out = SENTINEL;
  CHECK_CODE(cadre_events_scan(&out, ws, NULL), CADRE_OK);
  CHECK(out != NULL && strcmp(out, "{\"events\":[]}") == 0);
  cadre_free(out);

  cadre_sale rows[5];
  rows[0] = make_sale("S-5", CADRE_SALE_KIND_SALE, 50, 5);
  rows[1] = make_sale("S-1", CADRE_SALE_KIND_SALE, 10, 1);
  rows[2] = make_sale("S-3", CADRE_SALE_KIND_SALE, 30, 3);
  rows[3] = make_sale("S-2", CADRE_SALE_KIND_SALE, 20, 2);
  rows[3].manager = "M-2";
  rows[4] = make_sale("S-4", CADRE_SALE_KIND_RETURN, 40, 4);
  char* report = NULL;
  CHECK_CODE(cadre_events_ingest_sales(&report, ws, rows, 5, sizeof rows[0], CADRE_INGEST_ATOMIC), CADRE_OK);
  cadre_free(report);

  /* By time (default): S-1 .. S-5. */
  CHECK_CODE(cadre_events_scan(&out, ws, "{}"), CADRE_OK);
  const char* p1 = out ? strstr(out, "\"S-1\"") : NULL;
  const char* p2 = out ? strstr(out, "\"S-2\"") : NULL;
  const char* p5 = out ? strstr(out, "\"S-5\"") : NULL;
  CHECK(p1 != NULL && p2 != NULL && p5 != NULL && p1 < p2 && p2 < p5);
  CHECK_PREFIX(out, "{\"events\":[{\"seq\":2,\"event\":{\"id\":\"S-1\"");
  cadre_free(out);

  /* By seq, in pages of two. */
  CHECK_CODE(cadre_events_scan(&out, ws, "{\"order\":\"by_seq\",\"limit\":2,\"after_seq\":2}"), CADRE_OK);
  CHECK_HAS(out, "{\"seq\":3,\"event\":{\"id\":\"S-3\"");
  CHECK_HAS(out, "{\"seq\":4,\"event\":{\"id\":\"S-2\"");
  CHECK_LACKS(out, "\"seq\":5");
  cadre_free(out);

  /* Filters. */
  CHECK_CODE(cadre_events_scan(&out, ws, "{\"manager\":\"M-2\"}"), CADRE_OK);
  CHECK_HAS(out, "S-2");
  CHECK_LACKS(out, "S-1");
  cadre_free(out);
  CHECK_CODE(cadre_events_scan(&out, ws, "{\"from\":\"2025-06-18T02:25:00Z\",\"until\":\"2025-06-18T02:45:00Z\"}"),
             CADRE_OK);
  CHECK_HAS(out, "S-3");
  CHECK_HAS(out, "S-4");
  CHECK_LACKS(out, "S-2");
  CHECK_LACKS(out, "S-5");
  cadre_free(out);

  /* Bad queries name the key. */
  out = SENTINEL;
  CHECK_CODE(cadre_events_scan(&out, ws, "{\"kinds\":[\"sell\"]}"), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK(out == NULL);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"kinds[0]\"");
  CHECK_CODE(cadre_events_scan(&out, ws, "{\"limt\":3}"), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_HAS(cadre_error_message(), "limt");
  CHECK_CODE(cadre_events_scan(&out, ws, "{\"from\":\"June\"}"), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"from\"");
  CHECK_CODE(cadre_events_scan(&out, ws, "not json"), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_CODE(cadre_events_scan(&out, ws, "{\"order\":\"sideways\"}"), CADRE_ERROR_INVALID_ARGUMENT);

  /* Misuse. */
  CHECK_CODE(cadre_events_scan(NULL, ws, NULL), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_events_scan(&out, NULL, NULL), CADRE_ERROR_MISUSE);
  cadre_workspace_close(ws);
}

/* ---- One workspace, several threads --------------------------------------------- */

enum { kThreads = 4, kRounds = 25, kSalesPerRound = 4 };

struct worker {
  cadre_workspace* ws;
  int index;
};

static void* worker_main(void* arg) {
  struct worker* w = (struct worker*)arg;
  char collection[32], id[64], body[128], missing[64];
  snprintf(collection, sizeof collection, "x_thread_%d", w->index);
  for (int round = 0; round < kRounds; ++round) {
    /* Writes. */
    snprintf(id, sizeof id, "doc-%d", round);
    snprintf(body, sizeof body, "{\"thread\":%d,\"round\":%d}", w->index, round);
    CHECK_CODE(cadre_document_put(NULL, w->ws, collection, id, body, NULL), CADRE_OK);
    char ids[kSalesPerRound][64];
    cadre_sale rows[kSalesPerRound];
    for (int k = 0; k < kSalesPerRound; ++k) {
      snprintf(ids[k], sizeof ids[k], "T%d-R%d-S%d", w->index, round, k);
      rows[k] = make_sale(ids[k], CADRE_SALE_KIND_SALE, round, 100 + k);
    }
    char* report = NULL;
    CHECK_CODE(cadre_events_ingest_sales(&report, w->ws, rows, kSalesPerRound, sizeof rows[0], CADRE_INGEST_ATOMIC),
               CADRE_OK);
    CHECK_HAS(report, "\"accepted\":4");
    cadre_free(report);

    /* Reads, including one that fails: this thread's error is its own. */
    char* doc = NULL;
    CHECK_CODE(cadre_document_get(&doc, w->ws, collection, id, NULL), CADRE_OK);
    CHECK_HAS(doc, body);
    cadre_free(doc);
    snprintf(missing, sizeof missing, "missing-%d-%d", w->index, round);
    CHECK_CODE(cadre_document_get(&doc, w->ws, collection, missing, NULL), CADRE_ERROR_NOT_FOUND);
    const char* message = cadre_error_message();
    uint64_t hwm = 0;
    CHECK(cadre_error_code() == CADRE_ERROR_NOT_FOUND);
    CHECK_HAS(message, missing);
    CHECK_CODE(cadre_workspace_high_water_mark(&hwm, w->ws), CADRE_OK);
    CHECK(hwm >= (uint64_t)(round + 1) * kSalesPerRound);
  }
  return NULL;
}

static void run_threads(cadre_workspace* ws) {
  pthread_t threads[kThreads];
  struct worker workers[kThreads];
  for (int i = 0; i < kThreads; ++i) {
    workers[i].ws = ws;
    workers[i].index = i;
    CHECK(pthread_create(&threads[i], NULL, worker_main, &workers[i]) == 0);
  }
  for (int i = 0; i < kThreads; ++i) pthread_join(threads[i], NULL);

  uint64_t hwm = 0;
  CHECK_CODE(cadre_workspace_high_water_mark(&hwm, ws), CADRE_OK);
  CHECK(hwm == (uint64_t)kThreads * kRounds * kSalesPerRound);
  for (int i = 0; i < kThreads; ++i) {
    char collection[32];
    char* list = NULL;
    snprintf(collection, sizeof collection, "x_thread_%d", i);
    CHECK_CODE(cadre_document_list(&list, ws, collection, NULL), CADRE_OK);
    int count = 0;
    for (const char* p = list; p != NULL && (p = strstr(p, "\"collection\"")) != NULL; ++p) count++;
    CHECK(count == kRounds);
    cadre_free(list);
  }
}

static void test_threads(void) {
  cadre_workspace* ws = open_memory();
  run_threads(ws);
  cadre_workspace_close(ws);

  char path[1000], uri[1100];
  snprintf(path, sizeof path, "%s/capi_threads_%ld.db", g_scratch, (long)getpid());
  remove(path);
  snprintf(uri, sizeof uri, "sqlite:%s", path);
  ws = NULL;
  CHECK_CODE(cadre_workspace_open(&ws, uri, NULL), CADRE_OK);
  if (ws != NULL) run_threads(ws);
  cadre_workspace_close(ws);
  remove(path);
  char extra[1100];
  snprintf(extra, sizeof extra, "%s-wal", path);
  remove(extra);
  snprintf(extra, sizeof extra, "%s-shm", path);
  remove(extra);
}

/* ---- Results outlive their workspace --------------------------------------------- */

static void test_results_outlive_workspace(void) {
  cadre_workspace* ws = open_memory();
  char* doc = NULL;
  CHECK_CODE(cadre_document_put(NULL, ws, "x_a", "1", "{\"k\":\"v\"}", NULL), CADRE_OK);
  CHECK_CODE(cadre_document_get(&doc, ws, "x_a", "1", NULL), CADRE_OK);
  cadre_workspace_close(ws);
  CHECK_HAS(doc, "\"k\":\"v\""); /* still the caller's */
  cadre_free(doc);
}

static void test_query(void) {
  cadre_workspace* ws = open_memory();
  char* out = NULL;
  CHECK_CODE(cadre_document_put(NULL, ws, "org_units", "CO", "{\"name\":\"Co\",\"kind\":\"company\"}", NULL), CADRE_OK);
  CHECK_CODE(
      cadre_document_put(NULL, ws, "org_units", "T1", "{\"name\":\"Team\",\"kind\":\"team\",\"parent\":\"CO\"}", NULL),
      CADRE_OK);
  CHECK_CODE(cadre_document_put(NULL, ws, "managers", "M-1", "{\"name\":\"Li\",\"team\":\"T1\"}", NULL), CADRE_OK);
  CHECK_CODE(cadre_document_put(NULL, ws, "customers", "C-1", "{\"name\":\"Wang\"}", NULL), CADRE_OK);
  static const char events[] =
      "{\"id\":\"A-1\",\"kind\":\"assignment\",\"occurred_at\":\"2025-01-01T00:00:00Z\",\"customer\":\"C-1\","
      "\"manager\":\"M-1\"}\n"
      "{\"id\":\"S-1\",\"kind\":\"sale\",\"occurred_at\":\"2025-06-18T02:00:00Z\",\"customer\":\"C-1\","
      "\"amount_minor\":500,\"category\":\"beauty\"}\n";
  char* report = NULL;
  CHECK_CODE(cadre_events_ingest_ndjson(&report, ws, events, strlen(events), CADRE_INGEST_ATOMIC), CADRE_OK);
  CHECK_HAS(report, "\"accepted\":2");
  cadre_free(report);

  CHECK_CODE(cadre_query(&out, ws, "{\"viewer\":{\"admin\":true},\"query\":\"customer_360\",\"customer\":\"C-1\"}"),
             CADRE_OK);
  CHECK_HAS(out, "\"owner\":\"M-1\"");
  CHECK_HAS(out, "\"net_minor\":500");
  CHECK_HAS(out, "{\"category\":\"beauty\",\"net_minor\":500}");
  cadre_free(out);
  CHECK_CODE(cadre_query(&out, ws, "{\"viewer\":{\"admin\":true},\"query\":\"holdings\",\"manager\":\"M-1\"}"),
             CADRE_OK);
  CHECK(out != NULL && strcmp(out, "{\"manager\":\"M-1\",\"customers\":[\"C-1\"]}") == 0);
  cadre_free(out);
  CHECK_CODE(cadre_query(&out, ws, "{\"viewer\":{\"admin\":true},\"query\":\"org_tree\"}"), CADRE_OK);
  CHECK_HAS(out, "\"children\":[\"T1\"]");
  CHECK_HAS(out, "\"managers\":[\"M-1\"]");
  cadre_free(out);

  /* The viewer: required; a manager sees only their own customers. */
  CHECK_CODE(cadre_query(&out, ws, "{\"query\":\"org_tree\"}"), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"request.viewer\"");
  CHECK_CODE(cadre_document_put(NULL, ws, "managers", "M-2", "{\"name\":\"Zhao\",\"team\":\"T1\"}", NULL), CADRE_OK);
  CHECK_CODE(
      cadre_query(&out, ws, "{\"viewer\":{\"manager\":\"M-1\"},\"query\":\"customer_360\",\"customer\":\"C-1\"}"),
      CADRE_OK);
  cadre_free(out);
  CHECK_CODE(
      cadre_query(&out, ws, "{\"viewer\":{\"manager\":\"M-2\"},\"query\":\"customer_360\",\"customer\":\"C-1\"}"),
      CADRE_ERROR_NOT_FOUND);
  CHECK_CODE(cadre_query(&out, ws,
                         "{\"viewer\":{\"manager\":\"M-2\"},\"query\":\"pool_sweep\",\"policy\":\"p\","
                         "\"now\":\"2025-06-01T00:00:00Z\"}"),
             CADRE_ERROR_PERMISSION_DENIED);
  CHECK_HAS(cadre_error_details_json(), "\"code\":\"permission_denied\"");

  /* Bad requests name the key; the out-parameter is cleared. */
  out = SENTINEL;
  CHECK_CODE(
      cadre_query(&out, ws,
                  "{\"viewer\":{\"admin\":true},\"query\":\"customer_360\",\"customer\":\"C-1\",\"as_of\":\"June\"}"),
      CADRE_ERROR_INVALID_ARGUMENT);
  CHECK(out == NULL);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"request.as_of\"");
  CHECK_CODE(cadre_query(&out, ws, "{\"viewer\":{\"admin\":true},\"query\":\"no_such_query\"}"),
             CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_HAS(cadre_error_message(), "unknown query");
  CHECK_CODE(cadre_query(&out, ws, "{\"viewer\":{\"admin\":true},\"query\":\"customer_360\",\"customer\":\"C-404\"}"),
             CADRE_ERROR_NOT_FOUND);
  CHECK_CODE(cadre_query(&out, ws, "not json"), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_CODE(cadre_query(&out, ws, NULL), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_query(&out, NULL, "{}"), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_query(NULL, ws, "{}"), CADRE_ERROR_MISUSE);
  cadre_workspace_close(ws);
}

/* Commands: an incentive period closed once, in order, by an admin. */
static void test_command(void) {
  cadre_workspace* ws = open_memory();
  char* out = NULL;
  CHECK_CODE(cadre_document_put(NULL, ws, "org_units", "CO", "{\"name\":\"Co\",\"kind\":\"company\"}", NULL), CADRE_OK);
  CHECK_CODE(cadre_document_put(NULL, ws, "roles", "am", "{\"name\":\"AM\",\"incentive_plan\":\"p\"}", NULL), CADRE_OK);
  CHECK_CODE(cadre_document_put(NULL, ws, "managers", "M-1", "{\"name\":\"Li\",\"team\":\"CO\",\"role\":\"am\"}", NULL),
             CADRE_OK);
  CHECK_CODE(cadre_document_put(NULL, ws, "incentive_plans", "p",
                                "{\"name\":\"P\",\"components\":[{\"id\":\"c\",\"type\":\"commission\","
                                "\"commission\":{\"tiers\":[{\"from\":\"0\",\"rate\":\"0.05\"}]}}]}",
                                NULL),
             CADRE_OK);
  static const char events[] =
      "{\"id\":\"S-1\",\"kind\":\"sale\",\"occurred_at\":\"2025-06-18T02:00:00Z\",\"manager\":\"M-1\","
      "\"customer\":\"C-1\",\"amount_minor\":10000}\n";
  char* report = NULL;
  CHECK_CODE(cadre_events_ingest_ndjson(&report, ws, events, strlen(events), CADRE_INGEST_ATOMIC), CADRE_OK);
  cadre_free(report);
  CHECK_CODE(cadre_query(&out, ws,
                         "{\"viewer\":{\"admin\":true},\"query\":\"statement\",\"manager\":\"M-1\",\"period\":"
                         "\"2025-06\"}"),
             CADRE_OK);
  CHECK_HAS(out, "\"total_minor\":500");
  cadre_free(out);
  static const char close[] =
      "{\"command\":\"close_period\",\"viewer\":{\"admin\":true},\"period\":\"2025-06\",\"by\":\"finance\"}";
  CHECK_CODE(cadre_command(&out, ws, close), CADRE_OK);
  CHECK_HAS(out, "\"state\":\"closed\"");
  cadre_free(out);
  out = SENTINEL;
  CHECK_CODE(cadre_command(&out, ws, close), CADRE_ERROR_FAILED_PRECONDITION);
  CHECK(out == NULL);
  CHECK_HAS(cadre_error_message(), "closed already");
  CHECK_CODE(cadre_command(&out, ws,
                           "{\"command\":\"close_period\",\"viewer\":{\"manager\":\"M-1\"},\"period\":\"2025-07\","
                           "\"by\":\"M-1\"}"),
             CADRE_ERROR_PERMISSION_DENIED);
  CHECK_CODE(cadre_command(&out, ws, "{\"command\":\"nope\",\"viewer\":{\"admin\":true}}"),
             CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"request.command\"");
  CHECK_CODE(cadre_command(&out, ws, NULL), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_command(NULL, ws, close), CADRE_ERROR_MISUSE);
  cadre_workspace_close(ws);
}

/* ---- Import and export -------------------------------------------------------- */

/* Serves `text` in pieces of at most `chunk` bytes; fails (returns 7) once
 * `fail_at` bytes were served, when fail_at is not 0. */
typedef struct reader {
  const char* text;
  size_t len, pos, chunk, fail_at;
} reader;

static int read_text(void* user, char* buf, size_t cap, size_t* out_len) {
  reader* r = (reader*)user;
  size_t n = r->len - r->pos;
  if (r->fail_at != 0 && r->pos >= r->fail_at) return 7;
  if (n > cap) n = cap;
  if (n > r->chunk) n = r->chunk;
  memcpy(buf, r->text + r->pos, n);
  r->pos += n;
  *out_len = n;
  return 0;
}

typedef struct progress_log {
  int calls;
  uint64_t last_committed;
  int stop_after;
} progress_log;

static int on_progress(void* user, const cadre_import_progress* p) {
  progress_log* log = (progress_log*)user;
  CHECK(p->struct_size >= sizeof(cadre_import_progress));
  CHECK(p->rows_committed >= log->last_committed);
  log->last_committed = p->rows_committed;
  log->calls++;
  return log->stop_after == 0 || log->calls < log->stop_after;
}

typedef struct sink {
  char buf[8192];
  size_t len;
  int fail;
} sink;

static int write_text(void* user, const char* data, size_t len) {
  sink* s = (sink*)user;
  if (s->fail) return 3;
  if (s->len + len >= sizeof s->buf) return 9;
  memcpy(s->buf + s->len, data, len);
  s->len += len;
  s->buf[s->len] = '\0';
  return 0;
}

static void test_import_export(void) {
  cadre_workspace* ws = open_memory();
  char* report = NULL;
  /* Six purchases, the fourth with a bad amount; read two bytes at a time. */
  static const char csv[] =
      "id,occurred_at,customer,amount_minor,category,attributes.till\r\n"
      "S-1,2025-06-18T10:00:00+08:00,C-1,500,tea,T1\r\n"
      "S-2,2025-06-18T11:00:00+08:00,C-1,700,\"tea, green\",T2\r\n"
      "S-3,2025-06-18T12:00:00+08:00,C-2,900,rice,\r\n"
      "S-4,2025-06-18T13:00:00+08:00,C-2,12k,rice,\r\n"
      "S-5,2025-06-18T14:00:00+08:00,C-3,100,,\r\n"
      "S-6,2025-06-18T15:00:00+08:00,C-3,200,,\r\n";
  reader r = {csv, sizeof csv - 1, 0, 2, 0};
  progress_log log = {0, 0, 0};
  CHECK_CODE(cadre_import(&report, ws, "{\"kind\":\"purchases\",\"mode\":\"best_effort\",\"batch_size\":2}", read_text,
                          &r, on_progress, &log),
             CADRE_OK);
  CHECK_HAS(report, "\"rows_read\":6");
  CHECK_HAS(report, "\"accepted\":5");
  CHECK_HAS(report, "\"rejected\":1");
  CHECK_HAS(report, "\"row\":4");
  CHECK_HAS(report, "\"column\":\"amount_minor\"");
  CHECK_HAS(report, "\"value\":\"12k\"");
  CHECK(log.calls == 3);
  CHECK(log.last_committed == 5);
  cadre_free(report);

  /* Export through the write callback, and read it back into a second workspace. */
  sink out;
  memset(&out, 0, sizeof out);
  CHECK_CODE(cadre_export(&report, ws, "{\"kind\":\"purchases\",\"format\":\"ndjson\"}", write_text, &out), CADRE_OK);
  CHECK_HAS(report, "\"rows\":5");
  CHECK_HAS(out.buf, "\"category\":\"tea, green\"");
  CHECK_HAS(out.buf, "\"attributes\":{\"till\":\"T2\"}");
  CHECK_LACKS(out.buf, "S-4");
  cadre_free(report);
  {
    cadre_workspace* copy = open_memory();
    reader back = {out.buf, out.len, 0, 4096, 0};
    CHECK_CODE(
        cadre_import(&report, copy, "{\"kind\":\"purchases\",\"format\":\"ndjson\"}", read_text, &back, NULL, NULL),
        CADRE_OK);
    CHECK_HAS(report, "\"accepted\":5");
    CHECK_HAS(report, "\"complete\":true");
    cadre_free(report);
    cadre_workspace_close(copy);
  }

  /* A read failure mid-stream: earlier batches stay, the batch being read is not written. */
  {
    enum { kRows = 20000 };
    size_t cap = (size_t)kRows * 64 + 64, len = 0;
    char* big = (char*)malloc(cap);
    cadre_workspace* other = open_memory();
    uint64_t hwm = 0;
    int i;
    len += (size_t)snprintf(big + len, cap - len, "id,occurred_at,customer,amount_minor\n");
    for (i = 0; i < kRows; ++i)
      len += (size_t)snprintf(big + len, cap - len, "S-%06d,2025-06-18T10:00:00+08:00,C-%d,%d\n", i, i % 97, 100 + i);
    {
      reader failing = {big, len, 0, 4096, len / 2};
      report = SENTINEL;
      CHECK_CODE(
          cadre_import(&report, other, "{\"kind\":\"purchases\",\"batch_size\":100}", read_text, &failing, NULL, NULL),
          CADRE_ERROR_HOST_CALLBACK);
    }
    CHECK(report == NULL);
    CHECK_HAS(cadre_error_message(), "cadre_import.read failed (returned 7)");
    CHECK_HAS(cadre_error_details_json(), "\"callback\":\"read\"");
    CHECK_CODE(cadre_workspace_high_water_mark(&hwm, other), CADRE_OK);
    /* Whole batches of 100 only, and not all of them. */
    if (!(hwm > 0 && hwm < kRows && hwm % 100 == 0)) fprintf(stderr, "hwm = %llu\n", (unsigned long long)hwm);
    CHECK(hwm > 0 && hwm < kRows && hwm % 100 == 0);
    cadre_workspace_close(other);
    free(big);
  }

  /* The progress callback may stop the import; a write failure fails the export. */
  {
    cadre_workspace* other = open_memory();
    reader again = {csv, sizeof csv - 1, 0, 64, 0};
    progress_log stop = {0, 0, 1};
    CHECK_CODE(cadre_import(&report, other, "{\"kind\":\"purchases\",\"mode\":\"best_effort\",\"batch_size\":2}",
                            read_text, &again, on_progress, &stop),
               CADRE_OK);
    CHECK_HAS(report, "\"stopped\":true");
    CHECK_HAS(report, "\"accepted\":2");
    cadre_free(report);
    sink broken;
    memset(&broken, 0, sizeof broken);
    broken.fail = 1;
    CHECK_CODE(cadre_export(&report, other, "{\"kind\":\"purchases\"}", write_text, &broken),
               CADRE_ERROR_HOST_CALLBACK);
    CHECK_HAS(cadre_error_message(), "cadre_export.write failed (returned 3)");
    cadre_workspace_close(other);
  }

  /* Files: customers out and back in. */
  {
    char path[512];
    snprintf(path, sizeof path, "%s/capi_customers_%ld.csv", g_scratch, (long)getpid());
    CHECK_CODE(cadre_document_put(NULL, ws, "customers", "C-1",
                                  "{\"name\":\"Wang, Fang\",\"tier\":\"gold\",\"tags\":[\"vip\",\"wine\"]}", NULL),
               CADRE_OK);
    CHECK_CODE(cadre_export_file(&report, ws, "{\"kind\":\"customers\"}", path), CADRE_OK);
    CHECK_HAS(report, "\"rows\":1");
    cadre_free(report);
    cadre_workspace* copy = open_memory();
    CHECK_CODE(cadre_import_file(&report, copy, "{\"kind\":\"customers\"}", path, NULL, NULL), CADRE_OK);
    CHECK_HAS(report, "\"accepted\":1");
    cadre_free(report);
    CHECK_CODE(cadre_document_get(&report, copy, "customers", "C-1", NULL), CADRE_OK);
    CHECK_HAS(report, "\"name\":\"Wang, Fang\"");
    CHECK_HAS(report, "\"tags\":[\"vip\",\"wine\"]");
    cadre_free(report);
    cadre_workspace_close(copy);
    remove(path);
    CHECK_CODE(cadre_import_file(&report, ws, "{\"kind\":\"customers\"}", path, NULL, NULL), CADRE_ERROR_NOT_FOUND);
  }

  /* Bad options name the key; misuse is caught. */
  CHECK_CODE(cadre_import(&report, ws, "{\"kind\":\"pets\"}", read_text, &r, NULL, NULL), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"options.kind\"");
  CHECK_CODE(cadre_import(&report, ws, "{\"kind\":\"purchases\",\"batch_size\":0}", read_text, &r, NULL, NULL),
             CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"options.batch_size\"");
  CHECK_CODE(cadre_import(&report, ws, "{\"kind\":\"purchases\"}", NULL, NULL, NULL, NULL), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_export(&report, ws, "{\"kind\":\"purchases\"}", NULL, NULL), CADRE_ERROR_MISUSE);
  CHECK_CODE(cadre_export(&report, ws, "{}", write_text, &out), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"options.kind\"");
  cadre_workspace_close(ws);
}

int main(int argc, char** argv) {
  if (argc > 1) g_scratch = argv[1];
  test_version();
  test_status_codes_are_frozen();
  test_struct_layout();
  test_error_state();
  test_workspace_open_and_misuse();
  test_workspace_options_growth();
  test_workspace_sqlite();
  test_document_put_get();
  test_document_bad_input();
  test_document_versions_and_conflicts();
  test_document_list_delete_history();
  test_ingest_ndjson();
  test_ingest_sales();
  test_scan();
  test_query();
  test_command();
  test_import_export();
  test_threads();
  test_results_outlive_workspace();
  printf("capi_test: %d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
