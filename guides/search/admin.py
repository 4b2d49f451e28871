# The search index is derived data, rebuilt by `manage.py rebuild_search_index`: it has
# nothing for an administrator to edit, so nothing is registered here.
