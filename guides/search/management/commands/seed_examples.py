"""Create synthetic local examples for benchmarks and demonstrations.

Every one is marked as synthetic (title, tag and contact), and the command refuses to
run with production settings (HTTPS=true). `--delete` removes them again.
"""

import random
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from guides.examples.models import ExampleStatus, LocalExample, OrganisationType
from guides.library import markup
from guides.library.models import Guide, Tool
from guides.search import index
from guides.search.models import SearchDocument

SYNTHETIC_TAG = "synthetic"
SERVICES = [
    "cardiology outpatients", "the emergency department", "a medical ward", "a GP practice",
    "district nursing", "physiotherapy", "the diabetes clinic", "radiology", "pharmacy",
    "the discharge lounge", "community mental health", "maternity", "the stroke unit",
    "ophthalmology clinic", "the phlebotomy service", "a care home liaison team",
]  # fmt: skip
CHANGES = [
    "a daily board round", "a single referral form", "nurse-led discharge",
    "text message reminders", "pooled booking", "a protected slot for urgent cases",
    "a morning huddle", "a new triage question", "same-day test results",
    "a shared waiting list", "pharmacy on the ward round", "a discharge checklist",
]  # fmt: skip
PROBLEMS = [
    "Patients waited **{w} weeks** for a first appointment and the list grew every month.",
    "About one patient in {d} did not attend, and the empty slots were lost.",
    "Discharges bunched late in the day, so beds were not free for the morning admissions.",
    "Referral letters arrived in many formats and {d}% had to be sent back for details.",
    "Staff spent a long time looking for notes, equipment and test results each shift.",
    "Results took {w} days to reach the clinic, and patients were called back twice.",
]
ACTIONS = [
    "We mapped the patient journey with the team on sticky notes, then ran three PDSA "
    "cycles of {c}, one week each.",
    "We measured demand, capacity, activity and backlog each week for {w} weeks, then "
    "tried {c} on one day a week before spreading it.",
    "A small group of nurses, doctors and two patients agreed an aim and tested {c} on a "
    "single ward first.",
    "We plotted the data on a run chart and held a short huddle every Friday to decide "
    "the next test of {c}.",
]
RESULTS = [
    "The median wait fell from {w} to {v} weeks, and a shift of eight points below the "
    "median showed the change was real.",
    "The did-not-attend rate fell from {d}% to {v}% over twelve weeks; the run chart "
    "showed a sustained shift.",
    "Morning discharges rose from {v} to {d} a day, with no rise in readmissions (our "
    "balancing measure).",
    "Returned referrals fell to {v}%, and staff said the new form saved time.",
]
LESSONS = [
    "- Start small: one clinic, one week.\n- Plot the data every week, not just at the end.",
    "- Involve the people who do the work from day one.\n- Share the run chart on the ward.",
    "- Agree the operational definition first.\n- Expect the first test to fail, and learn.",
]
TAGS = [
    "cardiac", "primary care", "A&E", "outpatients", "discharge", "community", "diabetes",
    "mental health", "maternity", "stroke", "pharmacy", "radiology", "waiting lists",
    "DNA", "flow", "patient experience", "workforce", "huddles", "referrals", "beds",
]  # fmt: skip


class Command(BaseCommand):
    help = "Create N synthetic local examples for benchmarks and demos (never in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=100)
        parser.add_argument("--published", type=float, default=0.9, help="Share published.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--delete", action="store_true", help="Remove synthetic examples.")

    def handle(
        self, *args, count: int, published: float, seed: int, delete: bool, **options
    ) -> None:
        if settings.HTTPS:
            raise CommandError(
                "seed_examples is for benchmarks and demos: refused with HTTPS=true."
            )
        if delete:
            ids = list(
                LocalExample.objects.filter(tags__name=SYNTHETIC_TAG).values_list("pk", flat=True)
            )
            with transaction.atomic():
                SearchDocument.objects.filter(kind="example", object_id__in=ids).delete()
                TaggedItem.objects.filter(
                    content_type=ContentType.objects.get_for_model(LocalExample), object_id__in=ids
                ).delete()
                LocalExample.objects.filter(pk__in=ids).delete()
            self.stdout.write(f"Deleted {len(ids)} synthetic examples.")
            return
        if count < 1 or count > 1_000_000:
            raise CommandError("--count must be between 1 and 1,000,000.")
        guides = list(Guide.objects.all())
        if not guides:
            raise CommandError("Load the guides first: python manage.py load_guides")
        tools = list(Tool.objects.all())
        created = seed_examples(count, guides, tools, published, random.Random(seed))
        self.stdout.write(
            f"Created {created} synthetic local examples ({published:.0%} published)."
        )


def _render(text: str) -> tuple[str, str]:
    rendered = markup.render(text)
    return rendered.html, rendered.text


def seed_examples(
    count: int,
    guides: list[Guide],
    tools: list[Tool],
    published_share: float,
    rng: random.Random,
    batch_size: int = 2000,
) -> int:
    tag_objects = {name: Tag.objects.get_or_create(name=name)[0] for name in [*TAGS, SYNTHETIC_TAG]}
    content_type = ContentType.objects.get_for_model(LocalExample)
    rendered_cache: dict[str, tuple[str, str]] = {}

    def render(text: str) -> tuple[str, str]:
        if text not in rendered_cache:
            rendered_cache[text] = _render(text)
        return rendered_cache[text]

    now = timezone.now()
    made = 0
    while made < count:
        n = min(batch_size, count - made)
        examples, tag_names = [], []
        for _ in range(n):
            numbers = {"w": rng.randint(6, 30), "d": rng.randint(8, 25), "v": rng.randint(2, 7)}
            service, change = rng.choice(SERVICES), rng.choice(CHANGES)
            fields = {
                "problem": rng.choice(PROBLEMS).format(**numbers),
                "what_was_done": rng.choice(ACTIONS).format(c=change, **numbers),
                "results": rng.choice(RESULTS).format(**numbers),
                "lessons": rng.choice(LESSONS),
            }
            html = {name: render(text) for name, text in fields.items()}
            status = (
                ExampleStatus.PUBLISHED if rng.random() < published_share else ExampleStatus.DRAFT
            )
            start = date(2024, 1, 1) + timedelta(days=rng.randint(0, 600))
            example = LocalExample(
                uid=uuid.uuid4(),
                guide=rng.choice(guides),
                title=f"Synthetic: {change} in {service}"[:200],
                organisation_type=rng.choice(OrganisationType.values),
                service=service,
                team="Synthetic example team",
                contact="Synthetic example for testing: not a real service",
                period_start=start,
                period_end=start + timedelta(days=rng.randint(30, 300)),
                status=status,
                published_at=now if status == ExampleStatus.PUBLISHED else None,
                created_at=now,
                updated_at=now,
                **fields,
                **{f"{name}_html": html[name][0] for name in fields},
            )
            example.excerpt = html["problem"][1][:280]
            names = [SYNTHETIC_TAG, *rng.sample(TAGS, rng.randint(1, 3))]
            parts = [example.title, example.get_organisation_type_display(), service]
            texts = [html[name][1] for name in fields]
            example.text = " ".join([*parts, *texts, example.contact, *sorted(names)])
            examples.append(example)
            tag_names.append(names)
        with transaction.atomic():
            LocalExample.objects.bulk_create(examples, batch_size=500)
            if tools:
                through = LocalExample.tools.through
                through.objects.bulk_create(
                    [through(localexample_id=e.pk, tool_id=rng.choice(tools).pk) for e in examples],
                    batch_size=1000,
                )
            TaggedItem.objects.bulk_create(
                [
                    TaggedItem(tag=tag_objects[name], content_type=content_type, object_id=e.pk)
                    for e, names in zip(examples, tag_names, strict=True)
                    for name in names
                ],
                batch_size=2000,
            )
            SearchDocument.objects.bulk_create(
                [
                    SearchDocument(
                        kind="example",
                        object_id=e.pk,
                        **index.example_fields(e, e.guide.slug, names),
                    )
                    for e, names in zip(examples, tag_names, strict=True)
                    if e.status == ExampleStatus.PUBLISHED
                ],
                batch_size=1000,
            )
        made += n
    return made
