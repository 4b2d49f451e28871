"""The relevance set: realistic queries, and the pages that answer them.

Used by tests/search/test_relevance.py on both engines, and by bench/search.py.

- NAMES: every tool's name, every glossary term and every guide title must come first.
  These are made from the content itself (`name_cases()`), so every new tool or term is
  covered without editing this file. Where two pages have exactly the same name (the
  tool "Fishbone diagram" and the term "Fishbone diagram"), both come before anything
  else, the tool first.
- MISSPELT: close misspellings of names, which must also come first.
- QUESTIONS: at least sixty everyday questions as a facilitator would ask them, written
  for this file and not taken from the content's `questions:` lists (the test checks
  that most are not part of any of those); the page, or one of the pages, that answers
  each must be in the top three.
- HELD_OUT: more such questions, written after the content was final, never tuned for.
- JARGON: the earlier set of jargon, plain words and word forms: top three.
"""

MISSPELT = [
    ("stakholder analysys", "/tools/stakeholder-analysis/"),
    ("fishbon diagram", "/tools/fishbone-diagram/"),
    ("spagetti diagram", "/tools/spaghetti-diagram/"),
    ("nominal grup technique", "/tools/nominal-group-technique/"),
    ("forse field analysis", "/tools/force-field-analysis/"),
    ("affinty diagrams", "/tools/affinity-diagrams/"),
    ("pareto chrts", "/tools/pareto-charts/"),
    ("driver diagrms", "/tools/driver-diagrams/"),
    ("sustainabilty and spread", "/guides/sustainability-and-spread/"),
    ("procss map", "/glossary/process-map/"),
]

# (question, the page or pages that answer it)
QUESTIONS = [
    # Process mapping
    ("how can we see where time is wasted in the patient journey",
     ("/guides/process-mapping/", "/tools/detailed-process-mapping/",
      "/tools/value-stream-mapping/")),
    ("draw out every step of discharge with the team", "/tools/detailed-process-mapping/"),
    ("an overview of the whole pathway on one page", "/tools/high-level-process-mapping/"),
    ("nurses keep walking back and forth to the store room", "/tools/spaghetti-diagram/"),
    ("follow a patient around the department to see what happens",
     "/tools/process-walkthrough/"),
    ("what proportion of the wait actually helps the patient", "/tools/value-stream-mapping/"),
    # Measurement
    ("did our change actually work",
     ("/guides/measurement-for-improvement/", "/tools/run-charts/")),
    ("is the drop in falls real or random", ("/tools/run-charts/", "/tools/spc-charts/")),
    ("tell a real change from random variation", ("/tools/spc-charts/", "/tools/run-charts/")),
    ("what should we count to track progress",
     ("/tools/family-of-measures/", "/guides/measurement-for-improvement/",
      "/tools/measurement-plans/")),
    ("did we make something worse somewhere else", "/tools/family-of-measures/"),
    ("how do we define exactly what we are measuring", "/tools/measurement-plans/"),
    ("plot weekly waiting times with a middle line", "/tools/run-charts/"),
    ("when should I react to a spike in the data", "/tools/spc-charts/"),
    ("which complaints happen most often", "/tools/pareto-charts/"),
    ("focus on the biggest causes of delay first", "/tools/pareto-charts/"),
    # Capacity and demand
    ("why is the waiting list getting longer",
     ("/guides/matching-capacity-and-demand/", "/tools/capacity-and-demand-analysis/",
      "/tools/demand-and-capacity-tables/")),
    ("we never catch up with the referrals",
     ("/guides/matching-capacity-and-demand/", "/tools/capacity-and-demand-analysis/")),
    ("how many appointments a week do we need to keep up",
     ("/tools/demand-and-capacity-tables/", "/tools/capacity-and-demand-analysis/")),
    ("one step holds up the whole pathway", "/tools/bottleneck-analysis/"),
    ("patients keep missing their appointments", "/tools/dna-reduction/"),
    ("would reminder texts help people turn up", "/tools/dna-reduction/"),
    # Involving patients and carers
    ("how do we hear what patients think of the new service",
     ("/tools/surveys-and-focus-groups/", "/guides/involving-patients-and-carers/")),
    ("let patients describe their care in their own way", "/tools/patient-stories/"),
    ("design the service with the people who use it", "/tools/experience-based-co-design/"),
    ("bring carers into our improvement work", "/guides/involving-patients-and-carers/"),
    # The human dimensions of change
    ("staff are resisting the new rota", "/guides/human-dimensions-of-change/"),
    ("the team is angry about the change, is that normal", "/tools/change-curve/"),
    ("who should we talk to before we start", "/tools/stakeholder-analysis/"),
    ("what is working for us and what is working against us",
     "/tools/force-field-analysis/"),
    ("persuading colleagues to back the project",
     ("/guides/human-dimensions-of-change/", "/tools/stakeholder-analysis/")),
    ("getting everyone behind the change",
     ("/tools/stakeholder-analysis/", "/guides/human-dimensions-of-change/")),
    ("how do I get staff on board",
     ("/tools/stakeholder-analysis/", "/guides/human-dimensions-of-change/")),
    ("buy-in", ("/tools/stakeholder-analysis/", "/guides/human-dimensions-of-change/")),
    # Sustainability and spread
    ("make sure the improvement lasts", "/guides/sustainability-and-spread/"),
    ("stop the new process slipping back after we leave", "/guides/sustainability-and-spread/"),
    ("will our improvements still be here in a year",
     ("/tools/nhs-sustainability-model/", "/guides/sustainability-and-spread/")),
    ("roll out what worked on one ward to the others", "/guides/sustainability-and-spread/"),
    ("why do some new ideas catch on", "/tools/diffusion-of-innovations/"),
    # Collaboratives
    ("lots of hospitals tackling the same problem together",
     ("/tools/breakthrough-collaborative/", "/guides/collaborative-programme/")),
    ("organising learning days for several teams",
     ("/tools/learning-sessions-and-action-periods/", "/guides/collaborative-programme/")),
    ("how to set up a regional improvement programme",
     ("/guides/collaborative-programme/", "/tools/breakthrough-collaborative/")),
    # Working in systems
    ("fixing our bit just pushes the problem to another team",
     ("/guides/working-in-systems/", "/tools/systems-thinking/")),
    ("see the bigger picture across health and social care",
     ("/guides/working-in-systems/", "/tools/systems-thinking/")),
    ("the same incidents keep happening, what is underneath",
     ("/tools/iceberg-model/", "/tools/five-whys/")),
    # Improvement culture
    ("people are afraid to report mistakes",
     ("/guides/improvement-culture/", "/glossary/psychological-safety/")),
    ("make improvement part of the day job", "/guides/improvement-culture/"),
    ("how can managers encourage staff to try out ideas", "/guides/improvement-culture/"),
    # Working with groups
    ("our meetings overrun and nothing gets decided",
     ("/guides/working-with-groups/", "/tools/ground-rules-and-meeting-roles/")),
    ("agree how we behave in team meetings", "/tools/ground-rules-and-meeting-roles/"),
    ("one person dominates the discussion",
     ("/tools/nominal-group-technique/", "/guides/working-with-groups/")),
    ("pick the top priority fairly as a group", "/tools/nominal-group-technique/"),
    ("our new project group keeps clashing", "/tools/team-development-stages/"),
    ("come up with ideas with the team", "/tools/brainstorming/"),
    ("we keep coming up with the same old ideas", "/tools/creativity-techniques/"),
    ("sort all the sticky notes into themes", "/tools/affinity-diagrams/"),
    ("look at the problem from several points of view in a meeting",
     "/tools/six-thinking-hats/"),
    # Redesigning roles
    ("could healthcare assistants take on some nursing tasks", "/tools/skill-mix-review/"),
    ("what skills and knowledge does a new role need", "/tools/competency-frameworks/"),
    ("plan who does what in a redesigned team",
     ("/guides/redesigning-roles/", "/tools/skill-mix-review/")),
    # The Model for Improvement and its tools
    ("where do I begin with a quality improvement project", "/tools/model-for-improvement/"),
    ("write a clear goal for our project", "/tools/aim-statements/"),
    ("try a new idea on a small scale first", "/tools/pdsa-cycles/"),
    ("link our aim to the changes we will test", "/tools/driver-diagrams/"),
    ("dig into why a problem keeps happening", ("/tools/five-whys/", "/tools/fishbone-diagram/")),
    ("list all the causes of late discharges", "/tools/fishbone-diagram/"),
    ("what are we good at and what could go wrong", "/tools/swot-analysis/"),
]  # fmt: skip

# Written after the content's questions were final and never used to change them: how
# well search does on questions nobody tuned it for (measured with QUESTIONS too).
HELD_OUT = [
    ("our clinic always runs late, where is the delay",
     ("/tools/bottleneck-analysis/", "/guides/matching-capacity-and-demand/",
      "/tools/detailed-process-mapping/", "/guides/process-mapping/")),
    ("show the team the data changing over the months",
     ("/tools/run-charts/", "/tools/spc-charts/")),
    ("how do we set a target for the project", "/tools/aim-statements/"),
    ("the layout of the unit makes people walk miles", "/tools/spaghetti-diagram/"),
    ("understanding why people feel upset by change",
     ("/tools/change-curve/", "/guides/human-dimensions-of-change/")),
    ("choosing between lots of ideas in a workshop",
     ("/tools/nominal-group-technique/", "/tools/affinity-diagrams/")),
    ("hearing the patient's voice in redesign",
     ("/tools/experience-based-co-design/", "/tools/patient-stories/",
      "/guides/involving-patients-and-carers/")),
    ("a checklist of risks to keeping the change going",
     ("/tools/nhs-sustainability-model/", "/guides/sustainability-and-spread/")),
    ("people don't speak up in our team",
     ("/guides/improvement-culture/", "/glossary/psychological-safety/")),
    ("who is responsible for which job on the ward",
     ("/tools/skill-mix-review/", "/guides/redesigning-roles/")),
    ("we need a plan for collecting data", "/tools/measurement-plans/"),
    ("underlying causes of a recurring problem",
     ("/tools/five-whys/", "/tools/fishbone-diagram/", "/tools/iceberg-model/")),
    ("teams from different trusts sharing what they learn",
     ("/tools/breakthrough-collaborative/", "/guides/collaborative-programme/",
      "/tools/learning-sessions-and-action-periods/")),
    ("a questionnaire for staff", "/tools/surveys-and-focus-groups/"),
    ("how long does each step of the pathway take",
     ("/tools/value-stream-mapping/", "/tools/detailed-process-mapping/")),
]  # fmt: skip


# A second held-out set, written on 2026-12-01 from the list of guides and tools only
# (no front matter read), run once as written and never used to tune search or content.
HELD_OUT += [
    ("too many patients and not enough slots",
     ("/tools/capacity-and-demand-analysis/", "/guides/matching-capacity-and-demand/",
      "/tools/demand-and-capacity-tables/")),
    ("people not turning up to appointments", "/tools/dna-reduction/"),
    ("why do we keep making the same mistake", ("/tools/five-whys/", "/tools/fishbone-diagram/")),
    ("list all the possible causes of falls", ("/tools/fishbone-diagram/", "/tools/five-whys/")),
    ("which few problems cause most of the complaints", "/tools/pareto-charts/"),
    ("try a small change before rolling it out",
     ("/tools/pdsa-cycles/", "/tools/model-for-improvement/")),
    ("test an idea on one ward first", ("/tools/pdsa-cycles/", "/tools/model-for-improvement/")),
    ("write down exactly what we want to achieve and by when", "/tools/aim-statements/"),
    ("how will we know if things got better",
     ("/tools/family-of-measures/", "/tools/measurement-plans/", "/tools/model-for-improvement/",
      "/guides/measurement-for-improvement/", "/tools/run-charts/")),
    ("plot the weekly numbers on a graph", ("/tools/run-charts/", "/tools/spc-charts/")),
    ("is this month's rise just chance", ("/tools/spc-charts/", "/tools/run-charts/")),
    ("staff are resisting the new rota",
     ("/guides/human-dimensions-of-change/", "/tools/change-curve/", "/tools/force-field-analysis/",
      "/tools/stakeholder-analysis/")),
    ("who do we need to keep on side", "/tools/stakeholder-analysis/"),
    ("weigh up what helps and what hinders the change", "/tools/force-field-analysis/"),
    ("make sure the improvement lasts after the project ends",
     ("/guides/sustainability-and-spread/", "/tools/nhs-sustainability-model/")),
    ("get other hospitals to adopt our idea",
     ("/guides/sustainability-and-spread/", "/tools/diffusion-of-innovations/",
      "/tools/breakthrough-collaborative/")),
    ("lots of teams learning together on the same problem",
     ("/guides/collaborative-programme/", "/tools/breakthrough-collaborative/",
      "/tools/learning-sessions-and-action-periods/")),
    ("ask patients what they think of the service",
     ("/tools/surveys-and-focus-groups/", "/guides/involving-patients-and-carers/",
      "/tools/patient-stories/")),
    ("design the service together with patients",
     ("/tools/experience-based-co-design/", "/guides/involving-patients-and-carers/")),
    ("use a patient's own account of their care", "/tools/patient-stories/"),
    ("meetings go round in circles",
     ("/tools/ground-rules-and-meeting-roles/", "/guides/working-with-groups/",
      "/tools/six-thinking-hats/")),
    ("getting quiet people to speak up in a group",
     ("/tools/nominal-group-technique/", "/guides/working-with-groups/", "/tools/brainstorming/")),
    ("sort a pile of sticky notes into themes", "/tools/affinity-diagrams/"),
    ("come up with new ideas",
     ("/tools/brainstorming/", "/tools/creativity-techniques/", "/tools/six-thinking-hats/")),
    ("look at a problem from different points of view",
     ("/tools/six-thinking-hats/", "/tools/systems-thinking/")),
    ("our new team keeps arguing",
     ("/tools/team-development-stages/", "/guides/working-with-groups/")),
    ("who should do which tasks in the team",
     ("/tools/skill-mix-review/", "/guides/redesigning-roles/", "/tools/competency-frameworks/")),
    ("could a nurse do this instead of a doctor",
     ("/tools/skill-mix-review/", "/guides/redesigning-roles/")),
    ("what skills does a new role need",
     ("/tools/competency-frameworks/", "/guides/redesigning-roles/")),
    ("strengths and weaknesses of our service", "/tools/swot-analysis/"),
    ("problems keep coming back no matter what we do",
     ("/tools/iceberg-model/", "/tools/systems-thinking/", "/guides/working-in-systems/",
      "/tools/five-whys/")),
    ("everything is connected to everything else",
     ("/guides/working-in-systems/", "/tools/systems-thinking/", "/tools/iceberg-model/")),
    ("where does the queue build up",
     ("/tools/bottleneck-analysis/", "/guides/matching-capacity-and-demand/",
      "/tools/capacity-and-demand-analysis/")),
    ("map the steps from referral to treatment",
     ("/tools/high-level-process-mapping/", "/tools/detailed-process-mapping/",
      "/guides/process-mapping/", "/tools/value-stream-mapping/")),
    ("break a big goal into the things that drive it", "/tools/driver-diagrams/"),
    ("build a culture where staff improve things every day", "/guides/improvement-culture/"),
    ("leaders supporting improvement", "/guides/improvement-culture/"),
    ("how people feel going through a big reorganisation",
     ("/tools/change-curve/", "/guides/human-dimensions-of-change/")),
    ("why some people adopt new things early and others late", "/tools/diffusion-of-innovations/"),
    ("check we are not making things worse elsewhere",
     ("/tools/family-of-measures/", "/tools/measurement-plans/")),
]  # fmt: skip

JARGON = [
    # jargon
    ("PDSA", "/tools/pdsa-cycles/"),
    ("SPC", "/tools/spc-charts/"),
    ("DNA rate", "/tools/dna-reduction/"),
    ("control chart", "/tools/spc-charts/"),
    ("run chart rules", "/tools/run-charts/"),
    ("Model for Improvement", "/tools/model-for-improvement/"),
    ("driver diagram", "/tools/driver-diagrams/"),
    ("value stream mapping", "/tools/value-stream-mapping/"),
    ("EBCD", "/tools/experience-based-co-design/"),
    ("nominal group technique", "/tools/nominal-group-technique/"),
    ("force field analysis", "/tools/force-field-analysis/"),
    ("Tuckman forming storming", "/tools/team-development-stages/"),
    ("special cause variation", "/glossary/special-cause-variation/"),
    ("carve-out", "/glossary/carve-out/"),
    ("breakthrough collaborative", "/tools/breakthrough-collaborative/"),
    ("sustainability model", "/tools/nhs-sustainability-model/"),
    ("stakeholder analysis", "/tools/stakeholder-analysis/"),
    ("skill mix", "/tools/skill-mix-review/"),
    ("psychological safety", "/glossary/psychological-safety/"),
    ("iceberg model", "/tools/iceberg-model/"),
    # plain words, as facilitators say them
    ("running a pilot", "/tools/pdsa-cycles/"),
    ("a small test of change", "/tools/pdsa-cycles/"),
    ("where are we now", "/guides/measurement-for-improvement/"),
    ("let's look at what's happening day to day", "/glossary/process-mapping/"),
    ("write what you do on a post-it note", "/glossary/process-mapping/"),
    ("how much work comes in", "/glossary/demand/"),
    ("where things get stuck", "/glossary/bottleneck/"),
    ("patients who don't turn up", "/glossary/dna/"),
    ("try it and see", "/glossary/pdsa/"),
    ("getting people on board", "/guides/human-dimensions-of-change/"),
    ("making changes stick", "/guides/sustainability-and-spread/"),
    ("running a good meeting", "/guides/working-with-groups/"),
    ("why do patients wait so long", "/guides/matching-capacity-and-demand/"),
    ("how do I know if a change is an improvement", "/guides/measurement-for-improvement/"),
    ("how do I involve patients", "/guides/involving-patients-and-carers/"),
    ("who should do which tasks", "/tools/skill-mix-review/"),
    ("how to run a meeting", "/guides/working-with-groups/"),
    # misspellings and word forms
    ("capcity", "/guides/matching-capacity-and-demand/"),
    ("bottelneck", "/tools/bottleneck-analysis/"),
    ("stakholder", "/tools/stakeholder-analysis/"),
    ("sustainabilty", "/guides/sustainability-and-spread/"),
    ("mapping", "/guides/process-mapping/"),
    ("queues", "/glossary/queue/"),
    ("brainstorm", "/tools/brainstorming/"),
]

# Kept for bench/search.py: every hand-written query with one page that answers it.
RELEVANCE = [
    *MISSPELT,
    *[(q, urls if isinstance(urls, str) else urls[0]) for q, urls in [*QUESTIONS, *HELD_OUT]],
    *JARGON,
]

# At equal names, the fuller answer first (guides/search/rank.py, KIND_ORDER).
KIND_ORDER = ["tool", "guide", "term", "section"]


def name_cases() -> list[tuple[str, str, list[str]]]:
    """(name, its page, the pages that must come first) for every tool, term and guide:
    the pages whose own name is exactly the same words, in KIND_ORDER."""
    from guides.library.models import GlossaryTerm, Guide, Tool
    from guides.search.query import normalise_words

    pages = [
        *(("tool", t.name, t.get_absolute_url()) for t in Tool.objects.all()),
        *(("guide", g.title, g.get_absolute_url()) for g in Guide.objects.all()),
        *(("term", t.term, t.get_absolute_url()) for t in GlossaryTerm.objects.all()),
    ]
    by_words: dict[str, list[tuple[str, str]]] = {}
    for kind, name, url in pages:
        by_words.setdefault(" ".join(normalise_words(name)), []).append((kind, url))
    cases = []
    for _, name, url in pages:
        same = sorted(
            by_words[" ".join(normalise_words(name))], key=lambda p: KIND_ORDER.index(p[0])
        )
        cases.append((name, url, [u for _, u in same]))
    return cases
