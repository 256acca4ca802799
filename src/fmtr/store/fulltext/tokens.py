"""The words of a text as the full-text index has them.

``index_words`` is SQLite FTS5's unicode61 tokenizer (remove_diacritics 2) written in Python:
the SQLite index tokenizes for itself, the PostgreSQL one is given these words
(fmtr.store.fulltext.postgresql), so that both index the same words and a search finds the
same rows on both. A test holds it to FTS5 (tests/query/test_unit_index.py).
"""

from __future__ import annotations

import re
import unicodedata

# Two letters FTS5 folds that str.lower() does not: the long s and the micro sign.
_FOLD = str.maketrans({"\u017f": "s", "\u00b5": "\u03bc"})


def index_words(text: str) -> list[str]:
    """The words of ``text`` as FTS5's unicode61 tokenizer (remove_diacritics 2) makes them:
    lower case (not casefold: "ß" stays), accents dropped (canonical decomposition only: "½"
    stays), split at anything not a letter or digit. Exact for Latin script (the reports');
    a test holds it to FTS5 on Latin-1 and Latin Extended-A."""
    bare = "".join(
        c
        for c in unicodedata.normalize("NFD", text.lower().translate(_FOLD))
        if not unicodedata.combining(c)
    )
    return re.findall(r"[^\W_]+", bare)
