"""Canonical JSON of rows, the same for every engine (PyIceberg/Arrow, Spark, DuckDB).

Each engine hands back Python values of its own kinds (Spark: uuid as str, maps as dict, timestamps as
datetimes in the session zone; Arrow: maps as lists of pairs, uuid as UUID; DuckDB: maps as dicts). They are
turned into one JSON form, guided by the Iceberg type of each column, so rows compare as sorted lists of
strings: timestamps as microseconds since the epoch, dates as days, times as microseconds of the day,
decimals as plain digits, binary as hex (over 128 bytes: its SHA-256 and length), uuid as its 36-character text, maps as key-sorted pairs, floats
with NaN/Infinity spelled out.
"""
import base64
import hashlib
import datetime as dt
import decimal
import json
import math
import uuid

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
EPOCH_DATE = dt.date(1970, 1, 1)


def _primitive(t, v):
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if t in ("timestamp", "timestamptz") or t.startswith("timestamp"):
        if isinstance(v, dt.datetime):
            if v.tzinfo is None:
                v = v.replace(tzinfo=dt.timezone.utc)
            d = v - EPOCH
            return (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds
        return int(v)
    if t == "date":
        if isinstance(v, dt.date):
            return (v - EPOCH_DATE).days
        return int(v)
    if t == "time":
        if isinstance(v, dt.time):
            return ((v.hour * 60 + v.minute) * 60 + v.second) * 1_000_000 + v.microsecond
        return int(v)
    if t == "uuid":
        if isinstance(v, (bytes, bytearray, memoryview)):
            return str(uuid.UUID(bytes=bytes(v)))
        return str(uuid.UUID(str(v)))
    if t.startswith("decimal"):
        return format(decimal.Decimal(v), "f")
    if t == "binary" or t.startswith("fixed"):
        if isinstance(v, str):  # some engines hand base64 text
            v = base64.b64decode(v)
        return _bytes(bytes(v))
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, (bytes, bytearray, memoryview)):
        return _bytes(bytes(v))
    if isinstance(v, str) and len(v) > 256:
        return f"sha256:{hashlib.sha256(v.encode()).hexdigest()}:{len(v)}"
    return v


def _bytes(b):
    # large values (kv items of megabytes) by digest and length, so documents stay small
    return b.hex() if len(b) <= 128 else f"sha256:{hashlib.sha256(b).hexdigest()}:{len(b)}"


def canonical_value(t, v):
    """`t`: an Iceberg type in the spec's JSON form (a string, or a list/map/struct object)."""
    if v is None:
        return None
    if isinstance(t, str):
        return _primitive(t, v)
    kind = t["type"]
    if kind == "list":
        return [canonical_value(t["element"], x) for x in v]
    if kind == "map":
        pairs = v.items() if isinstance(v, dict) else [(p[0], p[1]) if isinstance(p, (tuple, list)) else (p["key"], p["value"]) for p in v]
        out = [[canonical_value(t["key"], k), canonical_value(t["value"], x)] for k, x in pairs]
        return sorted(out, key=lambda p: json.dumps(p[0], sort_keys=True))
    if kind == "struct":
        get = (lambda f: v[f["name"]]) if isinstance(v, dict) else (lambda f: getattr(v, f["name"]))
        return {f["name"]: canonical_value(f["type"], get(f)) for f in t["fields"]}
    raise ValueError(f"unknown Iceberg type {t}")


def canonical_rows(schema, rows):
    """Rows (dicts or Spark Rows) of a table with Iceberg schema `schema` → sorted canonical JSON lines."""
    out = []
    for r in rows:
        d = r.asDict(recursive=False) if hasattr(r, "asDict") else r
        obj = {f["name"]: canonical_value(f["type"], d.get(f["name"])) for f in schema["fields"]}
        out.append(json.dumps(obj, sort_keys=True, ensure_ascii=False))
    out.sort()
    return out
