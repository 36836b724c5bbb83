"""The ground truth of the interop check: DuckDB reads the Parquet data files datamove lists for a snapshot
(straight from the files, no Iceberg metadata involved) and prints their rows in canonical JSON.

Input (argv[1], JSON): {"reads": [{"key", "schema", "files": [paths], "where": optional SQL}]}. Columns a file
lacks (written before a column was added) read as null (union_by_name); rows are projected to the schema.
"""
import json
import sys

import duckdb

from canonical import canonical_rows


def main():
    job = json.load(open(sys.argv[1]))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    out = {"engine": "duckdb", "version": duckdb.__version__, "reads": {}}
    for r in job["reads"]:
        files = r["files"]
        if not files:
            out["reads"][r["key"]] = {"rows": [], "files": 0}
            continue
        cols = ", ".join('"' + f["name"] + '"' for f in r["schema"]["fields"])
        sql = f"SELECT {cols}, filename FROM read_parquet(?, union_by_name = true, filename = true)"
        if r.get("where"):
            sql += f" WHERE {r['where']}"
        cur = con.execute(sql, [files])
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, row)) for row in cur.fetchall()]
        out["reads"][r["key"]] = {
            "rows": canonical_rows(r["schema"], rows),
            "files": len({row["filename"] for row in rows}),
        }
    # files against the table's declared sort order: rows out of place per file
    out["sorted"] = {}
    for r in job.get("sorted", []):
        if not r["files"] or not r["keys"]:
            out["sorted"][r["key"]] = {"files": len(r["files"]), "unsorted": 0}
            continue
        keys = ", ".join(f'"{k["name"]}" {k["direction"]} {k["nulls"]}' for k in r["keys"])
        sql = (f"SELECT count(DISTINCT filename) FROM (SELECT filename, file_row_number, row_number() OVER "
               f"(PARTITION BY filename ORDER BY {keys}, file_row_number) - 1 AS pos FROM "
               f"read_parquet(?, union_by_name = true, filename = true, file_row_number = true)) WHERE pos != file_row_number")
        out["sorted"][r["key"]] = {"files": len(r["files"]), "unsorted": con.execute(sql, [r["files"]]).fetchone()[0]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
