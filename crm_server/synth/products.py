"""The bank's product shelf: about 120 products of every category (DOMAIN.md, product).

The shelf is the same for every seed (a bank has one shelf); only the year in issue names follows
``today``. Deposits, bonds and loans are R1; wealth products (理财) R1–R3 and funds R2–R5; the
private-bank products (私行专属理财, 私募基金) are for qualified investors only. Insurance, private
products and R4–R5 funds need dual recording (双录) when sold in a branch. Some older issues are no
longer on sale but still held.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crm_server.synth.wire import money
from rm_desk.domain.enums import ProductCategory


@dataclass(frozen=True, slots=True)
class ProductInfo:
    """One product of the shelf, with what the generator needs beyond the wire record.

    ``kind`` groups products the generator treats alike (``time``, ``cd``, ``closed``, ``fund``,
    ``card`` …); ``unit_price`` is the price of one unit in yuan (a fund's NAV, a bond's face of
    100, a gram of gold, 1 for deposits and policies).
    """

    id: str
    code: str
    name: str
    category: ProductCategory
    risk: int
    kind: str
    term_days: int | None = None
    min_fen: int | None = None
    yield_text: str | None = None
    on_sale: bool = True
    dual: bool = False
    qualified_only: bool = False
    unit_price: float = 1.0

    @property
    def risk_code(self) -> str:
        """The product risk level code, ``R1``…``R5``."""
        return f"R{self.risk}"

    def wire(self) -> dict[str, Any]:
        """The product's wire record (without ``rev``)."""
        return {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "category": self.category.value,
            "risk_level": self.risk_code,
            "term_days": self.term_days,
            "min_amount": None if self.min_fen is None else money(self.min_fen),
            "benchmark_yield": self.yield_text,
            "on_sale": self.on_sale,
            "requires_dual_recording": self.dual,
            "qualified_investor_only": self.qualified_only,
        }


_WAN = 1_000_000  # 1万 yuan in fen


def _catalogue(year: int) -> Iterator[dict[str, Any]]:
    dep, wea, fun = ProductCategory.DEPOSIT, ProductCategory.WEALTH, ProductCategory.FUND
    ins, bnd, gld = ProductCategory.INSURANCE, ProductCategory.BOND, ProductCategory.PRECIOUS_METAL
    loan = ProductCategory.LOAN
    # Deposits
    yield dict(
        code="DP-CUR",
        name="活期储蓄存款",
        category=dep,
        risk=1,
        kind="current",
        yield_text="0.0005",
        min_fen=0,
    )
    for code, name, days, rate in (
        ("DP-3M", "整存整取定期存款3个月", 91, "0.0085"),
        ("DP-6M", "整存整取定期存款6个月", 182, "0.0105"),
        ("DP-1Y", "整存整取定期存款1年", 365, "0.0120"),
        ("DP-2Y", "整存整取定期存款2年", 730, "0.0130"),
        ("DP-3Y", "整存整取定期存款3年", 1095, "0.0155"),
        ("DP-5Y", "整存整取定期存款5年", 1825, "0.0160"),
    ):
        yield dict(
            code=code,
            name=name,
            category=dep,
            risk=1,
            kind="time",
            term_days=days,
            min_fen=5000,
            yield_text=rate,
        )
    for code, name, days, rate, on_sale in (
        ("CD-1Y", f"个人大额存单{year}年第8期(1年)", 365, "0.0140", True),
        ("CD-2Y", f"个人大额存单{year}年第8期(2年)", 730, "0.0150", True),
        ("CD-3Y", f"个人大额存单{year}年第5期(3年)", 1095, "0.0175", False),
        ("CD-3Y-OLD", f"个人大额存单{year - 2}年第12期(3年)", 1095, "0.0235", False),
    ):
        yield dict(
            code=code,
            name=name,
            category=dep,
            risk=1,
            kind="cd",
            term_days=days,
            min_fen=20 * _WAN,
            yield_text=rate,
            on_sale=on_sale,
        )
    yield dict(
        code="DP-N1",
        name="个人通知存款(1天)",
        category=dep,
        risk=1,
        kind="notice",
        min_fen=5 * _WAN,
        yield_text="0.0010",
    )
    yield dict(
        code="DP-N7",
        name="个人通知存款(7天)",
        category=dep,
        risk=1,
        kind="notice",
        min_fen=5 * _WAN,
        yield_text="0.0045",
    )
    for n, (days, rate, on_sale) in enumerate(
        ((91, "0.0175", True), (182, "0.0195", True), (91, "0.0210", False), (365, "0.0230", True)),
        start=21,
    ):
        yield dict(
            code=f"SD{year % 100}{n:03d}",
            name=f"鑫安结构性存款{year}年第{n}期({days}天)",
            category=dep,
            risk=1 if n % 2 else 2,
            kind="time",
            term_days=days,
            min_fen=_WAN,
            yield_text=rate,
            on_sale=on_sale,
        )
    yield dict(
        code="DC-CUR",
        name="单位活期存款",
        category=dep,
        risk=1,
        kind="corp_current",
        yield_text="0.0010",
        min_fen=0,
    )
    yield dict(
        code="DC-1Y",
        name="单位定期存款1年",
        category=dep,
        risk=1,
        kind="corp_time",
        term_days=365,
        min_fen=_WAN,
        yield_text="0.0125",
    )
    yield dict(
        code="DC-AGR",
        name="单位协定存款",
        category=dep,
        risk=1,
        kind="corp_time",
        term_days=365,
        min_fen=10 * _WAN,
        yield_text="0.0080",
    )
    # Wealth management (理财)
    for n, (name, rate) in enumerate(
        (
            ("鑫享现金管理1号", "0.0172"),
            ("鑫享现金管理2号", "0.0181"),
            ("鑫享现金管理3号(快赎)", "0.0165"),
            ("鑫享天天利", "0.0178"),
        ),
        start=1,
    ):
        yield dict(
            code=f"Z70035{year % 100}{n:06d}",
            name=name,
            category=wea,
            risk=1,
            kind="cash",
            min_fen=100,
            yield_text=rate,
            unit_price=1.0,
        )
    issue = 30
    for days, base in ((91, 240), (182, 262), (365, 285), (548, 300)):
        for k in range(4 if days != 548 else 2):
            issue += 1
            on_sale = k < 2
            yield dict(
                code=f"Z70035{year % 100}{issue:06d}",
                name=f"鑫盈固收{days}天{year}年第{issue}期",
                category=wea,
                risk=2,
                kind="closed",
                term_days=days,
                min_fen=_WAN,
                yield_text=f"0.0{base + 7 * k:03d}",
                on_sale=on_sale,
                unit_price=1.0 + 0.004 * k,
            )
    for days in (7, 30, 90, 180):
        yield dict(
            code=f"Z70036{year % 100}{days:06d}",
            name=f"鑫稳固收{days}天持有期",
            category=wea,
            risk=2,
            kind="periodic",
            term_days=days,
            min_fen=100,
            yield_text=f"0.0{200 + days // 3:03d}",
            unit_price=1.02 + days / 3000,
        )
    for n, (name, days, rate) in enumerate(
        (
            ("鑫睿固收增强一年定开", 365, "0.0340"),
            ("鑫睿多元配置18个月封闭", 548, "0.0365"),
            ("鑫远混合类两年封闭", 730, "0.0410"),
            ("鑫睿稳进6个月定开", 182, "0.0320"),
            ("鑫远红利精选一年持有", 365, "0.0395"),
            ("鑫睿养老理财五年封闭", 1825, "0.0420"),
        ),
        start=1,
    ):
        yield dict(
            code=f"Z70037{year % 100}{n:06d}",
            name=name,
            category=wea,
            risk=3,
            kind="closed" if "封闭" in name else "periodic",
            term_days=days,
            min_fen=_WAN,
            yield_text=rate,
            unit_price=1.03 + 0.01 * n,
        )
    for n, (name, risk, days, rate) in enumerate(
        (
            ("鑫尊私享固收增强1号", 3, 365, "0.0430"),
            ("鑫尊私享权益精选", 3, 730, "0.0600"),
            ("鑫尊家族财富配置", 3, 1095, "0.0480"),
            ("鑫尊私享多策略2号", 3, 548, "0.0550"),
        ),
        start=1,
    ):
        yield dict(
            code=f"Z70038{year % 100}{n:06d}",
            name=name,
            category=wea,
            risk=risk,
            kind="private_closed",
            term_days=days,
            min_fen=100 * _WAN,
            yield_text=rate,
            dual=True,
            qualified_only=True,
            unit_price=1.05,
        )
    yield dict(
        code=f"Z70039{year % 100}000001",
        name="鑫企日日盈",
        category=wea,
        risk=1,
        kind="corp_cash",
        min_fen=100,
        yield_text="0.0170",
    )
    yield dict(
        code=f"Z70039{year % 100}000002",
        name="鑫企月月盈",
        category=wea,
        risk=2,
        kind="corp_cash",
        term_days=30,
        min_fen=10 * _WAN,
        yield_text="0.0215",
    )
    # Funds (代销基金)
    funds = (
        ("汇安纯债A", 2, 1.08),
        ("鑫元稳健债券A", 2, 1.12),
        ("中短债精选C", 2, 1.03),
        ("信用债优选A", 2, 1.21),
        ("利率债指数A", 2, 1.05),
        ("双债增利A", 2, 1.34),
        ("添利一年定开债券", 2, 1.02),
        ("安心中短债A", 2, 1.09),
        ("汇智平衡混合A", 3, 1.56),
        ("稳健养老目标2035三年持有(FOF)", 3, 1.18),
        ("鑫享稳健配置混合", 3, 1.27),
        ("价值回报灵活配置", 3, 2.04),
        ("偏债混合精选A", 3, 1.11),
        ("红利低波混合", 3, 1.45),
        ("养老目标2045五年持有(FOF)", 3, 0.98),
        ("沪深300指数增强A", 4, 1.73),
        ("中证500ETF联接A", 4, 1.29),
        ("消费升级股票", 4, 2.86),
        ("医药健康混合", 4, 0.87),
        ("新能源产业股票", 4, 1.12),
        ("价值精选股票A", 4, 3.21),
        ("高端制造混合", 4, 1.64),
        ("中证A500指数A", 4, 1.01),
        ("大盘蓝筹精选", 4, 2.37),
        ("科创50ETF联接A", 5, 0.92),
        ("纳斯达克100指数(QDII)", 5, 3.48),
        ("半导体芯片ETF联接C", 5, 1.19),
        ("恒生科技指数(QDII)", 5, 0.76),
        ("全球医疗(QDII)", 5, 1.31),
    )
    for n, (name, risk, nav) in enumerate(funds, start=1):
        yield dict(
            code=f"{(5000 + 37 * n) * 3 % 1000000:06d}",
            name=name,
            category=fun,
            risk=risk,
            kind="fund",
            min_fen=1000,
            dual=risk >= 4,
            unit_price=nav,
            on_sale=n % 11 != 0,
        )
    for n, (name, risk) in enumerate(
        (
            ("磐石稳健一号私募证券投资基金", 4),
            ("远见价值成长私募证券投资基金", 5),
            ("量化中性精选私募证券投资基金", 4),
            ("鼎泰多策略FOF私募基金", 4),
        ),
        start=1,
    ):
        yield dict(
            code=f"SX{n:04d}",
            name=name,
            category=fun,
            risk=risk,
            kind="private_fund",
            min_fen=100 * _WAN,
            dual=True,
            qualified_only=True,
            unit_price=1.0 + 0.11 * n,
        )
    # Insurance (代销保险), always with dual recording
    policies = (
        ("鑫福增额终身寿险", 1, None, "0.0200"),
        ("鑫福传家增额终身寿险", 1, None, "0.0200"),
        ("康乐增额终身寿险(万能型)", 2, None, "0.0175"),
        ("鑫瑞年金保险", 1, 3650, "0.0200"),
        ("金满仓年金保险(分红型)", 2, 3650, "0.0175"),
        ("鑫享养老年金保险", 1, None, "0.0200"),
        ("安盈两全保险", 1, 2190, "0.0200"),
        ("福满堂两全保险(分红型)", 2, 3650, "0.0175"),
        ("稳赢万能账户", 2, None, "0.0200"),
        ("鑫越投资连结保险", 4, None, None),
        ("康健重大疾病保险", 1, None, None),
        ("少儿教育金年金保险", 1, 5475, "0.0200"),
        ("乐享一生终身寿险", 1, None, "0.0200"),
        ("御享人生年金保险", 1, 7300, "0.0200"),
    )
    policy: tuple[str, int, int | None, str | None]
    for n, policy in enumerate(policies, start=1):
        name, risk, term, rate_text = policy
        yield dict(
            code=f"INS{year % 100}{n:04d}",
            name=name,
            category=ins,
            risk=risk,
            kind="insurance",
            term_days=term,
            min_fen=_WAN,
            yield_text=rate_text,
            dual=True,
            on_sale=n != 9,
        )
    # Savings bonds (储蓄国债)
    for n, (years, rate, on_sale) in enumerate(
        (
            (3, "0.0163", True),
            (5, "0.0170", True),
            (3, "0.0180", False),
            (5, "0.0195", False),
            (3, "0.0238", False),
            (5, "0.0250", False),
        ),
        start=1,
    ):
        vintage = year - (n - 1) // 2
        kind_name = "凭证式" if n % 2 else "电子式"
        yield dict(
            code=f"SB{vintage % 100}{n:02d}",
            name=f"{vintage}年第{n}期储蓄国债({kind_name}){years}年期",
            category=bnd,
            risk=1,
            kind="bond",
            term_days=365 * years,
            min_fen=10000,
            yield_text=rate,
            on_sale=on_sale,
            unit_price=100.0,
        )
    # Precious metals
    for code, name, risk, price, on_sale in (
        ("AU-ACC", "鑫积存金", 3, 960.0, True),
        ("AU-BAR50", "鑫投资金条50克", 2, 985.0, True),
        ("AU-BAR100", "鑫投资金条100克", 2, 980.0, True),
        ("AG-ACC", "白银积存", 4, 11.8, True),
        ("AU-PAPER", "人民币账户金", 4, 955.0, False),
        ("AU-PANDA", f"{year}版熊猫金币30克", 2, 1100.0, True),
    ):
        yield dict(
            code=code,
            name=name,
            category=gld,
            risk=risk,
            kind="metal",
            min_fen=100000,
            on_sale=on_sale,
            unit_price=price,
        )
    # Loans and cards
    for code, name, kind, rate in (
        ("LN-MORT", "个人住房贷款", "mortgage", "0.0305"),
        ("LN-MORT-C", "个人住房组合贷款", "mortgage", "0.0285"),
        ("LN-CONS", "个人消费贷款(鑫易贷)", "consumer", "0.0320"),
        ("LN-BIZ", "个人经营贷款", "business", "0.0345"),
        ("LN-CORP", "流动资金贷款", "corp_loan", "0.0330"),
    ):
        yield dict(code=code, name=name, category=loan, risk=1, kind=kind, yield_text=rate)
    for code, name in (
        ("CC-GOLD", "鑫卡标准金卡"),
        ("CC-PLAT", "鑫卡白金卡"),
        ("CC-DIAM", "鑫卡钻石卡"),
    ):
        yield dict(code=code, name=name, category=loan, risk=1, kind="card")


class Shelf:
    """The products of the shelf, with lookups by kind."""

    def __init__(self, year: int) -> None:
        self.products: tuple[ProductInfo, ...] = tuple(
            ProductInfo(id=f"p-{n:04d}", **spec) for n, spec in enumerate(_catalogue(year), 1)
        )
        by_kind: dict[str, list[ProductInfo]] = {}
        for product in self.products:
            by_kind.setdefault(product.kind, []).append(product)
        self._by_kind: Mapping[str, tuple[ProductInfo, ...]] = {
            kind: tuple(items) for kind, items in by_kind.items()
        }
        self.by_id: Mapping[str, ProductInfo] = {p.id: p for p in self.products}
        self.by_code: Mapping[str, ProductInfo] = {p.code: p for p in self.products}

    def kind(self, kind: str) -> Sequence[ProductInfo]:
        """The products of one kind, in shelf order."""
        return self._by_kind.get(kind, ())

    def code(self, code: str) -> ProductInfo:
        """The product with a given code."""
        return self.by_code[code]
