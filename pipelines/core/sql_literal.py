"""SQL string literals for the statements povmon writes around file paths and comments:
DuckDB takes neither an ATTACH or COPY path nor a COMMENT as a bound parameter."""


def sql_text(text: str) -> str:
    """``text`` as a single-quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"
