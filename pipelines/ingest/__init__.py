"""The one generic ingest path: discover -> decode -> read -> parse/quarantine -> stage."""
