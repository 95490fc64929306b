"""Safety test helpers: an AE/SAE through the real services."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from safety.services.adverse_events import record_ae

SHANGHAI = ZoneInfo("Asia/Shanghai")


def ae_values(**overrides) -> dict:
    values = dict(term="Lung infection", soc="Infections and infestations", onset_date=date.today(),
                  end_date=None, grade=3, death=False, life_threatening=False, hospitalisation=False,
                  disability=False, congenital_anomaly=False, important_medical_event=False,
                  causality="possible", expected=False, action="none", outcome="recovering",
                  description="")
    values.update(overrides)
    return values


def report_sae(p, user, aware_at: datetime, **overrides):
    values = ae_values(hospitalisation=True, onset_date=aware_at.astimezone(SHANGHAI).date(), **overrides)
    return record_ae(p, user=user, aware_at=aware_at, narrative="Admitted with pneumonia.", **values)
