"""The signals the apps send each other, so that none has to import another to react to
it. The library sends both from the loader, inside the load's transaction: a receiver
that fails (or raises ContentError) rolls the whole load back.

- `content_loading(content, report)`: checked content is about to be written. Apps
  holding user data that points at the content check it here (the examples app refuses
  to let a guide with examples go) and may add notes to the report.
- `content_loaded(report, glossary_changed)`: the content has been written. Search
  rebuilds its index, the page cache moves the site version on, and apps holding staff
  text re-render it when the glossary changed, so no link points at a removed term.
"""

from django.dispatch import Signal

content_loading = Signal()
content_loaded = Signal()
