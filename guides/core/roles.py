"""The staff roles are groups holding permissions, made by the apps' data migrations
(README: "Accounts and local examples"):

- Facilitators add local examples and change their own until published;
- Editors review, publish, return and unpublish examples, and build and change modules;
- Trainers build training modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.apps.registry import Apps
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor

ROLE_NAMES = ("Facilitators", "Editors", "Trainers")


def grant(
    apps: Apps,
    schema_editor: BaseDatabaseSchemaEditor,
    *,
    app_label: str,
    model: str,
    permissions: dict,
    roles: dict,
) -> None:
    """Give each role in `roles` ({group: [codename, ...]}) those permissions of `model`
    ({codename: name}). Permissions are normally made after all migrations
    (post_migrate); they are made now so the groups can hold them, and post_migrate then
    finds them and leaves them alone."""
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.using(db).get_or_create(app_label=app_label, model=model)
    made = {
        codename: Permission.objects.using(db).get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )[0]
        for codename, name in permissions.items()
    }
    for group_name in ROLE_NAMES:
        group, _ = Group.objects.using(db).get_or_create(name=group_name)
        codenames = roles.get(group_name, [])
        group.permissions.add(*(made[c] for c in codenames))


def revoke(
    apps: Apps, schema_editor: BaseDatabaseSchemaEditor, *, app_label: str, permissions: dict
) -> None:
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.using(schema_editor.connection.alias).filter(
        content_type__app_label=app_label, codename__in=permissions
    ).delete()
