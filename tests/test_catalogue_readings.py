"""The shipped readings of the catalogue's text, and what a web worker loads.

Easy-Japanese pages read interface strings from ``intake/i18n/catalogue_readings.json``
and titles from their stored readings, so a worker serving pages never loads SudachiPy's
dictionary; Pillow, pypdf and zxcvbn are imported only where a file or a password is
checked (docs/PERFORMANCE.md, "Memory per web worker")."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from intake.i18n import catalogue_readings, furigana
from tests.test_easy_titles import published  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parent.parent
# Loaded by a worker that only serves pages, they would hold its memory for nothing.
HEAVY = ("sudachipy", "PIL", "pillow_heif", "pypdf", "zxcvbn")

WORKER = textwrap.dedent("""
    import json, sys
    from intake import create_app

    config, paths, heavy = (json.loads(arg) for arg in sys.argv[1:])
    app = create_app({**config, "flask": {"TESTING": True, "WTF_CSRF_ENABLED": False,
                                         "RATELIMIT_ENABLED": False}})
    client = app.test_client()
    pages = {}
    for lang in ("ja", "en", "ja-easy"):
        for path in paths:
            response = client.get(f"{path}?lang={lang}")
            assert response.status_code == 200, (path, lang, response.status_code)
            pages[f"{path}?lang={lang}"] = response.get_data(as_text=True)
    print(json.dumps({"loaded": [m for m in heavy if m in sys.modules],
                      "pages": pages}))
""")


def test_the_shipped_table_is_what_the_analyser_says_now():
    """Fails after a message changes (or the dictionary): build the table again with
    ``python -m intake.i18n.catalogue_readings``."""
    assert catalogue_readings.shipped() == catalogue_readings.build()


def test_every_catalogue_text_reads_the_same_from_the_table_as_from_the_analyser():
    texts = catalogue_readings.catalogue_texts()
    shipped = {text: (furigana.furigana(text), furigana.readings_in_brackets(text))
               for text in texts}
    furigana.learn_readings()  # an empty table: everything from the analyser
    try:
        analysed = {text: (furigana.furigana(text), furigana.readings_in_brackets(text))
                    for text in texts}
    finally:
        furigana.forget_learned_readings()
    assert shipped == analysed
    assert sum("<ruby>" in str(html) for html, _mail in shipped.values()) > len(texts) / 2


def test_text_outside_the_catalogue_is_still_read():
    """A city's own names are not in the table: the analyser reads them."""
    text = "大供西三丁目の集会所"
    assert text not in catalogue_readings.shipped()
    assert "<ruby>集会<rt>しゅうかい</rt></ruby>" in str(furigana.furigana(text))


def normalised(html: str) -> str:
    """A page without what differs between two renders (CSRF tokens, nonces, timers)."""
    return re.sub(r'(nonce|value|content)="[^"]*"', r'\1=""', html)


def test_a_worker_serving_pages_loads_no_analyser_nor_file_or_password_checkers(
        database_url, client, published, tmp_path):  # noqa: F811 (the fixture)
    paths = ["/", "/proposals", f"/proposals/{published.id}", "/propose", "/track", "/privacy",
             "/accessibility", "/contact"]
    config = {"instance_path": str(tmp_path / "worker"),
              "database_url": database_url,
              "secret_key": "test-secret", "base_url": "http://teian.test", "smtp_url": ""}
    (tmp_path / "worker").mkdir()
    done = subprocess.run([sys.executable, "-c", WORKER, *map(json.dumps, (config, paths, HEAVY))],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    worker = json.loads(done.stdout)
    assert worker["loaded"] == []
    easy = worker["pages"][f"/proposals/{published.id}?lang=ja-easy"]
    assert "<ruby>協働<rt>きょうどう</rt></ruby>" in easy
    assert "<ruby>公園<rt>こうえん</rt></ruby>" in easy
    # The same pages as the analyser makes them, every reading exactly so.
    furigana.learn_readings()
    try:
        for path in paths:
            if path in ("/propose", "/track"):
                continue  # a form's CSRF token and fill timer differ between renders
            here = client.get(f"{path}?lang=ja-easy").get_data(as_text=True)
            assert normalised(here) == normalised(worker["pages"][f"{path}?lang=ja-easy"])
    finally:
        furigana.forget_learned_readings()
