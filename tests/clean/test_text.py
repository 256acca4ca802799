"""Normalised forms of free text, for grouping and search."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fmtr.clean.text import collapse_space, name_key, norm_key, strip_accents


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Fort  Benning, GA", "fort benning, ga"),
        ("FORT BENNING , GA", "fort benning, ga"),
        ("  Newport, RI, US\n", "newport, ri, us"),
        ("Wright Patterson AFB , OH - DISAM", "wright patterson afb, oh-disam"),
        ("Garmisch – Partenkirchen", "garmisch-partenkirchen"),
        ("Garmisch-Partenkirchen", "garmisch-partenkirchen"),
        ("Cote D’Ivoire", "cote d'ivoire"),
        ("Côte D’Ivoire", "cote d'ivoire"),
        ("Bénin", "benin"),
        ("COMPAÑÍA", "compania"),
        ("Poder Judicial del Perú", "poder judicial del peru"),
        ("“Quoted”", '"quoted"'),
        ("Navy / Patrol Ship Squadron", "navy/patrol ship squadron"),
        ("( In Country Training )", "(in country training)"),
        ("ＵＳ", "us"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_norm_key(raw: str | None, key: str | None) -> None:
    assert norm_key(raw) == key


def test_helpers() -> None:
    assert collapse_space(" a \u00a0 b\n c ") == "a b c"
    assert strip_accents("Côte d'Ivoire") == "Cote d'Ivoire"
    assert name_key("Bosnia & Herzegovina") == name_key("bosnia and herzegovina")
    assert name_key("Côte d’Ivoire") == name_key("Cote d'Ivoire")


@given(st.text(max_size=40))
def test_norm_key_is_idempotent_and_blank_aware(raw: str) -> None:
    # (Also: a name with and without its accents has one key.)
    if norm_key(raw) is not None:
        assert norm_key(strip_accents(raw)) == norm_key(raw)
    key = norm_key(raw)
    if key is None:
        # Blank, nothing but accents (a lone "¨" is a space and a diaeresis), or nothing visible
        # (a soft hyphen alone is invisible on the page).
        assert not collapse_space(strip_accents(raw).replace("\u00ad", ""))
    else:
        assert norm_key(key) == key
        assert key == key.strip()
        assert "  " not in key
