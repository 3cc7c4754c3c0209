-- Nothing is lost: for every file, rows read = rows accepted + rows quarantined.
select *
from {{ ref('ingest_reconciliation') }}
where rows_read != rows_accepted + rows_quarantined
