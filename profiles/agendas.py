"""Agendas of a brokerage event: per participant (JSON, CSV, iCalendar), per table, a day sheet.

iCalendar (RFC 5545): one VEVENT per meeting, local times with ``TZID=Asia/Shanghai`` and the
zone's VTIMEZONE (China keeps UTC+8 all year, no daylight saving), text escaped (``\\``, ``;``,
``,``, newlines) and lines folded at 75 octets without splitting a UTF-8 character, CRLF line
ends. CSV cells go through ``profiles.cells`` like every export.
"""

import csv
import html
import io
from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session

from profiles.access import Principal
from profiles.cells import neutralise
from profiles.events import get_event, meetings, organised, participant, participants, slot_times
from profiles.models.events import Event, MeetingStatus, Participant

TZID = "Asia/Shanghai"
VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:CST",
    "END:STANDARD",
    "END:VTIMEZONE",
]
ICS_STATUS = {
    MeetingStatus.scheduled: "TENTATIVE",
    MeetingStatus.confirmed: "CONFIRMED",
    MeetingStatus.held: "CONFIRMED",
    MeetingStatus.no_show: "CONFIRMED",
    MeetingStatus.cancelled: "CANCELLED",
}


class Party(BaseModel):
    id: int
    kind: str
    kind_label: str
    ref: str
    name: str


class AgendaItem(BaseModel):
    meeting_id: int
    slot: int
    start: str
    end: str
    table: int
    status: str
    status_label: str
    mutual: bool
    counterpart: Party


class Agenda(BaseModel):
    event_id: int
    event: str
    day: str
    venue: str | None
    timezone: str = TZID
    participant: Party
    items: list[AgendaItem]


class TableRow(BaseModel):
    slot: int
    start: str
    end: str
    meeting_id: int | None
    parties: list[Party]
    status_label: str | None


class TableSheet(BaseModel):
    table: int
    rows: list[TableRow]


class TableSheets(BaseModel):
    event_id: int
    event: str
    day: str
    tables: list[TableSheet]


def _party(p: Participant) -> Party:
    return Party(id=p.id or 0, kind=p.kind.value, kind_label=p.kind.label, ref=p.ref, name=p.name)


def agenda(
    session: Session, principal: Principal | None, event_id: int, participant_id: int
) -> Agenda:
    """One participant's meetings by slot, for the organiser or the participant itself."""
    event = get_event(session, id=event_id)
    me = participant(session, principal, event, participant_id)
    people = {p.id: p for p in participants(session, event_id=event_id)}
    times = slot_times(event)
    items = []
    for m in meetings(session, event_id=event_id):
        if me.id not in (m.first_id, m.second_id):
            continue
        other = people[m.second_id if m.first_id == me.id else m.first_id]
        start, end = times[m.slot - 1]
        items.append(
            AgendaItem(
                meeting_id=m.id or 0,
                slot=m.slot,
                start=start.isoformat(timespec="minutes"),
                end=end.isoformat(timespec="minutes"),
                table=m.table_no,
                status=m.status.value,
                status_label=m.status.label,
                mutual=m.mutual,
                counterpart=_party(other),
            )
        )
    return Agenda(
        event_id=event.id or 0,
        event=event.name,
        day=event.day.isoformat(),
        venue=event.venue,
        participant=_party(me),
        items=items,
    )


# ---------------------------------------------------------------- CSV
CSV_HEADER = ["时段", "开始", "结束", "桌号", "会见对象", "对象类型", "状态", "双方均有意向"]


def agenda_csv(agenda: Agenda) -> str:
    """The agenda as CSV text with Chinese headers (BOM first, for spreadsheets)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for item in agenda.items:
        writer.writerow(
            [
                item.slot,
                item.start[11:],
                item.end[11:],
                item.table,
                neutralise(item.counterpart.name),
                item.counterpart.kind_label,
                item.status_label,
                "是" if item.mutual else "否",
            ]
        )
    return "\ufeff" + buffer.getvalue()


# ---------------------------------------------------------------- iCalendar
def escape_text(value: str) -> str:
    """An RFC 5545 TEXT value: backslash, semicolon, comma and newlines escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """A content line folded into pieces of at most 75 octets, never inside a character."""
    pieces, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        limit = 75 if not pieces else 74  # a continuation starts with one space
        if size + width > limit:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _local(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%S")


def agenda_ics(agenda: Agenda, *, stamp: datetime) -> str:
    """The agenda as an iCalendar file: one VEVENT per meeting (cancelled ones as CANCELLED)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Counterpart//对接会日程//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(agenda.event + ' · ' + agenda.participant.name)}",
        *VTIMEZONE,
    ]
    for item in agenda.items:
        where = f"{agenda.venue}，{item.table}号桌" if agenda.venue else f"{item.table}号桌"
        lines += [
            "BEGIN:VEVENT",
            f"UID:event-{agenda.event_id}-meeting-{item.meeting_id}@counterpart",
            f"DTSTAMP:{stamp.strftime('%Y%m%dT%H%M%SZ')}",
            f"DTSTART;TZID={TZID}:{_local(datetime.fromisoformat(item.start))}",
            f"DTEND;TZID={TZID}:{_local(datetime.fromisoformat(item.end))}",
            f"SUMMARY:{escape_text('会见 ' + item.counterpart.name)}",
            f"LOCATION:{escape_text(where)}",
            "DESCRIPTION:"
            + escape_text(
                f"{agenda.event}\n第 {item.slot} 时段，{item.table} 号桌\n"
                f"会见对象：{item.counterpart.name}（{item.counterpart.kind_label}）\n"
                f"状态：{item.status_label}"
            ),
            f"STATUS:{ICS_STATUS[MeetingStatus(item.status)]}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


# ---------------------------------------------------------------- tables and the day sheet
def table_sheets(session: Session, principal: Principal, event_id: int) -> TableSheets:
    """For the organiser: every table's meetings slot by slot (empty slots included)."""
    event = organised(session, principal, event_id)
    people = {p.id: p for p in participants(session, event_id=event_id)}
    placed = {
        (m.table_no, m.slot): m
        for m in meetings(session, event_id=event_id)
        if m.status != MeetingStatus.cancelled
    }
    times = slot_times(event)
    sheets = []
    for table in range(1, event.tables + 1):
        rows = []
        for slot, (start, end) in enumerate(times, start=1):
            m = placed.get((table, slot))
            rows.append(
                TableRow(
                    slot=slot,
                    start=start.strftime("%H:%M"),
                    end=end.strftime("%H:%M"),
                    meeting_id=m.id if m else None,
                    parties=[_party(people[m.first_id]), _party(people[m.second_id])] if m else [],
                    status_label=m.status.label if m else None,
                )
            )
        sheets.append(TableSheet(table=table, rows=rows))
    return TableSheets(
        event_id=event.id or 0, event=event.name, day=event.day.isoformat(), tables=sheets
    )


PRINT_STYLE = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 1.5cm; }
h1 { font-size: 18pt; margin: 0 0 .2em; } p.meta { color: #444; margin: 0 0 1em; }
table { border-collapse: collapse; width: 100%; font-size: 10pt; }
th, td { border: 1px solid #888; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eee; } td.empty { color: #aaa; }
@page { size: A4 landscape; margin: 1cm; }
@media print { body { margin: 0; } tr { break-inside: avoid; } }
"""


def day_sheet_html(event: Event, sheets: TableSheets) -> str:
    """A printable A4 page: a row per table, a column per slot, both parties in each cell."""
    e = html.escape
    slots = sheets.tables[0].rows if sheets.tables else []
    head = "".join(f"<th>{r.slot}<br>{r.start}–{r.end}</th>" for r in slots)
    body = []
    for sheet in sheets.tables:
        cells = [
            "<td>" + "<br>".join(e(p.name) for p in cell.parties) + "</td>"
            if cell.parties
            else '<td class="empty">—</td>'
            for cell in sheet.rows
        ]
        body.append(f"<tr><th>{sheet.table} 号桌</th>{''.join(cells)}</tr>")
    venue = f" · {e(event.venue)}" if event.venue else ""
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{e(event.name)} 日程总表</title><style>{PRINT_STYLE}</style></head><body>"
        f"<h1>{e(event.name)} · 日程总表</h1>"
        f'<p class="meta">{event.day.isoformat()}{venue} · {event.slots} 个时段 × '
        f"{event.tables} 张洽谈桌 · 北京时间</p>"
        f"<table><thead><tr><th>洽谈桌</th>{head}</tr></thead><tbody>{''.join(body)}</tbody>"
        "</table></body></html>"
    )
