/*
 * cadre.h — the stable C ABI of cadre.
 *
 * This header is the whole contract between cadre and a host that links
 * libcadre (an ERP, a POS, a language binding). It is C99, includes only
 * <stddef.h> and <stdint.h>, and exposes no C++ or abseil type. Entities and
 * results cross the boundary as UTF-8 JSON text; bulk sales also as plain C
 * structs (the fast path).
 *
 *   cadre_workspace* ws = NULL;
 *   cadre_workspace_options opts = CADRE_WORKSPACE_OPTIONS_INIT;
 *   opts.currency = "CNY";
 *   opts.time_zone = "Asia/Shanghai";
 *   if (cadre_workspace_open(&ws, "sqlite:crm.db", &opts) != CADRE_OK) {
 *     fprintf(stderr, "open: %s\n", cadre_error_message());
 *     return 1;
 *   }
 *   char* report = NULL;
 *   if (cadre_events_ingest_ndjson(&report, ws, text, strlen(text), CADRE_INGEST_ATOMIC) == CADRE_OK) {
 *     puts(report);  // {"received":2,"accepted":2,"duplicates":0,"committed":true,...}
 *     cadre_free(report);
 *   }
 *   cadre_workspace_close(ws);
 *
 * Conventions (they hold for every declaration below unless it says otherwise)
 *
 * - Status. Every fallible function returns an int: CADRE_OK (0) or one of the
 *   CADRE_ERROR_* codes. Right after a call, on the same thread,
 *   cadre_error_code(), cadre_error_message() and cadre_error_details_json()
 *   describe its outcome.
 * - Out-parameters come first and are named out*. On failure a pointer
 *   out-parameter is set to NULL and a number out-parameter to 0, so a host never
 *   sees a half-made result. Where an out-parameter is documented as optional
 *   ("may be NULL"), passing NULL skips that result.
 * - Ownership. What the library hands out through char** is the caller's: free it
 *   with cadre_free() (not free(): the library may use another allocator). Input
 *   pointers are only read during the call and are never kept; the caller may free
 *   or reuse them as soon as the call returns.
 * - Strings are NUL-terminated UTF-8 unless a length is passed beside them. Times
 *   in text are RFC 3339 ("2025-06-18T10:00:00+08:00", "2025-06-18T02:00:00Z").
 * - Misuse. A NULL handle, a NULL required pointer, or an options struct whose
 *   struct_size is not valid is CADRE_ERROR_MISUSE: a bug in the caller, reported
 *   without side effects, never a crash.
 * - Exceptions never cross this boundary; every entry point catches everything.
 * - Thread-safety. Every function may be called from any thread. A
 *   cadre_workspace is safe to share: any number of threads may use one handle at
 *   once (reads run concurrently; writes are serialised, and a reader sees each
 *   write whole or not at all). The last-error state is per thread.
 * - Versioned structs (options, rows) begin with their size or are passed with
 *   it, come with an _INIT macro, and only ever grow at their end. A field is
 *   only ever added so that sizeof grows on every platform (never into trailing
 *   padding), so the size tells the library which fields the caller knows. A
 *   library reading a struct larger than its own refuses it if the fields it
 *   does not know are non-zero, so a setting is never silently ignored.
 *
 * Lifecycle (each symbol's, as DuckDB writes it down). Every declaration here is
 * stable unless its comment says "Unstable:". A stable declaration never changes
 * within a major version: names, signatures, struct layouts and code numbers stay;
 * new functions, codes, struct fields at the end and JSON keys may be added. A
 * changed signature gets a new name (cadre_x_v2) and the old one is marked
 * "Deprecated:" and kept until the next major version. JSON results may gain
 * keys: hosts must ignore keys they do not know. The exported symbol list is
 * pinned by tests/capi/symbols.txt.
 */
#ifndef CADRE_CADRE_H_
#define CADRE_CADRE_H_

#include <stddef.h>
#include <stdint.h>

/* ---- Export ------------------------------------------------------------- */

#if defined(_WIN32) || defined(__CYGWIN__)
#if defined(CADRE_BUILDING_LIBRARY)
#define CADRE_API __declspec(dllexport)
#else
#define CADRE_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define CADRE_API __attribute__((visibility("default")))
#else
#define CADRE_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Version ------------------------------------------------------------ */

/*
 * The version of this header. They equal the library's cadre_version() and
 * cadre_version_string() when header and library come from the same release; a
 * host can compare them at start-up to catch a mismatched deployment.
 * CADRE_VERSION_NUMBER is MAJOR * 1000000 + MINOR * 1000 + PATCH.
 */
#define CADRE_VERSION_MAJOR 0
#define CADRE_VERSION_MINOR 1
#define CADRE_VERSION_PATCH 0
#define CADRE_VERSION_STRING "0.1.0"
#define CADRE_VERSION_NUMBER (CADRE_VERSION_MAJOR * 1000000 + CADRE_VERSION_MINOR * 1000 + CADRE_VERSION_PATCH)

/* The library's CADRE_VERSION_NUMBER. Never fails; does not touch the error state. Thread-safe. */
CADRE_API int cadre_version(void);

/* The library's CADRE_VERSION_STRING: static, never NULL, never freed. Does not
 * touch the error state. Thread-safe. */
CADRE_API const char* cadre_version_string(void);

/* ---- Status codes -------------------------------------------------------- */

/*
 * Frozen: these numbers never change. Later versions may add codes after the
 * last one; a host must treat a code it does not know like CADRE_ERROR_INTERNAL.
 */
#define CADRE_OK 0
/* Bad input: malformed JSON, a field of the wrong type or breaking a rule, an
 * unknown collection, a bad time text, a mode that does not exist. The details
 * name the field (JSON path), the value and the rule. Nothing was written. */
#define CADRE_ERROR_INVALID_ARGUMENT 1
/* The document (or other named thing) does not exist (at that time). */
#define CADRE_ERROR_NOT_FOUND 2
/* The thing to create exists already. */
#define CADRE_ERROR_ALREADY_EXISTS 3
/* Optimistic concurrency: the expected version is stale (someone else wrote
 * first). Nothing was written; re-read and retry. */
#define CADRE_ERROR_CONFLICT 4
/* The call is valid but the state does not allow it, e.g. opening a workspace
 * with a currency other than the one it was created with, or a store written by
 * a newer cadre. */
#define CADRE_ERROR_FAILED_PRECONDITION 5
/* A number is out of its range (arithmetic overflow, a time out of range). */
#define CADRE_ERROR_OUT_OF_RANGE 6
/* The store could not be read or written: I/O error, file busy or locked,
 * permission denied, disk full. Nothing of the call was written; it may succeed
 * when retried. */
#define CADRE_ERROR_UNAVAILABLE 7
/* A host's own callback (see cadre_storage) reported a failure; the message
 * carries the host's message. */
#define CADRE_ERROR_HOST_CALLBACK 8
/* A bug in cadre, or a store damaged beyond use. Please report it. */
#define CADRE_ERROR_INTERNAL 9
/* Memory ran out. Nothing of the call was written. */
#define CADRE_ERROR_NO_MEMORY 10
/* The caller broke the API contract: a NULL handle or required pointer, a wrong
 * struct_size or row_size. A bug in the caller. */
#define CADRE_ERROR_MISUSE 11
/* The viewer a query is asked for may not ask it: a query reserved to admins, a
 * unit the viewer does not lead, a viewer who is not (or no longer) a manager.
 * (A customer outside the viewer's scope is NOT_FOUND instead, so that it cannot
 * be told from one that does not exist.) */
#define CADRE_ERROR_PERMISSION_DENIED 12

/*
 * The name of a status code as it appears in the details JSON: "ok",
 * "invalid_argument", "not_found", "already_exists", "conflict",
 * "failed_precondition", "out_of_range", "unavailable", "host_callback",
 * "internal", "no_memory", "misuse", "permission_denied"; "unknown" for any
 * other number. Static,
 * never NULL. Does not touch the error state.
 * Thread-safe.
 */
CADRE_API const char* cadre_status_name(int code);

/* ---- Last error (per thread) ---------------------------------------------- */

/*
 * Every function that returns a status sets the calling thread's last-error state:
 * on success it is cleared (code CADRE_OK, message ""), on failure it describes
 * the failure. The functions of this section, cadre_status_name, cadre_version*,
 * cadre_free and cadre_workspace_close leave it alone, so it can be read after a
 * cleanup.
 *
 * The returned strings are owned by the library, never NULL, and valid until the
 * next status-returning cadre call on the same thread. Copy them to keep them.
 */

/* The status of the thread's last status-returning call. Thread-safe: reads the calling thread's own state. */
CADRE_API int cadre_error_code(void);

/* A message for people, e.g.
 * `level: expected integer, got "two"`. "" after a success. Thread-safe: reads the calling thread's own state. */
CADRE_API const char* cadre_error_message(void);

/*
 * The same as a JSON object, for programs:
 *   {"code":"invalid_argument","message":"...","path":"level","value":"two","rule":"expected integer"}
 * "code" is cadre_status_name() of the code and "message" the message; both are
 * always present ({"code":"ok","message":""} after a success). When the error is
 * about one field of the input, "path" (JSON path within that input, e.g.
 * "events[3].amount_minor", or "level" for a field of a document body), "rule" and, when the field was
 * present, "value" (the offending value as JSON) are present too.
 * Thread-safe: reads the calling thread's own state.
 */
CADRE_API const char* cadre_error_details_json(void);

/* ---- Memory ------------------------------------------------------------- */

/* Frees a result the library allocated (every char* written through a char**
 * out-parameter). NULL is allowed and does nothing. Does not touch the error
 * state. Thread-safe; a result may be freed on another thread than the one that got it. */
CADRE_API void cadre_free(void* p);

/* ---- Workspace ------------------------------------------------------------ */

/*
 * One retailer's cadre: one store, one reporting currency, one time zone in which
 * periods are read. Opaque; open with cadre_workspace_open, close with
 * cadre_workspace_close. Thread-safe (see above).
 */
typedef struct cadre_workspace cadre_workspace;

/*
 * Options of cadre_workspace_open. Initialise with CADRE_WORKSPACE_OPTIONS_INIT
 * and then set fields: struct_size tells the library which version of the struct
 * the caller was compiled with.
 */
typedef struct cadre_workspace_options {
  /* sizeof(cadre_workspace_options) as the caller compiled it (the INIT macro sets it). */
  uint32_t struct_size;
  /* Reporting currency, ISO 4217 ("CNY"). NULL or "": for a new workspace CNY,
   * for an existing one as stored. A value other than the stored one is
   * CADRE_ERROR_FAILED_PRECONDITION: a workspace's currency never changes. */
  const char* currency;
  /* IANA time zone ("Asia/Shanghai"). NULL or "": for a new workspace UTC, for an
   * existing one as stored; another value than the stored one is
   * CADRE_ERROR_FAILED_PRECONDITION. */
  const char* time_zone;
} cadre_workspace_options;

#define CADRE_WORKSPACE_OPTIONS_INIT \
  { sizeof(cadre_workspace_options), NULL, NULL }

/*
 * Opens, creating it if new, the workspace stored at `uri`:
 *   "memory:"       a new, empty, in-memory workspace (gone when closed)
 *   "sqlite:PATH"   a SQLite file, created if missing
 * `opts` may be NULL (all defaults). The options are only read during the call.
 *
 * On success *out is a new handle, the caller's, to be closed with
 * cadre_workspace_close. On failure *out is NULL.
 * Errors: INVALID_ARGUMENT (unknown scheme, bad currency or zone, an options
 * field unknown to this library version is set), FAILED_PRECONDITION (currency
 * or zone differ from the stored ones, store from a newer cadre), UNAVAILABLE
 * (the file cannot be opened), MISUSE (out or uri NULL, opts->struct_size wrong).
 * Thread-safe.
 */
CADRE_API int cadre_workspace_open(cadre_workspace** out, const char* uri, const cadre_workspace_options* opts);

/*
 * Closes a workspace and frees the handle; NULL does nothing. The handle must not
 * be used afterwards, and no other thread may be using it during the call (the
 * caller ensures every other call on it has returned). Results obtained from it
 * earlier (JSON text) stay valid: they are the caller's. Does not touch the error
 * state.
 */
CADRE_API void cadre_workspace_close(cadre_workspace* ws);

/*
 * The settings the workspace was created with, as a JSON object:
 *   {"currency":"CNY","time_zone":"Asia/Shanghai","created_at":"2025-06-18T02:00:00Z"}
 * *out_json is the caller's (cadre_free); NULL on failure.
 * Thread-safe.
 */
CADRE_API int cadre_workspace_settings(char** out_json, cadre_workspace* ws);

/*
 * The largest event sequence number in the workspace's log (0 while it is empty).
 * Each accepted event gets the next number; a host can use it as a cheap change
 * marker. *out is 0 on failure.
 * Thread-safe.
 */
CADRE_API int cadre_workspace_high_water_mark(uint64_t* out, cadre_workspace* ws);

/* ---- Documents ------------------------------------------------------------ */

/*
 * Documents are JSON objects kept in named collections by id, each write a new
 * version 1, 2, 3, ... Typed collections ("org_units", "managers", "customers",
 * and those later modules add) are checked against their type before anything is
 * written; collections named "x_..." hold any JSON object of the host's own.
 * Other collection names are INVALID_ARGUMENT. A typed document's "id" field, if
 * present, must equal the id passed beside it.
 *
 * A document as returned by cadre_document_get / _list / _history:
 *   {"collection":"managers","id":"M-1","version":2,
 *    "effective_from":"2025-07-01T00:00:00Z","recorded_at":"2025-06-18T02:00:00Z",
 *    "body":{...the document...}}
 * "effective_from" is null for a version that is in force for all time.
 */

/* Options of cadre_document_put and cadre_document_delete. Initialise with
 * CADRE_PUT_OPTIONS_INIT. */
typedef struct cadre_put_options {
  /* sizeof(cadre_put_options) as the caller compiled it (the INIT macro sets it). */
  uint32_t struct_size;
  /* Non-zero: succeed only if the document's newest version is expected_version
   * (0: the document must not exist yet); otherwise CADRE_ERROR_CONFLICT and
   * nothing is written. Zero: write whatever the current version. */
  int32_t has_expected_version;
  int64_t expected_version;
  /* RFC 3339 instant from which this version is in force, or NULL: for all time
   * (it replaces earlier versions for every date they do not themselves cover
   * more recently). */
  const char* effective_from;
} cadre_put_options;

#define CADRE_PUT_OPTIONS_INIT \
  { sizeof(cadre_put_options), 0, 0, NULL }

/*
 * Writes a new version of collection/id with the JSON object `json_body`.
 * `opts` may be NULL (no version check, in force for all time).
 *
 * out_json may be NULL. Otherwise on success *out_json is the written version's
 * metadata, the caller's (cadre_free):
 *   {"collection":"managers","id":"M-1","version":3,"effective_from":null,"recorded_at":"..."}
 * and NULL on failure.
 * Errors: INVALID_ARGUMENT (bad JSON or a field breaking a rule — the details'
 * "path" names it, relative to the body; unknown collection; bad effective_from),
 * CONFLICT (stale expected_version), UNAVAILABLE, MISUSE.
 * Thread-safe; writes to one workspace are serialised.
 */
CADRE_API int cadre_document_put(char** out_json, cadre_workspace* ws, const char* collection, const char* id,
                                 const char* json_body, const cadre_put_options* opts);

/*
 * The version of collection/id in force at `as_of` (RFC 3339), or the newest
 * version when as_of is NULL, as a document object (see above). *out_json is the
 * caller's (cadre_free); NULL on failure.
 * Errors: NOT_FOUND (no such document, or deleted, or not yet in force at as_of),
 * INVALID_ARGUMENT (bad as_of, unknown collection), UNAVAILABLE, MISUSE.
 * Thread-safe.
 */
CADRE_API int cadre_document_get(char** out_json, cadre_workspace* ws, const char* collection, const char* id,
                                 const char* as_of);

/*
 * Every document of `collection` in force at `as_of` (NULL: the newest), ordered by
 * id, as {"documents":[<document>, ...]} (an empty collection gives
 * {"documents":[]}). *out_json is the caller's (cadre_free); NULL on failure.
 * Errors: INVALID_ARGUMENT (bad as_of, unknown collection), UNAVAILABLE, MISUSE.
 * Thread-safe.
 */
CADRE_API int cadre_document_list(char** out_json, cadre_workspace* ws, const char* collection, const char* as_of);

/*
 * Deletes collection/id: writes a tombstone version, so that from
 * opts->effective_from on (NULL opts or NULL effective_from: for all time) the
 * document is not in force. Earlier versions stay in its history.
 * `opts` may be NULL; opts->has_expected_version works as for put.
 * out_version may be NULL; otherwise *out_version is the tombstone's version on
 * success and 0 on failure.
 * Errors: NOT_FOUND (no such document), CONFLICT, INVALID_ARGUMENT, UNAVAILABLE,
 * MISUSE.
 * Thread-safe; writes to one workspace are serialised.
 */
CADRE_API int cadre_document_delete(int64_t* out_version, cadre_workspace* ws, const char* collection, const char* id,
                                    const cadre_put_options* opts);

/*
 * Every version of collection/id, oldest first, tombstones included:
 *   {"versions":[{"collection":..,"id":..,"version":1,"effective_from":..,"recorded_at":..,
 *                 "deleted":false,"body":{...}}, ...]}
 * A tombstone has "deleted":true and no "body". *out_json is the caller's
 * (cadre_free); NULL on failure.
 * Errors: NOT_FOUND (the document never existed), INVALID_ARGUMENT, UNAVAILABLE,
 * MISUSE.
 * Thread-safe.
 */
CADRE_API int cadre_document_history(char** out_json, cadre_workspace* ws, const char* collection, const char* id);

/* ---- Events --------------------------------------------------------------- */

/*
 * Facts are events: sales and returns (optionally with line items), interactions,
 * assignments, reversals, pool reminders, follow-up tasks and their completion,
 * opportunity stage moves (docs/events-and-documents.md has every kind). Each has
 * an id chosen by the host, which makes ingest idempotent: an id already logged
 * with the same content counts as a duplicate and is not written again; with
 * other content it is rejected.
 *
 * An ingest call validates a batch and appends it. The status says whether the
 * call ran: CADRE_OK means the batch was examined and the report tells what
 * happened to every row — it does NOT mean every row was written. The report
 * (the caller's, cadre_free) is a JSON object:
 *   {"received":3,"accepted":1,"duplicates":1,
 *    "rejected":[{"index":2,"line":3,"id":"S-3","path":"events[2].amount_minor",
 *                 "message":"events[2].amount_minor: ..."}],
 *    "committed":true,"first_seq":8,"last_seq":8}
 * "rejected" is left out when no row was rejected. "committed" is false when
 * nothing was written (an atomic batch with a bad row, or nothing new).
 * A failed call (store failure, misuse) wrote nothing, and *out_report_json is
 * NULL.
 */

/* Ingest modes. */
#define CADRE_INGEST_ATOMIC 0      /* any bad row refuses the whole batch; nothing is written */
#define CADRE_INGEST_BEST_EFFORT 1 /* valid rows are written; bad rows are reported */

/*
 * Ingests `len` bytes of NDJSON: one event object per line, blank lines skipped
 * (the text need not be NUL-terminated; ndjson may be NULL when len is 0). The
 * wire form of an event:
 *   {"id":"S-1001","kind":"sale","occurred_at":"2025-06-18T10:00:00+08:00",
 *    "customer":"C-42","manager":"M-7","amount_minor":129900,"quantity":1,
 *    "category":"appliances","sku":"AC-2","reference":"ORDER-88"}
 * A row's "index" counts non-blank lines from 0; "line" is the 1-based line.
 * Errors: INVALID_ARGUMENT (mode unknown), UNAVAILABLE, MISUSE (out_report_json,
 * ws NULL; ndjson NULL with len > 0).
 * Thread-safe; ingests into one workspace are serialised.
 */
CADRE_API int cadre_events_ingest_ndjson(char** out_report_json, cadre_workspace* ws, const char* ndjson, size_t len,
                                         int mode);

/* cadre_sale.kind */
#define CADRE_SALE_KIND_SALE 0   /* a purchase: amount_minor is the gross amount */
#define CADRE_SALE_KIND_RETURN 1 /* goods returned: amount_minor is the amount refunded */

/*
 * One sale or return, for the fast path: no JSON is built or parsed. The amount is
 * in the workspace currency. String pointers are only read during the call.
 *
 * The array passed to cadre_events_ingest_sales is read with the element size the
 * caller passes (row_size = sizeof(cadre_sale) as the caller compiled it), so a
 * later header may append fields: an older library reads the fields it knows and
 * refuses rows whose fields it does not know are non-zero; a newer library treats
 * fields missing from a smaller row as zero/NULL.
 */
typedef struct cadre_sale {
  const char* id;        /* required: the host's id of the event (the idempotency key) */
  const char* manager;   /* the account manager credited, or NULL */
  const char* customer;  /* the customer, or NULL */
  const char* category;  /* product category, or NULL */
  const char* sku;       /* or NULL */
  const char* reference; /* order or receipt id, or NULL */
  int64_t occurred_at;   /* when it happened: microseconds since 1970-01-01T00:00:00Z */
  int64_t amount_minor;  /* in minor units of the workspace currency (fen for CNY), > 0 */
  int64_t quantity;      /* number of items; 0: not given */
  int32_t kind;          /* CADRE_SALE_KIND_SALE or CADRE_SALE_KIND_RETURN */
  uint32_t reserved;     /* must be 0 */
} cadre_sale;

#define CADRE_SALE_INIT \
  { NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, CADRE_SALE_KIND_SALE, 0 }

/*
 * Ingests `n` rows of `row_size` bytes each (pass sizeof(cadre_sale)); rows may be
 * NULL when n is 0. Same validation, idempotency and report as NDJSON ("line" is
 * 0, "index" is the row). A NULL id is reported as a rejected row.
 * Errors: INVALID_ARGUMENT (mode unknown; a row whose kind is unknown or whose
 * reserved or unknown fields are non-zero — the details' path names it,
 * e.g. "rows[4].kind"; nothing is written then), UNAVAILABLE, MISUSE (out_report_json,
 * ws NULL; rows NULL with n > 0; row_size smaller than the first cadre_sale).
 * Thread-safe; ingests into one workspace are serialised.
 */
CADRE_API int cadre_events_ingest_sales(char** out_report_json, cadre_workspace* ws, const cadre_sale* rows, size_t n,
                                        size_t row_size, int mode);

/*
 * The logged events matching `query_json` (NULL or "{}": all), as
 *   {"events":[{"seq":1,"event":{...wire form...}}, ...]}
 * The query is a JSON object; every key is optional:
 *   {"from":"2025-06-01T00:00:00+08:00",   occurred_at >= from
 *    "until":"2025-07-01T00:00:00+08:00",  occurred_at < until
 *    "kinds":["sale","return"],            empty or absent: every kind
 *    "manager":"M-7", "customer":"C-42",
 *    "after_seq":120,                      only seq > after_seq
 *    "order":"by_time" | "by_seq",         by_time (default): (occurred_at, seq)
 *    "limit":1000}
 * Unknown keys are refused. Large logs should be read in pages: order by_seq,
 * a limit, and after_seq = the last seq seen. *out_json is the caller's
 * (cadre_free); NULL on failure.
 * Errors: INVALID_ARGUMENT (bad query; the details' path names the key),
 * UNAVAILABLE, MISUSE.
 * Thread-safe; sees each ingested batch whole or not at all.
 */
CADRE_API int cadre_events_scan(char** out_json, cadre_workspace* ws, const char* query_json);

/* ---- Storage vtable: cadre's data in the host's own database -------------- */

/*
 * A host that wants cadre's documents and events in its own database (its own
 * schema, backups and replication) opens a workspace with
 * cadre_workspace_open_with_storage and a cadre_storage: callbacks that are plain
 * operations on two tables. cadre keeps every rule of its store on top of them:
 * document versions and expected_version conflicts, effective-dated "as of"
 * reads, tombstones, event ids (duplicates and conflicts), all-or-nothing
 * batches, sequence numbers, scan filters and order. A host stores rows and hands
 * them back; it decides nothing.
 *
 * Two tables hold everything (any schema that keeps these rows will do):
 *   documents(collection TEXT, id TEXT, version INTEGER, effective_from_ns INTEGER,
 *             recorded_at_ns INTEGER, deleted INTEGER, body TEXT,
 *             PRIMARY KEY (collection, id, version))
 *   events(seq INTEGER PRIMARY KEY, id TEXT UNIQUE, kind TEXT,
 *          occurred_at_ns INTEGER, manager TEXT, customer TEXT, json TEXT)
 * plus, for scans that use the filter hints, indexes on events(occurred_at_ns),
 * events(manager) and events(customer).
 *
 * Results. Every callback returns 0 on success and any other value on failure.
 * Before it returns non-zero it may call cadre_storage_set_error() with a message.
 * The cadre call that was running then fails with CADRE_ERROR_HOST_CALLBACK: its
 * message names the callback and carries the host's message, and its details
 * JSON adds "callback" (the field's name, e.g. "insert_event") and "result" (the
 * value returned), e.g.
 *   {"code":"host_callback","message":"cadre_storage.insert_event failed (returned 5): disk full",
 *    "callback":"insert_event","result":5}
 * A C++ callback must not throw; one that does fails the same way. Over such a
 * workspace any function that reads or writes may fail with HOST_CALLBACK; rows
 * a host emits malformed fail the call with MISUSE (a bad struct_size, a NULL
 * required field) or INTERNAL (a row emitted twice, JSON cadre cannot read: a
 * damaged store).
 *
 * Writes. cadre writes only between begin and commit. Inside that transaction it
 * first reads what it needs (versions of the documents written, the logged events
 * with the ids of the batch, the high-water mark), decides, and only then
 * inserts. When anything fails after begin (a callback, or cadre itself) cadre
 * calls rollback and never commit, so nothing is half-written; when commit itself
 * fails, cadre calls rollback next (commit must leave a failed transaction for
 * rollback to discard). A failed begin is followed by nothing. A transaction
 * that ends up writing nothing (a batch of duplicates, or all-or-nothing with a
 * conflict) also ends with rollback.
 * If several processes share the tables, begin must keep other writers out until
 * commit or rollback (SQLite: BEGIN IMMEDIATE; PostgreSQL: a table lock or
 * SERIALIZABLE), because cadre reads the high-water mark and the versions inside
 * the transaction; within one process cadre serialises writers itself.
 *
 * Reads. Outside a transaction each read is one callback, which should read from
 * one consistent snapshot (one statement). A read callback hands rows to cadre
 * one at a time by calling the `emit` function it was given, with the `payload`
 * it was given. It must emit every row that matches the request; it may emit
 * rows that do not (cadre drops them), in any order, but no row twice.
 *
 * Threads. cadre calls one storage's callbacks one at a time (a mutex per
 * workspace serialises all of them, reads included), each on the thread that
 * called into cadre, so a host need not be thread-safe; it must accept calls from
 * different threads at different times.
 *
 * Re-entry is forbidden. A callback (destroy included) must not call a cadre
 * function that returns a status, on this workspace or any other: such a call
 * fails at once with CADRE_ERROR_MISUSE and does nothing (it cannot deadlock).
 * cadre_storage_set_error, the emit function, cadre_error_code/_message/
 * _details_json, cadre_status_name, cadre_version* and cadre_free may be called.
 * Nor may a callback wait for another thread that is using the workspace, or call
 * cadre_workspace_close.
 *
 * Strings and lifetimes. Strings are NUL-terminated UTF-8 (cadre refuses to write
 * a document or event whose ids or body contain NUL). Everything cadre passes to
 * a callback (rows, strings, the filter) is valid only until that callback
 * returns: copy what you keep. A row the host emits is read during the emit call
 * and copied: its strings need only live until emit returns. Instants are int64
 * nanoseconds since 1970-01-01T00:00:00Z (UTC).
 *
 * Versions. cadre_storage and the row structs begin with struct_size and only
 * grow at their end (see the conventions above). Rows cadre passes carry cadre's
 * struct_size; fields added to them later will be hints a host may ignore, and
 * whatever cadre reads back travels in the fields of the first version. Rows a
 * host emits are read with the struct_size it set (use the _INIT macros), and
 * one whose fields unknown to this library are non-zero is refused.
 */

/* effective_from_ns of a version in force for all time; from_ns of a scan with no lower bound. */
#define CADRE_STORAGE_TIME_MIN INT64_MIN
/* until_ns of a scan with no upper bound. */
#define CADRE_STORAGE_TIME_MAX INT64_MAX

/* One version of one document: a row of the documents table. */
typedef struct cadre_storage_document {
  /* sizeof(cadre_storage_document) as its writer compiled it (the INIT macro sets it). */
  uint32_t struct_size;
  /* Non-zero: a tombstone (the document is not in force from effective_from_ns on; body is ""). */
  int32_t deleted;
  const char* collection;    /* required */
  const char* id;            /* required */
  int64_t version;           /* 1, 2, 3, ... per (collection, id), chosen by cadre */
  int64_t effective_from_ns; /* in force from this instant on; CADRE_STORAGE_TIME_MIN: for all time */
  int64_t recorded_at_ns;    /* when cadre wrote it */
  const char* body;          /* JSON object text; "" (or NULL when emitted) for a tombstone */
} cadre_storage_document;

#define CADRE_STORAGE_DOCUMENT_INIT \
  { sizeof(cadre_storage_document), 0, NULL, NULL, 0, 0, 0, NULL }

/* One logged event: a row of the events table. */
typedef struct cadre_storage_event {
  /* sizeof(cadre_storage_event) as its writer compiled it (the INIT macro sets it). */
  uint32_t struct_size;
  uint32_t reserved;      /* 0 */
  uint64_t seq;           /* 1, 2, 3, ...: the position in the log, chosen by cadre; unique */
  const char* id;         /* the host's event id; unique in the log */
  const char* kind;       /* wire name: "sale", "return", "interaction", "assignment", "reversal", ... */
  int64_t occurred_at_ns; /* when it happened, floored to whole nanoseconds */
  const char* manager;    /* or NULL */
  const char* customer;   /* or NULL */
  /* The whole event as JSON text, in cadre's canonical form: the truth cadre reads
   * back. id, kind, occurred_at_ns, manager and customer repeat parts of it as
   * columns for the host's indexes. When a host emits a row, cadre reads seq and
   * json only; the other pointers may be NULL and the numbers 0. */
  const char* json;
} cadre_storage_event;

#define CADRE_STORAGE_EVENT_INIT \
  { sizeof(cadre_storage_event), 0, 0, NULL, NULL, 0, NULL, NULL, NULL }

/*
 * What a scan wants: events with seq > after_seq, from_ns <= occurred_at_ns <
 * until_ns, kind among `kinds` (all kinds when n_kinds is 0), the manager and the
 * customer given (any when NULL). Hints only: a host may apply any of them, all
 * or none, because cadre filters and orders the emitted rows itself. A host that
 * applies one must apply it exactly as written here, so as never to drop a row
 * that matches.
 */
typedef struct cadre_storage_event_filter {
  /* sizeof(cadre_storage_event_filter) as cadre compiled it. */
  uint32_t struct_size;
  uint32_t reserved;        /* 0 */
  uint64_t after_seq;       /* 0: from the start */
  int64_t from_ns;          /* CADRE_STORAGE_TIME_MIN: no lower bound */
  int64_t until_ns;         /* CADRE_STORAGE_TIME_MAX: no upper bound */
  const char* const* kinds; /* n_kinds wire names (see cadre_storage_event.kind); NULL when n_kinds is 0 */
  size_t n_kinds;
  const char* manager;  /* NULL: any */
  const char* customer; /* NULL: any */
} cadre_storage_event_filter;

/*
 * The emit functions cadre passes to read callbacks. Call with one row and the
 * payload the callback received, only during that callback and on its thread.
 * Returns 0 to go on. Non-zero means cadre wants no more rows (the row was
 * malformed, or memory ran out; cadre reports that error itself): stop emitting
 * and return.
 */
typedef int (*cadre_storage_document_fn)(const cadre_storage_document* row, void* payload);
typedef int (*cadre_storage_event_fn)(const cadre_storage_event* row, void* payload);

/*
 * The storage vtable. Initialise with CADRE_STORAGE_INIT, then set `user` and
 * the callbacks. Every callback is required except destroy. Each receives
 * `user` unchanged.
 */
typedef struct cadre_storage {
  /* sizeof(cadre_storage) as the host compiled it (the INIT macro sets it). */
  uint32_t struct_size;
  /* The host's state, passed to every callback. Owned by the host until
   * cadre_workspace_open_with_storage succeeds, by the workspace afterwards. */
  void* user;

  /* Transactions (see "Writes" above). */
  int (*begin)(void* user);
  int (*commit)(void* user);
  int (*rollback)(void* user);

  /* Inserts one document version. cadre has checked that (collection, id,
   * version) is new. */
  int (*insert_document)(void* user, const cadre_storage_document* row);
  /* Emits every version of collection/id (none if it never existed). */
  int (*read_document)(void* user, const char* collection, const char* id, cadre_storage_document_fn emit,
                       void* payload);
  /* Emits every version of every document of `collection`, tombstones included. */
  int (*read_collection)(void* user, const char* collection, cadre_storage_document_fn emit, void* payload);

  /* Inserts one event. cadre has checked that its seq and id are new. */
  int (*insert_event)(void* user, const cadre_storage_event* row);
  /* Emits the event whose id is `id`, if there is one. */
  int (*find_event)(void* user, const char* id, cadre_storage_event_fn emit, void* payload);
  /* Emits at least every event matching `filter` (see cadre_storage_event_filter). */
  int (*scan_events)(void* user, const cadre_storage_event_filter* filter, cadre_storage_event_fn emit, void* payload);
  /* Sets *out_seq to the largest seq in the events table, 0 when it is empty. */
  int (*high_water_mark)(uint64_t* out_seq, void* user);

  /* Optional (may be NULL): called once, with `user`, when the workspace is
   * closed; frees the host's state. */
  void (*destroy)(void* user);
} cadre_storage;

#define CADRE_STORAGE_INIT \
  { sizeof(cadre_storage), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/*
 * Opens, creating it if new, a workspace kept in the host's storage. The vtable
 * is copied: `*storage` itself need not outlive the call, but storage->user must
 * live until destroy. `opts` works as for cadre_workspace_open (may be NULL).
 *
 * On success *out is a new handle, the caller's, to be closed with
 * cadre_workspace_close, and the workspace owns storage->user: it calls
 * storage->destroy(user) (when set) exactly once, from cadre_workspace_close. On
 * failure *out is NULL, destroy is not called, and the host still owns user.
 * Errors: HOST_CALLBACK (a callback failed while reading or creating the
 * workspace settings), INVALID_ARGUMENT (bad currency or zone; a field of opts or
 * storage unknown to this library is set), FAILED_PRECONDITION (currency or zone
 * differ from the stored ones), MISUSE (out or storage NULL; a required callback
 * NULL — the message names it; struct_size of storage or opts wrong; called from
 * inside a storage callback).
 * Thread-safe.
 */
CADRE_API int cadre_workspace_open_with_storage(cadre_workspace** out, const cadre_storage* storage,
                                                const cadre_workspace_options* opts);

/*
 * Called by a storage callback that is about to return non-zero: `message` (for
 * people; NULL clears it) becomes part of the failed call's error message. The
 * text is copied. Only the calling thread's current callback is affected; called
 * outside a callback it does nothing. Never fails; does not touch the error
 * state. Thread-safe.
 */
CADRE_API void cadre_storage_set_error(const char* message);

/* ---- Queries ---------------------------------------------------------------- */

/*
 * Answers a query given as a JSON request and returns the result as JSON: one
 * function for every question, so new queries never change this header. The
 * request names the query, the viewer it is asked for, and its parameters
 * (instants are RFC 3339):
 *   {"query":"customer_360","viewer":{"manager":"M-7"},"customer":"C-42",
 *    "as_of":"2025-06-30T23:59:59+08:00"}
 * The viewer is {"admin":true} or {"manager":"<id>"}: a manager sees their own
 * customers, the lead of an org unit those of the managers in it, an admin
 * everything. A customer (or manager) outside the viewer's scope is NOT_FOUND,
 * worded exactly as one that does not exist.
 *   customer_360   profile, owner and ownership history, purchase summary, recent
 *                  interactions, open opportunities and follow-ups
 *   ownership, holdings, org_tree, opportunities, follow_ups, follow_up_counts,
 *   pipeline (weighted value per manager and unit), pipeline_conversion (admin)
 *   sop_instances, sop_instance, today (a manager's due SOP steps, follow-ups and
 *   expiring certifications, most urgent first); cases, case_figures
 * Planning queries write nothing; their results carry the events that carry the
 * plan out, for the host to ingest: pool_sweep (admin), pool_claim,
 * assign_customers, sop_escalate (admin: the SOP escalations due, under ids
 * derived from their rules, so each is recorded once). include/cadre/query.h and docs/crm.md list every query with
 * its parameters and result. A rule that refuses (a claim over the daily limit,
 * say) is FAILED_PRECONDITION with the rule and the numbers in the message.
 * Results follow cadre's JSON rules: absent optional values and empty lists are
 * left out, and new keys may appear.
 * *out_json is the caller's (cadre_free); NULL on failure.
 * Errors: INVALID_ARGUMENT (not JSON, unknown query, no or bad viewer, unknown or
 * ill-typed parameter — the details' path names it, e.g. "request.as_of"),
 * NOT_FOUND (the customer, manager or unit asked about does not exist or is
 * outside the viewer's scope), PERMISSION_DENIED (a query reserved to admins, a
 * unit the viewer does not lead, a viewer who is not an active manager),
 * UNAVAILABLE, MISUSE.
 * Thread-safe: any number of threads may query one workspace at once.
 */
CADRE_API int cadre_query(char** out_json, cadre_workspace* ws, const char* request_json);

/*
 * Runs a command: a change that goes through an engine's rules, written as one
 * transaction. `request_json` is a JSON object naming the "command", the
 * "viewer" (as for cadre_query) and its parameters:
 *   {"command":"close_period","viewer":{"admin":true},"period":"2025-06","by":"finance"}
 *   close_period     period, by, reason?  (admin): freezes every statement of the
 *                    period and marks it closed; periods close in order
 *   reopen_period    period, by, reason   (admin): the latest closed period only
 *   raise_dispute    id, manager, period, line, reason  (the manager, or an admin)
 *   resolve_dispute  id, accept (true/false), adjustment_minor (accepting),
 *                    resolution, by  (admin); once
 * *out_json is the document written (cadre_free); NULL on failure.
 * Errors: as cadre_query; FAILED_PRECONDITION when a rule refuses (a period
 * closed out of order or twice, a dispute resolved twice), with the rule in the
 * message; ABORTED when another writer changed the same document first.
 * Thread-safe: commands and queries on one workspace are serialised as needed.
 */
CADRE_API int cadre_command(char** out_json, cadre_workspace* ws, const char* request_json);

/* ---- Import and export -------------------------------------------------------- */

/*
 * Bulk import and export of managers, customers, purchases (sale and return
 * events) and interactions, as CSV (RFC 4180, UTF-8, header row) or NDJSON,
 * streamed: the library reads and writes through callbacks in chunks and commits
 * the input in batches, so a million rows never sit in memory at once. Columns
 * and keys are the JSON field names of the records (docs/import-export.md has
 * the CSV conventions: `field.KEY` columns for maps (attributes.till, consent.call),
 * `|`-separated lists, JSON cells
 * for line items).
 */

/* Progress of an import, handed to the progress callback after each batch. The
 * library fills struct_size with sizeof the struct it passes; fields may be added
 * at the end. */
typedef struct cadre_import_progress {
  size_t struct_size;
  uint64_t rows_read;         /* data rows read so far (the CSV header is not a row) */
  uint64_t rows_committed;    /* rows now in the workspace: written or duplicates */
  uint64_t rows_rejected;     /* rows refused so far */
  uint64_t batches_committed; /* transactions committed so far */
} cadre_import_progress;

/* Called after each batch. Return non-zero to go on, 0 to stop after this batch
 * (what was committed stays; the report says "stopped":true). */
typedef int (*cadre_progress_fn)(void* user, const cadre_import_progress* progress);

/* Fills buf with up to cap bytes of the input and sets *out_len to how many
 * (0: end of input). Returns 0 on success, non-zero on failure: the import then
 * stops, commits nothing of the batch it was reading, and fails with
 * CADRE_ERROR_HOST_CALLBACK. */
typedef int (*cadre_read_fn)(void* user, char* buf, size_t cap, size_t* out_len);

/* Takes the next len bytes of the output. Returns 0 on success, non-zero to fail
 * the export with CADRE_ERROR_HOST_CALLBACK. */
typedef int (*cadre_write_fn)(void* user, const char* data, size_t len);

/*
 * Imports records through `read` (called until it gives 0 bytes). options_json:
 *   {"kind":"purchases",        managers | customers | purchases | interactions (required)
 *    "format":"csv",            csv (default) | ndjson
 *    "mode":"atomic",           atomic (default: a batch with a bad row writes nothing and
 *                               the import stops after it) | best_effort (good rows written)
 *    "batch_size":10000, "max_errors":1000,
 *    "effective_from":"..."}    documents: from when the imported versions are in force
 * *out_report_json (the caller's; cadre_free) gives the counts (rows_read,
 * accepted, duplicates, rejected, not_written, batches_committed,
 * committed_through_row, complete, stopped) and "errors": one per refused row
 * with row, line, id, column, path, value, rule and message. Bad rows are not an
 * error of the call; they are in the report. `progress` may be NULL.
 * Errors: INVALID_ARGUMENT (bad options; a bad CSV header: unknown, duplicate or
 * missing required columns — path "header"; a row longer than 16 MiB),
 * HOST_CALLBACK (read failed), UNAVAILABLE (the store failed). After batches were
 * committed, an error's details JSON carries "report": what was committed before
 * it. MISUSE (out_report_json, ws, options_json or read NULL).
 * Thread-safe (writes to one workspace are serialised).
 */
CADRE_API int cadre_import(char** out_report_json, cadre_workspace* ws, const char* options_json, cadre_read_fn read,
                           void* read_user, cadre_progress_fn progress, void* progress_user);

/* Same, reading the file at `path`. Errors as cadre_import, and NOT_FOUND when
 * the file cannot be opened. */
CADRE_API int cadre_import_file(char** out_report_json, cadre_workspace* ws, const char* options_json, const char* path,
                                cadre_progress_fn progress, void* progress_user);

/*
 * Exports records through `write`, in chunks. options_json:
 *   {"kind":"customers", "format":"csv",
 *    "as_of":"...",                                  documents: the versions in force then
 *    "from":"...", "until":"...", "manager":"M-7",   events: occurred_at in [from, until), ...
 *    "customer":"C-42", "after_seq":0, "limit":1000,
 *    "all_columns":false,  CSV: every known column, not only those holding a value
 *    "crlf":true}          CSV: record terminator CRLF (RFC 4180) or LF
 * *out_report_json (the caller's; cadre_free): {"rows":N,"columns":[...]}.
 * Errors: INVALID_ARGUMENT (bad options), HOST_CALLBACK (write failed; what was
 * written before stays written), CONFLICT (the data changed during a CSV export in
 * a way its header cannot hold: run it again), UNAVAILABLE, MISUSE.
 * Thread-safe.
 */
CADRE_API int cadre_export(char** out_report_json, cadre_workspace* ws, const char* options_json, cadre_write_fn write,
                           void* write_user);

/* Same, writing (truncating) the file at `path`. Errors as cadre_export, and
 * UNAVAILABLE when the file cannot be written. */
CADRE_API int cadre_export_file(char** out_report_json, cadre_workspace* ws, const char* options_json,
                                const char* path);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CADRE_CADRE_H_ */
