"""The demonstration data `manage.py load_demo` adds, so that a first visit is not empty:
a handful of made-up local examples, each annotating a section of a different guide,
and a sample training module that uses them. Every example says it is a demonstration,
is tagged "demo" and has a fixed uid, so `load_demo --delete` removes exactly these.

(Here, not in the examples app, because the sample module is the training app's and
training may read examples; the examples app imports nothing from training.)"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from taggit.models import Tag

from guides.examples.models import ExampleStatus, LocalExample
from guides.library.models import GlossaryTerm, Guide, Section, Tool
from guides.training.models import ItemKind, Module, ModuleItem, ModuleVisibility

DEMO_USERNAME = "ilg-demo"
DEMO_EMAIL = "demo@ilg-demo.invalid"
NAMESPACE = uuid.UUID("6a1f4a52-3c0e-4c55-9d0b-8d1f0e0de111")
MARK = (
    "*A demonstration example, made up to show how local examples work: the service, "
    "the people and the figures are invented.*\n\n"
)
MODULE_TITLE = "Demo: mapping and measuring a patient journey"

EXAMPLES = [
    {
        "key": "chest-pain-map",
        "guide": "process-mapping",
        "section": "how-to-do-it",
        "title": "Demo: mapping the walk to a same-day chest pain clinic",
        "organisation_type": "acute",
        "service": "Emergency department and cardiology",
        "team": "ED nurses, cardiology registrars and the booking clerk",
        "tools": ["high-level-process-mapping", "process-walkthrough"],
        "tags": ["demo", "cardiology", "emergency care"],
        "problem": "People with chest pain who did not need admission waited most of a "
        "day in the emergency department for a cardiology opinion.",
        "what_was_done": "Six staff walked the route a patient takes, from the front door "
        "to the clinic, and drew it on brown paper with sticky notes: 31 steps, of which "
        "9 added nothing for the patient. They tested a direct referral slot for two "
        "weeks before making it routine.",
        "results": "The median time from arrival to a decision fell from 5 hours to 2 hours "
        "40 minutes over ten weeks, plotted weekly on a run chart.",
        "lessons": "Walk it, do not draw it from memory: the map from memory missed the "
        "two trips to the blood room.",
    },
    {
        "key": "insulin-run-chart",
        "guide": "measurement-for-improvement",
        "section": "how-to-do-it",
        "title": "Demo: a run chart for missed insulin doses on two wards",
        "organisation_type": "acute",
        "service": "Diabetes inpatient team",
        "team": "Two medical wards",
        "tools": ["run-charts", "measurement-plans", "pdsa-cycles"],
        "tags": ["demo", "diabetes", "medicines"],
        "problem": "Audits twice a year said insulin doses were missed, but nobody could "
        "tell whether changes in between helped.",
        "what_was_done": "The team agreed one measure (doses given within an hour of the "
        "prescribed time, from the electronic chart), counted it every week and put the "
        "run chart by the nurses' station. Each change was a small test.",
        "results": "After four tests the share of timely doses rose from about 70% to over "
        "90%, with a run of eight weeks above the old median.",
        "lessons": "Weekly data told the story the twice-yearly audit never could.",
    },
    {
        "key": "physio-capacity",
        "guide": "matching-capacity-and-demand",
        "section": "how-to-do-it",
        "title": "Demo: matching physiotherapy slots to weekly referrals",
        "organisation_type": "community",
        "service": "Community musculoskeletal physiotherapy",
        "team": "Physiotherapists and administrators",
        "tools": ["demand-and-capacity-tables", "capacity-and-demand-analysis"],
        "tags": ["demo", "waiting list", "therapy"],
        "problem": "The waiting list grew every month although the service had, on paper, "
        "enough physiotherapists.",
        "what_was_done": "For twelve weeks the team counted referrals in and first "
        "appointments offered, each week, in the same units. Demand was steady; capacity "
        "dipped every school holiday and on training days.",
        "results": "Moving training days and planning leave against demand stopped the "
        "list growing within a quarter; it then fell by a fifth.",
        "lessons": "Measure demand and capacity in the same units and the same weeks.",
    },
    {
        "key": "memory-clinic-letters",
        "guide": "involving-patients-and-carers",
        "section": "how-to-do-it",
        "title": "Demo: carers' stories change a memory clinic's letters",
        "organisation_type": "mental-health",
        "service": "Memory assessment service",
        "team": "Clinic staff and a carers' group",
        "tools": ["patient-stories", "surveys-and-focus-groups"],
        "tags": ["demo", "dementia", "carers"],
        "problem": "One in six people did not come to their first memory clinic "
        "appointment, and the service did not know why.",
        "what_was_done": "Staff listened to five carers tell the story of their first "
        "contact. Every one mentioned the letter: long, clinical and frightening. Carers "
        "and staff rewrote it together and tested it for a month.",
        "results": "Missed first appointments fell from about 16% to 7% over the next "
        "three months.",
        "lessons": "Ask carers first: they saw at once what the team had read past for years.",
    },
    {
        "key": "reception-triage",
        "guide": "human-dimensions-of-change",
        "section": "when-to-use-it",
        "title": "Demo: bringing reception staff on board with care navigation",
        "organisation_type": "primary",
        "service": "General practice",
        "team": "Reception team, practice manager and two GPs",
        "tools": ["stakeholder-analysis", "force-field-analysis"],
        "tags": ["demo", "general practice", "staff engagement"],
        "problem": "A plan for receptionists to guide callers to the right service stalled: "
        "the team felt it had been decided for them.",
        "what_was_done": "The practice manager ran a force field session with the whole "
        "reception team, who named what would help and what stood in the way, then chose "
        "the first test themselves.",
        "results": "Within six weeks three-quarters of suitable calls were guided to "
        "another service, and the team asked to extend it.",
        "lessons": "Resistance was mostly about not being asked.",
    },
    {
        "key": "falls-bundle",
        "guide": "sustainability-and-spread",
        "section": "how-to-do-it",
        "title": "Demo: keeping a falls bundle going after the project ended",
        "organisation_type": "social-care",
        "service": "Residential care homes",
        "team": "Three care homes and the community falls team",
        "tools": ["nhs-sustainability-model", "run-charts"],
        "tags": ["demo", "falls", "care homes"],
        "problem": "Falls had dropped during a funded project, then crept back once the "
        "project team moved on.",
        "what_was_done": "The homes scored themselves on the sustainability model, found "
        "that nobody owned the monthly falls review, and made it part of the senior "
        "carer's role with a run chart on the staff room wall.",
        "results": "Falls stayed at the lower level for the following nine months.",
        "lessons": "Give the new way of working an owner before the project team leaves.",
    },
]


def uid_of(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key)


def demo_uids() -> list[uuid.UUID]:
    return [uid_of(e["key"]) for e in EXAMPLES]


def demo_user() -> User | None:
    return User.objects.filter(username=DEMO_USERNAME, email=DEMO_EMAIL).first()


def is_loaded() -> bool:
    return LocalExample.objects.filter(uid__in=demo_uids()).exists()


def load() -> list[str]:
    """Add the demonstration data (what is already there is left alone); return what
    was done, a line each."""
    done: list[str] = []
    with transaction.atomic():
        user = demo_user()
        if user is None:
            user = User(username=DEMO_USERNAME, email=DEMO_EMAIL, first_name="Demo",
                        last_name="facilitator", is_active=False)  # fmt: skip
            user.set_unusable_password()
            user.save()
            done.append(f"Made the account '{DEMO_USERNAME}' (it cannot sign in).")
        guides = {g.slug: g for g in Guide.objects.all()}
        examples = {}
        for data in EXAMPLES:
            example = LocalExample.objects.filter(uid=uid_of(data["key"])).first()
            if example is None:
                example = _example(data, guides, user, done)
            if example is not None:
                examples[data["key"]] = example
        if examples and not Module.objects.filter(owner=user, title=MODULE_TITLE).exists():
            _module(user, examples)
            done.append(f"Made the sample module “{MODULE_TITLE}” (shared with signed-in staff).")
    return done


def _example(data: dict, guides: dict, user: User, done: list[str]) -> LocalExample | None:
    guide = guides.get(data["guide"])
    if guide is None:
        done.append(f"Left out “{data['title']}”: there is no guide '{data['guide']}'.")
        return None
    section = guide.sections.filter(anchor=data["section"]).first()
    example = LocalExample(
        uid=uid_of(data["key"]),
        guide=guide,
        section_anchor=section.anchor if section else "",
        author=user,
        status=ExampleStatus.PUBLISHED,
        published_at=timezone.now(),
        title=data["title"],
        organisation_type=data["organisation_type"],
        service=data["service"],
        team=data["team"],
        problem=MARK + data["problem"],
        what_was_done=data["what_was_done"],
        results=data["results"],
        lessons=data["lessons"],
        contact="Demonstration data: not a real team",
    )
    example._tag_names = data["tags"]
    example.save()
    example.tools.set(Tool.objects.filter(slug__in=data["tools"]))
    example.tags.set(data["tags"])
    where = f"section “{section.title}”" if section else "the guide as a whole"
    done.append(f"Added the demo example “{example.title}” to {guide.title}, {where}.")
    return example


def _module(user: User, examples: dict[str, LocalExample]) -> Module:
    module = Module.objects.create(
        owner=user,
        title=MODULE_TITLE,
        audience="Ward and clinic teams new to improvement",
        duration="Half a day",
        objectives="Map a patient journey as it really happens\nShow change over time on a "
        "run chart",
        trainer_notes="A sample module from the demonstration data: copy it and make it your own.",
        visibility=ModuleVisibility.STAFF,
    )
    parts: list[tuple[str, object]] = []
    how = Section.objects.filter(guide__slug="process-mapping", anchor="how-to-do-it").first()
    if how is not None:
        parts.append((ItemKind.SECTION, how))
    for kind, model, slug in (
        (ItemKind.TOOL, Tool, "process-walkthrough"),
        (ItemKind.TERM, GlossaryTerm, "run-chart"),
    ):
        target = model.objects.filter(slug=slug).first()
        if target is not None:
            parts.append((kind, target))
    for key in ("chest-pain-map", "insulin-run-chart"):
        if key in examples:
            parts.append((ItemKind.EXAMPLE, examples[key]))
    for order, (kind, target) in enumerate(parts, start=1):
        ModuleItem.objects.create(
            module=module, order=order, kind=kind, title=ModuleItem.title_of(kind, target),
            with_examples=kind == ItemKind.SECTION, **{kind: target},
        )  # fmt: skip
    ModuleItem(
        module=module, order=len(parts) + 1, kind=ItemKind.NOTE,
        title="Exercise: walk one journey",
        text="In pairs, walk the route one patient takes through your own service and "
        "note every step, wait and hand-over.",
        minutes=30,
    ).save()  # fmt: skip
    return module


def delete() -> list[str]:
    """Remove exactly what load() made: the demo examples (by their uids), the sample
    module and the demo account (by its name and address)."""
    done: list[str] = []
    with transaction.atomic():
        examples = LocalExample.objects.filter(uid__in=demo_uids())
        n = 0
        for example in examples:
            example.delete()  # one by one, so search and the page cache hear of it
            n += 1
        if n:
            done.append(f"Removed {n} demo example{'s' if n != 1 else ''}.")
        # The tags only the demo used (a tag staff use too stays).
        names = {tag for data in EXAMPLES for tag in data["tags"]}
        Tag.objects.filter(name__in=names, taggit_taggeditem_items__isnull=True).delete()
        user = demo_user()
        if user is not None:
            modules = Module.objects.filter(owner=user, title=MODULE_TITLE)
            m = modules.count()
            modules.delete()
            if m:
                done.append("Removed the sample module.")
            if not LocalExample.objects.filter(author=user).exists():
                user.delete()
                done.append(f"Removed the account '{DEMO_USERNAME}'.")
    return done
