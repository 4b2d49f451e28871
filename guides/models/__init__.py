"""The app's models, one module per feature; import them from here."""

from .content import (  # noqa: F401
    ContentVersion,
    GlossaryTerm,
    Guide,
    GuideTool,
    SearchDocument,
    SearchWord,
    Section,
    SectionManager,
    Side,
    SlugManager,
    Tool,
)
from .examples import (  # noqa: F401
    ADD_EXAMPLE,
    CHANGE_ANY_EXAMPLE,
    DELETE_ANY_EXAMPLE,
    MARKDOWN_FIELDS,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    MAX_TEXT_LENGTH,
    REVIEW_EXAMPLES,
    VIEW_ANY_EXAMPLE,
    ExampleStatus,
    LocalExample,
    LocalExampleManager,
    LocalExampleQuerySet,
    OrganisationType,
    example_glossary,
    normalise_tag,
    parse_tags,
)
from .modules import (  # noqa: F401
    BUILD_MODULES,
    CHANGE_SHARED_MODULES,
    MAX_MINUTES,
    MAX_MODULE_ITEMS,
    ItemKind,
    Module,
    ModuleItem,
    ModuleQuerySet,
    ModuleVisibility,
    format_minutes,
    new_share_token,
)
from .site import (  # noqa: F401
    SiteVersion,
)
