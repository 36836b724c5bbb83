"""Reads datamove's Iceberg tables with PyIceberg and prints what it saw as one JSON document.

Input (argv[1], JSON): {"catalog": {...}, "tables": [{"id": "ns.t", "schemas": {id: schema}, "snapshots":
[{"id", "schemaId"}], "history": [{"timestampMs", "snapshotId"}], "filters": [{"name", "pyiceberg"}]}]}.
For every table: the schema, partition spec and sort order as PyIceberg parsed them, the current rows, the
rows of every snapshot (by id and by time), each filter's rows and the number of data files its scan plans,
the snapshot summaries and the sizes of the `inspect` tables. Failures are recorded per item, never fatal.
"""
import json
import sys
import traceback

import pyiceberg
from pyiceberg.catalog import load_catalog

from canonical import canonical_rows


def catalog_properties(c):
    props = {"warehouse": c["warehouse"]} if c.get("warehouse") else {}
    if c["type"] == "rest":
        props.update({"type": "rest", "uri": c["uri"]})
    else:
        props.update({"type": "sql", "uri": c["uri"], "init_catalog_tables": "false"})
    s3 = c.get("s3")
    if s3:
        props.update({
            "s3.endpoint": s3["endpoint"],
            "s3.access-key-id": s3["accessKeyId"],
            "s3.secret-access-key": s3["secretAccessKey"],
            "s3.region": s3["region"],
        })
    return props


def attempt(fn):
    try:
        return fn()
    except Exception as e:  # recorded, so one engine failure does not hide the others
        return {"error": f"{type(e).__name__}: {e}".splitlines()[0][:500], "trace": traceback.format_exc()[-1500:]}


def read_table(catalog, t):
    table = catalog.load_table(t["id"])
    schemas = t["schemas"]
    out = {
        "schema": json.loads(table.schema().model_dump_json()),
        "spec": json.loads(table.spec().model_dump_json()),
        "sortOrder": json.loads(table.sort_order().model_dump_json()),
        "arrowTypes": {f.name: str(f.type) for f in table.schema().as_arrow()},
        "location": table.location(),
    }
    cur = table.current_snapshot()
    out["currentSnapshotId"] = None if cur is None else str(cur.snapshot_id)

    def rows_at(snapshot_id, schema_id):
        scan = table.scan(snapshot_id=int(snapshot_id))
        return canonical_rows(schemas[str(schema_id)], scan.to_arrow().to_pylist())

    snaps = {}
    for s in t["snapshots"]:
        def one(s=s):
            snap = table.snapshot_by_id(int(s["id"]))
            return {"rows": rows_at(s["id"], s["schemaId"]), "summary": snap.summary.model_dump(mode="json") if snap.summary else None,
                    "parent": None if snap.parent_snapshot_id is None else str(snap.parent_snapshot_id)}
        snaps[s["id"]] = attempt(one)
    out["snapshots"] = snaps

    by_time = {}
    for h in t["history"]:
        def one(h=h):
            snap = table.snapshot_as_of_timestamp(h["timestampMs"])
            return {"snapshotId": str(snap.snapshot_id)}
        by_time[str(h["timestampMs"])] = attempt(one)
    out["asOfTimestamp"] = by_time

    current_schema = schemas[str(t["currentSchemaId"])]
    filters = {}
    for f in t.get("filters", []):
        def one(f=f):
            scan = table.scan(row_filter=f["pyiceberg"])
            files = list(scan.plan_files())
            return {"files": len(files), "rows": canonical_rows(current_schema, scan.to_arrow().to_pylist())}
        filters[f["name"]] = attempt(one)
    out["filters"] = filters
    out["allFiles"] = attempt(lambda: len(list(table.scan().plan_files())))

    inspect = {}
    for name in ("snapshots", "manifests", "files", "partitions", "history", "entries"):
        inspect[name] = attempt(lambda name=name: {"rows": getattr(table.inspect, name)().num_rows})
    out["inspect"] = inspect
    return out


def main():
    job = json.load(open(sys.argv[1]))
    catalog = load_catalog(job["catalog"].get("name", "datamove"), **catalog_properties(job["catalog"]))
    result = {"engine": "pyiceberg", "version": pyiceberg.__version__}
    result["namespaces"] = attempt(lambda: sorted(".".join(n) for n in catalog.list_namespaces()))
    listed = {}
    for ns in sorted({t["id"].rsplit(".", 1)[0] for t in job["tables"]}):
        listed[ns] = attempt(lambda ns=ns: sorted(".".join(i) for i in catalog.list_tables(ns)))
    result["listed"] = listed
    result["tables"] = {t["id"]: attempt(lambda t=t: read_table(catalog, t)) for t in job["tables"]}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
