"""Static files storage: WhiteNoise's compressed, hashed names, and the `import`
statements inside the site's ES modules rewritten to the hashed names too, so a module
that imports another (nhsuk-init.js imports the vendored NHS.UK frontend) gets the
copy that can be cached for a year rather than the short-lived unhashed one."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
