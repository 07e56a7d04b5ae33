"""What DuckDB's own parser says a statement reads: the check on the sqlglot lineage."""

import json

import duckdb


def tables_duckdb_parses(sql: str) -> set[str]:
    """schema.table of every base table in DuckDB's own parse tree (independent of sqlglot)."""
    tree = json.loads(duckdb.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0])
    assert not tree["error"], tree
    found = set()

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE" and node.get("schema_name"):
                found.add(f"{node['schema_name']}.{node['table_name']}")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree)
    return found
