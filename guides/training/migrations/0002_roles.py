# Trainers and Editors build modules; Editors may also change modules shared with staff
# (Module.can_edit). See guides/core/roles.py.

from django.db import migrations

from guides.core import roles

PERMISSIONS = {
    "add_module": "Can add module",
    "change_module": "Can change module",
}
ROLES = {
    "Trainers": ["add_module"],
    "Editors": ["add_module", "change_module"],
}


def forward(apps, schema_editor):
    roles.grant(
        apps, schema_editor, app_label="training", model="module",
        permissions=PERMISSIONS, roles=ROLES,
    )  # fmt: skip


def backward(apps, schema_editor):
    roles.revoke(apps, schema_editor, app_label="training", permissions=PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, backward)]
