/* A host in C: opens a workspace through the installed libcadre, writes and reads. */
#include <stdio.h>
#include <string.h>

#include <cadre/cadre.h>

#define REQUIRE(cond)                                                                    \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      fprintf(stderr, "consumer_c: %s failed: %s\n", #cond, cadre_error_details_json()); \
      return 1;                                                                          \
    }                                                                                    \
  } while (0)

int main(void) {
  cadre_workspace* ws = NULL;
  cadre_workspace_options opts = CADRE_WORKSPACE_OPTIONS_INIT;
  char* doc = NULL;
  char* report = NULL;
  cadre_sale sale = CADRE_SALE_INIT;

  /* Header and library from the same release. */
  REQUIRE(cadre_version() == CADRE_VERSION_NUMBER);
  REQUIRE(strcmp(cadre_version_string(), CADRE_VERSION_STRING) == 0);
#ifdef CADRE_EXPECTED_VERSION
  REQUIRE(strcmp(cadre_version_string(), CADRE_EXPECTED_VERSION) == 0);
#endif

  opts.currency = "CNY";
  opts.time_zone = "Asia/Shanghai";
  REQUIRE(cadre_workspace_open(&ws, "memory:", &opts) == CADRE_OK);
  REQUIRE(cadre_document_put(NULL, ws, "customers", "C-1", "{\"name\":\"Wang Fang\"}", NULL) == CADRE_OK);
  REQUIRE(cadre_document_get(&doc, ws, "customers", "C-1", NULL) == CADRE_OK);
  REQUIRE(strstr(doc, "Wang Fang") != NULL);
  cadre_free(doc);

  sale.id = "S-1";
  sale.customer = "C-1";
  sale.amount_minor = 129900;
  sale.occurred_at = INT64_C(1750212000000000);
  REQUIRE(cadre_events_ingest_sales(&report, ws, &sale, 1, sizeof sale, CADRE_INGEST_ATOMIC) == CADRE_OK);
  REQUIRE(strstr(report, "\"accepted\":1") != NULL);
  cadre_free(report);

  REQUIRE(cadre_document_get(&doc, ws, "customers", "C-404", NULL) == CADRE_ERROR_NOT_FOUND);
  REQUIRE(doc == NULL);
  cadre_workspace_close(ws);
  printf("consumer_c: ok (libcadre %s)\n", cadre_version_string());
  return 0;
}
