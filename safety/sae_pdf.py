"""SAE report PDF, laid out after the CIOMS-I form (no Django imports).

Blinded by construction, whoever prints it: the report goes to the sponsor, the CRO and the ethics
committee, so it has no place for an arm at all; the suspect product always reads "uc-MSC or matching
saline, blinded". A code break is recorded in its own document (randomization.unblinding_pdf;
docs/BLINDING.md "SAE report").
"""
from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from edc.pdf import bilingual_heading, build_document, content_width, footer, kv_table, styles, table, text

MARGIN = 16 * mm
# Identical for both arms; the placebo is normal saline (protocol 1.3).
BLINDED_PRODUCT = "uc-MSC or matching saline, blinded / 脐带间充质干细胞或生理盐水（盲态）"


@dataclass(frozen=True)
class SaeReportData:
    participant_code: str
    blind_code: str
    site_name: str
    sex: str
    age: str
    term: str
    soc: str
    grade: str
    onset: str
    end: str
    seriousness: list[str]  # the criteria that apply, already in words
    outcome: str
    causality: str
    expected: str
    action: str
    aware_at: str
    narrative: str
    month0: str
    reporter: str
    reports: list[tuple[str, str, str]] = field(default_factory=list)  # (kind #n, when, content)
    printed_at: str = ""
    printed_by: str = ""


def _checkboxes(all_criteria: list[str], ticked: list[str]) -> str:
    # The embedded CJK font has no ballot-box glyphs: plain [X] / [ ] print everywhere.
    return "\n".join(("[X] " if c in ticked else "[  ] ") + c for c in all_criteria)


CRITERIA = ["Results in death / 死亡", "Is life-threatening / 危及生命",
            "Requires or prolongs inpatient hospitalisation / 导致住院或住院时间延长",
            "Persistent or significant disability/incapacity / 永久或严重残疾",
            "Congenital anomaly/birth defect / 先天异常", "Important medical event / 其他重要医学事件"]


def sae_report_pdf(d: SaeReportData) -> bytes:
    st = styles(9)
    width = content_width(A4, MARGIN)
    product = BLINDED_PRODUCT
    story: list[Flowable] = [
        bilingual_heading("Serious adverse event report (CIOMS-I layout)", "严重不良事件报告表", st.title),
        text("Trial: uc-MSC versus placebo for refractory lupus nephritis (protocol 1.0, 2023-05-20) / "
             "脐带间充质干细胞治疗难治性狼疮肾炎随机对照试验", st.small),
        Spacer(1, 3 * mm),
        bilingual_heading("I. Reaction information", "一、不良事件信息", st.heading),
        kv_table([
            ("Participant ID / 受试者编号", d.participant_code), ("Blind code / 盲码", d.blind_code),
            ("Site / 研究中心", d.site_name), ("Sex · age / 性别 · 年龄", f"{d.sex} · {d.age}"),
            ("Event (CTCAE v5.0) / 事件", d.term), ("System organ class / 系统器官分类", d.soc),
            ("CTCAE grade / 分级", d.grade), ("Onset · end / 发生 · 结束", f"{d.onset} · {d.end or '—'}"),
            ("Seriousness (ICH E2A) / 严重性标准", text(_checkboxes(CRITERIA, d.seriousness), st.body)),
            ("Outcome / 转归", d.outcome), ("Site aware / 获知时间", d.aware_at),
            ("Narrative / 事件描述", text(d.narrative, st.body)),
        ], width=width, st=st),
        bilingual_heading("II. Suspect product", "二、试验用药信息", st.heading),
        kv_table([
            ("Product / 试验用药", product),
            ("Dose, route / 剂量与途径", "1×10^6 cells/kg, or saline, in 100 mL IV over > 30 min / 100 mL 静脉输注"),
            ("Infusions / 输注", f"month 0 ({d.month0}) and month 6 / 第0和第6个月"),
            ("Action taken / 采取措施", d.action),
            ("Causality (NMPA) / 因果关系", d.causality), ("Expected / 预期", d.expected),
        ], width=width, st=st),
        bilingual_heading("III. Reports", "三、报告记录", st.heading),
        table([["Report / 报告", "When / 时间", "Content / 内容"]]
              + [[k, w, text(c, st.small)] for k, w, c in d.reports] or [["—", "", ""]],
              [32 * mm, 32 * mm, width - 64 * mm],
              [("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f5"))]),
        Spacer(1, 4 * mm),
        bilingual_heading("IV. Reporter and principal investigator", "四、报告人及主要研究者", st.heading),
        kv_table([("Reporter / 报告人", d.reporter),
                  ("PI signature and date / 主要研究者签名及日期", "")], width=width, st=st),
    ]
    return build_document(story, title=f"SAE report {d.participant_code}",
                          subject="Serious adverse event report", margin=MARGIN,
                          on_page=footer(d.printed_at, left=f"Printed by / 打印人: {d.printed_by}"))
