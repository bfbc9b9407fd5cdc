"""Every sentence of shipped reference text that claims to quote a seed document is found in that
document, word for word once whitespace and typographic quotes and dashes are normalised.

The fixtures are read as files, so no database is needed. Where the seeds are not beside the
project the test skips with the reason, or fails when the run requires everything
(REQUIRE_SERVICES=1): a comparison with the source must not pass by not running."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.builders import SEED, read_seed

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

# (fixture, model, field): the fields whose text is shipped as the seed's own words.
QUOTING_FIELDS = (
    ("recommendations_2017.json", "recommendations.recommendation", "text"),
    ("recommendations_2017.json", "recommendations.recommendationpoint", "text"),
    ("recommendation_assessments_2018.json", "recommendations.progressassessment", "source_quote"),
)

TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def comparable(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(TYPOGRAPHY)).strip()


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+|\n\s*\n", text)
    return [comparable(part) for part in parts if part.strip()]


def _token_pattern(token: str) -> str:
    word, punctuation = re.match(r"(.*?)([,.;:!?)]*)$", token).groups()
    # The seed carries footnote markers glued to a word or a year ("MARAC6", "198917"); shipped
    # text rightly leaves them out. Only there may digits the sentence lacks appear.
    marker = r"(?:\d{1,2})?" if re.search(r"[A-Za-z)]$|^\d{4}$", word) else ""
    return re.escape(word) + marker + re.escape(punctuation)


def in_seed(sentence: str, seed: str) -> bool:
    if sentence in seed:
        return True
    pattern = r"\s".join(_token_pattern(token) for token in sentence.split(" "))
    return re.search(pattern, seed) is not None


def quoted_sentences() -> list[tuple[str, str]]:
    found = []
    for fixture, model, field in QUOTING_FIELDS:
        rows = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
        for index, row in enumerate(rows):
            if row["model"] != model:
                continue
            for sentence in sentences(row["fields"].get(field) or ""):
                found.append((f"{fixture}[{index}].{field}", sentence))
    return found


def test_the_quoting_fields_are_not_empty():
    where = {where.rsplit(".", 1)[-1] for where, _ in quoted_sentences()}
    assert where == {"text", "source_quote"}


def test_every_quoted_sentence_is_in_the_seed():
    seed = comparable(read_seed(SEED))
    missing = [
        (where, sentence) for where, sentence in quoted_sentences() if not in_seed(sentence, seed)
    ]
    assert not missing, "\n".join(f"{where}: {sentence}" for where, sentence in missing)


@pytest.mark.parametrize(
    "shipped",
    ["A detective sergeant reviews every 28 days.", "The review rated this achieved."],
)
def test_a_sentence_not_in_the_seed_is_caught(shipped):
    assert not in_seed(comparable(shipped), comparable(read_seed(SEED)))


def test_footnote_markers_are_tolerated_but_not_other_digits():
    seed = comparable("the referral criteria to MARAC6 to ensure it, within 28 days.")
    assert in_seed("the referral criteria to MARAC to ensure it,", seed)
    assert not in_seed("within 2 days.", seed)
