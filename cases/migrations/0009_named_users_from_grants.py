"""Named users become a record of the case: the users who held `view_case` on a case before this change,
other than its lead officer, its creator and the users linked to its investigation team, were named on it
(that was the only other way to get the permission), so they become its CaseNamedUser rows. The grants
themselves are left as they are; from now on every change recomputes them from the case."""

from collections import defaultdict

from django.db import migrations


def named_users_from_grants(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Grant = apps.get_model("cases", "CaseUserObjectPermission")
    Named = apps.get_model("cases", "CaseNamedUser")
    Team = apps.get_model("cases", "InvestigationTeamMember")
    Profile = apps.get_model("accountability", "Profile")
    user_of_person = dict(Profile.objects.filter(person__isnull=False).values_list("person_id", "user_id"))
    team_users = defaultdict(set)
    for case_id, person_id in Team.objects.values_list("case_id", "person_id"):
        if person_id in user_of_person:
            team_users[case_id].add(user_of_person[person_id])
    workers = {pk: {lead, creator} for pk, lead, creator in Case.objects.values_list("pk", "lead_officer_id", "created_by_id")}
    rows = [
        Named(case_id=case_id, user_id=user_id)
        for case_id, user_id in Grant.objects.filter(permission__codename="view_case")
        .values_list("content_object_id", "user_id")
        .distinct()
        if user_id not in workers[case_id] and user_id not in team_users[case_id]
    ]
    Named.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_named_users_and_withdrawal_audit"),
        ("accountability", "0001_initial"),
    ]

    operations = [migrations.RunPython(named_users_from_grants, migrations.RunPython.noop)]
