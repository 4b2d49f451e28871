# The roles for local examples (guides/core/roles.py). Trainers get the module
# permissions from the training app's migrations.

from django.db import migrations

from guides.core import roles

PERMISSIONS = {
    "add_localexample": "Can add local example",
    "change_localexample": "Can change local example",
    "delete_localexample": "Can delete local example",
    "view_localexample": "Can view local example",
    "review_localexample": "Can publish, return and unpublish local examples",
}
ROLES = {
    "Facilitators": ["add_localexample"],
    "Editors": list(PERMISSIONS),
}


def forward(apps, schema_editor):
    roles.grant(
        apps, schema_editor, app_label="examples", model="localexample",
        permissions=PERMISSIONS, roles=ROLES,
    )  # fmt: skip


def backward(apps, schema_editor):
    roles.revoke(apps, schema_editor, app_label="examples", permissions=PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("examples", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, backward)]
