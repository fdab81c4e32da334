"""The unified data standard (统一数据标准): every importable kind, its fields, aliases and keys.

This module is the single source of truth for column names. The import pipeline, the import
templates, the JSON Schemas in ``docs/schemas/`` and ``docs/data-standard.md`` are all generated
from it, so a new field is added here once.

Canonical column names are English ``snake_case``; the Chinese headers a government spreadsheet
would use (统一社会信用代码, 企业名称, ...) and common English variants are accepted as aliases.

Example
-------
>>> from jiqun.standard.schema import KINDS
>>> KINDS["enterprises"].key
('uscc',)
>>> KINDS["enterprises"].resolve_header("统一社会信用代码")
'uscc'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

from jiqun.standard.datafiles import section

FieldType = Literal[
    "text",  # free text
    "uscc",  # GB 32100-2015 unified social credit code
    "region_code",  # GB/T 2260 administrative division code
    "industry_code",  # GB/T 4754-2017 industry code
    "date",
    "int",
    "amount",  # money, converted to the field's unit (万元) on import
    "float",
    "year",
    "enum",
    "tags",  # ;-separated list of enum ids (Chinese labels accepted)
    "region_codes",  # ;-separated list of region codes
    "industry_codes",  # ;-separated list of industry codes
    "cluster_id",
]

#: The data file of the label tables below (``jiqun/standard/data/labels.yaml``): each table
#: is a section of it, read once; an id maps to (中文, English).
_LABELS = "labels.yaml"

#: Firm tags (docs/data-standard.md ``tags``): canonical id -> (中文, English). Only as supplied, never inferred.
TAGS: dict[str, tuple[str, str]] = section(_LABELS, "tags")

#: Extra Chinese spellings of tags seen in government lists.
TAG_ALIASES: dict[str, str] = section(_LABELS, "tag_aliases")

#: Cluster tiers: id -> (中文, English).
TIERS: dict[str, tuple[str, str]] = section(_LABELS, "tiers")

#: Fields (领域) of clusters: id -> (中文, English).
FIELDS_OF_CLUSTERS: dict[str, tuple[str, str]] = section(_LABELS, "fields_of_clusters")

#: Kinds of innovation carriers (创新载体): id -> (中文, English).
CARRIER_TYPES: dict[str, tuple[str, str]] = section(_LABELS, "carrier_types")

#: Levels of innovation carriers: id -> (中文, English).
CARRIER_LEVELS: dict[str, tuple[str, str]] = section(_LABELS, "carrier_levels")

#: Measures of ``region-stats``: id -> (中文, English, canonical unit).
MEASURES: dict[str, tuple[str, str, str]] = section(_LABELS, "measures")

#: Further Chinese names of measures as statistical tables write them (指标 line, column header).
MEASURE_ALIASES: dict[str, str] = section(_LABELS, "measure_aliases")

#: Industry code of a region-level total (all industries, 全部行业) in ``region-stats``. GB/T
#: 4754-2017 has no code for the whole economy; ``_T`` is the SDMX code for "total"
#: (SDMX Content-Oriented Guidelines, code list CL_ACTIVITY), short enough for the 4-character
#: industry column and impossible to confuse with a GB/T 4754 code.
TOTAL_INDUSTRY = "_T"

#: Spellings of the total accepted in an ``industry_code`` column (recorded as ``_T``).
TOTAL_INDUSTRY_ALIASES: tuple[str, ...] = ("_T", "合计", "总计", "全部行业", "所有行业", "total")

#: Region code of the whole country (全国) in ``region-stats``. GB/T 2260 codes provinces and
#: below only; ``100000`` (中华人民共和国) is the code the national statistics and map services use
#: for the nation, and no GB/T 2260 division can take it (no province starts with 10).
NATION_CODE = "100000"

#: People units and their factor to 人 (the canonical people unit of the standard).
PEOPLE_UNITS: dict[str, float] = {"人": 1.0, "万人": 1e4, "千人": 1e3, "百人": 1e2}

#: Roles of a firm in a cluster: id -> (中文, English).
MEMBER_ROLES: dict[str, tuple[str, str]] = section(_LABELS, "member_roles")

#: GB/T 2260 region levels: id -> (中文, English).
REGION_LEVELS: dict[str, tuple[str, str]] = section(_LABELS, "region_levels")

#: How far a cluster record was verified against its source: id -> (中文, English).
VERIFICATION_STATES: dict[str, tuple[str, str]] = section(_LABELS, "verification_states")

#: Length limits (characters) of the cells of an import; a longer cell is an error
#: (``text.length``). A field may set its own (:attr:`Field.max_length`); otherwise these apply
#: by type. Names are at most 200 characters (the longest registered company names are under
#: 100), addresses 500, free text 2,000 (a business scope is rarely over 1,000), lists of tags
#: or codes 2,000, and every other cell (codes, numbers, dates, enums) 100.
NAME_MAX = 200
ADDRESS_MAX = 500
TEXT_MAX = 2000
LIST_MAX = 2000
CELL_MAX = 100
_TYPE_MAX: dict[str, int] = {
    "text": TEXT_MAX,
    "tags": LIST_MAX,
    "region_codes": LIST_MAX,
    "industry_codes": LIST_MAX,
}

#: Registration status (登记状态 / 经营状态) of an enterprise as the market-regulation registry
#: writes it: id -> (中文, English). 企查查 writes 存续, 天眼查 在业 for the same state; both are
#: accepted (the Chinese label lists the spellings, separated by ``/``).
ENTERPRISE_STATUS: dict[str, tuple[str, str]] = {
    "active": ("存续/在业/在营/开业/在册", "active (registered and operating)"),
    "revoked": ("吊销", "licence revoked"),
    "cancelled": ("注销", "deregistered"),
    "moved_out": ("迁出", "moved to another registry"),
    "suspended": ("停业", "suspended"),
    "liquidating": ("清算", "in liquidation"),
    "withdrawn": ("撤销", "registration withdrawn"),
}

#: Currencies of registered capital (ISO 4217): id -> (中文, English).
CURRENCIES: dict[str, tuple[str, str]] = {
    "CNY": ("人民币", "Chinese yuan"),
    "USD": ("美元", "US dollar"),
    "HKD": ("港元/港币", "Hong Kong dollar"),
    "EUR": ("欧元", "euro"),
    "JPY": ("日元", "Japanese yen"),
    "GBP": ("英镑", "pound sterling"),
    "TWD": ("新台币", "New Taiwan dollar"),
    "SGD": ("新加坡元", "Singapore dollar"),
    "KRW": ("韩元", "South Korean won"),
    "CHF": ("瑞士法郎", "Swiss franc"),
    "AUD": ("澳元", "Australian dollar"),
    "CAD": ("加元", "Canadian dollar"),
}

#: Stock exchanges of the listed-company lists: id -> (中文, English).
EXCHANGES: dict[str, tuple[str, str]] = {
    "sse": ("上海证券交易所", "Shanghai Stock Exchange"),
    "szse": ("深圳证券交易所", "Shenzhen Stock Exchange"),
    "bse": ("北京证券交易所", "Beijing Stock Exchange"),
}

#: Boards (板块) of the exchanges: id -> (中文, English).
BOARDS: dict[str, tuple[str, str]] = {
    "main": ("主板", "main board"),
    "chinext": ("创业板", "ChiNext"),
    "star": ("科创板", "STAR Market"),
    "bse": ("北交所", "Beijing Stock Exchange board"),
}

#: Money units and their factor to 万元 (the canonical money unit of the standard).
MONEY_UNITS: dict[str, float] = {"元": 1e-4, "千元": 1e-1, "万元": 1.0, "百万元": 1e2, "亿元": 1e4}


@dataclass(frozen=True)
class Field:
    """One column of one kind.

    Parameters
    ----------
    name: canonical snake_case name (the English header of the template).
    zh: the Chinese header of the template.
    en: the English label.
    type: a :data:`FieldType`.
    required: whether the column must be present and every cell non-empty.
    description_zh, description_en: what the column holds.
    aliases: further accepted headers (case- and width-insensitive).
    unit: canonical unit (money is stored in 万元).
    choices: allowed ids for ``enum`` and ``tags`` fields, id -> (中文, English).
    minimum: smallest allowed value for numbers.
    code_system: the code standard the column follows.
    levels: allowed code levels for region/industry codes.
    max_length: the longest accepted cell in characters (default: by type, see
        :attr:`length_limit`).
    future_ok: for dates, whether a date after today is accepted (the end of an operating term).
    """

    name: str
    zh: str
    en: str
    type: FieldType
    required: bool = False
    description_zh: str = ""
    description_en: str = ""
    aliases: tuple[str, ...] = ()
    unit: str | None = None
    choices: dict[str, tuple[str, str]] | None = None
    minimum: float | None = None
    code_system: str | None = None
    levels: tuple[Any, ...] | None = None
    max_length: int | None = None
    future_ok: bool = False

    @property
    def length_limit(self) -> int:
        """The longest accepted cell: :attr:`max_length`, else :data:`TEXT_MAX` for text,
        :data:`LIST_MAX` for lists and :data:`CELL_MAX` for any other type.

        Example
        -------
        >>> KINDS["enterprises"].get_field("name").length_limit
        200
        """
        if self.max_length is not None:
            return self.max_length
        return _TYPE_MAX.get(self.type, CELL_MAX)

    @property
    def header(self) -> str:
        """The Chinese header, with the unit of money columns: ``营业收入（万元）``."""
        return f"{self.zh}（{self.unit}）" if self.unit and self.type == "amount" else self.zh

    @property
    def template_header(self) -> str:
        """The bilingual header of Jiqun's import templates: ``营业收入（万元） / revenue``."""
        return f"{self.header} / {self.name}"

    def json_schema(self) -> dict[str, Any]:
        """JSON Schema (draft 2020-12) fragment of one cell after normalisation."""
        t: dict[str, Any]
        if self.type in ("int", "year"):
            t = {"type": "integer"}
        elif self.type in ("amount", "float"):
            t = {"type": "number"}
        elif self.type == "date":
            t = {"type": "string", "format": "date"}
        elif self.type == "enum" and self.choices:
            t = {"type": "string", "enum": list(self.choices)}
        elif self.type == "tags" and self.choices:
            t = {"type": "array", "items": {"type": "string", "enum": list(self.choices)}}
        elif self.type in ("region_codes", "industry_codes"):
            t = {"type": "array", "items": {"type": "string"}}
        elif self.type == "uscc":
            t = {
                "type": "string",
                "pattern": "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$",
            }
        elif self.type == "region_code":
            t = {"type": "string", "pattern": "^[0-9]{6}$"}
        elif self.type == "industry_code":
            t = {"type": "string", "pattern": "^([A-T]|[0-9]{2,4})$"}
        else:
            t = {"type": "string"}
        if t.get("type") == "string" and "pattern" not in t and "enum" not in t:
            t["maxLength"] = self.length_limit
        if self.minimum is not None and t.get("type") in ("integer", "number"):
            t["minimum"] = self.minimum
        if not self.required:
            t = {"anyOf": [t, {"type": "null"}]}
        t["title"] = f"{self.zh} / {self.en}"
        desc = " ".join(x for x in (self.description_zh, self.description_en) if x)
        if self.unit:
            desc += f" [unit 单位: {self.unit}]"
        if self.code_system:
            desc += f" [code system 编码标准: {self.code_system}]"
        if desc:
            t["description"] = desc.strip()
        return t


@dataclass(frozen=True)
class Kind:
    """One importable kind of record (``jiqun import KIND FILE``)."""

    name: str
    zh: str
    en: str
    table: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    description_zh: str = ""
    description_en: str = ""
    _aliases: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        amap: dict[str, str] = {}
        for f in self.fields:
            for a in (f.name, f.zh, f.en, f.header, *f.aliases):
                amap[header_key(a)] = f.name
        object.__setattr__(self, "_aliases", amap)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def required(self) -> list[str]:
        return [f.name for f in self.fields if f.required]

    def get_field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def resolve_header(self, header: object) -> str | None:
        """Canonical field name for a header as written in a file, or ``None`` if unknown.

        Matching ignores case, width (ＡＢＣ = ABC), spaces, and a unit in brackets
        (营业收入（万元） → 营业收入), so that the unit can be read separately.
        """
        if header is None:
            return None
        k = header_key(str(header))
        if k in self._aliases:
            return self._aliases[k]
        bare = header_key(strip_unit(str(header)))
        if bare in self._aliases:
            return self._aliases[bare]
        # Bilingual headers as in Jiqun's own templates: "企业名称 / name" or "企业名称\nname".
        parts = [p for p in re.split(r"[/\n|]", strip_unit(str(header))) if p.strip()]
        if len(parts) > 1:
            found = {self._aliases.get(header_key(strip_unit(p))) for p in parts}
            found.discard(None)
            if len(found) == 1:
                return found.pop()
        return None

    def json_schema(self) -> dict[str, Any]:
        """JSON Schema (draft 2020-12) of one normalised record of this kind."""
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://jiqun.dev/schemas/{self.name}.schema.json",
            "title": f"{self.zh} / {self.en}",
            "description": f"{self.description_zh} {self.description_en}".strip(),
            "type": "object",
            "properties": {f.name: f.json_schema() for f in self.fields},
            "required": self.required,
            "additionalProperties": False,
            "x-natural-key": list(self.key),
        }


_UNIT_RE = re.compile(r"[（(【\[]\s*([^）)】\]]*)\s*[）)】\]]\s*$")


def strip_unit(header: str) -> str:
    """Header without a trailing bracketed unit: ``营业收入（万元）`` → ``营业收入``."""
    return _UNIT_RE.sub("", header).strip()


def header_unit(header: str) -> str | None:
    """The unit written in brackets at the end of a header, if any: ``营业收入（万元）`` → ``万元``."""
    m = _UNIT_RE.search(unicodedata.normalize("NFKC", str(header)))
    return m.group(1).strip() if m else None


def header_key(header: str) -> str:
    """Comparison key of a header: NFKC, lower-case, no spaces, no underscores or hyphens."""
    s = unicodedata.normalize("NFKC", str(header)).lower()
    return re.sub(r"[\s_\-\u00a0\u3000\u200b\ufeff*]+", "", s)


_SYN = "（synthetic 模拟数据 marker; set by the demo builder, false for imported data)"

_ENTERPRISE_FIELDS = (
    Field(
        "uscc",
        "统一社会信用代码",
        "unified social credit code",
        "uscc",
        required=True,
        description_zh="18位统一社会信用代码（GB 32100-2015），校验位错误给出警告但不自动更正",
        description_en="18-character code (GB 32100-2015); a checksum mismatch is a warning, never corrected",
        aliases=("信用代码", "社会信用代码", "统一代码", "credit code", "credit_code", "USCC"),
        code_system="GB 32100-2015",
    ),
    Field(
        "name",
        "企业名称",
        "enterprise name",
        "text",
        required=True,
        aliases=(
            "名称",
            "单位名称",
            "企业全称",
            "公司名称",
            "company",
            "company name",
            "enterprise",
        ),
        max_length=NAME_MAX,
    ),
    Field(
        "region_code",
        "所在地区代码",
        "region code",
        "region_code",
        required=True,
        description_zh="注册地县级或地级行政区划代码（GB/T 2260，6位）",
        description_en="6-digit GB/T 2260 code of the county or prefecture of registration",
        aliases=(
            "行政区划代码",
            "地区代码",
            "区划代码",
            "所在地代码",
            "区县代码",
            "region",
            "adcode",
        ),
        code_system="GB/T 2260",
        levels=("county", "prefecture"),
    ),
    Field(
        "industry_code",
        "行业代码",
        "industry code",
        "industry_code",
        required=True,
        description_zh="国民经济行业分类代码（GB/T 4754-2017，小类4位）",
        description_en="GB/T 4754-2017 industry class (4 digits)",
        aliases=(
            "国民经济行业代码",
            "行业分类代码",
            "所属行业代码",
            "国民经济行业分类",
            "industry",
        ),
        code_system="GB/T 4754-2017",
        levels=(4,),
    ),
    Field(
        "founded",
        "成立日期",
        "date founded",
        "date",
        aliases=("成立时间", "注册日期", "登记日期", "founding date", "established"),
    ),
    Field(
        "employees",
        "从业人员",
        "employees",
        "int",
        aliases=(
            "从业人数",
            "职工人数",
            "员工人数",
            "从业人员数",
            "年末从业人员",
            "参保人数",
            "employment",
        ),
        unit="人",
        minimum=0,
    ),
    Field(
        "revenue",
        "营业收入",
        "operating revenue",
        "amount",
        aliases=("营收", "主营业务收入", "销售收入", "operating_revenue", "sales"),
        unit="万元",
        minimum=0,
    ),
    Field(
        "output",
        "工业总产值",
        "gross industrial output",
        "amount",
        aliases=("总产值", "产值", "gross output"),
        unit="万元",
        minimum=0,
    ),
    Field(
        "rd_expense",
        "研发费用",
        "R&D expenditure",
        "amount",
        aliases=("研发投入", "研发经费", "R&D", "rd"),
        unit="万元",
        minimum=0,
    ),
    Field(
        "tags",
        "企业标签",
        "tags",
        "tags",
        description_zh="分号分隔：专精特新；专精特新“小巨人”；单项冠军；高新技术企业；链主（仅按政府名单填写，系统从不推断）",
        description_en="semicolon-separated; only as listed by government, never inferred",
        aliases=("标签", "企业类型标签", "资质"),
        choices=TAGS,
    ),
    Field(
        "business_scope",
        "经营范围",
        "business scope",
        "text",
        aliases=("主营业务", "主要产品", "scope"),
    ),
    Field(
        "address",
        "注册地址",
        "address",
        "text",
        aliases=("地址", "住所", "注册地"),
        max_length=ADDRESS_MAX,
    ),
    Field(
        "lon",
        "经度",
        "longitude",
        "float",
        aliases=("longitude",),
        description_en="WGS-84 or GCJ-02 decimal degrees",
    ),
    Field("lat", "纬度", "latitude", "float", aliases=("latitude",)),
    Field(
        "status",
        "登记状态",
        "registration status",
        "enum",
        description_zh="市场监管登记状态：存续（在业）、吊销、注销、迁出、停业、清算、撤销",
        description_en="market-regulation registration status: active, revoked, deregistered, …",
        aliases=("经营状态", "企业状态", "登记状态（经营状态）"),
        choices=ENTERPRISE_STATUS,
    ),
    Field(
        "registered_capital",
        "注册资本数额",
        "registered capital",
        "float",
        description_zh="注册资本，单位为「万」原币种（币种见 registered_capital_currency）：50万元 → 50 人民币，"
        "100万美元 → 100 美元；不按汇率换算",
        description_en="registered capital in units of 10,000 of its own currency "
        "(registered_capital_currency): 50万元 -> 50 CNY, 100万美元 -> 100 USD; never converted",
        aliases=("注册资本（万）", "registered capital (10k)"),
        minimum=0,
    ),
    Field(
        "registered_capital_currency",
        "注册资本币种",
        "registered capital currency",
        "enum",
        description_zh="注册资本的币种（ISO 4217）",
        description_en="currency of the registered capital (ISO 4217)",
        aliases=("币种",),
        choices=CURRENCIES,
    ),
    Field(
        "operating_term_start",
        "营业期限自",
        "operating term from",
        "date",
        description_zh="营业期限起始日",
        description_en="first day of the operating term",
        aliases=("营业期限起", "营业期限开始"),
    ),
    Field(
        "operating_term_end",
        "营业期限至",
        "operating term to",
        "date",
        description_zh="营业期限截止日；无固定期限为空",
        description_en="last day of the operating term; empty when the term is open-ended (无固定期限)",
        aliases=("营业期限止", "营业期限截止"),
        future_ok=True,
    ),
    Field(
        "employees_year",
        "从业人员所属年份",
        "employees year",
        "year",
        description_zh="从业人员数所属年度，如参保人数所属年报",
        description_en="year the employee count refers to (e.g. the annual report of 参保人数)",
        aliases=("参保人数所属年报", "人数所属年份"),
    ),
)

KINDS: dict[str, Kind] = {}


def _register(kind: Kind) -> None:
    KINDS[kind.name] = kind


_register(
    Kind(
        "regions",
        "行政区划",
        "regions",
        "regions",
        (
            Field(
                "code", "行政区划代码", "region code", "region_code", True, code_system="GB/T 2260"
            ),
            Field(
                "name",
                "名称",
                "name",
                "text",
                True,
                aliases=("区划名称", "地区名称"),
                max_length=NAME_MAX,
            ),
            Field("level", "级别", "level", "enum", True, choices=REGION_LEVELS, aliases=("层级",)),
            Field("parent_code", "上级代码", "parent code", "region_code", code_system="GB/T 2260"),
            Field("lon", "经度", "longitude", "float", aliases=("longitude",)),
            Field("lat", "纬度", "latitude", "float", aliases=("latitude",)),
        ),
        ("code",),
        "GB/T 2260 行政区划；随软件附带2023年版，可导入补充。",
        "GB/T 2260 administrative divisions; the 2023 edition ships with Jiqun.",
    )
)
_register(
    Kind(
        "industries",
        "国民经济行业分类",
        "industries",
        "industries",
        (
            Field(
                "code",
                "行业代码",
                "industry code",
                "industry_code",
                True,
                code_system="GB/T 4754-2017",
            ),
            Field(
                "name",
                "行业名称",
                "industry name",
                "text",
                True,
                aliases=("名称",),
                max_length=NAME_MAX,
            ),
            Field("level", "层级", "level", "int", True, description_en="1 section … 4 class"),
            Field("parent", "上级代码", "parent code", "text", max_length=CELL_MAX),
            Field("section", "门类", "section", "text", max_length=CELL_MAX),
        ),
        ("code",),
        "GB/T 4754-2017（含2019修改单）；随软件附带。",
        "GB/T 4754-2017 with the 2019 amendment; ships with Jiqun.",
    )
)
_register(
    Kind(
        "enterprises",
        "企业",
        "enterprises",
        "enterprises",
        _ENTERPRISE_FIELDS,
        ("uscc",),
        "一企一档：企业基本信息、规模与标签。",
        "One record per enterprise (一企一档): identity, size and tags.",
    )
)
_register(
    Kind(
        "listed-companies",
        "上市公司",
        "listed companies",
        "listed_companies",
        (
            Field(
                "stock_code",
                "证券代码",
                "stock code",
                "text",
                True,
                description_zh="6位证券代码（A股代码；仅有B股时为B股代码），前导零保留",
                description_en="6-digit stock code (the A-share code; the B-share code when there is "
                "no A share), leading zeros kept",
                aliases=("股票代码", "A股代码", "代码"),
                max_length=6,
            ),
            Field(
                "exchange",
                "交易所",
                "exchange",
                "enum",
                True,
                choices=EXCHANGES,
                aliases=("上市交易所", "证券交易所"),
            ),
            Field("board", "板块", "board", "enum", choices=BOARDS, aliases=("上市板块",)),
            Field(
                "short_name",
                "证券简称",
                "short name",
                "text",
                True,
                aliases=("A股简称", "股票简称", "简称"),
                max_length=NAME_MAX,
            ),
            Field(
                "name",
                "公司全称",
                "company name",
                "text",
                aliases=("企业名称", "公司名称"),
                max_length=NAME_MAX,
            ),
            Field(
                "name_en",
                "英文名称",
                "English name",
                "text",
                aliases=("公司英文全称", "英文全称"),
                max_length=NAME_MAX,
            ),
            Field("listed", "上市日期", "date listed", "date", aliases=("A股上市日期",)),
            Field(
                "b_stock_code",
                "B股代码",
                "B-share code",
                "text",
                description_zh="B股代码（如有）",
                description_en="B-share code, if any",
                max_length=6,
            ),
            Field(
                "total_shares",
                "总股本",
                "total shares",
                "int",
                description_zh="股数（股）",
                description_en="number of shares",
                minimum=0,
                aliases=("A股总股本",),
            ),
            Field(
                "float_shares",
                "流通股本",
                "shares in free float",
                "int",
                description_zh="股数（股）",
                description_en="number of shares",
                minimum=0,
                aliases=("A股流通股本",),
            ),
            Field(
                "region_code",
                "所在地区代码",
                "region code",
                "region_code",
                description_zh="注册地所在省或地级市的 GB/T 2260 代码（由交易所名单的省份、城市名称匹配）",
                description_en="GB/T 2260 code of the province or prefecture of registration "
                "(matched from the exchange list's province and city names)",
                code_system="GB/T 2260",
                levels=("province", "prefecture", "county"),
            ),
            Field(
                "csrc_industry",
                "证监会行业",
                "CSRC industry",
                "text",
                description_zh="交易所名单所列行业（证监会《上市公司行业分类指引》，如「C 制造业」），原样保留，"
                "不与国民经济行业分类代码混用",
                description_en="the industry the exchange lists (CSRC classification, e.g. 'C 制造业'), "
                "kept as written, never mixed with GB/T 4754 codes",
                aliases=("所属行业",),
                max_length=NAME_MAX,
            ),
            Field(
                "address",
                "注册地址",
                "address",
                "text",
                max_length=ADDRESS_MAX,
            ),
            Field("website", "公司网址", "website", "text", max_length=NAME_MAX),
            Field(
                "uscc",
                "统一社会信用代码",
                "unified social credit code",
                "uscc",
                description_zh="如已知，用于与企业库（enterprises）关联；交易所名单本身不含",
                description_en="when known, links the firm to the enterprise registry; the exchange "
                "lists do not carry it",
                code_system="GB 32100-2015",
            ),
        ),
        ("stock_code",),
        "交易所上市公司名单（沪深京交易所官方列表）：证券代码、简称、上市日期、股本、注册地。",
        "Listed firms as the exchanges publish them: stock code, names, listing date, shares, seat.",
    )
)
_register(
    Kind(
        "region-stats",
        "地区行业统计",
        "region statistics",
        "region_stats",
        (
            Field(
                "region_code",
                "地区代码",
                "region code",
                "region_code",
                True,
                aliases=("行政区划代码", "所在地区代码", "region"),
                code_system="GB/T 2260",
                levels=("nation", "province", "prefecture", "county"),
                description_zh=f"GB/T 2260 代码；全国为 {NATION_CODE}",
                description_en=f"GB/T 2260 code; the whole country is {NATION_CODE}",
            ),
            Field(
                "industry_code",
                "行业代码",
                "industry code",
                "industry_code",
                True,
                description_zh=f"GB/T 4754-2017 代码；地区合计（全部行业）为 {TOTAL_INDUSTRY}",
                description_en=f"GB/T 4754-2017 code; a region total (all industries) is {TOTAL_INDUSTRY}",
                aliases=("国民经济行业代码", "industry"),
                code_system="GB/T 4754-2017",
                levels=(1, 2, 3, 4),
            ),
            Field("year", "年份", "year", "year", True, aliases=("年度", "统计年度")),
            Field(
                "measure",
                "指标",
                "measure",
                "enum",
                True,
                choices={k: (v[0], v[1]) for k, v in MEASURES.items()},
                aliases=("指标名称", "统计指标"),
            ),
            Field("value", "数值", "value", "float", True, minimum=0, aliases=("指标值", "值")),
            Field(
                "unit",
                "单位",
                "unit",
                "text",
                True,
                description_zh="计量单位；货币单位（元/万元/亿元）导入时换算为万元",
                description_en="unit; money (元/万元/亿元) is converted to 万元 on import",
                aliases=("计量单位",),
                max_length=CELL_MAX,
            ),
            Field(
                "source", "数据来源", "source", "text", aliases=("来源",), max_length=ADDRESS_MAX
            ),
        ),
        ("region_code", "industry_code", "year", "measure"),
        "长表：地区 × 行业 × 年份 × 指标。",
        "Long format: region × industry × year × measure.",
    )
)
_register(
    Kind(
        "clusters",
        "产业集群",
        "clusters",
        "clusters",
        (
            Field(
                "cluster_id", "集群编号", "cluster id", "cluster_id", True, aliases=("编号", "id")
            ),
            Field(
                "name",
                "集群名称",
                "cluster name",
                "text",
                True,
                aliases=("名称", "name_zh"),
                max_length=NAME_MAX,
            ),
            Field("name_en", "英文名称", "English name", "text", max_length=NAME_MAX),
            Field(
                "tier", "集群层级", "tier", "enum", True, choices=TIERS, aliases=("层级", "级别")
            ),
            Field("batch_year", "批次年份", "batch year", "year", aliases=("批次", "认定年份")),
            Field(
                "field", "领域", "field", "enum", choices=FIELDS_OF_CLUSTERS, aliases=("所属领域",)
            ),
            Field(
                "member_regions",
                "成员地区代码",
                "member region codes",
                "region_codes",
                True,
                description_zh="分号分隔的行政区划代码",
                description_en="semicolon-separated GB/T 2260 codes",
                code_system="GB/T 2260",
            ),
            Field(
                "leading_industries",
                "主导产业代码",
                "leading industry codes",
                "industry_codes",
                description_zh="分号分隔的国民经济行业代码",
                description_en="semicolon-separated GB/T 4754-2017 codes",
                code_system="GB/T 4754-2017",
            ),
            Field(
                "promotion_organisation",
                "集群发展促进机构",
                "cluster development organisation",
                "text",
                aliases=("促进机构", "promotion organization"),
                max_length=NAME_MAX,
            ),
            Field(
                "verification",
                "核实状态",
                "verification",
                "enum",
                choices=VERIFICATION_STATES,
            ),
            Field(
                "source", "来源", "source", "text", aliases=("source_note",), max_length=ADDRESS_MAX
            ),
        ),
        ("cluster_id",),
        "集群名录：层级、批次、领域、成员地区、主导产业。",
        "Cluster registry: tier, batch, field, member regions, leading industries.",
    )
)
_register(
    Kind(
        "cluster-members",
        "集群成员企业",
        "cluster members",
        "cluster_members",
        (
            Field("cluster_id", "集群编号", "cluster id", "cluster_id", True),
            Field(
                "uscc",
                "统一社会信用代码",
                "unified social credit code",
                "uscc",
                True,
                code_system="GB 32100-2015",
            ),
            Field("role", "角色", "role", "enum", choices=MEMBER_ROLES, aliases=("成员类型",)),
            Field("joined", "加入日期", "date joined", "date"),
        ),
        ("cluster_id", "uscc"),
        "集群成员企业名单。",
        "Member enterprises of a cluster.",
    )
)
_register(
    Kind(
        "innovation-carriers",
        "创新载体",
        "innovation carriers",
        "innovation_carriers",
        (
            Field(
                "name",
                "载体名称",
                "carrier name",
                "text",
                True,
                aliases=("名称",),
                max_length=NAME_MAX,
            ),
            Field(
                "carrier_type",
                "载体类型",
                "carrier type",
                "enum",
                True,
                choices=CARRIER_TYPES,
                aliases=("类型",),
            ),
            Field(
                "level", "级别", "level", "enum", True, choices=CARRIER_LEVELS, aliases=("层级",)
            ),
            Field(
                "region_code",
                "所在地区代码",
                "region code",
                "region_code",
                True,
                code_system="GB/T 2260",
                levels=("province", "prefecture", "county"),
            ),
            Field(
                "host_uscc",
                "依托单位信用代码",
                "host organisation credit code",
                "uscc",
                code_system="GB 32100-2015",
            ),
            Field(
                "industry_code",
                "行业代码",
                "industry code",
                "industry_code",
                code_system="GB/T 4754-2017",
                levels=(1, 2, 3, 4),
            ),
            Field("field", "领域", "field", "enum", choices=FIELDS_OF_CLUSTERS),
            Field("cluster_id", "所属集群编号", "cluster id", "cluster_id"),
            Field("recognised_year", "认定年份", "year recognised", "year", aliases=("认定年度",)),
            Field("source", "来源", "source", "text", max_length=ADDRESS_MAX),
        ),
        ("carrier_type", "name"),
        "制造业创新中心、技术创新中心、重点实验室、工程研究中心、企业技术中心、高校院所、公共服务平台等。",
        "Innovation centres, laboratories, research centres, universities, platforms.",
    )
)
_register(
    Kind(
        "supply-links",
        "供应关系",
        "supply links",
        "supply_links",
        (
            Field(
                "supplier_uscc",
                "供应商信用代码",
                "supplier credit code",
                "uscc",
                True,
                aliases=("供应商", "supplier"),
                code_system="GB 32100-2015",
            ),
            Field(
                "buyer_uscc",
                "采购方信用代码",
                "buyer credit code",
                "uscc",
                True,
                aliases=("采购方", "客户", "buyer"),
                code_system="GB 32100-2015",
            ),
            Field("year", "年份", "year", "year", True, aliases=("年度",)),
            Field(
                "value",
                "采购金额",
                "purchase value",
                "amount",
                aliases=("金额", "交易金额"),
                unit="万元",
                minimum=0,
            ),
            Field(
                "input_category",
                "投入品类别",
                "input category",
                "industry_code",
                True,
                description_zh="所采购投入品的行业代码（GB/T 4754-2017）",
                description_en="GB/T 4754-2017 code of the purchased input",
                aliases=("投入品行业代码", "产品类别"),
                code_system="GB/T 4754-2017",
                levels=(2, 3, 4),
            ),
            Field("product", "产品", "product", "text", aliases=("产品名称",), max_length=NAME_MAX),
            Field("source", "来源", "source", "text", max_length=ADDRESS_MAX),
        ),
        ("supplier_uscc", "buyer_uscc", "year", "input_category"),
        "企业间供应关系（供应商 → 采购方）。",
        "Firm-to-firm supply links (supplier → buyer).",
    )
)

KIND_NAMES: tuple[str, ...] = tuple(KINDS)


def get_kind(name: str) -> Kind:
    """The :class:`Kind` called ``name``; raises a bilingual error listing the valid kinds."""
    from jiqun.standard.problems import JiqunError

    key = name.strip().lower().replace("_", "-")
    if key not in KINDS:
        valid = ", ".join(KINDS)
        raise JiqunError(
            f"未知的数据类别「{name}」，可选：{valid}",
            f"unknown kind '{name}'; valid kinds: {valid}",
        )
    return KINDS[key]
