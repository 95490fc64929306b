"""What every part of the generator shares: the seed, the clock, the sites and their staff, the
writer, and the reference data read once (reference ranges, SAE policies, alert recipients)."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from edc.clinical.dates import add_months
from edc.models import Site, User

from .bulk import Writer
from .rng import Rng


@dataclass
class SiteStaff:
    site: Site
    clinician: User
    coordinator: User
    pi: User
    pharmacist: User
    pharmacist2: User
    creatinine_unit: str  # the unit this site's laboratory reports
    upcr_unit: str


@dataclass
class Ctx:
    seed: int
    today: date  # at the sites (Asia/Shanghai)
    now: datetime  # the start of `today`: the data end there, so the same seed gives the same data all day
    zone: ZoneInfo
    writer: Writer
    salt: str = ""  # set when adding to a database that has participants: new keys, new blind codes
    staff: dict[int, SiteStaff] = field(default_factory=dict)  # site pk -> staff
    monitor: User | None = None
    data_manager: User | None = None
    randadmin: User | None = None
    ranges: dict = field(default_factory=dict)  # crf reference ranges by analyte
    policies: list = field(default_factory=list)  # active ObligationPolicy rows
    people: object = None  # safety.services.alerts.People
    uuid_rng: Rng | None = None  # keys of the few records that belong to no participant
    progress: object = None  # progress(done, total) after each chunk

    @property
    def last_day(self) -> date:
        """The last day with data: `now` is the start of today, so today's visits are still to come."""
        return self.today - timedelta(days=1)

    @property
    def first_day(self) -> date:
        """The first month 0: five years of follow-up (month 60 and its window) before today."""
        return add_months(self.today, -60) - timedelta(days=45)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """A moment on `day` in site time (stored in UTC by Django)."""
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone)

    def office_time(self, rng: Rng, day: date, first: int = 9, last: int = 17) -> datetime:
        """Some time in office hours on `day`, never later than now."""
        moment = self.at(day, rng.randint(first, last - 1), rng.randrange(0, 60))
        return min(moment, self.now - timedelta(minutes=rng.randint(5, 90)))

    def entered(self, rng: Rng, day: date, max_days: int = 3, not_before: datetime | None = None) -> datetime:
        """When a form about `day` was typed in: the same day or a few days later, office hours,
        and after `not_before` (e.g. the randomization that created the visit)."""
        moment = self.office_time(rng, min(self.last_day, day + timedelta(days=rng.choice(
            [0, 0, 0, 1, 1, 2, max_days]))))
        if not_before is not None and moment <= not_before:
            moment = min(self.now - timedelta(minutes=1), not_before + timedelta(minutes=rng.randint(10, 120)))
        return moment
