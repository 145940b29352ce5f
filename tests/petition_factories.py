"""Building petitions for tests, through the real actions, up to any state; and the petition personas
beyond those of tests/personas.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accountability import roles
from petitions import actions
from petitions.models import Channel, Outcome, Petition, PetitionState, ReviewOutcome
from registry.models import OrgUnit
from tests.personas import Personas, make_unit, make_user, valid_id_number

D = dt.date
ONE_DAY = dt.timedelta(days=1)
TODAY = D(2026, 11, 30)


@pytest.fixture(autouse=True)
def petition_clock() -> Iterator[None]:
    """The petition tests run on 30 November 2026 (Asia/Shanghai), whatever the real date: deadlines,
    "today" checks and the year of the numbers do not drift. Imported by each petition test module."""
    start = dt.datetime(TODAY.year, TODAY.month, TODAY.day, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(start, tick=True):
        yield


RECEIVED_ON = D(2025, 9, 16)

PETITIONER = {
    "petitioner_name": "张建华",
    "petitioner_id_number": valid_id_number(D(1968, 4, 12), 321, region="532325"),
    "petitioner_phone": "13987801234",
    "petitioner_address": "云南省楚雄州姚安县栋川镇大河村12号",
}


class PetitionPeople:
    """Petition officers at different places of the tree, built on demand."""

    def __init__(self, personas: Personas) -> None:
        self.p = personas
        self._cache: dict[str, Any] = {}

    def _once(self, key: str, build: Any) -> Any:
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    @property
    def county_officer(self) -> Any:
        """At the county party committee: petition jurisdiction = the county."""
        return self.p.petition_officer

    @property
    def bureau_officer(self) -> Any:
        """At a county department (the petition bureau is one): still serves the whole county."""
        return self._once(
            "bureau",
            lambda: make_user(
                "bureau_officer", roles.PETITION_OFFICER, unit=self.p.finance, first_name="钱信访"
            ),
        )

    @property
    def township_officer(self) -> Any:
        """At the township: serves the township and its villages only."""
        return self._once(
            "township",
            lambda: make_user(
                "town_officer", roles.PETITION_OFFICER, unit=self.p.township, first_name="孙镇信访"
            ),
        )

    @property
    def other_county(self) -> OrgUnit:
        return self._once(
            "other_county", lambda: make_unit("O-ROOT", "邻县县委", kind=OrgUnit.Kind.PARTY_COMMITTEE)
        )

    @property
    def outside_officer(self) -> Any:
        """A petition officer of another county."""
        return self._once(
            "outside",
            lambda: make_user(
                "outside_officer", roles.PETITION_OFFICER, unit=self.other_county, first_name="冯外县"
            ),
        )

    @property
    def outside_approver(self) -> Any:
        """Another county's approving leader: a leader, but not of this jurisdiction."""
        return self._once(
            "outside_approver",
            lambda: make_user(
                "outside_approver", roles.APPROVER, unit=self.other_county, first_name="韩外县"
            ),
        )


def register(
    personas: Personas,
    *,
    received_on: dt.date = RECEIVED_ON,
    unit: OrgUnit | None = None,
    by: Any = None,
    anonymous: bool = False,
    handlers: Any = (),
    subject: str = "反映林地承包纠纷久拖不决",
    **extra: Any,
) -> Petition:
    petitioner = {} if anonymous else dict(PETITIONER)
    data = actions.PetitionData(
        channel=extra.pop("channel", Channel.VISIT),
        received_on=received_on,
        subject=subject,
        content="信访人反映其承包林地被他人占用，多次反映未果。",
        responsible_unit=unit or personas.forestry,
        anonymous=anonymous,
        handlers=list(handlers),
        **{**petitioner, **extra},
    )
    return actions.register_petition(data, by=by or personas.petition_officer)


PATH = [
    PetitionState.ACCEPTED,
    PetitionState.HANDLING,
    PetitionState.CONCLUDED,
    PetitionState.REVIEW_REQUESTED,
    PetitionState.REVIEWED,
    PetitionState.REREVIEW_REQUESTED,
    PetitionState.REREVIEWED,
]


def fresh(petition: Petition) -> Petition:
    return Petition.objects.get(pk=petition.pk)


def _last_date(petition: Petition) -> dt.date:
    dates = [
        petition.received_on,
        petition.decided_on,
        petition.handling_started_on,
        petition.reply_received_on,
        petition.review_requested_on,
        petition.review_reply_received_on,
        petition.rereview_requested_on,
    ]
    return max(day for day in dates if day is not None)


def advance(petition: Petition, personas: Personas, to: str, **dates: dt.date) -> Petition:
    """Walk the petition along the main path to `to`. Each step's date is given by keyword (accepted_on,
    started_on, concluded_on, reply_on, review_requested_on, review_decided_on, review_reply_on,
    rereview_requested_on, rereview_decided_on) or defaults to the day after the previous one."""
    officer = personas.petition_officer
    day = _last_date(petition)
    start = PATH.index(petition.state) + 1 if petition.state in PATH else 0
    for state in PATH[start:]:
        petition = fresh(petition)
        if petition.state == to:
            return petition
        if state == PetitionState.ACCEPTED:
            day = dates.get("accepted_on", day + ONE_DAY)
            actions.accept_petition(petition, by=officer, decided_on=day)
        elif state == PetitionState.HANDLING:
            day = dates.get("started_on", day)
            actions.start_handling(petition, by=officer, started_on=day, handlers=[officer])
        elif state == PetitionState.CONCLUDED:
            day = dates.get("concluded_on", day + ONE_DAY)
            actions.conclude_petition(
                petition,
                by=officer,
                concluded_on=day,
                outcome=Outcome.SUPPORTED,
                opinion="经调查核实，责成林业局限期解决。",
                reply_received_on=dates.get("reply_on", day),
            )
            day = dates.get("reply_on", day)
        elif state == PetitionState.REVIEW_REQUESTED:
            day = dates.get("review_requested_on", day + ONE_DAY)
            actions.request_review(
                petition, by=officer, requested_on=day, review_unit=personas.county, grounds="认为处理不到位"
            )
        elif state == PetitionState.REVIEWED:
            day = dates.get("review_decided_on", day + ONE_DAY)
            actions.decide_review(
                petition,
                by=officer,
                decided_on=day,
                outcome=ReviewOutcome.UPHELD,
                opinion="维持原处理意见",
                reply_received_on=dates.get("review_reply_on", day),
            )
            day = dates.get("review_reply_on", day)
        elif state == PetitionState.REREVIEW_REQUESTED:
            day = dates.get("rereview_requested_on", day + ONE_DAY)
            actions.request_rereview(
                petition,
                by=officer,
                requested_on=day,
                rereview_unit=personas.county,
                grounds="对复查意见不服",
            )
        elif state == PetitionState.REREVIEWED:
            day = dates.get("rereview_decided_on", day + ONE_DAY)
            actions.decide_rereview(
                petition, by=officer, decided_on=day, outcome=ReviewOutcome.UPHELD, opinion="维持复查意见"
            )
    petition = fresh(petition)
    assert petition.state == to, (petition.state, to)
    return petition
