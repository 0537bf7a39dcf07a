// A C++ tool built on the installed cadre::cadre: the typed API.
#include <cstdio>
#include <memory>

#include "cadre/workspace.h"

int main() {
  auto ws = cadre::Workspace::Open("memory:", {.currency = "CNY", .time_zone = "Asia/Shanghai"});
  if (!ws.ok()) {
    std::fprintf(stderr, "consumer_cxx: open: %s\n", ws.status().ToString().c_str());
    return 1;
  }
  auto put = (*ws)->Put("managers", "M-1", R"({"name":"Li Na","team":"T-1"})");
  if (!put.ok()) {
    std::fprintf(stderr, "consumer_cxx: put: %s\n", put.status().ToString().c_str());
    return 1;
  }
  auto got = (*ws)->Get("managers", "M-1");
  if (!got.ok() || got->version != 1) {
    std::fprintf(stderr, "consumer_cxx: get failed\n");
    return 1;
  }
  std::printf("consumer_cxx: ok (%s)\n", got->body.c_str());
  return 0;
}
