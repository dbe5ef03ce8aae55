"""Demo data for ``teian demo``: officers and proposals in every state.

Everything goes through the real operations (submit, fire, record a
session), so the demo's audit log, outbox and deadlines are exactly what
real use would produce.  Loading twice adds nothing the second time.
"""

from __future__ import annotations

import itertools
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.proposal import Submission
from workflows import calendar

from ..auth import hash_password
from ..core.actors import PROPOSER, Actor
from ..deliberation.operations import add_comment, record_session
from ..links import Links
from ..models import JST, Department, Proposal, Role, User
from ..office_contact import OfficeContact, OfficeHours
from ..privacy.pending_readings import give_pending_readings
from ..proposals.operations import submit_proposal
from ..workflow.operations import fire_trigger

DEMO_PASSWORD = "teian-demo-2026"
DEMO_DOMAIN = "demo.city.example.jp"
# The demo city's office (TEIAN_OFFICE_PHONE unset): a number no one answers, an address
# nowhere.
DEMO_OFFICE = OfficeContact(phone="0000-00-0000", hours=OfficeHours("8:30", "17:15"),
                            address="〒000-0000 デモ市中央1-1 市役所本庁舎2階")
PROPOSALS = Path(__file__).parent / "proposals.toml"
DEPUTIES = ("doro", "koen")
PROPOSER_TRIGGERS = {"provide_info", "withdraw"}

# What each step of a sample's `path` does: (trigger, inputs).
STEPS: dict[str, tuple[str, dict[str, str]]] = {
    "accept": ("accept", {}),
    "request_info": ("request_info",
                     {"question": "対象となる場所の地図か写真をお送りいただけますか。"}),
    "provide_info": ("provide_info", {"answer": "地図を添付しました。公民館の北側の区画です。"}),
    "open_deliberation": ("open_deliberation", {}),
    "adopt": ("adopt",
              {"reason": "協議で賛同が得られ、来年度予算の範囲で実施できるため採択します。"}),
    "reject_review": ("reject", {"reason": "現行の人員と予算では対応できないため。",
                                 "reason_code": "insufficient"}),
    "reject_review_duplicate": ("reject", {"reason": "同じ内容の提案を既に検討中です。",
                                           "reason_code": "duplicate"}),
    "reject_deliberation": ("reject", {"reason": "協議の結果、安全管理の体制が整わないため。"}),
    "withdraw": ("withdraw", {"reason": "別の方法で解決しました。"}),
    "start_implementation": ("start_implementation", {}),
    "evaluate": ("evaluate",
                 {"evaluation": "参加者アンケートで 8 割が満足と回答。来年度も継続します。"}),
}


def load_demo(session: Session, links: Links) -> list[tuple[str, str, str]]:
    """Create the demo officers and proposals; return (email, password, what)
    for each login, or an empty list when the demo was loaded before."""
    if session.execute(select(User).where(User.email.like(f"%@{DEMO_DOMAIN}"))).first():
        return []
    logins = _create_officers(session)
    _create_proposals(session, links)
    session.commit()
    # The published titles' readings, as the worker would give them on its first pass:
    # the demo's easy-Japanese pages show them from the start.
    give_pending_readings(session)
    session.commit()
    return logins


# The demo's officers are people, named as staff pages and the audit log name them; what
# each one is (the role) goes in the printed list of logins, not in the name.
DEMO_NAMES = ("佐藤 美咲", "鈴木 健太", "高橋 由美", "田中 翔", "伊藤 直子", "渡辺 大輔",
              "山本 恵", "中村 拓也", "小林 香織", "加藤 誠", "吉田 真理", "山田 浩二",
              "佐々木 彩", "山口 隆", "松本 幸子", "井上 学", "木村 優子", "林 和也",
              "清水 千尋", "山崎 亮", "森 奈々", "池田 修")


def _create_officers(session: Session) -> list[tuple[str, str, str]]:
    password_hash = hash_password(DEMO_PASSWORD)
    logins = []
    names = itertools.cycle(DEMO_NAMES)  # a city with more departments repeats them

    def add(email: str, role: Role, department: Department | None, primary: bool, what: str):
        name = next(names)
        session.add(User(email=email, display_name=name, role=role, department=department,
                         is_primary=primary, password_hash=password_hash))
        logins.append((email, DEMO_PASSWORD, f"{name}: {what}"))

    add(f"admin@{DEMO_DOMAIN}", Role.admin, None, False, "システム管理者 (admin)")
    departments = session.execute(select(Department).order_by(Department.id)).scalars().all()
    for dept in departments:
        if dept.is_office:
            add(f"{dept.code}@{DEMO_DOMAIN}", Role.office, dept, False,
                f"{dept.name_ja} (office)")
            continue
        add(f"{dept.code}@{DEMO_DOMAIN}", Role.liaison, dept, True,
            f"{dept.name_ja} 協働担当者 (liaison)")
        if dept.code in DEPUTIES:
            add(f"{dept.code}-deputy@{DEMO_DOMAIN}", Role.liaison, dept, False,
                f"{dept.name_ja} 副担当 (deputy)")
    session.flush()
    return logins


# Calendar days from one step of a sample to the next: the demo replays months of use,
# so the dashboard's medians, trends and overdue list have something to show.
GAP_DAYS = {"accept": 3, "request_info": 3, "provide_info": 5, "open_deliberation": 7,
            "session": 14, "comments": 4, "adopt": 10, "reject_review": 8,
            "reject_review_duplicate": 6, "reject_deliberation": 10, "withdraw": 6,
            "start_implementation": 14, "evaluate": 120}
SETTLED = {"adopt", "reject_review", "reject_review_duplicate", "reject_deliberation",
           "withdraw"}


def _create_proposals(session: Session, links: Links) -> None:
    with PROPOSALS.open("rb") as fh:
        samples = tomllib.load(fh)["proposals"]
    office = session.execute(select(User).where(User.role == Role.office)).scalars().first()
    today = calendar.today_jst()
    for number, sample in enumerate(samples):
        path = sample.get("path", [])
        moments = _schedule(path, number, today)
        proposal, _token = submit_proposal(session, _submission(sample, number),
                                           channel="demo", links=links, now=moments[0])
        for step, moment in zip(path, moments[1:], strict=True):
            _run_step(session, links, proposal, step, office, sample, moment)
        session.flush()


def _schedule(path: list[str], number: int, today: date) -> list[datetime]:
    """When the sample was submitted and each step of its ``path`` happened, oldest
    first, on weekdays at office hours.  A settled sample ended some weeks to ten months
    ago (spread over the year, for the monthly trend); an open one moved in the last few
    days, except every other one waiting in review since long enough to be overdue."""
    if SETTLED & set(path):
        ended = 20 + (number * 37) % 300
    elif path == ["accept"] and number % 2:
        ended = 45  # past the 20 business days of review: the office's overdue list
    else:
        ended = number % 4
    days = [0]
    for step in path:
        days.append(days[-1] + GAP_DAYS[step])
    start = today - timedelta(days=ended + days[-1])
    # Never after the present (a step of today at 10:00, loaded at 8:00; a weekend moved
    # to Monday): such steps happen a minute apart up to now, still in their order.
    now = datetime.now(UTC)
    return [min(_office_hours(start + timedelta(days=d), minute=i),
                now - timedelta(minutes=len(days) - i)) for i, d in enumerate(days)]


def _office_hours(day: date, *, minute: int) -> datetime:
    """10:00 in Japan on ``day``, or on the next business day when the office is closed
    (a weekend, a holiday, the year end); a minute a step, so steps on one day keep their
    order."""
    while not calendar.is_business_day(day):
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, minute, tzinfo=JST).astimezone(UTC)


def _submission(sample: dict, number: int) -> Submission:
    org = sample.get("organization", "")
    return Submission(
        kind=sample.get("kind", "proposal"),
        title=sample["title"],
        category=sample["category"],
        problem=sample["problem"],
        proposal=sample["proposal"],
        expected_effect=sample.get("expected_effect", ""),
        role_split=sample.get("role_split", ""),
        district=sample.get("district") or None,
        budget_total=sample.get("budget_total"),
        city_share=sample.get("city_share"),
        language="ja",
        proposer_type=sample["proposer_type"],
        proposer_name=f"提案者 {number + 1:02d}",
        organization=org,
        email=f"proposer{number + 1:02d}@example.jp",
        phone="",
        publish_name=bool(org),
    )


# A sample's own words for its steps (its `session`, `reason`, `evaluation`, `question`,
# `answer` in proposals.toml), so the demo's rulings and minutes read like a city's and not
# one sentence repeated; the STEPS' defaults fill in where a sample has none.
SAMPLE_INPUTS = ("reason", "evaluation", "question", "answer")
SESSION_DEFAULTS = {"place": "市民会館 第2会議室", "agenda": "提案内容の説明と意見交換",
                    "minutes": "提案者から趣旨説明。参加者から実施方法について意見が出された。",
                    "participants": 14}


def _run_step(session: Session, links: Links, proposal: Proposal, step: str,
              office: User | None, sample: dict, moment: datetime) -> None:
    """One step of a sample, as it happened at ``moment`` (:func:`_schedule`)."""
    if step == "session":
        record_session(
            session, proposal, _lead(proposal, office), held_at=moment, online=False,
            now=moment, **{**SESSION_DEFAULTS, **sample.get("session", {})},
        )
        return
    if step == "comments":
        # Two citizens' comments; the second gives a phone number and is held for review.
        add_comment(session, proposal, name="西町の会社員",
                    body="夜の開館があれば平日も使えます。賛成です。", now=moment)
        add_comment(session, proposal, name="ボランティア希望",
                    body="返却の手伝いをしたいです。連絡先は080-2345-6789です。",
                    now=moment + timedelta(hours=2))
        return
    trigger, inputs = STEPS[step]
    inputs = {**inputs, **{key: sample[key] for key in SAMPLE_INPUTS
                           if key in inputs and key in sample}}
    if trigger == "start_implementation":
        day = moment.astimezone(JST).date()
        inputs = {"due_on": calendar.add_business_days(day, 160).isoformat()}
    actor = PROPOSER if trigger in PROPOSER_TRIGGERS else _lead(proposal, office)
    fire_trigger(session, proposal, trigger, actor, inputs, links=links, now=moment)


def _lead(proposal: Proposal, office: User | None) -> Actor:
    user = proposal.assignee or office
    return Actor.staff(user)
