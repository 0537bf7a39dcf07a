"""cadre for Python: the account-manager management library, over its C ABI.

    import cadre

    with cadre.open("sqlite:crm.db", currency="CNY", time_zone="Asia/Shanghai") as ws:
        ws.put("managers", "M0001", {"name": "Li Wei", "team": "T010101", "level": 3})
        report = ws.ingest([
            {"id": "S1", "kind": "sale", "occurred_at": "2025-06-18T10:00:00+08:00",
             "customer": "C1", "manager": "M0001", "amount_minor": 129900},
        ])
        report["accepted"]          # 1
        ws.get("managers", "M0001")["body"]["level"]   # 3

Errors are exceptions from cadre.errors, which also subclass the matching
built-ins: a missing document raises cadre.NotFoundError, a KeyError; bad input
raises cadre.InvalidArgumentError, a ValueError, whose .path names the field.

A Workspace may be shared between threads (the library serialises writes).
The shared library is found as described in cadre._native.
"""

import array
import csv
import ctypes
import datetime as _dt
import decimal as _decimal
import io
import itertools
import json
import json.encoder as _json_encoder
import os

from . import _native
from .errors import (  # noqa: F401  (re-exported)
    AlreadyExistsError,
    CadreError,
    ConflictError,
    FailedPreconditionError,
    HostCallbackError,
    InternalError,
    InvalidArgumentError,
    MisuseError,
    NoMemoryError,
    NotFoundError,
    OutOfRangeError,
    PermissionDeniedError,
    UnavailableError,
)
from .errors import from_last_error as _error

__version__ = "0.1.0"

# Viewers for Workspace.query: an admin sees everything; a manager their own
# customers (and, as the lead of org units, those of the managers in them).
ADMIN = {"admin": True}


def as_manager(manager_id):
    """The viewer {"manager": manager_id}."""
    return {"manager": manager_id}


ATOMIC = "atomic"
BEST_EFFORT = "best_effort"
_MODES = {ATOMIC: 0, BEST_EFFORT: 1}

# CSV columns that hold integers; other cells stay text and the library checks them.
_INTEGER_COLUMNS = {"amount_minor", "quantity"}


def library_version():
    """The version of the loaded libcadre, e.g. '0.1.0'."""
    return _native.cadre_version_string().decode()


def _json_default(value):
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} has no time zone; cadre needs an offset")
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _decimal.Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_json_default).encode


def _make_batch_encoder():
    """An encoder of one event to its compact JSON text, the same text as
    _encode, made once per batch: JSONEncoder.encode builds a new C encoder for
    every call, which costs about a fifth of the time of a small event. This uses
    the C encoder json itself uses (json.encoder.c_make_encoder, with the
    arguments JSONEncoder passes it); where the interpreter lacks it, or it does
    not give _encode's text, _encode serves."""
    make = getattr(_json_encoder, "c_make_encoder", None)
    if make is None:
        return None

    def batch_encoder():
        encode = make({}, _json_default, _json_encoder.encode_basestring, None, ":", ",", False, False, True)
        join = "".join
        return lambda event: join(encode(event, 0))

    try:
        probe = {"id": "é\n\"", "n": [1, 2.5, None, True], "at": _dt.datetime(2025, 1, 1, tzinfo=_dt.timezone.utc),
                 "d": _decimal.Decimal("1.10"), "m": {"k": "v"}}
        return batch_encoder if batch_encoder()(probe) == _encode(probe) else None
    except Exception:  # a different c_make_encoder signature: fall back
        return None


_batch_encoder = _make_batch_encoder()


def _ndjson(events):
    """NDJSON bytes of an iterable of events: one compact JSON object per line
    (JSON text never holds a raw newline, so lines cannot break inside one)."""
    encode = _batch_encoder() if _batch_encoder is not None else _encode
    return "\n".join([encode(event) for event in events]).encode("utf-8")


def _bytes(text):
    return None if text is None else text.encode("utf-8")


def _time_text(value):
    if value is None or isinstance(value, str):
        return value
    return _json_default(value)


def _mode(mode):
    try:
        return _MODES[mode]
    except KeyError:
        raise InvalidArgumentError(f"mode: expected one of {sorted(_MODES)}, got {mode!r}",
                                   {"path": "mode", "rule": "expected atomic or best_effort"}) from None


def open(uri, currency=None, time_zone=None):  # noqa: A001  (cadre.open, like io.open)
    """Opens (creating if new) the workspace at `uri`: 'memory:' or 'sqlite:PATH'."""
    return Workspace(uri, currency=currency, time_zone=time_zone)


class Workspace:
    """One retailer's cadre. Use as a context manager, or call close()."""

    def __init__(self, uri, currency=None, time_zone=None):
        opts = _native.WorkspaceOptions(ctypes.sizeof(_native.WorkspaceOptions), _bytes(currency), _bytes(time_zone))
        handle = ctypes.c_void_p()
        self._handle = None
        self._call(_native.cadre_workspace_open, ctypes.byref(handle), _bytes(uri), ctypes.byref(opts), check=False)
        self._handle = handle
        self.uri = uri

    # -- plumbing ---------------------------------------------------------------

    @staticmethod
    def _raise_if(code):
        if code != 0:
            raise _error(_native, code)

    def _call(self, fn, *args, check=True):
        if check and self._handle is None:
            raise ValueError("I/O operation on a closed cadre workspace")
        self._raise_if(fn(*args))

    def _json_call(self, fn, *args):
        out = ctypes.c_void_p()
        if self._handle is None:
            raise ValueError("I/O operation on a closed cadre workspace")
        self._raise_if(fn(ctypes.byref(out), self._handle, *args))
        return json.loads(_native.take_string(out))

    def close(self):
        """Closes the workspace; further calls raise ValueError. Idempotent."""
        if self._handle is not None:
            _native.cadre_workspace_close(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: nothing sensible to do
            pass

    @property
    def closed(self):
        return self._handle is None

    # -- workspace --------------------------------------------------------------

    @property
    def settings(self):
        """{'currency': ..., 'time_zone': ..., 'created_at': ...}"""
        return self._json_call(_native.cadre_workspace_settings)

    def high_water_mark(self):
        """The largest event sequence number in the log (0 when empty)."""
        out = ctypes.c_uint64()
        self._call(_native.cadre_workspace_high_water_mark, ctypes.byref(out), self._handle)
        return out.value

    # -- documents --------------------------------------------------------------

    @staticmethod
    def _put_options(expected_version, effective_from):
        return _native.PutOptions(
            ctypes.sizeof(_native.PutOptions),
            0 if expected_version is None else 1,
            0 if expected_version is None else int(expected_version),
            _bytes(_time_text(effective_from)),
        )

    def put(self, collection, id, body, expected_version=None, effective_from=None):
        """Writes a new version of a document; returns its metadata (with 'version').

        body: a dict (or JSON text). expected_version: fail with ConflictError unless
        the newest version is this one (0: must be new). effective_from: a datetime
        or RFC 3339 text from which this version is in force (default: always).
        """
        text = body if isinstance(body, str) else _encode(body)
        opts = self._put_options(expected_version, effective_from)
        return self._json_call(_native.cadre_document_put, _bytes(collection), _bytes(id), _bytes(text),
                               ctypes.byref(opts))

    def get(self, collection, id, as_of=None):
        """The document in force at `as_of` (default: newest): a dict with 'body'."""
        return self._json_call(_native.cadre_document_get, _bytes(collection), _bytes(id),
                               _bytes(_time_text(as_of)))

    def list(self, collection, as_of=None):
        """Every document of a collection in force at `as_of`, ordered by id."""
        return self._json_call(_native.cadre_document_list, _bytes(collection),
                               _bytes(_time_text(as_of)))["documents"]

    def history(self, collection, id):
        """Every version of a document, oldest first (deletions included)."""
        return self._json_call(_native.cadre_document_history, _bytes(collection), _bytes(id))["versions"]

    def delete(self, collection, id, expected_version=None, effective_from=None):
        """Deletes a document from `effective_from` on (default: always); returns the tombstone's version."""
        out = ctypes.c_int64()
        opts = self._put_options(expected_version, effective_from)
        self._call(_native.cadre_document_delete, ctypes.byref(out), self._handle, _bytes(collection), _bytes(id),
                   ctypes.byref(opts))
        return out.value

    # -- events -----------------------------------------------------------------

    def ingest(self, events, mode=ATOMIC):
        """Ingests an iterable of event dicts in one call; returns the report dict.

        The report: received, accepted, duplicates, committed, first_seq, last_seq,
        and 'rejected' (each with index, id, path, message) when rows were refused.
        Datetimes (with a zone) and Decimals in the dicts are converted.
        """
        return self.ingest_ndjson(_ndjson(events), mode)

    def ingest_ndjson(self, data, mode=ATOMIC):
        """Ingests NDJSON text or bytes (one event object per line)."""
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        return self._json_call(_native.cadre_events_ingest_ndjson, raw, len(raw), _mode(mode))

    def ingest_csv(self, source, mode=ATOMIC):
        """Ingests CSV (a path, a file object or text with a header row).

        Columns are event fields; a column 'attributes.X' fills attributes['X'];
        empty cells are left out; amount_minor and quantity are read as integers
        when they are integers (otherwise the library reports the cell).
        """
        if isinstance(source, (str, os.PathLike)) and os.path.exists(source):
            with builtins_open(source, newline="", encoding="utf-8") as f:
                return self.ingest_csv(f, mode)
        if isinstance(source, str):
            source = io.StringIO(source)
        return self.ingest((_csv_event(row) for row in csv.DictReader(source)), mode)

    def ingest_file(self, path, mode=ATOMIC):
        """Ingests a file: .csv as CSV, anything else (.ndjson, .jsonl) as NDJSON."""
        if str(path).lower().endswith(".csv"):
            return self.ingest_csv(path, mode)
        with builtins_open(path, "rb") as f:
            return self.ingest_ndjson(f.read(), mode)

    def ingest_sales(self, rows, mode=ATOMIC):
        """The fast path for sales and returns: rows are dicts with id, occurred_at
        (datetime or microseconds since the epoch), amount_minor and optionally
        kind ('sale'/'return'), manager, customer, category, sku, reference, quantity."""
        rows = list(rows)
        try:
            sales, keep = _sale_array_by_columns(rows)
        except Exception:  # noqa: BLE001  the row-by-row builder raises the precise error
            sales, keep = _sale_array_by_rows(rows)
        out = ctypes.c_void_p()
        if self._handle is None:
            raise ValueError("I/O operation on a closed cadre workspace")
        self._raise_if(_native.cadre_events_ingest_sales(ctypes.byref(out), self._handle, sales, len(rows),
                                                         ctypes.sizeof(_native.Sale), _mode(mode)))
        del keep  # the strings the array points into lived until here
        return json.loads(_native.take_string(out))

    def query(self, name, *, viewer, **params):
        """Answers a named query with its parameters, as plain Python data.

        Every query is asked on behalf of a viewer: cadre.ADMIN, or
        cadre.as_manager("M7") (a manager sees their own customers, a lead their
        units' managers' customers). A customer outside the viewer's scope raises
        NotFoundError, exactly as one that does not exist.

        ws.query("customer_360", viewer=cadre.ADMIN, customer="C000042", as_of=datetime(...))
        ws.query("holdings", viewer=cadre.as_manager("M1"), manager="M1")
        ws.query("pipeline", viewer=cadre.ADMIN); ws.query("follow_ups", viewer=v, manager="M1")
        Datetimes (with a zone) and Decimals are converted; unknown queries or
        parameters raise InvalidArgumentError naming the key (e.g. 'request.as_of').
        """
        request = dict(params, query=name, viewer=viewer)
        return self._json_call(_native.cadre_query, _bytes(_encode(request)))

    def command(self, name, *, viewer, **params):
        """Runs a named command: a change that goes through an engine's rules, in
        one transaction, and returns the document it wrote.

        ws.command("close_period", viewer=cadre.ADMIN, period="2025-06", by="finance")
        ws.command("raise_dispute", viewer=cadre.as_manager("M1"), id="D1", manager="M1",
                   period="2025-06", line="commission", reason="a sale is missing")
        ws.command("resolve_dispute", viewer=cadre.ADMIN, id="D1", accept=True,
                   adjustment_minor=1500, resolution="keyed late", by="finance")
        A rule that refuses (a period closed out of order, a dispute resolved
        twice) raises FailedPreconditionError with the rule in the message.
        """
        request = dict(params, command=name, viewer=viewer)
        return self._json_call(_native.cadre_command, _bytes(_encode(request)))

    def import_records(self, kind, source, format=None, mode=ATOMIC, batch_size=10000, max_errors=1000,
                       effective_from=None, progress=None):
        """Imports managers, customers, purchases or interactions from CSV or NDJSON,
        streamed in batches (each batch one transaction), and returns the report:
        counts and, per refused row, row, line, column, value and rule.

        `source` is a path or a binary file object. `format` is 'csv' or 'ndjson'
        (default: from the file name, else csv). `progress(p)` is called after each
        batch with a dict of rows_read, rows_committed, rows_rejected and
        batches_committed; returning False stops the import after that batch.
        """
        options = {"kind": kind, "mode": mode, "batch_size": batch_size, "max_errors": max_errors}
        name = str(source) if isinstance(source, (str, os.PathLike)) else getattr(source, "name", "")
        options["format"] = format or ("ndjson" if str(name).lower().endswith((".ndjson", ".jsonl")) else "csv")
        if effective_from is not None:
            options["effective_from"] = _time_text(effective_from)
        errors = []

        def on_progress(_user, p):
            if progress is None:
                return 1
            try:
                go_on = progress({"rows_read": p[0].rows_read, "rows_committed": p[0].rows_committed,
                                  "rows_rejected": p[0].rows_rejected,
                                  "batches_committed": p[0].batches_committed})
            except BaseException as e:  # noqa: BLE001  re-raised below, after the library returns
                errors.append(e)
                return 0
            return 0 if go_on is False else 1

        progress_fn = _native.PROGRESS_FN(on_progress)
        out = ctypes.c_void_p()
        if self._handle is None:
            raise ValueError("I/O operation on a closed cadre workspace")
        if isinstance(source, (str, os.PathLike)):
            code = _native.cadre_import_file(ctypes.byref(out), self._handle, _bytes(_encode(options)),
                                             os.fsencode(source), progress_fn, None)
        else:
            def on_read(_user, buf, cap, out_len):
                try:
                    chunk = source.read(cap)
                except BaseException as e:  # noqa: BLE001
                    errors.append(e)
                    return 1
                if isinstance(chunk, str):
                    chunk = chunk.encode("utf-8")
                ctypes.memmove(buf, chunk, len(chunk))
                out_len[0] = len(chunk)
                return 0

            read_fn = _native.READ_FN(on_read)
            code = _native.cadre_import(ctypes.byref(out), self._handle, _bytes(_encode(options)), read_fn, None,
                                        progress_fn, None)
        if errors:
            if out:
                _native.take_string(out)
            raise errors[0]
        self._raise_if(code)
        return json.loads(_native.take_string(out))

    def export_records(self, kind, target, format=None, as_of=None, all_columns=False, crlf=True, **events):
        """Exports managers, customers, purchases or interactions as CSV or NDJSON
        to `target` (a path, or a binary file object), streamed; returns
        {'rows', 'columns'}. Event kinds take from_/until/manager/customer/
        after_seq/limit filters; documents take as_of."""
        name = str(target) if isinstance(target, (str, os.PathLike)) else getattr(target, "name", "")
        options = {"kind": kind, "all_columns": all_columns, "crlf": crlf,
                   "format": format or ("ndjson" if str(name).lower().endswith((".ndjson", ".jsonl")) else "csv")}
        if as_of is not None:
            options["as_of"] = _time_text(as_of)
        if "from_" in events:
            events["from"] = events.pop("from_")
        for key in ("from", "until"):
            if key in events:
                events[key] = _time_text(events[key])
        options.update(events)
        if isinstance(target, (str, os.PathLike)):
            return self._json_call(_native.cadre_export_file, _bytes(_encode(options)), os.fsencode(target))
        errors = []

        def on_write(_user, data, length):
            try:
                target.write(ctypes.string_at(data, length))
            except BaseException as e:  # noqa: BLE001
                errors.append(e)
                return 1
            return 0

        write_fn = _native.WRITE_FN(on_write)
        out = ctypes.c_void_p()
        if self._handle is None:
            raise ValueError("I/O operation on a closed cadre workspace")
        code = _native.cadre_export(ctypes.byref(out), self._handle, _bytes(_encode(options)), write_fn, None)
        if errors:
            raise errors[0]
        self._raise_if(code)
        return json.loads(_native.take_string(out))

    def scan(self, **query):
        """Logged events matching the query (from, until, kinds, manager, customer,
        after_seq, order='by_time'|'by_seq', limit): a list of {'seq', 'event'}."""
        if "from_" in query:
            query["from"] = query.pop("from_")
        for key in ("from", "until"):
            if key in query:
                query[key] = _time_text(query[key])
        return self._json_call(_native.cadre_events_scan, _bytes(_encode(query)))["events"]


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_MICROSECOND = _dt.timedelta(microseconds=1)
_SALE_TEXT_FIELDS = ("id", "manager", "customer", "category", "sku", "reference")
_SALE_KINDS = {"sale": 0, "return": 1}
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _sale_array_by_rows(rows):
    """rows as a cadre_sale array, one field at a time: the reference for
    _sale_array_by_columns, and what raises the precise error for a bad row.
    Returns the array and what its pointers point into (keep it until the call)."""
    sales = (_native.Sale * len(rows))()
    keep = []
    for i, row in enumerate(rows):
        s = sales[i]
        for field in _SALE_TEXT_FIELDS:
            value = row.get(field)
            if value is not None:
                b = value.encode("utf-8")
                keep.append(b)
                setattr(s, field, b)
        when = row["occurred_at"]
        if isinstance(when, _dt.datetime):
            if when.tzinfo is None:
                raise InvalidArgumentError(f"rows[{i}].occurred_at: naive datetime has no time zone",
                                           {"path": f"rows[{i}].occurred_at"})
            when = (when - _EPOCH) // _MICROSECOND
        numbers = {"occurred_at": when, "amount_minor": row["amount_minor"], "quantity": row.get("quantity") or 0}
        for field, value in numbers.items():
            value = int(value)
            if not _INT64_MIN <= value <= _INT64_MAX:
                raise InvalidArgumentError(f"rows[{i}].{field}: expected a 64-bit integer, got {value}",
                                           {"path": f"rows[{i}].{field}", "value": value,
                                            "rule": "expected a 64-bit integer"})
            setattr(s, field, value)
        kind = row.get("kind", "sale")
        if kind not in _SALE_KINDS:
            raise InvalidArgumentError(f'rows[{i}].kind: expected "sale" or "return", got {kind!r}',
                                       {"path": f"rows[{i}].kind", "value": kind,
                                        "rule": 'expected "sale" or "return"'})
        s.kind = _SALE_KINDS[kind]
    return sales, keep


def _sale_layout():
    """Where each cadre_sale field sits, in 8-byte slots (4-byte for kind), or
    None if the struct is not laid out as _sale_array_by_columns expects."""
    size = ctypes.sizeof(_native.Sale)
    fields = {name: getattr(_native.Sale, name) for name, _ in _native.Sale._fields_}
    wide = _SALE_TEXT_FIELDS + ("occurred_at", "amount_minor", "quantity")
    if (size % 8 or ctypes.sizeof(ctypes.c_void_p) != 8 or fields["kind"].size != 4
            or any(fields[f].size != 8 or fields[f].offset % 8 for f in wide) or fields["kind"].offset % 4):
        return None
    return size // 8, {f: fields[f].offset // 8 for f in wide}, fields["kind"].offset // 4


_SALE_LAYOUT = _sale_layout()


def _sale_array_by_columns(rows):
    """rows as a cadre_sale array, built a column at a time so that the loops run
    in C (list comprehensions, str.join, array, memoryview), several times faster
    than filling the ctypes structs field by field. The strings of every row go
    into one buffer, NUL-terminated; the pointers point into it. Raises on
    anything unusual (a value of another type, a naive datetime, a number out of
    range): the caller then builds the array row by row, which says what is wrong
    or does what it always did."""
    if _SALE_LAYOUT is None:
        raise NotImplementedError("cadre_sale is not laid out as expected")
    slots, slot_of, kind_slot = _SALE_LAYOUT
    n = len(rows)
    texts, pointer_plans = [], []
    for field in _SALE_TEXT_FIELDS:
        column = [row.get(field) for row in rows]
        present = [v for v in column if v is not None] if None in column else column
        text = "\0".join(present) + "\0" if present else ""
        data = text.encode("utf-8")
        # Each string's size in the buffer: its UTF-8 length and the NUL. When the
        # whole text is ASCII, the UTF-8 length is the str length.
        if len(data) == len(text):
            sizes = [len(v) + 1 for v in present]
        else:
            sizes = [len(v.encode("utf-8")) + 1 for v in present]
        texts.append(data)
        pointer_plans.append((field, column, present is column, sizes))
    strings = bytearray(b"".join(texts) or b"\0")
    base = ctypes.addressof((ctypes.c_char * len(strings)).from_buffer(strings))

    packed = bytearray(n * slots * 8)  # zeroed: NULL pointers, reserved = 0
    words = memoryview(packed).cast("Q")
    start = base
    for field, column, dense, sizes in pointer_plans:
        addresses = itertools.accumulate(sizes, initial=start)
        if dense:
            pointers = list(itertools.islice(addresses, len(sizes)))
        else:
            addresses = iter(addresses)
            pointers = [0 if v is None else next(addresses) for v in column]
        start += sum(sizes)
        words[slot_of[field]::slots] = memoryview(array.array("Q", pointers))
    signed = memoryview(packed).cast("q")
    signed[slot_of["occurred_at"]::slots] = memoryview(array.array("q", [_micros(row["occurred_at"]) for row in rows]))
    signed[slot_of["amount_minor"]::slots] = memoryview(array.array("q", [int(row["amount_minor"]) for row in rows]))
    signed[slot_of["quantity"]::slots] = memoryview(array.array("q", [int(row.get("quantity") or 0) for row in rows]))
    memoryview(packed).cast("i")[kind_slot::slots * 2] = memoryview(
        array.array("i", [_SALE_KINDS[row.get("kind", "sale")] for row in rows]))  # KeyError: row builder
    return (_native.Sale * n).from_buffer(packed), (strings, packed)


def _micros(when):
    """Microseconds since the epoch of an aware datetime, or int(when); a naive
    datetime raises (TypeError: it cannot be subtracted from an aware one)."""
    if when.__class__ is _dt.datetime:
        return (when - _EPOCH) // _MICROSECOND
    if isinstance(when, _dt.datetime):
        raise TypeError("a datetime subclass: let the row-by-row builder decide")
    return int(when)
builtins_open = __builtins__["open"] if isinstance(__builtins__, dict) else __builtins__.open


def _csv_event(row):
    event, attributes = {}, {}
    for key, cell in row.items():
        if key is None or cell is None or cell == "":
            continue
        if key.startswith("attributes."):
            attributes[key[len("attributes."):]] = cell
        elif key in _INTEGER_COLUMNS:
            try:
                event[key] = int(cell)
            except ValueError:
                event[key] = cell  # the library names the cell and the rule
        else:
            event[key] = cell
    if attributes:
        event["attributes"] = attributes
    return event
