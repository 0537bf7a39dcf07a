/*
 * sqlite_storage.c — cadre's storage vtable over SQLite, in C99 (see
 * sqlite_storage.h). Plain table operations only: cadre decides versions,
 * duplicates, seqs and what a scan returns; this file stores rows and hands
 * them back.
 */
#include "sqlite_storage.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char kSchema[] =
    "CREATE TABLE IF NOT EXISTS documents ("
    "  collection TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,"
    "  effective_from_ns INTEGER NOT NULL, recorded_at_ns INTEGER NOT NULL,"
    "  deleted INTEGER NOT NULL, body TEXT NOT NULL,"
    "  PRIMARY KEY (collection, id, version)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS events ("
    "  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
    "  occurred_at_ns INTEGER NOT NULL, manager TEXT, customer TEXT, json TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS events_by_time ON events(occurred_at_ns);"
    "CREATE INDEX IF NOT EXISTS events_by_manager ON events(manager);"
    "CREATE INDEX IF NOT EXISTS events_by_customer ON events(customer);";

static const char kDocumentColumns[] =
    "SELECT collection, id, version, effective_from_ns, recorded_at_ns, deleted, body FROM documents";

typedef struct sqlite_storage {
  sqlite3* db;
  int use_hints;
  sqlite3_stmt* insert_document;
  sqlite3_stmt* read_document;
  sqlite3_stmt* read_collection;
  sqlite3_stmt* insert_event;
  sqlite3_stmt* find_event;
  sqlite3_stmt* high_water_mark;
  sqlite_storage_faults faults;
  sqlite_storage_counts counts;
} sqlite_storage;

/* ---- Failing ------------------------------------------------------------------- */

static int injected(sqlite_storage* s, const char* what) {
  if (!s->faults.without_message) cadre_storage_set_error(what);
  return SQLITE_STORAGE_INJECTED;
}

/* A SQLite failure: its message for cadre, its code as the result. */
static int sql_failed(sqlite_storage* s, int rc) {
  cadre_storage_set_error(sqlite3_errmsg(s->db));
  return rc;
}

static void maybe_reenter(sqlite_storage* s) {
  uint64_t ignored = 0;
  if (s->faults.reenter == NULL) return;
  s->faults.reenter_result = cadre_workspace_high_water_mark(&ignored, s->faults.reenter);
  snprintf(s->faults.reenter_message, sizeof s->faults.reenter_message, "%s", cadre_error_message());
}

/* ---- Transactions ---------------------------------------------------------------- */

static int storage_begin(void* user) {
  sqlite_storage* s = (sqlite_storage*)user;
  int rc;
  s->counts.begin++;
  if (s->faults.fail_begin) {
    s->faults.fail_begin = 0;
    return injected(s, "injected: begin failed");
  }
  /* IMMEDIATE: other writers of this file wait until commit or rollback. */
  rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  return rc == SQLITE_OK ? 0 : sql_failed(s, rc);
}

static int storage_commit(void* user) {
  sqlite_storage* s = (sqlite_storage*)user;
  int rc;
  s->counts.commit++;
  if (s->faults.fail_commit) {
    s->faults.fail_commit = 0;
    return injected(s, "injected: commit failed"); /* the transaction stays open: cadre rolls it back */
  }
  rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
  return rc == SQLITE_OK ? 0 : sql_failed(s, rc);
}

static int storage_rollback(void* user) {
  sqlite_storage* s = (sqlite_storage*)user;
  int rc = SQLITE_OK;
  s->counts.rollback++;
  if (!sqlite3_get_autocommit(s->db)) rc = sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
  if (s->faults.fail_rollback) {
    s->faults.fail_rollback = 0;
    return injected(s, "injected: rollback failed");
  }
  return rc == SQLITE_OK ? 0 : sql_failed(s, rc);
}

/* ---- Documents ------------------------------------------------------------------ */

static int storage_insert_document(void* user, const cadre_storage_document* row) {
  sqlite_storage* s = (sqlite_storage*)user;
  sqlite3_stmt* st = s->insert_document;
  int rc;
  s->counts.insert_document++;
  if (s->faults.fail_insert_document_at > 0 && --s->faults.fail_insert_document_at == 0) {
    return injected(s, "injected: insert_document failed");
  }
  sqlite3_bind_text(st, 1, row->collection, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, row->id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, row->version);
  sqlite3_bind_int64(st, 4, row->effective_from_ns);
  sqlite3_bind_int64(st, 5, row->recorded_at_ns);
  sqlite3_bind_int(st, 6, row->deleted != 0 ? 1 : 0);
  sqlite3_bind_text(st, 7, row->body, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc == SQLITE_DONE ? 0 : sql_failed(s, rc);
}

/* Emits every row of a statement selecting kDocumentColumns; resets it. */
static int emit_documents(sqlite_storage* s, sqlite3_stmt* st, cadre_storage_document_fn emit, void* payload) {
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    cadre_storage_document row = CADRE_STORAGE_DOCUMENT_INIT;
    if (s->faults.emit_bad_struct_size) row.struct_size = 4;
    row.collection = (const char*)sqlite3_column_text(st, 0);
    row.id = (const char*)sqlite3_column_text(st, 1);
    row.version = sqlite3_column_int64(st, 2);
    row.effective_from_ns = sqlite3_column_int64(st, 3);
    row.recorded_at_ns = sqlite3_column_int64(st, 4);
    row.deleted = sqlite3_column_int(st, 5);
    row.body = (const char*)sqlite3_column_text(st, 6);
    if (emit(&row, payload) != 0) { /* cadre wants no more: it reports its own error */
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc == SQLITE_DONE ? 0 : sql_failed(s, rc);
}

static int storage_read_document(void* user, const char* collection, const char* id, cadre_storage_document_fn emit,
                                 void* payload) {
  sqlite_storage* s = (sqlite_storage*)user;
  s->counts.read_document++;
  if (s->faults.fail_reads) return injected(s, "injected: read_document failed");
  sqlite3_bind_text(s->read_document, 1, collection, -1, SQLITE_STATIC);
  sqlite3_bind_text(s->read_document, 2, id, -1, SQLITE_STATIC);
  return emit_documents(s, s->read_document, emit, payload);
}

static int storage_read_collection(void* user, const char* collection, cadre_storage_document_fn emit, void* payload) {
  sqlite_storage* s = (sqlite_storage*)user;
  s->counts.read_collection++;
  if (s->faults.fail_reads) return injected(s, "injected: read_collection failed");
  sqlite3_bind_text(s->read_collection, 1, collection, -1, SQLITE_STATIC);
  return emit_documents(s, s->read_collection, emit, payload);
}

/* ---- Events --------------------------------------------------------------------- */

static int storage_insert_event(void* user, const cadre_storage_event* row) {
  sqlite_storage* s = (sqlite_storage*)user;
  sqlite3_stmt* st = s->insert_event;
  int rc;
  s->counts.insert_event++;
  if (s->faults.fail_insert_event_at > 0 && --s->faults.fail_insert_event_at == 0) {
    return injected(s, "injected: insert_event failed");
  }
  sqlite3_bind_int64(st, 1, (sqlite3_int64)row->seq);
  sqlite3_bind_text(st, 2, row->id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, row->kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, row->occurred_at_ns);
  sqlite3_bind_text(st, 5, row->manager, -1, SQLITE_STATIC); /* NULL binds SQL NULL */
  sqlite3_bind_text(st, 6, row->customer, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 7, row->json, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc == SQLITE_DONE ? 0 : sql_failed(s, rc);
}

/* Emits every row of a statement selecting (seq, json); resets it. cadre reads
 * only seq and json back, so that is all this host selects. */
static int emit_events(sqlite_storage* s, sqlite3_stmt* st, int times, cadre_storage_event_fn emit, void* payload) {
  int rc = SQLITE_DONE;
  int stop = 0;
  while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    int i;
    cadre_storage_event row = CADRE_STORAGE_EVENT_INIT;
    if (s->faults.emit_bad_struct_size) row.struct_size = 4;
    row.seq = (uint64_t)sqlite3_column_int64(st, 0);
    row.json = (const char*)sqlite3_column_text(st, 1);
    for (i = 0; i < times && !stop; ++i) stop = emit(&row, payload) != 0;
  }
  if (stop) rc = SQLITE_DONE;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc == SQLITE_DONE ? 0 : sql_failed(s, rc);
}

static int storage_find_event(void* user, const char* id, cadre_storage_event_fn emit, void* payload) {
  sqlite_storage* s = (sqlite_storage*)user;
  s->counts.find_event++;
  maybe_reenter(s);
  if (s->faults.fail_reads) return injected(s, "injected: find_event failed");
  sqlite3_bind_text(s->find_event, 1, id, -1, SQLITE_STATIC);
  return emit_events(s, s->find_event, 1, emit, payload);
}

static int storage_scan_events(void* user, const cadre_storage_event_filter* filter, cadre_storage_event_fn emit,
                               void* payload) {
  sqlite_storage* s = (sqlite_storage*)user;
  sqlite3_stmt* st = NULL;
  char* sql;
  size_t cap, i;
  int rc, param = 0;
  s->counts.scan_events++;
  if (s->faults.fail_reads) return injected(s, "injected: scan_events failed");
  cap = 512 + filter->n_kinds * 8;
  sql = (char*)malloc(cap);
  if (sql == NULL) return injected(s, "out of memory");
  if (!s->use_hints) {
    snprintf(sql, cap, "SELECT seq, json FROM events");
  } else {
    /* Every hint, applied exactly as cadre.h defines it. */
    size_t len = (size_t)snprintf(sql, cap,
                                  "SELECT seq, json FROM events WHERE seq > ?1 AND occurred_at_ns >= ?2"
                                  " AND occurred_at_ns < ?3");
    if (filter->n_kinds > 0) {
      len += (size_t)snprintf(sql + len, cap - len, " AND kind IN (");
      for (i = 0; i < filter->n_kinds; ++i) len += (size_t)snprintf(sql + len, cap - len, i > 0 ? ", ?" : "?");
      len += (size_t)snprintf(sql + len, cap - len, ")");
    }
    if (filter->manager != NULL) len += (size_t)snprintf(sql + len, cap - len, " AND manager = ?");
    if (filter->customer != NULL) len += (size_t)snprintf(sql + len, cap - len, " AND customer = ?");
  }
  rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
  free(sql);
  if (rc != SQLITE_OK) return sql_failed(s, rc);
  if (s->use_hints) {
    /* after_seq above INT64_MAX matches nothing in a table of int64 seqs. */
    sqlite3_bind_int64(st, ++param,
                       filter->after_seq > (uint64_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)filter->after_seq);
    sqlite3_bind_int64(st, ++param, filter->from_ns);
    sqlite3_bind_int64(st, ++param, filter->until_ns);
    for (i = 0; i < filter->n_kinds; ++i) sqlite3_bind_text(st, ++param, filter->kinds[i], -1, SQLITE_STATIC);
    if (filter->manager != NULL) sqlite3_bind_text(st, ++param, filter->manager, -1, SQLITE_STATIC);
    if (filter->customer != NULL) sqlite3_bind_text(st, ++param, filter->customer, -1, SQLITE_STATIC);
  }
  rc = emit_events(s, st, s->faults.emit_twice ? 2 : 1, emit, payload);
  sqlite3_finalize(st);
  return rc;
}

static int storage_high_water_mark(uint64_t* out_seq, void* user) {
  sqlite_storage* s = (sqlite_storage*)user;
  int rc;
  s->counts.high_water_mark++;
  maybe_reenter(s);
  if (s->faults.fail_reads) return injected(s, "injected: high_water_mark failed");
  rc = sqlite3_step(s->high_water_mark);
  if (rc == SQLITE_ROW) *out_seq = (uint64_t)sqlite3_column_int64(s->high_water_mark, 0);
  sqlite3_reset(s->high_water_mark);
  return rc == SQLITE_ROW ? 0 : sql_failed(s, rc);
}

/* ---- Life ------------------------------------------------------------------------ */

void sqlite_storage_free(void* user) {
  sqlite_storage* s = (sqlite_storage*)user;
  if (s == NULL) return;
  sqlite3_finalize(s->insert_document);
  sqlite3_finalize(s->read_document);
  sqlite3_finalize(s->read_collection);
  sqlite3_finalize(s->insert_event);
  sqlite3_finalize(s->find_event);
  sqlite3_finalize(s->high_water_mark);
  sqlite3_close(s->db);
  free(s);
}

static void storage_destroy(void* user) {
  sqlite_storage* s = (sqlite_storage*)user;
  if (s->faults.destroyed != NULL) ++*s->faults.destroyed;
  sqlite_storage_free(s);
}

static int prepare(sqlite_storage* s, const char* sql, sqlite3_stmt** out) {
  int rc = sqlite3_prepare_v2(s->db, sql, -1, out, NULL);
  if (rc != SQLITE_OK) fprintf(stderr, "sqlite_storage: prepare \"%s\": %s\n", sql, sqlite3_errmsg(s->db));
  return rc;
}

int sqlite_storage_open(cadre_storage* out, const char* path, int use_hints) {
  char sql[256];
  char* error = NULL;
  sqlite_storage* s = (sqlite_storage*)calloc(1, sizeof *s);
  cadre_storage vtable = CADRE_STORAGE_INIT;
  if (s == NULL) return -1;
  s->use_hints = use_hints;
  s->faults.reenter_result = -1;
  if (sqlite3_open(path, &s->db) != SQLITE_OK) {
    fprintf(stderr, "sqlite_storage: open %s: %s\n", path, sqlite3_errmsg(s->db));
    sqlite_storage_free(s);
    return -1;
  }
  sqlite3_busy_timeout(s->db, 5000);
  /* WAL with synchronous=NORMAL: a commit is atomic and survives a crash of the
   * process without an fsync per commit. */
  if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, &error) != SQLITE_OK ||
      sqlite3_exec(s->db, kSchema, NULL, NULL, &error) != SQLITE_OK) {
    fprintf(stderr, "sqlite_storage: schema of %s: %s\n", path, error != NULL ? error : "?");
    sqlite3_free(error);
    sqlite_storage_free(s);
    return -1;
  }
  snprintf(sql, sizeof sql, "%s WHERE collection = ?1 AND id = ?2", kDocumentColumns);
  if (prepare(s, sql, &s->read_document) != SQLITE_OK) goto fail;
  snprintf(sql, sizeof sql, "%s WHERE collection = ?1", kDocumentColumns);
  if (prepare(s, sql, &s->read_collection) != SQLITE_OK ||
      prepare(s,
              "INSERT INTO documents (collection, id, version, effective_from_ns, recorded_at_ns, deleted, body)"
              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
              &s->insert_document) != SQLITE_OK ||
      prepare(s,
              "INSERT INTO events (seq, id, kind, occurred_at_ns, manager, customer, json)"
              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
              &s->insert_event) != SQLITE_OK ||
      prepare(s, "SELECT seq, json FROM events WHERE id = ?1", &s->find_event) != SQLITE_OK ||
      prepare(s, "SELECT coalesce(max(seq), 0) FROM events", &s->high_water_mark) != SQLITE_OK) {
    goto fail;
  }

  vtable.user = s;
  vtable.begin = storage_begin;
  vtable.commit = storage_commit;
  vtable.rollback = storage_rollback;
  vtable.insert_document = storage_insert_document;
  vtable.read_document = storage_read_document;
  vtable.read_collection = storage_read_collection;
  vtable.insert_event = storage_insert_event;
  vtable.find_event = storage_find_event;
  vtable.scan_events = storage_scan_events;
  vtable.high_water_mark = storage_high_water_mark;
  vtable.destroy = storage_destroy;
  *out = vtable;
  return 0;

fail:
  sqlite_storage_free(s);
  return -1;
}

sqlite_storage_faults* sqlite_storage_faults_of(void* user) { return &((sqlite_storage*)user)->faults; }

sqlite_storage_counts* sqlite_storage_counts_of(void* user) { return &((sqlite_storage*)user)->counts; }

long sqlite_storage_count_rows(const char* path, const char* table) {
  sqlite3* db = NULL;
  sqlite3_stmt* st = NULL;
  char sql[128];
  long count = -1;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
      count = (long)sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return count;
}
