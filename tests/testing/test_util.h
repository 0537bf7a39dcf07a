// Helpers shared by cadre's test suites.
#ifndef CADRE_TESTS_TESTING_TEST_UTIL_H_
#define CADRE_TESTS_TESTING_TEST_UTIL_H_

#include <string>

#include "absl/time/time.h"

namespace cadre::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it when
// the object goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Parses RFC 3339 text or aborts the test binary (for literals in tests).
absl::Time T(const char* rfc3339);

// Reads a whole file; aborts if it cannot.
std::string ReadFile(const std::string& path);

}  // namespace cadre::testing

#endif  // CADRE_TESTS_TESTING_TEST_UTIL_H_
