"""Factories for test data: create_x(...) functions with sensible defaults,
committed like a request would, so every test reads real rows."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from sqlalchemy.orm import object_session

from forms.proposal import Submission
from intake.auth import hash_password, issue_api_token
from intake.models import Category, Department, District, Role, RoutingRule, User, utcnow
from intake.privacy.operations import write_public_copy
from intake.privacy.pending_readings import give_pending_readings
from intake.privacy.text import fields_of
from tests import ops as operations

PASSWORD = "correct horse battery staple"


@cache
def publish_as_written(proposal, at=None, *, readings: bool = True):
    """Publish ``proposal`` with its text as written, the way acceptance does when the
    scan finds nothing (for tests about reading, not about accepting or reviewing); its
    title's readings given as the worker's next pass gives them (``readings=False``:
    still pending)."""
    at = at or utcnow()
    write_public_copy(proposal, fields_of(proposal), redactions=0, now=at)
    proposal.published_at = at
    if readings:
        give_pending_readings(object_session(proposal))
    return proposal


def password_hash(password: str) -> str:
    """Argon2 is slow on purpose; hash each test password once per run."""
    return hash_password(password)

VALID_FORM = {
    "kind": "proposal",
    "title": "公園に花壇をつくる提案",
    "category": "parks",
    "problem": "駅前の公園は草が伸び放題で、子どもが遊びにくい状態が続いています。",
    "proposal": "町内会と市が協力して花壇をつくり、季節の花を植えて管理することを提案します。",
    "expected_effect": "地域の交流が増えます。",
    "role_split": "町内会が水やり、市が資材を用意します。",
    "district": "city-wide",
    "language": "ja",
    "proposer_type": "individual",
    "proposer_name": "山田 花子",
    "organization": "",
    "email": "hanako@example.jp",
    "phone": "090-1234-5678",
    "publish_name": False,
    "consent": True,
}


class Factory:
    def __init__(self, session) -> None:
        self.session = session

    def _save(self, obj):
        self.session.add(obj)
        self.session.commit()
        return obj

    def department(self, code: str, name_ja: str, name_en: str = "", **kw) -> Department:
        return self._save(Department(code=code, name_ja=name_ja, name_en=name_en or code, **kw))

    def category(self, code: str, name_ja: str, name_en: str = "", **kw) -> Category:
        return self._save(Category(code=code, name_ja=name_ja, name_en=name_en or code, **kw))

    def district(self, code: str, name_ja: str, **kw) -> District:
        return self._save(District(code=code, name_ja=name_ja, name_en=code, **kw))

    def rule(self, category: Category, department: Department, **kw) -> RoutingRule:
        return self._save(
            RoutingRule(category_id=category.id, department_id=department.id, **kw)
        )

    def user(
        self,
        email: str,
        role: Role | str,
        department: Department | None = None,
        *,
        primary: bool = False,
        absent: bool = False,
        password: str = PASSWORD,
    ) -> User:
        return self._save(
            User(
                email=email,
                display_name=email.split("@")[0],
                role=Role(role),
                department_id=department.id if department else None,
                is_primary=primary,
                absent=absent,
                password_hash=password_hash(password),
            )
        )

    def token(self, user: User) -> str:
        token = issue_api_token(self.session, user)
        self.session.commit()
        return token

    def submission(self, **overrides) -> Submission:
        data = {k: v for k, v in VALID_FORM.items() if k != "consent"}
        data["district"] = None if data["district"] == "city-wide" else data["district"]
        data["budget_total"] = data["city_share"] = None
        return replace(Submission(**data), **overrides)

    def submit(self, **overrides):
        """Submit through the real operation; returns (proposal, tracking token)."""
        proposal, token = operations.submit_proposal(
            self.session, self.submission(**overrides), channel="test"
        )
        self.session.commit()
        return proposal, token

    def small_city(self) -> None:
        """The office, four departments, their liaisons, themes and rules.

        - parks → 公園緑地課 (primary liaison only)
        - roads → 道路課 (primary and a deputy)
        - welfare → 福祉課, but a keyword rule sends 子育て to 子育て支援課
        - other → no rule: the office's triage queue
        """
        self.office = self.department("office", "協働推進室", "Collaboration Office",
                                      is_office=True)
        self.parks = self.department("parks", "公園緑地課", "Parks Division")
        self.roads = self.department("roads", "道路課", "Roads Division")
        self.welfare = self.department("welfare", "福祉課", "Welfare Division")
        self.children = self.department("children", "子育て支援課", "Child Support Division")
        self.cat_parks = self.category("parks", "公園・緑地", "Parks and green")
        self.cat_roads = self.category("roads", "道路・交通", "Roads and traffic")
        self.cat_welfare = self.category("welfare", "福祉", "Welfare")
        self.cat_other = self.category("other", "その他", "Other")
        self.district_a = self.district("d01", "第一小学校区")
        self.district_b = self.district("d02", "第二小学校区")
        self.rule(self.cat_parks, self.parks)
        self.rule(self.cat_roads, self.roads)
        self.rule(self.cat_welfare, self.welfare)
        self.rule(self.cat_welfare, self.children, keyword="子育て", priority=10)
        self.office_user = self.user("office@city.test", Role.office, self.office)
        self.admin_user = self.user("admin@city.test", Role.admin)
        self.parks_liaison = self.user("parks@city.test", Role.liaison, self.parks, primary=True)
        self.roads_primary = self.user("roads@city.test", Role.liaison, self.roads, primary=True)
        self.roads_deputy = self.user("roads-deputy@city.test", Role.liaison, self.roads)
        self.welfare_liaison = self.user("welfare@city.test", Role.liaison, self.welfare,
                                         primary=True)
        self.children_liaison = self.user("children@city.test", Role.liaison, self.children,
                                          primary=True)
