"""The routing rules page: the rules in the order routing tries them, a form to add one,
each rule's edit page, and "which rule would route this?" — the preview calls the
function real routing calls (``intake.admin.operations.preview_route``)."""

from __future__ import annotations

from flask import abort, render_template, request, url_for

from forms.admin import RoutingPreviewForm, RoutingRuleForm
from intake.admin import operations, queries
from intake.db import session as db
from intake.models import Category, Department, District, RoutingRule

from .admin import attempt, done, me, office_page, plainly
from .common import bp, code_choices, lang, t


def rule_form(formdata=None, **kwargs) -> RoutingRuleForm:
    return RoutingRuleForm(formdata, lang=lang(), categories=code_choices(Category),
                           districts=code_choices(District),
                           departments=code_choices(Department), **kwargs)


def preview_form(formdata=None) -> RoutingPreviewForm:
    return RoutingPreviewForm(formdata, lang=lang(), categories=code_choices(Category),
                              districts=code_choices(District))


def _routing_page(form: RoutingRuleForm | None = None, preview: RoutingPreviewForm | None = None,
                  *, problem: tuple[int, str] | None = None, decision=None):
    status, message = problem or (200, None)
    return render_template("staff/admin/routing.html", rules=queries.rules(db()),
                           form=form or rule_form(), preview=preview or preview_form(),
                           problem=message, decision=decision), status


@bp.get("/admin/routing")
@office_page
def admin_routing():
    return _routing_page()


@bp.post("/admin/routing")
@office_page
def admin_rule_create():
    form = rule_form(request.form)
    rule, problem = attempt(form, lambda: operations.create_rule(db(), me(), form.values()))
    if problem:
        return _routing_page(form, problem=problem)
    return done(t("admin.done.rule_created", id=rule.id), ".admin_routing")


@bp.post("/admin/routing/preview")
@office_page
def admin_routing_preview():
    preview = preview_form(request.form)
    decision, problem = attempt(preview, lambda: operations.preview_route(db(),
                                                                          **preview.values()))
    return _routing_page(preview=preview, problem=problem, decision=decision)


def _rule(rule_id: int) -> RoutingRule:
    rule = db().get(RoutingRule, rule_id) if 0 < rule_id <= 2**31 - 1 else None
    if rule is None or not rule.active:
        abort(404)
    return rule


def _rule_page(rule: RoutingRule, form: RoutingRuleForm, problem=None):
    status, message = problem or (200, None)
    return render_template(
        "staff/admin/edit.html", form=form, problem=message,
        title=t("admin.routing.edit", id=rule.id),
        action=url_for(".admin_rule_edit", rule_id=rule.id),
        back=url_for(".admin_routing"), back_label=t("admin.routing.title"),
        remove=url_for(".admin_rule_delete", rule_id=rule.id),
        remove_hint=t("admin.routing.delete_hint"), note=t("admin.routing.new_only"),
    ), status


@bp.route("/admin/routing/<int:rule_id>", methods=["GET", "POST"])
@office_page
def admin_rule_edit(rule_id: int):
    rule = _rule(rule_id)
    if request.method == "GET":
        return _rule_page(rule, rule_form(data={
            "category": rule.category.code, "department": rule.department.code,
            "district": rule.district.code if rule.district else "",
            "keyword": rule.keyword or "", "priority": rule.priority}))
    form = rule_form(request.form)
    _result, problem = attempt(form, lambda: operations.update_rule(db(), me(), rule,
                                                                    form.values()))
    if problem:
        return _rule_page(rule, form, problem)
    return done(t("admin.done.rule_saved", id=rule.id), ".admin_routing")


@bp.post("/admin/routing/<int:rule_id>/delete")
@office_page
def admin_rule_delete(rule_id: int):
    rule = _rule(rule_id)
    plainly(lambda: operations.retire_rule(db(), me(), rule))
    return done(t("admin.done.rule_deleted", id=rule.id), ".admin_routing")
