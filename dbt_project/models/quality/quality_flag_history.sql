-- Every night's flags, without personal data (person_key only, and the published detail
-- text, which names no date, ID digit or name): what lets a night say which flags are
-- new, resolved or still open. Re-running a night replaces that night's
-- rows (delete+insert on run_date); a full refresh never wipes it.
{{ config(**night_history()) }}

select {{ columns_of(ref('quality_worklist'), except=['id_number', 'name', 'public_detail'],
                    replace={'detail': 'public_detail'}) }}
from {{ ref('quality_worklist') }}
