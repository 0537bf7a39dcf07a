/*
 * nightly_batch.c — an ERP's nightly batch into cadre, in plain C99.
 *
 *   nightly_batch DB_PATH SALES.ndjson
 *
 * 1. opens (creating if new) the SQLite workspace at DB_PATH;
 * 2. puts the master data the ERP owns: org units, account managers, customers;
 * 3. ingests the day's sales and returns from an NDJSON file, best effort: good
 *    rows are written, bad rows are reported, rows sent twice count once;
 * 4. prints the ingest report and net sales per account manager.
 *
 * Running it again with the same file is safe: every event is then a duplicate.
 * Exit status: 0 on success, 1 when a cadre call fails, 2 on bad usage or an
 * unreadable file. Rows the library rejected are not a failure of the batch: they
 * are listed in the report for someone to fix in the ERP.
 *
 * Build: cc -std=c99 nightly_batch.c $(pkg-config --cflags --libs cadre)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cadre/cadre.h"

/* Prints what failed and the library's description of why: a message for people
 * and the same as JSON for programs (code, and for bad input the field's path,
 * the value and the rule). Read them right after the failing call. */
static int report_failure(const char* what) {
  fprintf(stderr, "nightly_batch: %s failed: %s\n  details: %s\n", what, cadre_error_message(),
          cadre_error_details_json());
  return 1;
}

/* Reads a whole file into a malloc'ed buffer (the caller frees it); *out_len is
 * its size. NULL if it cannot be read. */
static char* read_file(const char* path, size_t* out_len) {
  FILE* f = fopen(path, "rb");
  char* data = NULL;
  size_t cap = 0, len = 0;
  if (f == NULL) return NULL;
  for (;;) {
    size_t n;
    if (len == cap) {
      char* grown = realloc(data, cap == 0 ? 65536 : cap * 2);
      if (grown == NULL) break;
      data = grown;
      cap = cap == 0 ? 65536 : cap * 2;
    }
    n = fread(data + len, 1, cap - len, f);
    len += n;
    if (n == 0) break;
  }
  if (ferror(f) || len == cap) { /* a read error, or out of memory */
    free(data);
    data = NULL;
  }
  fclose(f);
  *out_len = len;
  return data;
}

/* The ERP's master data. Each put records a new version of the document (cadre
 * keeps the history), so a real batch would send only what changed since the
 * last night. */
struct document {
  const char* collection;
  const char* id;
  const char* json;
};
static const struct document kMasterData[] = {
    {"org_units", "CO", "{\"name\":\"Cadre Retail Group\",\"kind\":\"company\"}"},
    {"org_units", "ST0101", "{\"name\":\"Shanghai Jing'an\",\"kind\":\"store\",\"parent\":\"CO\"}"},
    {"org_units", "T010101", "{\"name\":\"Jing'an Team 1\",\"kind\":\"team\",\"parent\":\"ST0101\"}"},
    {"managers", "M0001", "{\"name\":\"Li Wei\",\"team\":\"T010101\",\"level\":3,\"hired_on\":\"2021-03-01\"}"},
    {"managers", "M0002", "{\"name\":\"Wang Fang\",\"team\":\"T010101\",\"level\":2,\"hired_on\":\"2022-09-15\"}"},
    {"managers", "M0003", "{\"name\":\"Zhang Min\",\"team\":\"T010101\",\"hired_on\":\"2024-07-01\"}"},
    {"customers", "C000001", "{\"name\":\"Chen Jing\",\"tier\":\"gold\",\"home_store\":\"ST0101\"}"},
    {"customers", "C000002", "{\"name\":\"Liu Yang\",\"tier\":\"silver\",\"home_store\":\"ST0101\"}"},
    {"customers", "C000003", "{\"name\":\"Zhao Lei\",\"home_store\":\"ST0101\"}"},
    {"customers", "C000004", "{\"name\":\"Huang Min\",\"tier\":\"platinum\",\"home_store\":\"ST0101\"}"},
    {"customers", "C000005", "{\"name\":\"Zhou Xin\",\"home_store\":\"ST0101\"}"},
};

/* The number after `key` in `text`; 0 if absent. */
static int64_t int_after(const char* text, const char* key) {
  const char* p = strstr(text, key);
  return p != NULL ? strtoll(p + strlen(key), NULL, 10) : 0;
}

/* "-1234.50" from minor units (fen), into buf. */
static const char* yuan(int64_t minor, char* buf, size_t size) {
  const int64_t abs = minor < 0 ? -minor : minor;
  snprintf(buf, size, "%s%" PRId64 ".%02" PRId64, minor < 0 ? "-" : "", abs / 100, abs % 100);
  return buf;
}

/* Net sales (sales minus returns, in minor units) of one manager, read from the
 * event log. There is no scorecard query yet, so we add up the events ourselves.
 *
 * A large log is read in pages (order by_seq, a limit, after_seq = the last seq
 * seen). Results are JSON; a real host parses them with its JSON library (cJSON,
 * jansson, ...). To stay dependency-free this example only picks numbers out of
 * the compact text, which is enough for the events this batch writes: each
 * starts with {"seq":N, and they carry no free "attributes" whose keys could
 * look like the ones we search for. */
static int net_sales(cadre_workspace* ws, const char* manager, int64_t* out_net, int64_t* out_count) {
  static const int kPageSize = 1000;
  uint64_t after_seq = 0;
  *out_net = 0;
  *out_count = 0;
  for (;;) {
    char query[256];
    char* page = NULL;
    char *event, *next;
    int rows = 0;
    snprintf(query, sizeof query,
             "{\"manager\":\"%s\",\"kinds\":[\"sale\",\"return\"],\"order\":\"by_seq\","
             "\"after_seq\":%" PRIu64 ",\"limit\":%d}",
             manager, after_seq, kPageSize);
    if (cadre_events_scan(&page, ws, query) != CADRE_OK) return report_failure("cadre_events_scan");
    for (event = strstr(page, "{\"seq\":"); event != NULL; event = next, ++rows) {
      /* Cut the page after this event (the buffer is ours), search, restore. */
      next = strstr(event + 1, "{\"seq\":");
      if (next != NULL) *next = '\0';
      after_seq = (uint64_t)int_after(event, "{\"seq\":");
      *out_net += strstr(event, "\"kind\":\"return\"") != NULL ? -int_after(event, "\"amount_minor\":")
                                                               : int_after(event, "\"amount_minor\":");
      *out_count += 1;
      if (next != NULL) *next = '{';
    }
    cadre_free(page); /* library results are freed with cadre_free, not free() */
    if (rows < kPageSize) return 0;
  }
}

int main(int argc, char** argv) {
  cadre_workspace_options opts = CADRE_WORKSPACE_OPTIONS_INIT;
  cadre_workspace* ws = NULL;
  char uri[4096];
  char* ndjson = NULL;
  char* report = NULL;
  size_t len = 0, i;
  int status = 1;

  if (argc != 3) {
    fprintf(stderr, "usage: nightly_batch DB_PATH SALES.ndjson\n");
    return 2;
  }
  ndjson = read_file(argv[2], &len);
  if (ndjson == NULL) {
    perror(argv[2]);
    return 2;
  }

  /* The currency and time zone are fixed when the workspace is created; opening
   * it later with other values fails instead of mixing money or days. */
  snprintf(uri, sizeof uri, "sqlite:%s", argv[1]);
  opts.currency = "CNY";
  opts.time_zone = "Asia/Shanghai";
  if (cadre_workspace_open(&ws, uri, &opts) != CADRE_OK) {
    report_failure("cadre_workspace_open");
    goto done;
  }

  for (i = 0; i < sizeof kMasterData / sizeof kMasterData[0]; ++i) {
    const struct document* d = &kMasterData[i];
    /* NULL out_json: we do not need the written version's metadata. */
    if (cadre_document_put(NULL, ws, d->collection, d->id, d->json, NULL) != CADRE_OK) {
      fprintf(stderr, "nightly_batch: %s/%s was refused\n", d->collection, d->id);
      report_failure("cadre_document_put");
      goto done;
    }
  }
  printf("master data: %u documents written\n", (unsigned)i);

  /* CADRE_OK means the batch was examined, not that every row was written: the
   * report says what happened to each ("rejected" lists the bad rows with the
   * field's path and why). */
  if (cadre_events_ingest_ndjson(&report, ws, ndjson, len, CADRE_INGEST_BEST_EFFORT) != CADRE_OK) {
    report_failure("cadre_events_ingest_ndjson");
    goto done;
  }
  printf("ingest report: %s\n", report);

  printf("\nnet sales per account manager (all time, CNY)\n");
  for (i = 0; i < sizeof kMasterData / sizeof kMasterData[0]; ++i) {
    int64_t net = 0, count = 0;
    char money[32];
    if (strcmp(kMasterData[i].collection, "managers") != 0) continue;
    if (net_sales(ws, kMasterData[i].id, &net, &count) != 0) goto done;
    printf("  %-6s %3" PRId64 " events %14s\n", kMasterData[i].id, count, yuan(net, money, sizeof money));
  }
  status = 0;

done:
  cadre_free(report);        /* NULL is fine */
  cadre_workspace_close(ws); /* NULL is fine */
  free(ndjson);
  return status;
}
