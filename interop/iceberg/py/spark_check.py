"""Runs Spark 3.5 (local mode) with the Iceberg runtime over datamove's tables and prints one JSON document.

Input (argv[1], JSON): {"jars": [...], "catalogs": {name: {...}}, "sql": [statements run first, e.g. CALL
system.rewrite_data_files], "tables": [{"id": "cat.ns.t", "schemas", "snapshots", "history", "filters":
[{"name", "sql"}]}]}. For every table: the Iceberg schema, spec and sort order as Java's Iceberg parsed them,
the Spark SQL types, count(*), the current rows, the rows at every snapshot (VERSION AS OF) and at every
history time (TIMESTAMP AS OF), each filter's rows with the data files the scan planned (Iceberg's scan
metrics), and the sizes of the metadata tables. Failures are recorded per item.
"""
import datetime as dt
import json
import sys
import traceback

from canonical import canonical_rows


def attempt(fn):
    try:
        return fn()
    except Exception as e:
        msg = f"{type(e).__name__}: {e}"
        return {"error": msg.splitlines()[0][:500], "trace": traceback.format_exc()[-1500:]}


def catalog_conf(name, c):
    p = f"spark.sql.catalog.{name}"
    conf = {p: "org.apache.iceberg.spark.SparkCatalog"}
    if c["type"] == "rest":
        conf[f"{p}.type"] = "rest"
        conf[f"{p}.uri"] = c["uri"]
    else:
        conf[f"{p}.type"] = "jdbc"
        conf[f"{p}.uri"] = c["uri"]
        conf[f"{p}.jdbc.schema-version"] = "V1"
        for k in ("user", "password"):
            if c.get(k):
                conf[f"{p}.jdbc.{k}"] = c[k]
    if c.get("warehouse"):
        conf[f"{p}.warehouse"] = c["warehouse"]
    s3 = c.get("s3")
    if s3:
        conf[f"{p}.io-impl"] = "org.apache.iceberg.io.ResolvingFileIO"
        conf[f"{p}.s3.endpoint"] = s3["endpoint"]
        conf[f"{p}.s3.path-style-access"] = "true"
        conf[f"{p}.s3.access-key-id"] = s3["accessKeyId"]
        conf[f"{p}.s3.secret-access-key"] = s3["secretAccessKey"]
        conf[f"{p}.client.region"] = s3["region"]
    return conf


def session(job):
    from pyspark.sql import SparkSession

    b = (
        SparkSession.builder.master("local[2]")
        .appName("datamove-interop")
        .config("spark.jars", ",".join(job["jars"]))
        .config("spark.driver.memory", "768m")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
    )
    for name, c in job["catalogs"].items():
        for k, v in catalog_conf(name, c).items():
            b = b.config(k, v)
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def scan_files(df):
    """Data files the Iceberg scan of an executed query planned (its resultDataFiles metric)."""
    plan = df._jdf.queryExecution().executedPlan()
    leaves = plan.collectLeaves()
    total = 0
    found = False
    for i in range(leaves.length()):
        m = leaves.apply(i).metrics().get("resultDataFiles")
        if m.isDefined():
            found = True
            total += m.get().value()
    return total if found else None


def read_table(spark, t):
    jvm = spark._jvm
    name = t["id"]
    table = jvm.org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark._jsparkSession, name)
    out = {
        "schema": json.loads(jvm.org.apache.iceberg.SchemaParser.toJson(table.schema())),
        "spec": json.loads(jvm.org.apache.iceberg.PartitionSpecParser.toJson(table.spec())),
        "sortOrder": json.loads(jvm.org.apache.iceberg.SortOrderParser.toJson(table.sortOrder())),
        "location": table.location(),
    }
    cur = table.currentSnapshot()
    out["currentSnapshotId"] = None if cur is None else str(cur.snapshotId())
    schemas = t["schemas"]
    current_schema = schemas[str(t["currentSchemaId"])]

    def current():
        df = spark.table(name)
        return {
            "sparkTypes": {f.name: f.dataType.simpleString() for f in df.schema.fields},
            "count": spark.sql(f"SELECT count(*) AS n FROM {name}").collect()[0]["n"],
            "rows": canonical_rows(current_schema, df.collect()),
        }

    out["current"] = attempt(current)
    snaps = {}
    for s in t["snapshots"]:
        snaps[s["id"]] = attempt(lambda s=s: {"rows": canonical_rows(
            schemas[str(s["schemaId"])], spark.sql(f"SELECT * FROM {name} VERSION AS OF {s['id']}").collect())})
    out["snapshots"] = snaps
    by_time = {}
    for h in t["history"]:
        ts = dt.datetime.fromtimestamp(h["timestampMs"] / 1000, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        by_time[str(h["timestampMs"])] = attempt(lambda ts=ts, h=h: {"rows": canonical_rows(
            schemas[str(h["schemaId"])], spark.sql(f"SELECT * FROM {name} TIMESTAMP AS OF '{ts}'").collect())})
    out["asOfTimestamp"] = by_time
    filters = {}
    for f in t.get("filters", []):
        def one(f=f):
            df = spark.sql(f"SELECT * FROM {name} WHERE {f['sql']}")
            rows = df.collect()
            return {"rows": canonical_rows(current_schema, rows), "files": scan_files(df)}
        filters[f["name"]] = attempt(one)
    out["filters"] = filters

    def all_files():
        df = spark.sql(f"SELECT * FROM {name}")
        df.collect()
        return scan_files(df)

    out["allFiles"] = attempt(all_files)
    meta = {}
    for m in ("snapshots", "files", "manifests", "partitions", "history", "entries"):
        meta[m] = attempt(lambda m=m: {"rows": spark.sql(f"SELECT count(*) AS n FROM {name}.{m}").collect()[0]["n"]})
    out["metadataTables"] = meta
    return out


def main():
    job = json.load(open(sys.argv[1]))
    spark = session(job)
    result = {"engine": "spark", "version": spark.version,
              "iceberg": spark._jvm.org.apache.iceberg.IcebergBuild.version()}
    statements = []
    for stmt in job.get("sql", []):
        def run(stmt=stmt):
            return [r.asDict() for r in spark.sql(stmt).collect()]
        statements.append({"sql": stmt, "result": attempt(lambda: json.loads(json.dumps(run(), default=str)))})
    result["sql"] = statements
    namespaces = {}
    for cat in job["catalogs"]:
        namespaces[cat] = attempt(lambda cat=cat: sorted(r[0] for r in spark.sql(f"SHOW NAMESPACES IN {cat}").collect()))
    result["namespaces"] = namespaces
    listed = {}
    for ns in sorted({t["id"].rsplit(".", 1)[0] for t in job.get("tables", [])}):
        listed[ns] = attempt(lambda ns=ns: sorted(f"{ns}.{r['tableName']}" for r in spark.sql(f"SHOW TABLES IN {ns}").collect()))
    result["listed"] = listed
    result["tables"] = {t["id"]: attempt(lambda t=t: read_table(spark, t)) for t in job.get("tables", [])}
    json.dump(result, sys.stdout)
    sys.stdout.flush()
    try:
        spark.stop()
    except Exception:  # the document is out; a JVM already gone does not change it
        pass


if __name__ == "__main__":
    main()
