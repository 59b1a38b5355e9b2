"""The oversight body's test world: KASN supervising Banten, two plans sent for approval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from openbid.extensions import db
from openbid.models import AgencyHoliday, OversightBody, Selection, User
from openbid.stages import oversight
from openbid.workflow import fire
from tests.factories import PASSWORD, make_agency, make_selection
from tests.stage_factories import clock_at, publish

# Sent on Friday 10 August 2018; 17 August is Independence Day, the agency's own day off
# is 16 August: by Monday 20 August the plan waited 13, 14, 15, 20 = 4 working days.
SENT_AT = datetime(2018, 8, 10, 2, 0, tzinfo=UTC)
TODAY = date(2018, 8, 20)


@dataclass(frozen=True)
class World:
    """KASN supervising Banten; a Banten selection and a West Java one, both sent."""

    body: OversightBody
    reviewer: User
    ours: Selection
    theirs: Selection
    secretariat: User


def kasn() -> tuple[OversightBody, User]:
    body = oversight.create_body(
        code="KASN",
        name="Komisi Aparatur Sipil Negara",
        numbering_pattern="B-{seq}/KASN/{month:02d}/{year}",
        provinces=["Banten"],
    )
    reviewer = oversight.create_reviewer(
        body, email="reviewer@kasn.example", name="Sri Hadiyati", password=PASSWORD
    )
    return body, reviewer


def build_world() -> World:
    body, reviewer = kasn()
    ours, secretariat = make_selection(make_agency(province="Banten"))
    theirs, other = make_selection(make_agency(province="Jawa Barat"))
    db.session.add(AgencyHoliday(agency_id=ours.agency_id, day=date(2018, 8, 16), name="Lokal"))
    db.session.commit()
    with clock_at(SENT_AT):
        fire(ours, "submit_for_approval", secretariat)
        fire(theirs, "submit_for_approval", other)
    return World(body, reviewer, ours, theirs, secretariat)


def world_ids(world: World) -> tuple:
    return (world.body.id, world.reviewer.id, world.ours.id, world.theirs.id, world.secretariat.id)


def load_world(ids: tuple) -> World:
    body, reviewer, ours, theirs, secretariat = ids
    get = db.session.get
    return World(
        get(OversightBody, body),
        get(User, reviewer),
        get(Selection, ours),
        get(Selection, theirs),
        get(User, secretariat),
    )


# Registration of the factories' selection closes on 5 December 2018 (published 20 November,
# 15 days); the secretariat asks the next morning.
ASKED_AT = datetime(2018, 12, 6, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Short:
    """A Banten selection whose registration closed with every post short, and KASN."""

    body: OversightBody
    reviewer: User
    selection: Selection
    secretariat: User
    outsider: User  # KASN's reviewer in another province's body


def build_short() -> Short:
    body, reviewer = kasn()
    selection, secretariat = make_selection(make_agency(province="Banten"))
    publish(selection, secretariat)
    other = oversight.create_body(
        code="KASN-JABAR",
        name="KASN Jawa Barat",
        numbering_pattern="B-{seq}/KASNJB/{month:02d}/{year}",
        provinces=["Jawa Barat"],
    )
    outsider = oversight.create_reviewer(
        other, email="reviewer@jabar.example", name="Asep", password=PASSWORD
    )
    return Short(body, reviewer, selection, secretariat, outsider)


def short_ids(world: Short) -> tuple:
    return (
        world.body.id,
        world.reviewer.id,
        world.selection.id,
        world.secretariat.id,
        world.outsider.id,
    )


def load_short(ids: tuple) -> Short:
    body, reviewer, selection, secretariat, outsider = ids
    get = db.session.get
    return Short(
        get(OversightBody, body),
        get(User, reviewer),
        get(Selection, selection),
        get(User, secretariat),
        get(User, outsider),
    )


def ask(world: Short, reason: str = "Pelamar kurang dari 4 orang.") -> None:
    with clock_at(ASKED_AT):
        oversight.request_extension(world.selection, world.secretariat, reason=reason)
