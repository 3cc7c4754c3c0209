"""The small shared core every stage reads: settings, the restricted store, DuckDB limits,
pseudonyms, the run lock, the build state, the names of codes and rules, spreadsheet writing."""
