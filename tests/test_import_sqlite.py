"""The embedded default database is SQLite (`make run`): the import, re-import, update and rollback work
there too, through the portable path (executemany into the staging table, plain INSERT … SELECT and
UPDATE … FROM). Runs manage.py in a subprocess on a fresh SQLite file."""

from __future__ import annotations

import json

from tests.embedded import embedded_env, manage

SCRIPT = r"""
import json
from django.contrib.auth import get_user_model
from registry.models import ImportBatch, OrgUnit, Person
from registry.services import imports as service
from registry.services.units import save_unit
from tests.import_files import UNIT_HEADERS, roster, xlsx

admin = get_user_model().objects.create_user("importer", password="x-Importer-2026")
root = save_unit(OrgUnit(code="T-ROOT", name="测试县委", kind="party_committee"))
save_unit(OrgUnit(code="T-D01", name="测试县林业局", parent=root))

def run(content, kind="people"):
    batch = service.create_batch(user=admin, kind=kind, file_name="名册.xlsx", content=content)
    batch.refresh_from_db()
    assert batch.status == "preview", (batch.status, batch.notice, batch.problems[:2])
    counts = [batch.created_count, batch.updated_count, batch.unchanged_count]
    service.confirm_batch(batch, admin)
    batch.refresh_from_db()
    return batch, counts

out = {}
tree = [["T-T01", "测试镇", "乡镇", "T-ROOT"], ["T-V1", "测试村", "村", "T-T01"]]
units, out["units"] = run(xlsx(tree, UNIT_HEADERS), "units")
out["village_path_depth"] = OrgUnit.objects.get(code="T-V1").depth
first, out["first"] = run(xlsx(roster(30)))
out["first_status"] = first.status
out["people"] = Person.objects.count()
_again, out["again"] = run(xlsx(roster(30)))
rows = roster(32)
rows[0][8] = "科长"
second, out["second"] = run(xlsx(rows))
out["post"] = Person.objects.get(staff_no="R00001").post
out["history"] = Person.history.filter(history_change_reason=f"import:{second.pk}").count()
service.request_rollback(second, admin)
second.refresh_from_db()
out["rollback"] = second.status
out["after_rollback"] = [Person.objects.count(), Person.objects.get(staff_no="R00001").post]
service.request_rollback(units, admin)
units.refresh_from_db()
out["units_rollback"] = [units.status, units.notice.get("code")]
print("RESULT " + json.dumps(out, ensure_ascii=False))
"""


def test_the_import_works_on_sqlite(tmp_path) -> None:
    env = embedded_env(tmp_path)

    manage(env, "migrate", "--noinput", "-v", "0")
    output = manage(env, "shell", "-c", SCRIPT)
    result = json.loads(output.split("RESULT ", 1)[1])
    assert result["units"] == [2, 0, 0]
    assert result["village_path_depth"] == 2
    assert result["first"] == [30, 0, 0]
    assert result["first_status"] == "done"
    assert result["people"] == 30
    assert result["again"] == [0, 0, 30], "re-importing the same file changes nothing"
    assert result["second"] == [2, 1, 29]
    assert result["post"] == "科长"
    assert result["history"] == 1  # the one update; the two people it created have their batch as provenance
    assert result["rollback"] == "rolled_back"
    assert result["after_rollback"] == [30, "科员"]
    # No one works in the imported units yet, so that batch rolls back too.
    assert result["units_rollback"] == ["rolled_back", None]
