"""Kaplan–Meier figures of the analysis report (protocol 2.14), shared by the HTML page and the PDF.

Labels are translated in the active language; the embedded WenQuanYi font is handed to matplotlib so a
Chinese legend renders the same as in the PDFs."""
from dataclasses import dataclass
from functools import cache

from django.utils.translation import gettext as _

from edc.pdf import FONT_PATH
from exports.report_data import POOLED, Report
from exports.stats import Comparison
from exports.survival import kaplan_meier, km_figure_png, logrank, median_survival
from randomization.models import Arm


def group_label(group: str) -> str:
    """Column heading of a report group: the arm after release, the pooled group while blinded."""
    if group == POOLED:
        return _("All participants (pooled, blinded)")
    return str(Arm(group).label)


@dataclass(frozen=True)
class SurvivalFigure:
    key: str  # "os" or "rifs"
    title: str
    png: bytes  # b"" when no participant has follow-up yet
    logrank: Comparison | None  # only after release, with both arms present
    medians: dict[str, float | None]  # group label -> median months (None: not reached)


@cache
def _register_font() -> None:
    from matplotlib import font_manager
    font_manager.fontManager.addfont(str(FONT_PATH))


def survival_figures(report: Report) -> list[SurvivalFigure]:
    _register_font()
    titles = {"os": _("Overall survival"), "rifs": _("Renal-involvement-free survival")}
    figures = []
    for key, curves in report.survival.items():
        labelled = {group_label(g): data for g, data in curves.items() if data[0]}
        png = km_figure_png(labelled, titles[key], _("Months from randomization"),
                            _("Survival probability"),
                            at_risk_label=_("Number at risk")) if labelled else b""
        test = None
        if report.released and all(curves.get(arm, ((), ()))[0] for arm in (Arm.MSC, Arm.PLACEBO)):
            test = logrank(*curves[Arm.MSC], *curves[Arm.PLACEBO])
        medians = {label: median_survival(kaplan_meier(*data)) for label, data in labelled.items()}
        figures.append(SurvivalFigure(key, titles[key], png, test, medians))
    return figures
