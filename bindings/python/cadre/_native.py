"""Loading libcadre and declaring the C functions the package calls (ctypes).

The library is looked for, in order:
  1. the file named by the environment variable CADRE_LIBRARY;
  2. the copy bundled in this package (cadre/_lib/libcadre.so), present when the
     wheel was built with CADRE_LIBRARY set;
  3. the system's loader paths (an installed libcadre.so.0).
"""

import ctypes
import ctypes.util
import os

_ABI_MAJOR = 0


class LibraryNotFound(ImportError):
    pass


def _candidates():
    env = os.environ.get("CADRE_LIBRARY")
    if env:
        yield env
        return
    bundled = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_lib", "libcadre.so")
    if os.path.exists(bundled):
        yield bundled
    yield f"libcadre.so.{_ABI_MAJOR}"
    found = ctypes.util.find_library("cadre")
    if found:
        yield found


def _load():
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path}: {e}")
    raise LibraryNotFound(
        "cannot load libcadre; set CADRE_LIBRARY to the path of libcadre.so "
        "(e.g. build/release/libcadre.so), install it, or build the wheel with CADRE_LIBRARY set.\n  "
        + "\n  ".join(tried)
    )


lib = _load()

c_char_pp = ctypes.POINTER(ctypes.c_void_p)  # char** out-parameters: kept as raw pointers to free them


class WorkspaceOptions(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("currency", ctypes.c_char_p), ("time_zone", ctypes.c_char_p)]


class PutOptions(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("has_expected_version", ctypes.c_int32),
        ("expected_version", ctypes.c_int64),
        ("effective_from", ctypes.c_char_p),
    ]


class Sale(ctypes.Structure):
    _fields_ = [
        ("id", ctypes.c_char_p),
        ("manager", ctypes.c_char_p),
        ("customer", ctypes.c_char_p),
        ("category", ctypes.c_char_p),
        ("sku", ctypes.c_char_p),
        ("reference", ctypes.c_char_p),
        ("occurred_at", ctypes.c_int64),
        ("amount_minor", ctypes.c_int64),
        ("quantity", ctypes.c_int64),
        ("kind", ctypes.c_int32),
        ("reserved", ctypes.c_uint32),
    ]


def _declare(name, restype, *argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)
    return fn


ws_p = ctypes.c_void_p
c_int, c_char_p, c_size_t = ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t

cadre_version = _declare("cadre_version", c_int)
cadre_version_string = _declare("cadre_version_string", c_char_p)
cadre_status_name = _declare("cadre_status_name", c_char_p, c_int)
cadre_error_code = _declare("cadre_error_code", c_int)
cadre_error_message = _declare("cadre_error_message", c_char_p)
cadre_error_details_json = _declare("cadre_error_details_json", c_char_p)
cadre_free = _declare("cadre_free", None, ctypes.c_void_p)
cadre_workspace_open = _declare(
    "cadre_workspace_open", c_int, ctypes.POINTER(ctypes.c_void_p), c_char_p, ctypes.POINTER(WorkspaceOptions)
)
cadre_workspace_close = _declare("cadre_workspace_close", None, ws_p)
cadre_workspace_settings = _declare("cadre_workspace_settings", c_int, c_char_pp, ws_p)
cadre_workspace_high_water_mark = _declare(
    "cadre_workspace_high_water_mark", c_int, ctypes.POINTER(ctypes.c_uint64), ws_p
)
cadre_document_put = _declare(
    "cadre_document_put", c_int, c_char_pp, ws_p, c_char_p, c_char_p, c_char_p, ctypes.POINTER(PutOptions)
)
cadre_document_get = _declare("cadre_document_get", c_int, c_char_pp, ws_p, c_char_p, c_char_p, c_char_p)
cadre_document_list = _declare("cadre_document_list", c_int, c_char_pp, ws_p, c_char_p, c_char_p)
cadre_document_delete = _declare(
    "cadre_document_delete", c_int, ctypes.POINTER(ctypes.c_int64), ws_p, c_char_p, c_char_p,
    ctypes.POINTER(PutOptions)
)
cadre_document_history = _declare("cadre_document_history", c_int, c_char_pp, ws_p, c_char_p, c_char_p)
cadre_events_ingest_ndjson = _declare(
    "cadre_events_ingest_ndjson", c_int, c_char_pp, ws_p, c_char_p, c_size_t, c_int
)
cadre_events_ingest_sales = _declare(
    "cadre_events_ingest_sales", c_int, c_char_pp, ws_p, ctypes.POINTER(Sale), c_size_t, c_size_t, c_int
)
cadre_events_scan = _declare("cadre_events_scan", c_int, c_char_pp, ws_p, c_char_p)
cadre_query = _declare("cadre_query", c_int, c_char_pp, ws_p, c_char_p)
cadre_command = _declare("cadre_command", c_int, c_char_pp, ws_p, c_char_p)


class ImportProgress(ctypes.Structure):
    _fields_ = [
        ("struct_size", c_size_t),
        ("rows_read", ctypes.c_uint64),
        ("rows_committed", ctypes.c_uint64),
        ("rows_rejected", ctypes.c_uint64),
        ("batches_committed", ctypes.c_uint64),
    ]


PROGRESS_FN = ctypes.CFUNCTYPE(c_int, ctypes.c_void_p, ctypes.POINTER(ImportProgress))
READ_FN = ctypes.CFUNCTYPE(c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_char), c_size_t,
                           ctypes.POINTER(c_size_t))
WRITE_FN = ctypes.CFUNCTYPE(c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_char), c_size_t)
cadre_import = _declare(
    "cadre_import", c_int, c_char_pp, ws_p, c_char_p, READ_FN, ctypes.c_void_p, PROGRESS_FN, ctypes.c_void_p
)
cadre_import_file = _declare(
    "cadre_import_file", c_int, c_char_pp, ws_p, c_char_p, c_char_p, PROGRESS_FN, ctypes.c_void_p
)
cadre_export = _declare("cadre_export", c_int, c_char_pp, ws_p, c_char_p, WRITE_FN, ctypes.c_void_p)
cadre_export_file = _declare("cadre_export_file", c_int, c_char_pp, ws_p, c_char_p, c_char_p)


def take_string(ptr):
    """Copies a library-allocated char* into a Python str and frees it."""
    if not ptr:
        return None
    try:
        return ctypes.string_at(ptr).decode("utf-8")
    finally:
        cadre_free(ptr)
