/*
 * crosslang_c.c — the C path of the cross-language test: loads the shared input
 * through the C ABI (cadre.h) and prints what the library answers.
 *
 *   crosslang_c URI SALES.ndjson DOCUMENTS.tsv
 *
 * Prints one line per step, "<step>\t<JSON>", in the order every path of the
 * test follows (see compare.py). The JSON is the library's own text; errors are
 * {"error":<cadre_error_details_json()>}. Exits non-zero only when the input
 * cannot be read or the workspace cannot be opened: a failing step is output.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cadre/cadre.h"

static void emit_raw(const char* step, const char* json) { printf("%s\t%s\n", step, json); }

/* The outcome of a call that handed out JSON through `*json`: the text (freed
 * here) or the error. A pointer to it is passed, not its value, because the
 * call is an argument too and C does not order the evaluation of arguments. */
static void emit(const char* step, int rc, char** json) {
  if (rc == CADRE_OK) {
    emit_raw(step, *json);
  } else {
    printf("%s\t{\"error\":%s}\n", step, cadre_error_details_json());
  }
  cadre_free(*json);
  *json = NULL;
}

/* The outcome of a call that hands out a number (as text). */
static void emit_number(const char* step, int rc, const char* number) {
  if (rc == CADRE_OK) {
    emit_raw(step, number);
  } else {
    char* none = NULL;
    emit(step, rc, &none);
  }
}

static char* read_file(const char* path, size_t* out_len) {
  FILE* f = fopen(path, "rb");
  char* data;
  long size;
  if (f == NULL) return NULL;
  if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return NULL;
  }
  data = malloc((size_t)size + 1);
  if (data != NULL && fread(data, 1, (size_t)size, f) != (size_t)size) {
    free(data);
    data = NULL;
  }
  fclose(f);
  if (data != NULL) data[size] = '\0';
  *out_len = (size_t)size;
  return data;
}

/* collection TAB id TAB effective_from-or-"-" TAB body, for every line that is
 * not blank or a # comment. */
static int put_documents(cadre_workspace* ws, const char* path) {
  FILE* f = fopen(path, "r");
  char* line = NULL;
  size_t cap = 0;
  ssize_t len;
  if (f == NULL) return -1;
  while ((len = getline(&line, &cap, f)) >= 0) {
    char *collection = line, *id, *effective_from, *body, *meta = NULL;
    char step[256];
    cadre_put_options opts = CADRE_PUT_OPTIONS_INIT;
    if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
    if (len == 0 || line[0] == '#') continue;
    id = strchr(collection, '\t');
    effective_from = id ? strchr(id + 1, '\t') : NULL;
    body = effective_from ? strchr(effective_from + 1, '\t') : NULL;
    if (body == NULL) {
      fprintf(stderr, "crosslang_c: bad line in %s: %s\n", path, line);
      free(line);
      fclose(f);
      return -1;
    }
    *id++ = '\0';
    *effective_from++ = '\0';
    *body++ = '\0';
    if (strcmp(effective_from, "-") != 0) opts.effective_from = effective_from;
    snprintf(step, sizeof step, "put %s/%s", collection, id);
    emit(step, cadre_document_put(&meta, ws, collection, id, body, &opts), &meta);
  }
  free(line);
  fclose(f);
  return 0;
}

int main(int argc, char** argv) {
  static const char* const kCollections[] = {"org_units", "managers", "customers", "x_crm_notes"};
  static const int kModes[] = {CADRE_INGEST_ATOMIC, CADRE_INGEST_BEST_EFFORT, CADRE_INGEST_BEST_EFFORT};
  static const char* const kIngestSteps[] = {"ingest atomic", "ingest best_effort", "ingest best_effort again"};
  static const char* const kScans[][2] = {
      {"scan all", "{\"order\":\"by_seq\"}"},
      {"scan by manager",
       "{\"manager\":\"M0001\",\"kinds\":[\"sale\",\"return\"],\"from\":\"2025-06-01T00:00:00+08:00\"}"},
      {"scan by customer", "{\"customer\":\"C000004\",\"until\":\"2025-06-21T00:00:00+08:00\"}"},
      {"scan page", "{\"order\":\"by_seq\",\"after_seq\":4,\"limit\":3}"},
  };
  cadre_workspace_options opts = CADRE_WORKSPACE_OPTIONS_INIT;
  cadre_workspace* ws = NULL;
  char* json = NULL;
  char* ndjson;
  char step[128];
  size_t len = 0, i;
  uint64_t high_water_mark = 0;
  int64_t version = 0;
  int rc;

  if (argc != 4) {
    fprintf(stderr, "usage: crosslang_c URI SALES.ndjson DOCUMENTS.tsv\n");
    return 2;
  }
  ndjson = read_file(argv[2], &len);
  if (ndjson == NULL) {
    perror(argv[2]);
    return 2;
  }
  opts.currency = "CNY";
  opts.time_zone = "Asia/Shanghai";
  if (cadre_workspace_open(&ws, argv[1], &opts) != CADRE_OK) {
    fprintf(stderr, "crosslang_c: open %s: %s\n", argv[1], cadre_error_details_json());
    free(ndjson);
    return 1;
  }

  emit("settings", cadre_workspace_settings(&json, ws), &json);
  if (put_documents(ws, argv[3]) != 0) {
    perror(argv[3]);
    return 2;
  }
  for (i = 0; i < 3; ++i) {
    emit(kIngestSteps[i], cadre_events_ingest_ndjson(&json, ws, ndjson, len, kModes[i]), &json);
  }
  rc = cadre_workspace_high_water_mark(&high_water_mark, ws);
  snprintf(step, sizeof step, "%" PRIu64, high_water_mark);
  emit_number("high_water_mark", rc, step);
  for (i = 0; i < sizeof kCollections / sizeof kCollections[0]; ++i) {
    snprintf(step, sizeof step, "list %s", kCollections[i]);
    emit(step, cadre_document_list(&json, ws, kCollections[i], NULL), &json);
  }
  emit("get managers/M0001 as_of 2025-06-30",
       cadre_document_get(&json, ws, "managers", "M0001", "2025-06-30T12:00:00+08:00"), &json);
  emit("get managers/M0001", cadre_document_get(&json, ws, "managers", "M0001", NULL), &json);
  emit("history managers/M0001", cadre_document_history(&json, ws, "managers", "M0001"), &json);
  rc = cadre_document_delete(&version, ws, "customers", "C000005", NULL);
  snprintf(step, sizeof step, "%" PRId64, version);
  emit_number("delete customers/C000005", rc, step);
  emit("get customers/C000005", cadre_document_get(&json, ws, "customers", "C000005", NULL), &json);
  emit("history customers/C000005", cadre_document_history(&json, ws, "customers", "C000005"), &json);
  for (i = 0; i < sizeof kScans / sizeof kScans[0]; ++i) {
    emit(kScans[i][0], cadre_events_scan(&json, ws, kScans[i][1]), &json);
  }

  cadre_workspace_close(ws);
  free(ndjson);
  return 0;
}
