"""The shipped table of what the analyser says of the catalogue's text.

Easy-Japanese pages put readings on every interface string, and the strings are fixed
at release: the messages' easy-Japanese text (Japanese where a message has none), the
labels of the shipped workflows and the names of the shipped organisation
(``intake/seed/defaults.toml``: departments, themes, districts).  Their analysis is done
here, once, and written to ``catalogue_readings.json`` beside the catalogue, so that a
web worker answers those pages without loading SudachiPy's dictionary
(:mod:`intake.i18n.furigana`).

After changing a message or the dictionary, build the table again::

    python -m intake.i18n.catalogue_readings

``tests/test_catalogue_readings.py`` fails while the shipped table differs from what the
analyser says now; a text missing from the table is still read right (by the analyser),
only not without it.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from importlib import resources

from . import DEFAULT_LANGUAGE, EASY_LANGUAGE, catalogue, furigana

PATH = furigana.CATALOGUE_READINGS_PATH


def catalogue_texts() -> list[str]:
    """Every text an easy-Japanese page or mail takes from the catalogue, as it is
    analysed (placeholders in place), the shipped workflows' easy-Japanese labels and the
    shipped organisation's names.  A city's own names and workflows are read by the
    analyser when first shown."""
    found = [texts.get(EASY_LANGUAGE) or texts.get(DEFAULT_LANGUAGE) or key
             for key, texts in catalogue().items()]
    for path in sorted(resources.files("workflows").iterdir(), key=lambda p: p.name):
        if path.name.endswith(".toml"):
            found.extend(_easy_labels(tomllib.loads(path.read_text(encoding="utf-8"))))
    seed = resources.files("intake.seed").joinpath("defaults.toml").read_text(encoding="utf-8")
    found.extend(_easy_labels(tomllib.loads(seed), "name_ja", "name_easy"))
    return sorted(set(found))


def _easy_labels(data: object, ja: str = DEFAULT_LANGUAGE,
                 easy: str = EASY_LANGUAGE) -> Iterator[str]:
    """The easy text (else the Japanese one) of every table holding ``ja`` at any depth:
    ``{ja = …, ja-easy = …}`` in workflows, ``name_ja``/``name_easy`` in the seed."""
    if isinstance(data, dict):
        if isinstance(data.get(ja), str):
            yield data.get(easy) or data[ja]
        for value in data.values():
            yield from _easy_labels(value, ja, easy)
    elif isinstance(data, list):
        for value in data:
            yield from _easy_labels(value, ja, easy)


def build() -> dict[str, list[tuple[str, str]]]:
    """What the analyser says of every piece of catalogue text it is asked about."""
    learned = furigana.learn_readings()
    try:
        for text in catalogue_texts():
            furigana.furigana(text)
            furigana.readings_in_brackets(text)
        return dict(sorted(learned.items()))
    finally:
        furigana.forget_learned_readings()


def shipped() -> dict[str, list[tuple[str, str]]]:
    with PATH.open(encoding="utf-8") as fh:
        return {text: [tuple(word) for word in words] for text, words in json.load(fh).items()}


def write(table: dict[str, list[tuple[str, str]]]) -> None:
    """One text a line, so that a changed message changes a few lines of the file."""
    lines = [f"{json.dumps(text, ensure_ascii=False)}: "
             f"{json.dumps([list(word) for word in words], ensure_ascii=False)}"
             for text, words in table.items()]
    PATH.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


if __name__ == "__main__":
    table = build()
    write(table)
    print(f"{PATH}: {len(table)} texts")
