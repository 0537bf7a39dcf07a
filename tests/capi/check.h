/*
 * check.h — the small test harness of cadre's C test programs: CHECK macros that
 * count passes and failures (thread-safe) and print the last cadre error of a
 * failure. Each program prints "N passed, M failed" from g_passed and g_failed.
 */
#ifndef CADRE_TESTS_CAPI_CHECK_H_
#define CADRE_TESTS_CAPI_CHECK_H_

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cadre/cadre.h"

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static int g_passed = 0;
static int g_failed = 0;

static int check_impl(int ok, const char* what, const char* file, int line) {
  pthread_mutex_lock(&g_mu);
  if (ok) {
    g_passed++;
  } else {
    g_failed++;
    fprintf(stderr, "%s:%d: FAILED: %s\n  last error: %s %s\n", file, line, what, cadre_status_name(cadre_error_code()),
            cadre_error_details_json());
  }
  pthread_mutex_unlock(&g_mu);
  return ok;
}

#define CHECK(cond) check_impl((cond) ? 1 : 0, #cond, __FILE__, __LINE__)
/* The call returns `code`, and the thread's last error agrees. */
#define CHECK_CODE(call, code) \
  check_impl(((call) == (code)) && cadre_error_code() == (code), #call " == " #code, __FILE__, __LINE__)
#define CHECK_HAS(text, needle) \
  check_impl((text) != NULL && strstr((text), (needle)) != NULL, #text " contains " #needle, __FILE__, __LINE__)

#endif /* CADRE_TESTS_CAPI_CHECK_H_ */
