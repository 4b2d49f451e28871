"""The Improvement Leaders' Guides library: one Django app per feature (see ARCHITECTURE.md).

- library: the guides, sections, tools and glossary, loaded from fixtures/; the one
  Markdown pipeline; browse pages and the read-only API.
- search: one index over the content and published local examples.
- examples: local examples written by staff and moderated by editors.
- training: training modules and every handout (module, guide, tool), HTML and PDF.
- measurement: run and SPC charts (pure rules, drawing, pages and API).
- core: what every app leans on and none owns (page cache, security, errors, site
  version, shared form pieces).
"""
