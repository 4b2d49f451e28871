"""The relevance set: realistic queries, and a page that must be in the top three.

Jargon, the plain words facilitators use, misspellings and questions. Used by
tests/test_search.py on both engines (and by bench/search.py)."""

RELEVANCE = [
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
    # questions
    ("why do patients wait so long", "/guides/matching-capacity-and-demand/"),
    ("how do I know if a change is an improvement", "/guides/measurement-for-improvement/"),
    ("how do I involve patients", "/guides/involving-patients-and-carers/"),
    ("who should do which tasks", "/tools/skill-mix-review/"),
    ("how to run a meeting", "/guides/working-with-groups/"),
    # misspellings and word forms
    ("procss map", "/guides/process-mapping/"),
    ("capcity", "/guides/matching-capacity-and-demand/"),
    ("bottelneck", "/tools/bottleneck-analysis/"),
    ("stakholder", "/tools/stakeholder-analysis/"),
    ("sustainabilty", "/guides/sustainability-and-spread/"),
    ("mapping", "/guides/process-mapping/"),
    ("queues", "/glossary/queue/"),
    ("brainstorm", "/tools/brainstorming/"),
]
