// store/fault_vfs.h — a SQLite VFS for tests that fails or dies on command.
//
// It forwards everything to the default VFS and counts xWrite and xSync calls on
// every file (database, WAL, journals); armed, it makes them fail with
// SQLITE_IOERR_WRITE / SQLITE_IOERR_FSYNC, or kills the process with SIGKILL
// just before a write reaches the file, to test what a real I/O error or crash
// in the middle of a transaction leaves behind.
//
//   FaultVfs::Register();
//   auto store = OpenSqliteStore(path, {.vfs = FaultVfs::kName});
//   FaultVfs::FailWritesAfter(3);   // three more writes go through, then all fail
//   ... store->Commit(batch) fails with UNAVAILABLE, and wrote nothing ...
//   FaultVfs::Reset();
//
// Header-only so that any test file of tests/store can include it. The arming
// state is process-wide (the VFS is registered once per process).
#ifndef CADRE_TESTS_STORE_FAULT_VFS_H_
#define CADRE_TESTS_STORE_FAULT_VFS_H_

#include <sqlite3.h>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <mutex>

namespace cadre::testing {

class FaultVfs {
 public:
  static constexpr char kName[] = "cadre_fault";

  // Registers the VFS (not as the default); idempotent.
  static void Register() {
    static std::once_flag once;
    std::call_once(once, [] {
      sqlite3_vfs* root = sqlite3_vfs_find(nullptr);
      static sqlite3_vfs vfs;
      vfs.iVersion = root->iVersion;
      vfs.szOsFile = static_cast<int>(sizeof(File)) + root->szOsFile;
      vfs.mxPathname = root->mxPathname;
      vfs.zName = kName;
      vfs.pAppData = root;
      vfs.xOpen = &Open;
      vfs.xDelete = [](sqlite3_vfs* v, const char* name, int sync) { return Root(v)->xDelete(Root(v), name, sync); };
      vfs.xAccess = [](sqlite3_vfs* v, const char* name, int flags, int* out) {
        return Root(v)->xAccess(Root(v), name, flags, out);
      };
      vfs.xFullPathname = [](sqlite3_vfs* v, const char* name, int n, char* out) {
        return Root(v)->xFullPathname(Root(v), name, n, out);
      };
      vfs.xDlOpen = [](sqlite3_vfs* v, const char* name) { return Root(v)->xDlOpen(Root(v), name); };
      vfs.xDlError = [](sqlite3_vfs* v, int n, char* out) { Root(v)->xDlError(Root(v), n, out); };
      vfs.xDlSym = [](sqlite3_vfs* v, void* h, const char* sym) { return Root(v)->xDlSym(Root(v), h, sym); };
      vfs.xDlClose = [](sqlite3_vfs* v, void* h) { Root(v)->xDlClose(Root(v), h); };
      vfs.xRandomness = [](sqlite3_vfs* v, int n, char* out) { return Root(v)->xRandomness(Root(v), n, out); };
      vfs.xSleep = [](sqlite3_vfs* v, int us) { return Root(v)->xSleep(Root(v), us); };
      vfs.xCurrentTime = [](sqlite3_vfs* v, double* out) { return Root(v)->xCurrentTime(Root(v), out); };
      vfs.xGetLastError = [](sqlite3_vfs* v, int n, char* out) { return Root(v)->xGetLastError(Root(v), n, out); };
      vfs.xCurrentTimeInt64 = [](sqlite3_vfs* v, sqlite3_int64* out) {
        return Root(v)->xCurrentTimeInt64(Root(v), out);
      };
      vfs.xSetSystemCall = [](sqlite3_vfs* v, const char* name, sqlite3_syscall_ptr p) {
        return Root(v)->xSetSystemCall(Root(v), name, p);
      };
      vfs.xGetSystemCall = [](sqlite3_vfs* v, const char* name) { return Root(v)->xGetSystemCall(Root(v), name); };
      vfs.xNextSystemCall = [](sqlite3_vfs* v, const char* name) { return Root(v)->xNextSystemCall(Root(v), name); };
      sqlite3_vfs_register(&vfs, /*makeDflt=*/0);
    });
  }

  // `n` more xWrite calls succeed, then every one fails until Reset().
  static void FailWritesAfter(int64_t n) { state().fail_writes_at.store(state().writes.load() + n); }
  // `n` more xSync calls succeed, then every one fails until Reset().
  static void FailSyncsAfter(int64_t n) { state().fail_syncs_at.store(state().syncs.load() + n); }
  // The `n`-th xWrite from now (1: the next) kills the process before it writes.
  static void KillOnWrite(int64_t n) { state().kill_at.store(state().writes.load() + n); }
  // Disarms every fault.
  static void Reset() {
    state().fail_writes_at.store(kNever);
    state().fail_syncs_at.store(kNever);
    state().kill_at.store(kNever);
  }

  // Calls so far, by every connection opened on this VFS.
  static int64_t writes() { return state().writes.load(); }
  static int64_t syncs() { return state().syncs.load(); }

 private:
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

  struct State {
    std::atomic<int64_t> writes{0};
    std::atomic<int64_t> syncs{0};
    std::atomic<int64_t> fail_writes_at{kNever};  // fail once the count passes this
    std::atomic<int64_t> fail_syncs_at{kNever};
    std::atomic<int64_t> kill_at{kNever};  // die on this write
  };
  static State& state() {
    static State s;
    return s;
  }

  // Our file: the header SQLite sees, then the real file right behind it.
  struct File {
    sqlite3_file base;
    sqlite3_file* real;
  };

  static sqlite3_vfs* Root(sqlite3_vfs* v) { return static_cast<sqlite3_vfs*>(v->pAppData); }
  static sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

  static int Open(sqlite3_vfs* v, const char* name, sqlite3_file* file, int flags, int* out_flags) {
    File* f = reinterpret_cast<File*>(file);
    f->real = reinterpret_cast<sqlite3_file*>(f + 1);
    int rc = Root(v)->xOpen(Root(v), name, f->real, flags, out_flags);
    f->base.pMethods = f->real->pMethods != nullptr ? &kMethods : nullptr;
    return rc;
  }

  static int Write(sqlite3_file* f, const void* data, int n, sqlite3_int64 offset) {
    const int64_t count = state().writes.fetch_add(1) + 1;
    if (count == state().kill_at.load()) std::raise(SIGKILL);
    if (count > state().fail_writes_at.load()) return SQLITE_IOERR_WRITE;
    return Real(f)->pMethods->xWrite(Real(f), data, n, offset);
  }

  static int Sync(sqlite3_file* f, int flags) {
    const int64_t count = state().syncs.fetch_add(1) + 1;
    if (count > state().fail_syncs_at.load()) return SQLITE_IOERR_FSYNC;
    return Real(f)->pMethods->xSync(Real(f), flags);
  }

  static constexpr sqlite3_io_methods kMethods = {
      2,  // iVersion: with shared memory (WAL), without memory mapping
      [](sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); },
      [](sqlite3_file* f, void* out, int n, sqlite3_int64 offset) {
        return Real(f)->pMethods->xRead(Real(f), out, n, offset);
      },
      &Write,
      [](sqlite3_file* f, sqlite3_int64 size) { return Real(f)->pMethods->xTruncate(Real(f), size); },
      &Sync,
      [](sqlite3_file* f, sqlite3_int64* size) { return Real(f)->pMethods->xFileSize(Real(f), size); },
      [](sqlite3_file* f, int lock) { return Real(f)->pMethods->xLock(Real(f), lock); },
      [](sqlite3_file* f, int lock) { return Real(f)->pMethods->xUnlock(Real(f), lock); },
      [](sqlite3_file* f, int* out) { return Real(f)->pMethods->xCheckReservedLock(Real(f), out); },
      [](sqlite3_file* f, int op, void* arg) { return Real(f)->pMethods->xFileControl(Real(f), op, arg); },
      [](sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); },
      [](sqlite3_file* f) { return Real(f)->pMethods->xDeviceCharacteristics(Real(f)); },
      [](sqlite3_file* f, int page, int size, int extend, void volatile** out) {
        return Real(f)->pMethods->xShmMap(Real(f), page, size, extend, out);
      },
      [](sqlite3_file* f, int offset, int n, int flags) {
        return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
      },
      [](sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); },
      [](sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); },
      nullptr,
      nullptr,
  };
};

}  // namespace cadre::testing

#endif  // CADRE_TESTS_STORE_FAULT_VFS_H_
