"""The incident report PDF: what happened, when, which orders (ids only), time of detection,
and a ready-to-send notice to Amazon's security team with the 24-hour deadline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from kinxpro_desktop.documents.compliance import Document, Row, Section, render

AMAZON_SECURITY = "security@amazon.com"
NOTICE_HOURS = 24


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    event: str
    actor: str
    summary: str  # written by Kinxpro (event names, hosts, counts), never buyer data


@dataclass(frozen=True)
class Incident:
    start: datetime
    end: datetime
    generated: datetime
    detected: datetime
    detected_by: str
    counts: Sequence[tuple[str, int]]  # event -> entries in the range
    timeline: Sequence[TimelineItem]  # security events and buyer-data access
    order_ids: Sequence[str]
    chain: str

    @property
    def deadline(self) -> datetime:
        return self.detected + timedelta(hours=NOTICE_HOURS)


def _t(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"


def notice(incident: Incident) -> str:
    ids = ", ".join(incident.order_ids[:200]) or "none identified"
    more = len(incident.order_ids) - 200
    if more > 0:
        ids += f" (and {more} more; the full list is in the attached report)"
    return "\n".join(
        [
            f"To: {AMAZON_SECURITY}",
            f"Subject: Security incident report - SP-API data - detected {_t(incident.detected)}",
            "",
            "Hello Amazon Security team,",
            "",
            "We are reporting a security incident involving Amazon Selling Partner API data",
            "held by our seller application (Kinxpro Desktop, a desktop application on our",
            "own workstation).",
            "",
            "Seller / developer: [your legal name, seller name and Merchant Token]",
            "Contact: [name, e-mail, phone]",
            f"Detected: {_t(incident.detected)} ({incident.detected_by})",
            f"Period reviewed: {_t(incident.start)} to {_t(incident.end)}",
            f"What happened: {incident.detected_by}; see the timeline in the attached report.",
            f"Orders possibly affected ({len(incident.order_ids)}): {ids}",
            "Data involved: [buyer names/addresses/none - confirm]",
            f"Audit log integrity: {incident.chain}",
            "Containment so far: [e.g. credentials revoked in Seller Central, workstation",
            "isolated, passwords changed]",
            "",
            f"This notice is due by {_t(incident.deadline)} "
            f"({NOTICE_HOURS} hours after detection).",
            "",
            "Regards,",
            "[name]",
        ]
    )


def incident_document(incident: Incident) -> Document:
    overdue = incident.generated > incident.deadline
    deadline = f"Notify Amazon ({AMAZON_SECURITY}) by {_t(incident.deadline)}" + (
        " - this deadline has PASSED: send the notice now." if overdue else "."
    )
    timeline = [
        Row(_t(item.at), item.event, f"{item.actor}: {item.summary}")
        for item in incident.timeline[:400]
    ]
    if len(incident.timeline) > 400:
        timeline.append(Row("", "INFO", f"{len(incident.timeline) - 400} more entries omitted"))
    return Document(
        title="Kinxpro Desktop: incident report",
        header=[
            f"Period: {_t(incident.start)} to {_t(incident.end)}. Generated "
            f"{_t(incident.generated)} from the audit log.",
            f"Time of detection: {_t(incident.detected)} ({incident.detected_by}).",
            deadline,
        ],
        sections=[
            Section(
                "What happened (audit entries in the period)",
                rows=[Row(event, str(n), "entries") for event, n in incident.counts]
                or [Row("no entries", "INFO", "the audit log holds nothing for this period")],
            ),
            Section(
                "When: security events and buyer-data access",
                rows=timeline or [Row("none", "INFO", "no security event or buyer-data access")],
            ),
            Section(
                f"Orders affected ({len(incident.order_ids)}, ids only)",
                paragraphs=[", ".join(incident.order_ids) or "None identified."],
            ),
            Section("Audit log integrity", paragraphs=[incident.chain]),
            Section(
                f"Notice to Amazon's security team (due within {NOTICE_HOURS} hours)",
                paragraphs=[deadline, "Fill in the bracketed parts, then send:"],
                preformatted=notice(incident),
            ),
        ],
    )


def render_incident(incident: Incident) -> bytes:
    return render(incident_document(incident))
