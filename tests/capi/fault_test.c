/*
 * fault_test.c — no exception crosses the C boundary.
 *
 * Built with src/capi compiled in and CADRE_CAPI_FAULT_INJECTION defined (never
 * in libcadre), so that a test hook can make the next entry point throw inside its
 * guarded body: std::bad_alloc must come out as CADRE_ERROR_NO_MEMORY, any other
 * exception as CADRE_ERROR_INTERNAL, with the out-parameter NULL (or 0) and the
 * thread's error state describing it.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cadre/cadre.h"
#include "sqlite_storage.h"

/* The test hook, defined in src/capi only when CADRE_CAPI_FAULT_INJECTION is. */
void cadre_capi_testing_arm_fault(int kind);

enum { kBadAlloc = 1, kStdException = 2, kNotAnException = 3 };

static int g_passed = 0;
static int g_failed = 0;

#define CHECK(cond)                                                                                               \
  do {                                                                                                            \
    if (cond) {                                                                                                   \
      g_passed++;                                                                                                 \
    } else {                                                                                                      \
      g_failed++;                                                                                                 \
      fprintf(stderr, "%s:%d: FAILED: %s (entry point %d, fault %d; last error %s)\n", __FILE__, __LINE__, #cond, \
              which, kind, cadre_error_details_json());                                                           \
    }                                                                                                             \
  } while (0)

static char g_sentinel;

enum { kEntryPoints = 17 };
static const char* const kNames[kEntryPoints] = {
    "cadre_workspace_open",
    "cadre_workspace_settings",
    "cadre_workspace_high_water_mark",
    "cadre_document_put",
    "cadre_document_get",
    "cadre_document_list",
    "cadre_document_delete",
    "cadre_document_history",
    "cadre_events_ingest_ndjson",
    "cadre_events_ingest_sales",
    "cadre_events_scan",
    "cadre_workspace_open_with_storage",
    "cadre_query",
    "cadre_import",
    "cadre_import_file",
    "cadre_export",
    "cadre_export_file",
};

static int read_nothing(void* user, char* buf, size_t cap, size_t* out_len) {
  (void)user;
  (void)buf;
  (void)cap;
  *out_len = 0;
  return 0;
}

static int write_nothing(void* user, const char* data, size_t len) {
  (void)user;
  (void)data;
  (void)len;
  return 0;
}

static const char* g_path = "fault_test_export.csv";

/* Calls entry point `which` with valid arguments; reports whether its out-parameter
 * was cleared. */
static int call(int which, cadre_workspace* ws, int* out_cleared) {
  char* text = &g_sentinel;
  uint64_t hwm = 7;
  int64_t version = 7;
  cadre_workspace* opened = (cadre_workspace*)&g_sentinel;
  static const char line[] =
      "{\"id\":\"S-1\",\"kind\":\"sale\",\"occurred_at\":\"2025-06-18T10:00:00Z\",\"manager\":\"M-1\","
      "\"amount_minor\":1}";
  cadre_sale sale = CADRE_SALE_INIT;
  sale.id = "S-2";
  sale.manager = "M-1";
  sale.amount_minor = 1;
  int rc = -1;
  switch (which) {
    case 0:
      rc = cadre_workspace_open(&opened, "memory:", NULL);
      *out_cleared = opened == NULL;
      if (rc == CADRE_OK) cadre_workspace_close(opened);
      return rc;
    case 1:
      rc = cadre_workspace_settings(&text, ws);
      break;
    case 2:
      rc = cadre_workspace_high_water_mark(&hwm, ws);
      *out_cleared = hwm == 0;
      return rc;
    case 3:
      rc = cadre_document_put(&text, ws, "x_a", "1", "{}", NULL);
      break;
    case 4:
      rc = cadre_document_get(&text, ws, "x_a", "1", NULL);
      break;
    case 5:
      rc = cadre_document_list(&text, ws, "x_a", NULL);
      break;
    case 6:
      rc = cadre_document_delete(&version, ws, "x_a", "1", NULL);
      *out_cleared = version == 0;
      return rc;
    case 7:
      rc = cadre_document_history(&text, ws, "x_a", "1");
      break;
    case 8:
      rc = cadre_events_ingest_ndjson(&text, ws, line, strlen(line), CADRE_INGEST_ATOMIC);
      break;
    case 9:
      rc = cadre_events_ingest_sales(&text, ws, &sale, 1, sizeof sale, CADRE_INGEST_ATOMIC);
      break;
    case 10:
      rc = cadre_events_scan(&text, ws, NULL);
      break;
    case 11: {
      cadre_storage storage;
      if (sqlite_storage_open(&storage, ":memory:", 1) != 0) return -1;
      rc = cadre_workspace_open_with_storage(&opened, &storage, NULL);
      *out_cleared = opened == NULL;
      if (rc == CADRE_OK) {
        cadre_workspace_close(opened);
      } else {
        sqlite_storage_free(storage.user); /* a failed open leaves the storage ours */
      }
      return rc;
    }
    case 12:
      rc = cadre_query(&text, ws, "{\"query\":\"org_tree\",\"viewer\":{\"admin\":true}}");
      break;
    case 13:
      rc = cadre_import(&text, ws, "{\"kind\":\"purchases\",\"format\":\"ndjson\"}", read_nothing, NULL, NULL, NULL);
      break;
    case 14:
      rc = cadre_import_file(&text, ws, "{\"kind\":\"customers\"}", g_path, NULL, NULL);
      break;
    case 15:
      rc = cadre_export(&text, ws, "{\"kind\":\"customers\"}", write_nothing, NULL);
      break;
    case 16:
      rc = cadre_export_file(&text, ws, "{\"kind\":\"customers\"}", g_path);
      break;
    default:
      break;
  }
  *out_cleared = text == NULL;
  if (rc == CADRE_OK) cadre_free(text);
  return rc;
}

int main(void) {
  cadre_workspace* ws = NULL;
  int which = -1, kind = 0;
  CHECK(cadre_workspace_open(&ws, "memory:", NULL) == CADRE_OK);
  CHECK(cadre_document_put(NULL, ws, "x_a", "1", "{}", NULL) == CADRE_OK);
  {
    /* cadre_import_file reads the file cadre_export_file writes. */
    char* text = NULL;
    CHECK(cadre_export_file(&text, ws, "{\"kind\":\"customers\",\"all_columns\":true}", g_path) == CADRE_OK);
    cadre_free(text);
  }

  for (which = 0; which < kEntryPoints; ++which) {
    for (kind = kBadAlloc; kind <= kNotAnException; ++kind) {
      int cleared = 0;
      cadre_capi_testing_arm_fault(kind);
      int rc = call(which, ws, &cleared);
      CHECK(cleared);
      if (kind == kBadAlloc) {
        CHECK(rc == CADRE_ERROR_NO_MEMORY);
        CHECK(cadre_error_code() == CADRE_ERROR_NO_MEMORY);
        CHECK(strcmp(cadre_error_message(), "out of memory") == 0);
        CHECK(strstr(cadre_error_details_json(), "\"code\":\"no_memory\"") != NULL);
      } else {
        CHECK(rc == CADRE_ERROR_INTERNAL);
        CHECK(cadre_error_code() == CADRE_ERROR_INTERNAL);
        CHECK(strstr(cadre_error_message(), kNames[which]) != NULL);
        CHECK(strstr(cadre_error_message(), kind == kStdException ? "injected fault" : "unexpected exception") != NULL);
        CHECK(strstr(cadre_error_details_json(), "\"code\":\"internal\"") != NULL);
      }
    }
    /* Unarmed, the same call works again and clears the error state. */
    {
      int cleared = 0;
      kind = 0;
      if (which == 6) CHECK(cadre_document_put(NULL, ws, "x_a", "1", "{}", NULL) == CADRE_OK);
      CHECK(call(which, ws, &cleared) == CADRE_OK);
      CHECK(cadre_error_code() == CADRE_OK);
      CHECK(strcmp(cadre_error_message(), "") == 0);
      CHECK(strcmp(cadre_error_details_json(), "{\"code\":\"ok\",\"message\":\"\"}") == 0);
    }
  }
  cadre_workspace_close(ws);
  remove(g_path);
  printf("fault_test: %d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
