"""Reads every .parquet file under DIR with pyarrow (independent of the Rust parquet crate) and
prints one JSON object per row, plus a first line describing the schema of each file."""
import glob
import json
import sys

import pyarrow.parquet as pq

files = sorted(glob.glob(sys.argv[1] + "/**/*.parquet", recursive=True))
schemas = set()
rows = []
for f in files:
    table = pq.read_table(f)
    schemas.add(str(table.schema))
    for row in table.to_pylist():
        out = {}
        for k, v in row.items():
            if hasattr(v, "timestamp"):
                v = int(v.timestamp() * 1000)
            elif isinstance(v, bytes):
                v = v.hex()
            out[k] = v
        out["_file"] = f
        rows.append(out)
print(json.dumps({"files": len(files), "schemas": sorted(schemas)}))
for r in rows:
    print(json.dumps(r))
