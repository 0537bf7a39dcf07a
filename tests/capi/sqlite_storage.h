/*
 * sqlite_storage.h — a host's own database behind cadre's storage vtable: a
 * cadre_storage written in C99 over the sqlite3 C API, in one file, as an ERP
 * would write it. Used by the C tests (storage_test.c) and by the store
 * conformance suite (host_store_test.cc); test code, not part of libcadre.
 *
 *   cadre_storage storage;
 *   if (sqlite_storage_open(&storage, "erp.db", 1) != 0) return 1;
 *   cadre_workspace* ws = NULL;
 *   if (cadre_workspace_open_with_storage(&ws, &storage, NULL) != CADRE_OK) {
 *     sqlite_storage_free(storage.user);  // still ours: the open failed
 *     return 1;
 *   }
 *   ...
 *   cadre_workspace_close(ws);  // calls storage.destroy(storage.user)
 *
 * Tests arm faults through sqlite_storage_faults_of(user) and count calls through
 * sqlite_storage_counts_of(user).
 */
#ifndef CADRE_TESTS_CAPI_SQLITE_STORAGE_H_
#define CADRE_TESTS_CAPI_SQLITE_STORAGE_H_

#include "cadre/cadre.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What to break. A failing callback returns SQLITE_STORAGE_INJECTED and, unless
 * without_message is set, first calls cadre_storage_set_error with a message that
 * starts with "injected:". */
#define SQLITE_STORAGE_INJECTED 42

typedef struct sqlite_storage_faults {
  int fail_insert_event_at;    /* > 0: the Nth insert_event call from now fails (once) */
  int fail_insert_document_at; /* > 0: the Nth insert_document call from now fails (once) */
  int fail_begin;              /* non-zero: the next begin fails */
  int fail_commit;             /* non-zero: the next commit fails (the transaction stays open) */
  int fail_rollback;           /* non-zero: the next rollback fails (after rolling back) */
  int fail_reads;              /* non-zero: every read callback fails, including high_water_mark */
  int without_message;         /* failures do not call cadre_storage_set_error */
  int emit_bad_struct_size;    /* rows are emitted with struct_size 4 */
  int emit_twice;              /* scan_events emits every row twice */
  /* Non-NULL: find_event and high_water_mark call cadre_workspace_high_water_mark
   * on it (re-entry, which cadre refuses) and keep what it returned. */
  cadre_workspace* reenter;
  int reenter_result;        /* -1 until a re-entry happened */
  char reenter_message[256]; /* cadre_error_message() right after it */
  int* destroyed;            /* non-NULL: destroy (cadre's call, not sqlite_storage_free) adds 1 to *destroyed */
} sqlite_storage_faults;

/* How often each callback ran. */
typedef struct sqlite_storage_counts {
  int begin, commit, rollback;
  int insert_document, read_document, read_collection;
  int insert_event, find_event, scan_events, high_water_mark;
} sqlite_storage_counts;

/*
 * Opens (creating it and its tables if missing) the SQLite file at `path` and
 * fills *out with a vtable over it: every callback set, user the storage,
 * destroy closing the file and freeing it. With use_hints scan_events applies
 * the filter in SQL; without, it emits every event (cadre must filter). Returns
 * 0, or -1 with a message on stderr (nothing to free then).
 */
int sqlite_storage_open(cadre_storage* out, const char* path, int use_hints);

/* What destroy does, for a storage cadre did not take over (its open failed). */
void sqlite_storage_free(void* user);

sqlite_storage_faults* sqlite_storage_faults_of(void* user);
sqlite_storage_counts* sqlite_storage_counts_of(void* user);

/* The number of rows of `table` in the file at `path`, read through a connection
 * of its own (what is really on disk); -1 on error. */
long sqlite_storage_count_rows(const char* path, const char* table);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CADRE_TESTS_CAPI_SQLITE_STORAGE_H_ */
