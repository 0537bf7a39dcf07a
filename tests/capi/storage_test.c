/*
 * storage_test.c — cadre_workspace_open_with_storage tested from C, over the
 * C99 SQLite host of sqlite_storage.c: a workspace in the host's database ingests
 * and reads back and persists; a failing callback (begin, an insert, commit, a
 * read) is CADRE_ERROR_HOST_CALLBACK with the host's message, leaves the tables
 * as they were and the workspace usable; misuse of the vtable; ownership of the
 * host's state; re-entry from a callback; threads.
 *
 *   capi_storage_test SCRATCH_DIR
 *
 * Prints "storage_test: N passed, M failed" and exits non-zero if M > 0.
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
#include "sqlite_storage.h"

static const char* g_scratch = ".";
static char g_sentinel_byte;
#define SENTINEL_WS ((cadre_workspace*)(void*)&g_sentinel_byte)
#define SENTINEL ((char*)&g_sentinel_byte)

/* A fresh database file for one test: removed (with its WAL files) first. */
static void db_path(char* out, size_t size, const char* name) {
  char extra[1200];
  snprintf(out, size, "%s/storage_%s_%ld.db", g_scratch, name, (long)getpid());
  remove(out);
  snprintf(extra, sizeof extra, "%s-wal", out);
  remove(extra);
  snprintf(extra, sizeof extra, "%s-shm", out);
  remove(extra);
}

static void remove_db(const char* path) {
  char extra[1200];
  remove(path);
  snprintf(extra, sizeof extra, "%s-wal", path);
  remove(extra);
  snprintf(extra, sizeof extra, "%s-shm", path);
  remove(extra);
}

static cadre_storage open_storage(const char* path, int use_hints) {
  cadre_storage storage;
  if (sqlite_storage_open(&storage, path, use_hints) != 0) {
    fprintf(stderr, "cannot open the test storage at %s\n", path);
    exit(2);
  }
  return storage;
}

/* Opens a workspace over a new storage on `path`; *out_user is the storage's state
 * (owned by the workspace). */
static cadre_workspace* open_workspace(const char* path, void** out_user, int* destroyed) {
  cadre_storage storage = open_storage(path, 1);
  cadre_workspace* ws = NULL;
  sqlite_storage_faults_of(storage.user)->destroyed = destroyed;
  if (!CHECK_CODE(cadre_workspace_open_with_storage(&ws, &storage, NULL), CADRE_OK)) {
    fprintf(stderr, "cannot open a workspace over the test storage: %s\n", cadre_error_message());
    exit(2);
  }
  *out_user = storage.user;
  return ws;
}

static uint64_t hwm_of(cadre_workspace* ws) {
  uint64_t hwm = 0;
  CHECK_CODE(cadre_workspace_high_water_mark(&hwm, ws), CADRE_OK);
  return hwm;
}

/* NDJSON of `n` sales S-<first>..S-<first+n-1> for M-1. */
static char* sales_ndjson(int first, int n) {
  size_t cap = (size_t)n * 200 + 1;
  char* text = (char*)malloc(cap);
  size_t len = 0;
  int i;
  text[0] = '\0';
  for (i = 0; i < n; ++i) {
    len += (size_t)snprintf(text + len, cap - len,
                            "{\"id\":\"S-%d\",\"kind\":\"sale\",\"occurred_at\":\"2025-06-18T10:%02d:00+08:00\","
                            "\"manager\":\"M-1\",\"customer\":\"C-%d\",\"amount_minor\":%d}\n",
                            first + i, (first + i) % 60, (first + i) % 3, 100 + first + i);
  }
  return text;
}

static int ingest(cadre_workspace* ws, int first, int n, char** out_report) {
  char* text = sales_ndjson(first, n);
  int rc = cadre_events_ingest_ndjson(out_report, ws, text, strlen(text), CADRE_INGEST_ATOMIC);
  free(text);
  return rc;
}

/* ---- Layout and INIT macros --------------------------------------------------------- */

static void test_layout(void) {
#if UINTPTR_MAX == UINT64_MAX
  CHECK(sizeof(cadre_storage_document) == 56);
  CHECK(offsetof(cadre_storage_document, deleted) == 4);
  CHECK(offsetof(cadre_storage_document, collection) == 8);
  CHECK(offsetof(cadre_storage_document, id) == 16);
  CHECK(offsetof(cadre_storage_document, version) == 24);
  CHECK(offsetof(cadre_storage_document, effective_from_ns) == 32);
  CHECK(offsetof(cadre_storage_document, recorded_at_ns) == 40);
  CHECK(offsetof(cadre_storage_document, body) == 48);
  CHECK(sizeof(cadre_storage_event) == 64);
  CHECK(offsetof(cadre_storage_event, reserved) == 4);
  CHECK(offsetof(cadre_storage_event, seq) == 8);
  CHECK(offsetof(cadre_storage_event, id) == 16);
  CHECK(offsetof(cadre_storage_event, kind) == 24);
  CHECK(offsetof(cadre_storage_event, occurred_at_ns) == 32);
  CHECK(offsetof(cadre_storage_event, manager) == 40);
  CHECK(offsetof(cadre_storage_event, customer) == 48);
  CHECK(offsetof(cadre_storage_event, json) == 56);
  CHECK(sizeof(cadre_storage_event_filter) == 64);
  CHECK(offsetof(cadre_storage_event_filter, after_seq) == 8);
  CHECK(offsetof(cadre_storage_event_filter, from_ns) == 16);
  CHECK(offsetof(cadre_storage_event_filter, until_ns) == 24);
  CHECK(offsetof(cadre_storage_event_filter, kinds) == 32);
  CHECK(offsetof(cadre_storage_event_filter, n_kinds) == 40);
  CHECK(offsetof(cadre_storage_event_filter, manager) == 48);
  CHECK(offsetof(cadre_storage_event_filter, customer) == 56);
  CHECK(sizeof(cadre_storage) == 104);
  CHECK(offsetof(cadre_storage, user) == 8);
  CHECK(offsetof(cadre_storage, begin) == 16);
  CHECK(offsetof(cadre_storage, commit) == 24);
  CHECK(offsetof(cadre_storage, rollback) == 32);
  CHECK(offsetof(cadre_storage, insert_document) == 40);
  CHECK(offsetof(cadre_storage, read_document) == 48);
  CHECK(offsetof(cadre_storage, read_collection) == 56);
  CHECK(offsetof(cadre_storage, insert_event) == 64);
  CHECK(offsetof(cadre_storage, find_event) == 72);
  CHECK(offsetof(cadre_storage, scan_events) == 80);
  CHECK(offsetof(cadre_storage, high_water_mark) == 88);
  CHECK(offsetof(cadre_storage, destroy) == 96);
#endif
  {
    cadre_storage v = CADRE_STORAGE_INIT;
    cadre_storage_document d = CADRE_STORAGE_DOCUMENT_INIT;
    cadre_storage_event e = CADRE_STORAGE_EVENT_INIT;
    CHECK(v.struct_size == sizeof v && v.user == NULL && v.begin == NULL && v.destroy == NULL);
    CHECK(d.struct_size == sizeof d && d.deleted == 0 && d.body == NULL);
    CHECK(e.struct_size == sizeof e && e.seq == 0 && e.json == NULL);
    CHECK(CADRE_STORAGE_TIME_MIN == INT64_MIN && CADRE_STORAGE_TIME_MAX == INT64_MAX);
  }
}

/* ---- A workspace in the host's database ----------------------------------------------- */

static void test_ingest_and_read_back(void) {
  char path[1100];
  void* user = NULL;
  int destroyed = 0;
  cadre_workspace* ws;
  char *report = NULL, *doc = NULL, *list = NULL, *scan = NULL, *settings = NULL;
  cadre_storage storage;
  cadre_workspace_options opts = CADRE_WORKSPACE_OPTIONS_INIT;
  cadre_sale sales[2] = {CADRE_SALE_INIT, CADRE_SALE_INIT};
  cadre_put_options put = CADRE_PUT_OPTIONS_INIT;
  int64_t version = 0;

  db_path(path, sizeof path, "readback");
  storage = open_storage(path, 1);
  sqlite_storage_faults_of(storage.user)->destroyed = &destroyed;
  opts.currency = "CNY";
  opts.time_zone = "Asia/Shanghai";
  ws = SENTINEL_WS;
  CHECK_CODE(cadre_workspace_open_with_storage(&ws, &storage, &opts), CADRE_OK);
  CHECK(ws != NULL && ws != SENTINEL_WS);
  user = storage.user;
  CHECK(sqlite_storage_count_rows(path, "documents") == 1); /* the workspace settings */

  /* Documents: typed and the host's own; versions, as-of, history, delete. */
  CHECK_CODE(cadre_document_put(NULL, ws, "managers", "M-1", "{\"name\":\"Li Na\",\"team\":\"T-1\",\"level\":2}", NULL),
             CADRE_OK);
  put.effective_from = "2025-07-01T00:00:00+08:00";
  CHECK_CODE(cadre_document_put(NULL, ws, "managers", "M-1", "{\"name\":\"Li Na\",\"team\":\"T-2\",\"level\":3}", &put),
             CADRE_OK);
  CHECK_CODE(cadre_document_get(&doc, ws, "managers", "M-1", "2025-06-18T00:00:00Z"), CADRE_OK);
  CHECK_HAS(doc, "\"version\":1");
  CHECK_HAS(doc, "\"team\":\"T-1\"");
  cadre_free(doc);
  CHECK_CODE(cadre_document_get(&doc, ws, "managers", "M-1", NULL), CADRE_OK);
  CHECK_HAS(doc, "\"version\":2");
  CHECK_HAS(doc, "\"effective_from\":\"2025-06-30T16:00:00Z\"");
  cadre_free(doc);
  put = (cadre_put_options)CADRE_PUT_OPTIONS_INIT;
  put.has_expected_version = 1;
  put.expected_version = 1; /* stale */
  CHECK_CODE(cadre_document_put(NULL, ws, "managers", "M-1", "{\"name\":\"X\",\"team\":\"T\"}", &put),
             CADRE_ERROR_CONFLICT);
  CHECK_CODE(cadre_document_put(NULL, ws, "x_notes", "b", "{\"n\":2}", NULL), CADRE_OK);
  CHECK_CODE(cadre_document_put(NULL, ws, "x_notes", "a", "{\"n\":1}", NULL), CADRE_OK);
  CHECK_CODE(cadre_document_list(&list, ws, "x_notes", NULL), CADRE_OK);
  CHECK(list != NULL && strstr(list, "\"id\":\"a\"") != NULL &&
        strstr(list, "\"id\":\"a\"") < strstr(list, "\"id\":\"b\"")); /* ordered by id */
  cadre_free(list);
  CHECK_CODE(cadre_document_delete(&version, ws, "x_notes", "b", NULL), CADRE_OK);
  CHECK(version == 2);
  CHECK_CODE(cadre_document_get(&doc, ws, "x_notes", "b", NULL), CADRE_ERROR_NOT_FOUND);
  CHECK_CODE(cadre_document_history(&doc, ws, "x_notes", "b"), CADRE_OK);
  CHECK_HAS(doc, "\"deleted\":true");
  cadre_free(doc);

  /* Events: NDJSON and the fast path; duplicates; scans with filters. */
  CHECK_CODE(ingest(ws, 1, 5, &report), CADRE_OK);
  CHECK_HAS(report, "\"accepted\":5");
  CHECK_HAS(report, "\"first_seq\":1");
  cadre_free(report);
  CHECK_CODE(ingest(ws, 4, 3, &report), CADRE_OK); /* S-4, S-5 again, S-6 new */
  CHECK_HAS(report, "\"accepted\":1");
  CHECK_HAS(report, "\"duplicates\":2");
  cadre_free(report);
  sales[0].id = "F-1";
  sales[0].manager = "M-2";
  sales[0].occurred_at = INT64_C(1750212000000000);
  sales[0].amount_minor = 500;
  sales[1] = sales[0];
  sales[1].id = "F-2";
  sales[1].kind = CADRE_SALE_KIND_RETURN;
  CHECK_CODE(cadre_events_ingest_sales(&report, ws, sales, 2, sizeof sales[0], CADRE_INGEST_ATOMIC), CADRE_OK);
  CHECK_HAS(report, "\"accepted\":2");
  cadre_free(report);
  CHECK(hwm_of(ws) == 8);
  CHECK(sqlite_storage_count_rows(path, "events") == 8);

  CHECK_CODE(cadre_events_scan(&scan, ws, "{\"manager\":\"M-2\",\"kinds\":[\"return\"]}"), CADRE_OK);
  CHECK_HAS(scan, "\"id\":\"F-2\"");
  CHECK(strstr(scan, "\"id\":\"F-1\"") == NULL);
  cadre_free(scan);
  CHECK_CODE(cadre_events_scan(&scan, ws, "{\"order\":\"by_seq\",\"after_seq\":6,\"limit\":1}"), CADRE_OK);
  CHECK_HAS(scan, "{\"events\":[{\"seq\":7,");
  cadre_free(scan);
  cadre_workspace_close(ws);
  CHECK(destroyed == 1); /* the workspace owned the storage and let it go */

  /* Reopened over a new storage on the same file: everything is there. */
  storage = open_storage(path, 0); /* this time a host that ignores the scan hints */
  ws = NULL;
  CHECK_CODE(cadre_workspace_open_with_storage(&ws, &storage, NULL), CADRE_OK);
  CHECK_CODE(cadre_workspace_settings(&settings, ws), CADRE_OK);
  CHECK_HAS(settings, "\"time_zone\":\"Asia/Shanghai\"");
  cadre_free(settings);
  CHECK(hwm_of(ws) == 8);
  CHECK_CODE(cadre_events_scan(&scan, ws, "{\"customer\":\"C-1\",\"order\":\"by_seq\"}"), CADRE_OK);
  CHECK_HAS(scan, "{\"events\":[{\"seq\":1,\"event\":{\"id\":\"S-1\"");
  CHECK_HAS(scan, "{\"seq\":4,\"event\":{\"id\":\"S-4\"");
  CHECK(strstr(scan, "\"S-2\"") == NULL);
  cadre_free(scan);
  CHECK_CODE(cadre_document_get(&doc, ws, "x_notes", "a", NULL), CADRE_OK);
  CHECK_HAS(doc, "\"body\":{\"n\":1}");
  cadre_free(doc);
  cadre_workspace_close(ws);

  /* A workspace's currency never changes: the open fails and the host keeps its state. */
  destroyed = 0;
  storage = open_storage(path, 1);
  sqlite_storage_faults_of(storage.user)->destroyed = &destroyed;
  opts.currency = "USD";
  ws = SENTINEL_WS;
  CHECK_CODE(cadre_workspace_open_with_storage(&ws, &storage, &opts), CADRE_ERROR_FAILED_PRECONDITION);
  CHECK(ws == NULL);
  CHECK(destroyed == 0);
  sqlite_storage_free(storage.user);
  (void)user;
  remove_db(path);
}

/* ---- Misuse and versioned structs ------------------------------------------------------ */

/* A host built against a newer cadre.h, whose cadre_storage has one more callback. */
struct newer_storage {
  cadre_storage v1;
  int (*some_future_callback)(void* user);
};

static int future_callback(void* user) {
  (void)user;
  return 0;
}

static void test_misuse(void) {
  char path[1100];
  int destroyed = 0;
  cadre_workspace* ws;
  cadre_storage storage, broken;
  cadre_workspace_options opts;
  struct newer_storage newer;
  size_t i;
  /* Each required callback, by its offset in the struct. */
  static const struct {
    const char* name;
    size_t offset;
  } kRequired[] = {
      {"begin", offsetof(cadre_storage, begin)},
      {"commit", offsetof(cadre_storage, commit)},
      {"rollback", offsetof(cadre_storage, rollback)},
      {"insert_document", offsetof(cadre_storage, insert_document)},
      {"read_document", offsetof(cadre_storage, read_document)},
      {"read_collection", offsetof(cadre_storage, read_collection)},
      {"insert_event", offsetof(cadre_storage, insert_event)},
      {"find_event", offsetof(cadre_storage, find_event)},
      {"scan_events", offsetof(cadre_storage, scan_events)},
      {"high_water_mark", offsetof(cadre_storage, high_water_mark)},
  };

  db_path(path, sizeof path, "misuse");
  storage = open_storage(path, 1);
  sqlite_storage_faults_of(storage.user)->destroyed = &destroyed;

  CHECK_CODE(cadre_workspace_open_with_storage(NULL, &storage, NULL), CADRE_ERROR_MISUSE);
  CHECK_HAS(cadre_error_message(), "cadre_workspace_open_with_storage");
  ws = SENTINEL_WS;
  CHECK_CODE(cadre_workspace_open_with_storage(&ws, NULL, NULL), CADRE_ERROR_MISUSE);
  CHECK(ws == NULL);
  CHECK_HAS(cadre_error_message(), "storage is NULL");

  /* struct_size: 0 (not initialised) and below the first version are misuse. */
  broken = storage;
  broken.struct_size = 0;
  ws = SENTINEL_WS;
  CHECK_CODE(cadre_workspace_open_with_storage(&ws, &broken, NULL), CADRE_ERROR_MISUSE);
  CHECK(ws == NULL);
  CHECK_HAS(cadre_error_message(), "storage->struct_size");
  broken.struct_size = (uint32_t)offsetof(cadre_storage, destroy);
  CHECK_CODE(cadre_workspace_open_with_storage(&ws, &broken, NULL), CADRE_ERROR_MISUSE);

  /* Every callback but destroy is required; the message names the missing one. */
  for (i = 0; i < sizeof kRequired / sizeof kRequired[0]; ++i) {
    char expected[64];
    broken = storage;
    memset((char*)&broken + kRequired[i].offset, 0, sizeof(void (*)(void)));
    snprintf(expected, sizeof expected, "storage->%s is NULL", kRequired[i].name);
    ws = SENTINEL_WS;
    CHECK_CODE(cadre_workspace_open_with_storage(&ws, &broken, NULL), CADRE_ERROR_MISUSE);
    CHECK(ws == NULL);
    CHECK_HAS(cadre_error_message(), expected);
  }

  /* Options are checked as for cadre_workspace_open. */
  memset(&opts, 0, sizeof opts);
  CHECK_CODE(cadre_workspace_open_with_storage(&ws, &storage, &opts), CADRE_ERROR_MISUSE);
  CHECK_HAS(cadre_error_message(), "opts->struct_size");
  opts = (cadre_workspace_options)CADRE_WORKSPACE_OPTIONS_INIT;
  opts.currency = "XYZ";
  CHECK_CODE(cadre_workspace_open_with_storage(&ws, &storage, &opts), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK_HAS(cadre_error_details_json(), "\"path\":\"currency\"");

  /* A newer, larger vtable: accepted while its unknown fields are zero, refused otherwise. */
  memset(&newer, 0, sizeof newer);
  newer.v1 = storage;
  newer.v1.struct_size = (uint32_t)sizeof newer;
  newer.some_future_callback = future_callback;
  ws = SENTINEL_WS;
  CHECK_CODE(cadre_workspace_open_with_storage(&ws, &newer.v1, NULL), CADRE_ERROR_INVALID_ARGUMENT);
  CHECK(ws == NULL);
  CHECK_HAS(cadre_error_message(), "newer cadre.h");

  /* None of the failures above took the host's state over, nor wrote anything. */
  CHECK(destroyed == 0);
  CHECK(sqlite_storage_count_rows(path, "documents") == 0);

  newer.some_future_callback = NULL;
  CHECK_CODE(cadre_workspace_open_with_storage(&ws, &newer.v1, NULL), CADRE_OK);
  cadre_workspace_close(ws);
  CHECK(destroyed == 1);

  /* destroy is optional: without it the host frees its state itself after close. */
  storage = open_storage(path, 1);
  storage.destroy = NULL;
  CHECK_CODE(cadre_workspace_open_with_storage(&ws, &storage, NULL), CADRE_OK);
  CHECK(hwm_of(ws) == 0);
  cadre_workspace_close(ws);
  sqlite_storage_free(storage.user);

  /* cadre_storage_set_error outside a callback does nothing, not even to the error state. */
  CHECK_CODE(cadre_workspace_open_with_storage(NULL, &storage, NULL), CADRE_ERROR_MISUSE);
  cadre_storage_set_error("not in a callback");
  cadre_storage_set_error(NULL);
  CHECK(cadre_error_code() == CADRE_ERROR_MISUSE);
  CHECK(strstr(cadre_error_message(), "not in a callback") == NULL);
  remove_db(path);
}

/* ---- Failing callbacks ------------------------------------------------------------------ */

/* The last error is a host-callback failure of `callback` with the injected message. */
static void check_host_failure(const char* callback) {
  char needle[128];
  const char* details = cadre_error_details_json();
  CHECK(cadre_error_code() == CADRE_ERROR_HOST_CALLBACK);
  snprintf(needle, sizeof needle, "cadre_storage.%s failed (returned 42): injected: %s failed", callback, callback);
  CHECK_HAS(cadre_error_message(), needle);
  CHECK_HAS(details, "\"code\":\"host_callback\"");
  snprintf(needle, sizeof needle, "\"callback\":\"%s\"", callback);
  CHECK_HAS(details, needle);
  CHECK_HAS(details, "\"result\":42");
}

static void test_callback_failures(void) {
  char path[1100];
  void* user = NULL;
  int destroyed = 0;
  cadre_workspace* ws;
  sqlite_storage_faults* faults;
  sqlite_storage_counts* counts;
  char* report = SENTINEL;
  char* doc = SENTINEL;
  int rollbacks;
  uint64_t hwm = 99;

  db_path(path, sizeof path, "failures");
  ws = open_workspace(path, &user, &destroyed);
  faults = sqlite_storage_faults_of(user);
  counts = sqlite_storage_counts_of(user);
  CHECK_CODE(ingest(ws, 1, 2, &report), CADRE_OK);
  cadre_free(report);
  CHECK_CODE(cadre_document_put(NULL, ws, "x_a", "1", "{\"v\":1}", NULL), CADRE_OK);

  /* The 3rd event insert of a batch of 5 fails: nothing of the batch is written. */
  rollbacks = counts->rollback;
  faults->fail_insert_event_at = 3;
  report = SENTINEL;
  CHECK_CODE(ingest(ws, 10, 5, &report), CADRE_ERROR_HOST_CALLBACK);
  CHECK(report == NULL);
  check_host_failure("insert_event");
  CHECK(counts->rollback == rollbacks + 1);
  CHECK(sqlite_storage_count_rows(path, "events") == 2);
  CHECK(hwm_of(ws) == 2);
  /* ... and the workspace keeps working: the same batch goes in whole. */
  CHECK_CODE(ingest(ws, 10, 5, &report), CADRE_OK);
  CHECK_HAS(report, "\"accepted\":5");
  CHECK_HAS(report, "\"first_seq\":3");
  cadre_free(report);
  CHECK(sqlite_storage_count_rows(path, "events") == 7);

  /* commit fails: cadre rolls the transaction back. */
  rollbacks = counts->rollback;
  faults->fail_commit = 1;
  CHECK_CODE(cadre_document_put(NULL, ws, "x_a", "1", "{\"v\":2}", NULL), CADRE_ERROR_HOST_CALLBACK);
  check_host_failure("commit");
  CHECK(counts->rollback == rollbacks + 1);
  CHECK(sqlite_storage_count_rows(path, "documents") == 2); /* settings and x_a/1 v1 */
  CHECK_CODE(cadre_document_get(&doc, ws, "x_a", "1", NULL), CADRE_OK);
  CHECK_HAS(doc, "\"version\":1");
  cadre_free(doc);
  faults->fail_commit = 1;
  report = SENTINEL;
  CHECK_CODE(ingest(ws, 20, 3, &report), CADRE_ERROR_HOST_CALLBACK);
  CHECK(report == NULL);
  check_host_failure("commit");
  CHECK(sqlite_storage_count_rows(path, "events") == 7);
  CHECK_CODE(cadre_document_put(NULL, ws, "x_a", "1", "{\"v\":2}", NULL), CADRE_OK);
  CHECK(sqlite_storage_count_rows(path, "documents") == 3);

  /* An insert_document fails. */
  faults->fail_insert_document_at = 1;
  CHECK_CODE(cadre_document_put(NULL, ws, "x_a", "2", "{}", NULL), CADRE_ERROR_HOST_CALLBACK);
  check_host_failure("insert_document");
  CHECK(sqlite_storage_count_rows(path, "documents") == 3);

  /* begin fails: nothing else is called, rollback included. */
  rollbacks = counts->rollback;
  faults->fail_begin = 1;
  CHECK_CODE(cadre_document_put(NULL, ws, "x_a", "2", "{}", NULL), CADRE_ERROR_HOST_CALLBACK);
  check_host_failure("begin");
  CHECK(counts->rollback == rollbacks);

  /* Reads fail: each call names its callback; writes that read fail and roll back. */
  faults->fail_reads = 1;
  doc = SENTINEL;
  CHECK_CODE(cadre_document_get(&doc, ws, "x_a", "1", NULL), CADRE_ERROR_HOST_CALLBACK);
  CHECK(doc == NULL);
  check_host_failure("read_document");
  CHECK_CODE(cadre_document_list(&doc, ws, "x_a", NULL), CADRE_ERROR_HOST_CALLBACK);
  check_host_failure("read_collection");
  CHECK_CODE(cadre_events_scan(&doc, ws, NULL), CADRE_ERROR_HOST_CALLBACK);
  check_host_failure("scan_events");
  CHECK_CODE(cadre_workspace_high_water_mark(&hwm, ws), CADRE_ERROR_HOST_CALLBACK);
  CHECK(hwm == 0);
  check_host_failure("high_water_mark");
  rollbacks = counts->rollback;
  CHECK_CODE(ingest(ws, 30, 2, &report), CADRE_ERROR_HOST_CALLBACK);
  check_host_failure("high_water_mark"); /* read first, inside the transaction */
  CHECK(counts->rollback == rollbacks + 1);
  faults->fail_reads = 0;
  CHECK(hwm_of(ws) == 7);

  /* A failure without a message says so. */
  faults->without_message = 1;
  faults->fail_insert_event_at = 1;
  CHECK_CODE(ingest(ws, 40, 1, &report), CADRE_ERROR_HOST_CALLBACK);
  CHECK_HAS(cadre_error_message(), "cadre_storage.insert_event failed (returned 42) and gave no message");
  faults->without_message = 0;

  /* When the rollback after a failure fails too, the first failure is reported. */
  faults->fail_insert_event_at = 1;
  faults->fail_rollback = 1;
  CHECK_CODE(ingest(ws, 50, 2, &report), CADRE_ERROR_HOST_CALLBACK);
  check_host_failure("insert_event");
  CHECK(sqlite_storage_count_rows(path, "events") == 7);

  /* Rows a host emits malformed: misuse for a bad struct_size, internal for a row twice. */
  faults->emit_bad_struct_size = 1;
  CHECK_CODE(cadre_document_get(&doc, ws, "x_a", "1", NULL), CADRE_ERROR_MISUSE);
  CHECK_HAS(cadre_error_message(), "row->struct_size");
  CHECK_CODE(cadre_events_scan(&doc, ws, NULL), CADRE_ERROR_MISUSE);
  faults->emit_bad_struct_size = 0;
  faults->emit_twice = 1;
  CHECK_CODE(cadre_events_scan(&doc, ws, NULL), CADRE_ERROR_INTERNAL);
  CHECK_HAS(cadre_error_message(), "emitted twice");
  faults->emit_twice = 0;

  /* After all that, everything works and nothing was half-written. */
  CHECK_CODE(ingest(ws, 50, 2, &report), CADRE_OK);
  CHECK_HAS(report, "\"first_seq\":8");
  cadre_free(report);
  CHECK(hwm_of(ws) == 9);
  CHECK_CODE(cadre_events_scan(&doc, ws, "{\"order\":\"by_seq\",\"after_seq\":7}"), CADRE_OK);
  CHECK_HAS(doc, "{\"seq\":8,\"event\":{\"id\":\"S-50\"");
  cadre_free(doc);
  cadre_workspace_close(ws);
  CHECK(destroyed == 1);

  /* A callback failing while the workspace opens: the open fails, the host keeps its state. */
  {
    cadre_storage storage = open_storage(path, 1);
    destroyed = 0;
    sqlite_storage_faults_of(storage.user)->destroyed = &destroyed;
    sqlite_storage_faults_of(storage.user)->fail_reads = 1;
    ws = SENTINEL_WS;
    CHECK_CODE(cadre_workspace_open_with_storage(&ws, &storage, NULL), CADRE_ERROR_HOST_CALLBACK);
    CHECK(ws == NULL);
    check_host_failure("read_document");
    CHECK(destroyed == 0);
    sqlite_storage_free(storage.user);
  }
  remove_db(path);
}

/* ---- Re-entry ------------------------------------------------------------------------- */

static void test_reentry_is_refused_not_deadlocked(void) {
  char path[1100];
  void* user = NULL;
  cadre_workspace* ws;
  sqlite_storage_faults* faults;
  char* report = NULL;

  db_path(path, sizeof path, "reentry");
  ws = open_workspace(path, &user, NULL);
  faults = sqlite_storage_faults_of(user);
  faults->reenter = ws; /* find_event and high_water_mark call cadre_workspace_high_water_mark(ws) */
  CHECK_CODE(ingest(ws, 1, 2, &report), CADRE_OK);
  CHECK_HAS(report, "\"accepted\":2");
  cadre_free(report);
  CHECK(faults->reenter_result == CADRE_ERROR_MISUSE);
  CHECK_HAS(faults->reenter_message, "cadre_workspace_high_water_mark: called from inside a cadre_storage callback");
  /* The outer call's own outcome is what the thread sees afterwards. */
  CHECK(cadre_error_code() == CADRE_OK);
  faults->reenter_result = -1;
  CHECK(hwm_of(ws) == 2);
  CHECK(faults->reenter_result == CADRE_ERROR_MISUSE);
  faults->reenter = NULL;
  cadre_workspace_close(ws);
  remove_db(path);
}

/* ---- Threads --------------------------------------------------------------------------- */

enum { kThreads = 4, kRounds = 20, kPerRound = 5 };

typedef struct {
  cadre_workspace* ws;
  int index;
} thread_arg;

static void* thread_main(void* p) {
  const thread_arg* arg = (const thread_arg*)p;
  int round;
  for (round = 0; round < kRounds; ++round) {
    char* report = NULL;
    char* scan = NULL;
    char id[32];
    uint64_t hwm = 0;
    CHECK_CODE(ingest(arg->ws, 1000 * (arg->index + 1) + round * kPerRound, kPerRound, &report), CADRE_OK);
    CHECK_HAS(report, "\"accepted\":5");
    cadre_free(report);
    snprintf(id, sizeof id, "%d-%d", arg->index, round);
    CHECK_CODE(cadre_document_put(NULL, arg->ws, "x_threads", id, "{}", NULL), CADRE_OK);
    CHECK_CODE(cadre_events_scan(&scan, arg->ws, "{\"order\":\"by_seq\",\"limit\":3}"), CADRE_OK);
    cadre_free(scan);
    CHECK_CODE(cadre_workspace_high_water_mark(&hwm, arg->ws), CADRE_OK);
    CHECK(hwm % kPerRound == 0); /* batches are seen whole */
  }
  return NULL;
}

static void test_threads(void) {
  char path[1100];
  void* user = NULL;
  cadre_workspace* ws;
  pthread_t threads[kThreads];
  thread_arg args[kThreads];
  char* list = NULL;
  int i, count = 0;
  const char* p;

  db_path(path, sizeof path, "threads");
  ws = open_workspace(path, &user, NULL);
  for (i = 0; i < kThreads; ++i) {
    args[i].ws = ws;
    args[i].index = i;
    pthread_create(&threads[i], NULL, thread_main, &args[i]);
  }
  for (i = 0; i < kThreads; ++i) pthread_join(threads[i], NULL);
  CHECK(hwm_of(ws) == (uint64_t)kThreads * kRounds * kPerRound);
  CHECK(sqlite_storage_count_rows(path, "events") == (long)kThreads * kRounds * kPerRound);
  CHECK_CODE(cadre_document_list(&list, ws, "x_threads", NULL), CADRE_OK);
  for (p = list; p != NULL && (p = strstr(p, "\"collection\"")) != NULL; ++p) count++;
  CHECK(count == kThreads * kRounds);
  cadre_free(list);
  cadre_workspace_close(ws);
  remove_db(path);
}

int main(int argc, char** argv) {
  if (argc > 1) g_scratch = argv[1];
  test_layout();
  test_ingest_and_read_back();
  test_misuse();
  test_callback_failures();
  test_reentry_is_refused_not_deadlocked();
  test_threads();
  printf("storage_test: %d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
