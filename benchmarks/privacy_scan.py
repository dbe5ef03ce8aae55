"""How long does the personal-data scan take on a 10,000-character text?

Run from the repository root::

    PYTHONPATH=. python benchmarks/privacy_scan.py

Prints figures only; it asserts nothing, since timings depend on the machine it runs on.
The goal is well under 50 ms for 10,000 characters, on ordinary prose and on the shapes
that make a careless regex backtrack (long runs of letters, digits and dashes, numerals).
"""

from __future__ import annotations

import time

from intake.privacy.scan import scan_text

NAMES = ["山田 太郎", "NPO法人まちづくりネット"]
LENGTH = 10_000
RUNS = 20

PROSE = (
    "駅前の駐輪場が足りません。毎朝自転車があふれ、歩道を歩けません。2026年11月27日の"
    "説明会（参加費500円、10:30-12:00）にも参加しました。受付番号T-2026-000123。"
    "私は大分市大手町3丁目1番1号に住む山田太郎です。連絡は090-1234-5678か"
    "taro@example.jpへ。〒870-0022 大手町3-1-1。"
)

TEXTS = {
    "proposal prose with hits": PROSE,
    "prose without digits": "市民の声を市政に届けるための提案制度について意見を述べます。",
    "letters without @": "abcdefghij" * 10,
    "digits and dashes": "1-2-3-4-5-6-7-8-9-0-" * 5,
    "kanji numerals": "一二三四五六七八九十百千" * 5,
    "full-width digits": "０１２３４５６７８９－" * 5,
}


def milliseconds(text: str) -> float:
    scan_text("problem", text, names=NAMES)   # warm up: patterns compiled, caches filled
    start = time.perf_counter()
    for _ in range(RUNS):
        scan_text("problem", text, names=NAMES)
    return (time.perf_counter() - start) / RUNS * 1000


def main() -> None:
    for label, unit in TEXTS.items():
        text = (unit * (LENGTH // len(unit) + 1))[:LENGTH]
        hits = len(scan_text("problem", text, names=NAMES))
        print(f"{label:28} {len(text):6} chars  {milliseconds(text):7.2f} ms  {hits:4} hits")


if __name__ == "__main__":
    main()
