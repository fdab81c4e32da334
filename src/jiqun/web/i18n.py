"""UI language: zh-CN by default, English alongside; one dictionary of UI strings.

Templates call ``t(key)`` for a string of :data:`STRINGS` or ``t(zh, en)`` for a literal pair;
``lab(kind, code)`` names a code of a controlled vocabulary (tier, field, tag, carrier type,
role, position, report column) in the chosen language, with the names of GLOSSARY.md.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from fastapi import Request

LANGS = ("zh", "en")

#: key -> (中文, English)
STRINGS: dict[str, tuple[str, str]] = {
    "app": (
        "Jiqun 集群 · 先进制造业集群信息共享平台",
        "Jiqun · advanced manufacturing cluster platform",
    ),
    "overview": ("全国概览", "National overview"),
    "clusters": ("集群", "Clusters"),
    "regions": ("地区", "Regions"),
    "enterprises": ("企业", "Enterprises"),
    "scenarios": ("情景分析", "Scenarios"),
    "imports": ("数据导入", "Import"),
    "admin": ("管理", "Admin"),
    "statistics": ("公开统计", "Published statistics"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "public": ("公众访客", "public visitor"),
    "synthetic": (
        "含模拟数据，仅供演示，不是真实统计",
        "contains synthetic demo data, not real statistics",
    ),
    "basis": ("口径", "Basis"),
    "notes": ("说明", "Notes"),
    "language": ("English", "中文"),
    "suppressed": ("已抑制 / suppressed", "已抑制 / suppressed"),
    "not_available": ("暂不可用", "not available yet"),
    "loading": ("正在计算…", "Computing…"),
    "filter": ("筛选", "Filter"),
    "search": ("搜索", "Search"),
    "all": ("全部", "all"),
    "tier": ("层级", "Tier"),
    "field": ("领域", "Field"),
    "region": ("地区", "Region"),
    "industry": ("行业", "Industry"),
    "name": ("名称", "Name"),
    "members": ("成员城市", "Member cities"),
    "leading_industries": ("主导产业", "Leading industries"),
    "none": ("无", "none"),
    "login_needed": ("登录后可见", "visible after logging in"),
    "download": ("下载", "Download"),
    "year": ("年份", "Year"),
    "measure": ("口径", "Measure"),
    "submit": ("提交", "Submit"),
    "compare": ("对比", "Compare"),
    "prev": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "rows": ("行", "rows"),
}

#: vocabulary -> code -> (中文, English)
VOCAB: dict[str, dict[str, tuple[str, str]]] = {
    "role": {
        "admin": ("平台管理员", "platform administrator"),
        "government": ("政府分析人员", "government analyst"),
        "cluster": ("集群促进机构", "cluster organisation"),
        "enterprise": ("企业", "enterprise"),
        "public": ("公众", "public"),
        "admin-local": ("本机管理员（命令行）", "local administrator (command line)"),
    },
    "chain_position": {
        "upstream": ("上游", "upstream"),
        "midstream": ("中游", "midstream"),
        "downstream": ("下游", "downstream"),
    },
    "trend": {
        "rising": ("上升", "rising"),
        "falling": ("下降", "falling"),
        "stable": ("稳定", "stable"),
    },
    "relation": {
        "inside": ("成员地区在本地区内", "member region inside this region"),
        "contains": ("本地区属于成员地区", "this region lies in a member region"),
    },
    "carrier_level": {
        "national": ("国家级", "national"),
        "provincial": ("省级", "provincial"),
        "municipal": ("市级", "municipal"),
    },
    "severity": {
        "error": ("错误", "error"),
        "warning": ("警告", "warning"),
        "normalised": ("已规范化", "normalised"),
    },
    "basis": {
        "year": ("年份", "year"),
        "previous_year": ("对比年份", "earlier year"),
        "measure": ("口径", "measure"),
        "measure_label": ("口径", "measure"),
        "unit": ("单位", "unit"),
        "value_or_count": ("数值或计数", "value or count"),
        "region_level": ("地区层级", "region level"),
        "industry_code_level": ("行业代码层级", "industry code level"),
        "industry_scope": ("行业范围", "industry scope"),
        "strength_basis": ("强度口径", "strength basis"),
        "data_source": ("数据来源", "data source"),
        "tier": ("集群层级", "tier"),
        "rule": ("规则", "rule"),
        "measure_name": ("口径", "measure"),
        "grouping": ("汇总方式", "grouping"),
        "year_note": ("年份说明", "year"),
        "source": ("来源", "source"),
        "n_enterprises_note": ("企业数说明", "enterprise count"),
        "disclosure_rule": ("抑制规则", "disclosure rule"),
        "viewer": ("查看者", "viewer"),
        "suppressed_for_viewer": ("对您抑制的单元", "cells suppressed for you"),
        "region": ("地区", "region"),
        "cluster_id": ("集群", "cluster"),
        "synthetic": ("模拟数据", "synthetic"),
    },
    "measure": {
        "employment": ("从业人员", "employment"),
        "output": ("工业总产值", "gross industrial output"),
        "revenue": ("营业收入", "operating revenue"),
        "firms": ("企业数", "number of enterprises"),
        "employees": ("从业人员", "persons employed"),
    },
    "job_kind": {
        "refresh": ("结果刷新", "result refresh"),
    },
    "job_status": {
        "queued": ("排队中", "queued"),
        "running": ("运行中", "running"),
        "succeeded": ("已完成", "succeeded"),
        "failed": ("失败", "failed"),
    },
    "audit_action": {
        "queue_refresh": ("排队刷新结果", "queued a result refresh"),
        "retry_job": ("重试后台任务", "retried a background job"),
        "list_enterprises": ("企业名录", "enterprise list"),
        "export_enterprises": ("导出企业名录", "enterprise list export"),
        "export_kind": ("导出数据表", "table export"),
        "read_enterprise": ("企业详情", "enterprise profile"),
        "read_granted": ("经授权读取", "read through a grant"),
        "policy_firms": ("政策适用企业名单", "policy qualifying list"),
        "read_firm_policies": ("企业可享政策", "a firm's policies"),
        "list_assessments": ("数字化评测列表", "assessment list"),
        "read_assessment": ("数字化评测", "assessment"),
        "read_assessment_gap": ("评测差距分析", "assessment gap"),
        "read_hot_spots": ("供应链热点", "supply-chain hot spots"),
        "read_resilience_metrics": ("韧性指标", "resilience metrics"),
        "chain_analysis": ("产业链分析", "chain analysis"),
        "scenario": ("断供情景", "disruption scenario"),
        "match_suppliers": ("供应商匹配", "supplier matching"),
        "match_partners": ("合作伙伴检索", "partner search"),
    },
    "query_param": {
        "q": ("关键词", "search"),
        "region": ("地区", "region"),
        "industry": ("行业", "industry"),
        "tag": ("标签", "tag"),
        "cluster": ("集群", "cluster"),
        "kind": ("数据类别", "kind"),
        "format": ("格式", "format"),
        "file": ("文件", "file"),
        "top": ("行数", "rows"),
        "limit": ("每页行数", "page size"),
        "offset": ("起始行", "offset"),
        "sort": ("排序", "sort"),
        "assessment_id": ("评测编号", "assessment"),
        "uscc": ("信用代码", "credit code"),
        "chain": ("产业链", "chain"),
        "year": ("年份", "year"),
    },
    "membership_status": {
        "pending": ("待批准", "pending"),
        "approved": ("已批准", "approved"),
        "rejected": ("已拒绝", "rejected"),
    },
    "member_role": {
        "member": ("成员", "member"),
        "chain_leader": ("链主", "chain leader"),
        "core": ("核心企业", "core member"),
        "supplier": ("配套企业", "supplier"),
    },
    "suppression": {
        "primary": ("原发抑制", "primary"),
        "complementary": ("互补抑制", "complementary"),
    },
    "total_kind": {
        "grand_total": ("总计", "grand total"),
        "row_total": ("行合计", "row total"),
        "column_total": ("列合计", "column total"),
    },
}


#: column labels the diagnosis report does not define
EXTRA_COLUMNS: dict[str, tuple[str, str]] = {
    "total": ("合计", "total"),
    "level": ("层级", "level"),
    "clusters": ("集群数", "clusters"),
    "top_industries": ("最专业化的产业", "most specialised industries"),
    "share_of_nation": ("占全国比重", "share of the nation"),
    "name": ("名称", "name"),
    "year": ("年份", "year"),
    "measure": ("口径", "measure"),
    "unit": ("单位", "unit"),
    "firms": ("企业数", "firms"),
    "n_firms": ("企业数", "firms"),
    "industry_level": ("行业层级", "industry level"),
    "cluster_id": ("集群编号", "cluster id"),
    "suppressed": ("已抑制", "suppressed"),
    "suppression": ("抑制类型", "suppression"),
    "value": ("数值", "value"),
    "n_enterprises": ("企业数", "enterprises"),
    "confidential": ("对公众保密", "confidential"),
    "kind": ("合计类型", "total"),
    "province": ("省份代码", "province code"),
    "province_name": ("省份", "province"),
    "affected": ("受影响企业", "firms affected"),
    "sales": ("销售额（万元）", "sales (10k yuan)"),
    "output_loss": ("产出损失（万元）", "output loss (10k yuan)"),
    "loss_share": ("损失占比", "loss share"),
    "esri": ("系统性风险 ESRI", "ESRI"),
    "esri_down": ("下游 ESRI", "downstream ESRI"),
    "esri_up": ("上游 ESRI", "upstream ESRI"),
    "dominated": ("受其支配的企业数", "firms it dominates"),
    "reason": ("原因", "reason"),
}


def _load_vocab() -> None:
    """Fill the vocabularies kept elsewhere (schema, diagnosis report) once."""
    from jiqun.analytics.diagnosis import POSITION_CLASSES
    from jiqun.services.reports import COLUMN_LABELS, TABLE_TITLES
    from jiqun.standard.schema import CARRIER_TYPES, FIELDS_OF_CLUSTERS, MEASURES, TAGS, TIERS

    VOCAB.setdefault("tier", dict(TIERS))
    VOCAB.setdefault("field", dict(FIELDS_OF_CLUSTERS))
    VOCAB.setdefault("tag", dict(TAGS))
    VOCAB.setdefault("carrier", dict(CARRIER_TYPES))
    VOCAB.setdefault("col", {**COLUMN_LABELS, **EXTRA_COLUMNS})
    VOCAB.setdefault("table", {k: (v[0], v[1]) for k, v in TABLE_TITLES.items()})
    VOCAB.setdefault("position", {k: (v[0], v[1]) for k, v in POSITION_CLASSES.items()})
    for k, (zh, en, _unit) in MEASURES.items():
        VOCAB["measure"].setdefault(k, (zh, en))


def lang(request: Request) -> str:
    """``?lang=`` wins and is remembered in the session; default zh."""
    q = request.query_params.get("lang")
    if q in LANGS:
        if "session" in request.scope:
            request.session["lang"] = q
        return q
    if "session" in request.scope and request.session.get("lang") in LANGS:
        return str(request.session["lang"])
    return "zh"


def switch_url(request: Request, code: str) -> str:
    """The current page in the other language (other query parameters kept)."""
    other = "en" if code == "zh" else "zh"
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", other))
    return f"{request.url.path}?{urlencode(params)}"


def translator(code: str) -> Callable[..., str]:
    """``t(key)`` in the chosen language; ``t(zh, en)`` picks one of two literal strings."""

    def t(key: str, en: str | None = None) -> str:
        if en is not None:
            return key if code == "zh" else en
        zh_s, en_s = STRINGS.get(key, (key, key))
        return zh_s if code == "zh" else en_s

    return t


def labeller(code: str) -> Callable[[str, object], str]:
    """``lab(vocabulary, code)``: the name of a code in the chosen language (the code if unknown)."""
    if "tier" not in VOCAB:
        _load_vocab()

    def lab(vocab: str, key: object) -> str:
        if key is None or key == "":
            return "—"
        pair = VOCAB.get(vocab, {}).get(str(key))
        if pair is None:
            return str(key)
        return pair[0] if code == "zh" else pair[1]

    return lab
