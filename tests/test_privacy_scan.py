"""The personal-data scan finds what citizens write into their proposals, and nothing else.

Acceptance point 1 of issue 7: real-looking Japanese texts, each with the exact set of
(kind, text) the scan must find, and texts with dates, amounts, receipt numbers and other
numbers in which it must find nothing.
"""

from __future__ import annotations

import pytest

from intake.privacy.scan import CONTACT_KINDS, KINDS, Hit, fold, scan_fields, scan_text

NAMES = ["山田 太郎", "NPO法人まちづくりネット"]

FOUND = [
    # phones: mobile, fixed, toll-free, navi dial, IP, +81; every dash, width and bracket
    ("連絡は090-1234-5678までお願いします。", {("phone", "090-1234-5678")}),
    ("日中は080‐9876‐5432（携帯）に連絡ください。", {("phone", "080‐9876‐5432")}),
    ("携帯：０９０－１２３４－５６７８", {("phone", "０９０－１２３４－５６７８")}),
    ("０７０ー１１１１ー２２２２までショートメールで", {("phone", "０７０ー１１１１ー２２２２")}),
    ("自宅の電話は097-536-1111です。夜は出られません。", {("phone", "097-536-1111")}),
    ("（03）1234-5678にお電話ください", {("phone", "（03）1234-5678")}),
    ("事務所 03（1234）5678 平日のみ", {("phone", "03（1234）5678")}),
    ("問い合わせ先 0120-123-456（フリーダイヤル）", {("phone", "0120-123-456")}),
    ("窓口は0800–123–4567です", {("phone", "0800–123–4567")}),
    ("ナビダイヤル0570-123-456でも受け付けています", {("phone", "0570-123-456")}),
    ("IP電話 050 1234 5678 でも受けます", {("phone", "050 1234 5678")}),
    ("海外からは+81-90-1234-5678へ", {("phone", "+81-90-1234-5678")}),
    ("＋８１ ９０ １２３４ ５６７８（娘の番号）", {("phone", "＋８１ ９０ １２３４ ５６７８")}),
    ("TEL 09012345678", {("phone", "09012345678")}),
    ("TEL09012345678（留守電可）", {("phone", "09012345678")}),
    ("ＴＥＬ：０９７（５３６）１１１１", {("phone", "０９７（５３６）１１１１")}),
    ("FAX 097-536-1112/TEL 097-536-1111",
     {("phone", "097-536-1112"), ("phone", "097-536-1111")}),
    ("電話：0973—72—1111（代表）", {("phone", "0973—72—1111")}),
    ("携帯 090−1234−5678 まで", {("phone", "090−1234−5678")}),
    ("番号は090―1234―5678です", {("phone", "090―1234―5678")}),
    ("二つ書きます：090-1111-2222、080-3333-4444",
     {("phone", "090-1111-2222"), ("phone", "080-3333-4444")}),
    # e-mail
    ("ご返事はメールtaro.yamada@example.comにお願いします", {("email", "taro.yamada@example.com")}),
    ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ へ送ってください",
     {("email", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ")}),
    ("連絡先：hanako_s+oita@mail.example.co.jp。", {("email", "hanako_s+oita@mail.example.co.jp")}),
    # postal codes
    ("〒870-0022 大分市大手町3丁目1番1号に住んでいます",
     {("postal_code", "〒870-0022"), ("address", "3丁目1番1号")}),
    ("住所は870-0022大分市です", {("postal_code", "870-0022")}),
    ("郵便番号 〒8700022", {("postal_code", "〒8700022")}),
    ("〒８７０－００２２　大分県大分市", {("postal_code", "〒８７０－００２２")}),
    ("送り先は〒 870-8504 です", {("postal_code", "〒 870-8504")}),
    # street addresses: 丁目, 番地, 番/号, and numbers after a town name
    ("大供三丁目1番1号の角にカーブミラーを", {("address", "三丁目1番1号")}),
    ("大分市中央町一丁目2-3に住む者です", {("address", "一丁目2-3")}),
    ("大手町3-1-1の前の歩道が狭いです", {("address", "3-1-1")}),
    ("府内町2-5で店をしています", {("address", "2-5")}),
    ("大字大在字浜12番地の3の畑の横", {("address", "12番地の3")}),
    ("稙田1番2号の集会所を使いたい", {("address", "1番2号")}),
    ("東京都中央区勝どき1-13-1から引っ越してきました", {("address", "1-13-1")}),
    ("荷揚町３丁目１－１です", {("address", "３丁目１－１")}),
    ("明野東二丁目十五番地の家です", {("address", "二丁目十五番地")}),
    ("南春日町５番２３号に住んでいます", {("address", "５番２３号")}),
    ("自宅（大分市金池南1丁目5-10）の前の側溝", {("address", "1丁目5-10")}),
    ("大手町3丁目1番1号 101号室に住んでいます", {("address", "3丁目1番1号 101号室")}),
    ("大手町3-1-1-101に届けてください", {("address", "3-1-1-101")}),
    ("札幌市中央区北7条西2丁目9の実家", {("address", "2丁目9")}),
    # the proposer's own name and organization
    ("提案者の山田太郎です。", {("name", "山田太郎")}),
    ("山田　太郎（やまだ）が書きました", {("name", "山田　太郎")}),
    ("以上、山田 太郎より", {("name", "山田 太郎")}),
    ("ＮＰＯ法人まちづくりネットとして提案します", {("name", "ＮＰＯ法人まちづくりネット")}),
    ("NPO法人まちづくりネットの山田太郎が代表です。連絡は090-1234-5678",
     {("name", "NPO法人まちづくりネット"), ("name", "山田太郎"), ("phone", "090-1234-5678")}),
    # everything in ordinary proposal prose
    ("駅前の駐輪場が足りません。毎朝自転車があふれ、歩道を歩けません。"
     "私は大分市大手町3丁目1番1号に住む山田太郎です。"
     "詳しくはtaro@example.jpか097-536-1111へ。",
     {("address", "3丁目1番1号"), ("name", "山田太郎"), ("email", "taro@example.jp"),
      ("phone", "097-536-1111")}),
    ("〒870-0022大分市大手町3-1-1 電話097-536-1111",
     {("postal_code", "〒870-0022"), ("address", "3-1-1"), ("phone", "097-536-1111")}),
    ("2026年11月27日の説明会（参加費500円、定員30名）の申込みは0120-123-456まで",
     {("phone", "0120-123-456")}),
    ("公園の遊具が壊れています（受付番号T-2026-000123で報告済み）。"
     "修理の予定を090-8765-4321に教えてください。",
     {("phone", "090-8765-4321")}),
    ("住所：大分市城崎町2-3-45　TEL：097-532-0000　mail：shiro@example.ne.jp",
     {("address", "2-3-45"), ("phone", "097-532-0000"), ("email", "shiro@example.ne.jp")}),
]

NOTHING = [
    "説明会は2026-11-27に開催されます",
    "2026/11/27（金）10:30-12:00 市役所3階で",
    "令和8年11月27日から11-27の週に実施",
    "締切 11-27",
    "予算は50,000円、総額1,234,567円です",
    "￥50000の補助を希望します",
    "受付番号T-2026-000123の件です",
    "達成率は85%、昨年度は72.5%でした",
    "2025-2026年度の計画",
    "平成30-31年度に実施した調査",
    "事故のときは110番、火事は119番に通報してください",
    "1チーム3-4人で第1-2回の講座に参加しました",
    "ISBN 978-4-00-310101-8 の本、9784003101018",
    "詳しくは https://www.city.oita.oita.jp/soshiki/1-2-3.html を参照",
    "中央町3丁目の交差点に信号をつけてください",
    "国道10号の渋滞がひどい",
    "第3期（2024-2026）の総合計画",
    "人口は約47万8,000人です",
    "3番線のホームの2番目の出口",
    "午前10-12時に清掃します",
    "バス停から1-2分、期間1-2か月",
    "5-10kmの距離を歩く",
    "山田さんと太郎さんが参加しました",
    "口座番号1234567、会員番号00123",
    "開館時間9:00-17:00、電話番号は書きません",
    "整理番号0312345678901234567890123456789",
    "会議室は3号室、駐車場は2番地区",
]


def found(text: str, **kw) -> set[tuple[str, str]]:
    return {(hit.kind, hit.text) for hit in scan_text("problem", text, **kw)}


@pytest.mark.parametrize(("text", "expected"), FOUND, ids=[t[:16] for t, _ in FOUND])
def test_every_personal_data_variant_is_found(text, expected):
    assert found(text, names=NAMES) == expected


@pytest.mark.parametrize("text", NOTHING, ids=[t[:16] for t in NOTHING])
def test_dates_amounts_receipts_and_quantities_are_not_personal_data(text):
    assert found(text, names=NAMES) == set()


def test_the_table_is_as_large_as_the_issue_asks():
    assert len(FOUND) >= 40 and len(NOTHING) >= 15
    assert {kind for _, expected in FOUND for kind, _ in expected} == set(KINDS)


def test_positions_index_the_original_full_width_text():
    text = ("　連絡は０９０－１２３４－５６７８、ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ、"
            "〒８７０－００２２へ。")
    hits = scan_text("proposal", text)
    assert [(h.kind, h.start, h.end) for h in hits] == [
        ("phone", 4, 17), ("email", 18, 33), ("postal_code", 34, 43)]
    for hit in hits:
        assert text[hit.start:hit.end] == hit.text
        assert hit.field == "proposal"


def test_fold_keeps_every_position():
    text = "０９０ー１２３４　データ－ベース（ＡＢＣ）―ｰ"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded.startswith("090-1234 データ-ベース(ABC)-")  # ー in a word stays ー


@pytest.mark.parametrize("written", ["山田太郎", "山田 太郎", "山田　太郎", "山田  太郎"])
@pytest.mark.parametrize("given", ["山田 太郎", "山田　太郎", "山田太郎 "])
def test_the_name_is_found_with_and_without_the_space(given, written):
    hits = scan_text("title", f"提案者：{written}（会社員）", names=[given])
    expected = [("name", written)] if " " in given.strip() or "　" in given \
        or written == "山田太郎" else []
    assert [(h.kind, h.text) for h in hits] == expected


def test_a_latin_name_is_found_in_any_case_and_empty_names_are_ignored():
    assert found("by TARO YAMADA and ｔａｒｏ ｙａｍａｄａ", names=["", "Taro Yamada"]) == {
        ("name", "TARO YAMADA"), ("name", "ｔａｒｏ ｙａｍａｄａ")}
    assert found("山田太郎", names=["", "  "]) == set()
    assert found("林さん", names=["林"]) == set()   # one character would hit everywhere


def test_a_phone_inside_an_email_is_one_email_hit():
    hits = scan_text("problem", "送り先 09012345678@example.jp まで")
    assert [(h.kind, h.text) for h in hits] == [("email", "09012345678@example.jp")]


def test_a_name_inside_an_email_is_one_email_hit():
    hits = scan_text("problem", "taro.yamada@example.com", names=["taro.yamada"])
    assert [(h.kind, h.text) for h in hits] == [("email", "taro.yamada@example.com")]


def test_a_postal_looking_tail_of_a_phone_is_the_phone():
    hits = scan_text("problem", "電話 045 123-4567 です")
    assert [(h.kind, h.text) for h in hits] == [("phone", "045 123-4567")]


def test_partly_overlapping_hits_merge_into_one_of_the_longer_kind():
    hits = scan_text("problem", "住所は大手町3-1-1です", names=["大手町3"])
    assert [(h.kind, h.text, h.start, h.end) for h in hits] == [
        ("address", "大手町3-1-1", 3, 11)]


def test_no_two_hits_overlap_in_dense_text():
    text = ("〒870-0022大分市大手町3丁目1番1号 山田太郎 090-1234-5678 taro@example.jp "
            "NPO法人まちづくりネット 大手町3-1-1 ") * 5
    hits = scan_text("problem", text, names=NAMES)
    assert len(hits) == 35
    for before, after in zip(hits, hits[1:], strict=False):
        assert before.end <= after.start


def test_fields_come_in_the_order_given_then_by_position():
    hits = scan_fields({
        "title": "駐輪場の増設",
        "problem": "連絡は taro@example.jp か 090-1234-5678",
        "proposal": "山田太郎が手伝います",
        "expected_effect": "",
        "role_split": None,
    }, names=NAMES)
    assert [(h.field, h.kind) for h in hits] == [
        ("problem", "email"), ("problem", "phone"), ("proposal", "name")]
    assert hits[0] == Hit("problem", "email", "taro@example.jp", 4, 19)


def test_kinds_limit_the_scan_to_the_contact_kinds_for_comments():
    text = "大手町3-1-1の山田太郎です。〒870-0022、090-1234-5678、taro@example.jp"
    assert {h.kind for h in scan_text("comment", text, names=NAMES, kinds=CONTACT_KINDS)} == {
        "phone", "email", "postal_code"}
    assert found(text, names=NAMES, kinds=("name",)) == {("name", "山田太郎")}
    with pytest.raises(ValueError, match="unknown personal-data kinds"):
        scan_text("comment", text, kinds=("phone", "my_number"))


def test_a_long_text_without_separators_is_scanned_to_the_end():
    # the shapes that make a careless regex backtrack; the benchmark times them
    text = "a" * 5000 + "1-" * 2000 + "三" * 2000 + " 090-1234-5678"
    assert [(h.kind, h.text) for h in scan_text("problem", text)] == [
        ("phone", "090-1234-5678")]
