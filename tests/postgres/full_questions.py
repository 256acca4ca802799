"""The questions asked of the whole corpus built into both databases (tests/postgres/
test_postgres_full_corpus.py): every command that answers a question, on data that makes its answer
long (large countries, common words, every row of a programme), and the proof, the exports and
the diff of the two databases."""

from __future__ import annotations

FULL_QUESTIONS: list[list[str]] = [
    # overview
    ["summary"],
    ["editions"],
    ["countries"],
    ["programmes"],
    ["trend", "IMET"],
    ["trend", "CTFP"],
    # top
    ["top"],
    ["top", "--by", "trainees", "--limit", "0"],
    ["top", "--programme", "IMET", "--by", "trainees", "--years"],
    ["top", "--from", "FY2005", "--to", "FY2010", "--limit", "0"],
    # country
    ["country", "Colombia"],
    ["country", "PAK"],
    ["country", "Afghanistan"],
    ["names", "COL", "units"],
    ["names", "IRQ", "courses", "--limit", "50", "--offset", "10"],
    ["names", "PHL", "locations"],
    ["series", "--country", "COL"],
    ["compare", "COL", "PAK", "IDN", "PHL"],
    ["gaps", "--programme", "IMET"],
    # history
    ["timeline", "Indonesia"],
    ["timeline", "Colombia", "--programme", "IMET"],
    ["check-suspensions"],
    # search
    ["search", "army"],
    ["search", "ranger", "--limit", "0"],
    ["search", "f-16", "--limit", "50"],
    ["search", "special forces", "--limit", "20", "--offset", "40"],
    ["search", "école"],
    ["search", "Pakistan IMET", "--limit", "0"],  # recipient and programme read as filters
    ["search", "army", "--in", "unit", "--from", "FY2005", "--to", "FY2010", "--all-editions"],
    ["search", "CMD & GEN STAFF", "--in", "course", "--limit", "0"],  # abbreviations, a column
    ["search", "ILE", "--literal"],
    ["course", "officer"],
    ["course", "infantry officer basic"],
    ["course", "counterterrorism", "--limit", "0"],
    # units
    ["unit", "colombian army"],
    ["unit", "ministry of defense", "--limit", "10"],
    ["unit", "armed forces of the philippines"],
    ["unit", "special forces battalion"],
    ["unit", "navy"],
    ["unit", "Rapid Action Battalion", "--country", "BGD"],  # units within one recipient
    ["unit", "army", "--country", "COL", "--limit", "0"],
    ["unit-profile", "Colombia", "colombian army", "--limit", "0", "--all-editions"],
    ["unit-profile", "COL", "Colombian Army", "--limit", "20", "--offset", "40"],
    ["course-profile", "Command and General Staff Officer Course", "--limit", "0"],
    [
        "course-profile",
        "command and general staff officer course",
        "--limit",
        "10",
        "--offset",
        "5",
    ],
    # funding
    ["funding", "series", "COL"],
    ["funding", "top", "--account", "IMET", "--limit", "20"],
    ["funding", "top", "--account", "FMF", "--constant", "--limit", "0"],
    ["funding", "courses", "Pakistan", "--from", "FY2012", "--to", "FY2020"],
    ["funding", "timeline", "PAK"],
    ["funding", "accounts"],
    ["largest"],
    ["largest", "--programme", "FMF", "--from", "FY2003", "--to", "FY2017", "--limit", "0"],
    # rows and citations
    ["row", "2016-africa-p3-19"],
    ["cite", "COL/IMET/FY2005"],
    # the proof
    ["verify", "--no-text", "--limit", "0"],  # the words' proof: test_postgres_full_corpus.py
]

# `fmtr export` selections (every format but the binary ones is compared byte for byte).
FULL_EXPORTS: list[list[str]] = [
    [],
    ["--country", "COL", "--all-editions"],
    ["--search", "army", "--all-editions"],
    ["--from", "FY2010", "--to", "FY2012", "--programme", "IMET"],
    ["--unit-key", "army"],
    ["--search", "Pakistan IMET", "--in", "course"],
    ["--unit", "Colombian Army", "--country", "COL"],
    ["--course", "Command and General Staff Officer Course", "--all-editions"],
]
