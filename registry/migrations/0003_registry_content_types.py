from django.db import IntegrityError, migrations, transaction

# Every model that moved from `accountability` to `registry` (issue 11), history models included.
MOVED_MODELS = (
    "orgunit",
    "historicalorgunit",
    "person",
    "historicalperson",
    "profile",
    "regulation",
    "historicalregulation",
    "clause",
    "historicalclause",
    "workcalendarday",
    "historicalworkcalendarday",
    "deadlinerule",
    "historicaldeadlinerule",
    "importbatch",
    "importfile",
    "importchange",
)


def _repoint(apps, using, target_model, old, new):
    """Make every row that points at `old` (a ContentType or a Permission) point at `new` instead, in
    every model of the project's state (guardian's object permissions, the admin's log, the groups' and
    users' permissions, the access log...). A row that would then repeat one already pointing at `new`
    (a group holding both permissions) is a duplicate: it is deleted."""
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if not (field.many_to_one or field.one_to_one) or field.related_model is not target_model:
                continue
            rows = model._base_manager.using(using).filter(**{field.attname: old.pk})
            for pk in rows.values_list("pk", flat=True):
                try:
                    with transaction.atomic(using=using):
                        model._base_manager.using(using).filter(pk=pk).update(**{field.attname: new.pk})
                except IntegrityError:
                    model._base_manager.using(using).filter(pk=pk).delete()


def _merge(apps, using, keep, drop):
    """`keep` and `drop` are two content types of one model (a `migrate` stopped half-way can have made the
    second, with its default permissions, before this migration ran). Everything pointing at `drop` or at
    one of its permissions moves to `keep` and its permission of the same codename, then `drop` goes."""
    content_type_model = apps.get_model("contenttypes", "ContentType")
    permission_model = apps.get_model("auth", "Permission")
    kept = {p.codename: p for p in permission_model.objects.using(using).filter(content_type=keep)}
    for permission in permission_model.objects.using(using).filter(content_type=drop):
        twin = kept.get(permission.codename)
        if twin is None:
            permission.content_type = keep
            permission.save(update_fields=["content_type"])
        else:
            _repoint(apps, using, permission_model, permission, twin)
            permission.delete()
    _repoint(apps, using, content_type_model, drop, keep)
    drop.delete()


def _move_content_types(apps, schema_editor, source, target):
    """Give the moved models' content types their new app label, in place: each keeps its id, and with it
    its permissions (and the groups and users holding them), django-guardian's object permissions, the
    admin's log entries and the access log rows — nothing that points at a content type has to change."""
    content_type_model = apps.get_model("contenttypes", "ContentType")
    using = schema_editor.connection.alias
    manager = content_type_model.objects.db_manager(using)
    for model in MOVED_MODELS:
        moving = manager.filter(app_label=source, model=model).first()
        if moving is None:  # a fresh database: post_migrate creates the registry's content types later
            continue
        already = manager.filter(app_label=target, model=model).first()
        if already is not None:
            _merge(apps, using, keep=moving, drop=already)
        moving.app_label = target
        moving.save(update_fields=["app_label"])
    manager.clear_cache()


def forwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, "accountability", "registry")


def backwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, "registry", "accountability")


class Migration(migrations.Migration):
    """The content types of the moved models say `registry` instead of `accountability` (issue 11).

    Renamed in place rather than created anew, so that permissions (`registry.view_person` is the same
    row as `accountability.view_person` was), the role groups holding them, object permissions and admin
    history stay attached, and no stale `accountability` content type or duplicate permission remains.
    """

    dependencies = [
        ("registry", "0002_registry_table_names"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
