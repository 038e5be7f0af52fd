"""Runs an SQL query (the one `shipdeck traffic --sql` prints for Athena) with DuckDB over
CloudFront legacy log files, loaded into a table with the columns of AWS's documented standard
CloudFront logs table for Athena, so the SQL can be checked without Athena.

Usage: python duckcheck.py SQL_FILE LOG_DIR TABLE   → JSON: [[cell as text or null, ...], ...]
"""
import glob
import gzip
import json
import sys

import duckdb

COLUMNS = [("date", "DATE"), ("time", "VARCHAR"), ("location", "VARCHAR"), ("bytes", "BIGINT"),
           ("request_ip", "VARCHAR"), ("method", "VARCHAR"), ("host", "VARCHAR"), ("uri", "VARCHAR"),
           ("status", "INTEGER"), ("referrer", "VARCHAR"), ("user_agent", "VARCHAR"), ("query_string", "VARCHAR"),
           ("cookie", "VARCHAR"), ("result_type", "VARCHAR"), ("request_id", "VARCHAR"), ("host_header", "VARCHAR"),
           ("request_protocol", "VARCHAR"), ("request_bytes", "BIGINT"), ("time_taken", "DOUBLE"),
           ("xforwarded_for", "VARCHAR"), ("ssl_protocol", "VARCHAR"), ("ssl_cipher", "VARCHAR"),
           ("response_result_type", "VARCHAR"), ("http_version", "VARCHAR"), ("fle_status", "VARCHAR"),
           ("fle_encrypted_fields", "INTEGER"), ("c_port", "INTEGER"), ("time_to_first_byte", "DOUBLE"),
           ("x_edge_detailed_result_type", "VARCHAR"), ("sc_content_type", "VARCHAR"), ("sc_content_len", "BIGINT"),
           ("sc_range_start", "BIGINT"), ("sc_range_end", "BIGINT")]
NUMERIC = {name for name, t in COLUMNS if t in ("BIGINT", "INTEGER", "DOUBLE")}


def rows(log_dir):
    for path in sorted(glob.glob(log_dir + "/*.gz")):
        with gzip.open(path, "rt") as f:
            for line in f:
                if line.startswith("#"):
                    continue
                cols = line.rstrip("\n").split("\t")
                if len(cols) < len(COLUMNS):
                    continue  # Athena reads such a line as NULLs, which every query filters out
                out = []
                for (name, _), v in zip(COLUMNS, cols):
                    out.append(None if (v == "-" and name in NUMERIC) else v)
                yield out


def main(sql_file, log_dir, table):
    con = duckdb.connect()
    con.execute(f"CREATE TABLE {table} (" + ", ".join(f'"{n}" {t}' for n, t in COLUMNS) + ")")
    con.executemany(f"INSERT INTO {table} VALUES (" + ", ".join("?" for _ in COLUMNS) + ")", list(rows(log_dir)))
    result = con.execute(open(sql_file).read()).fetchall()
    return [[None if c is None else str(c) for c in r] for r in result]


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])))
