"""Models of the meetings app, one module per part of the board's week."""

from .attendance import Attendance
from .decisions import (
    ActionKind,
    CommunicationMethod,
    Decision,
    DecisionAction,
    DecisionCommunication,
    DecisionCounter,
    DecisionKind,
    NoTreatmentReason,
    SignedImmutable,
)
from .fasttrack import FastTrack
from .packets import MeetingPacket, PacketStatus
from .pathways import Intent, StandardPathway
from .scheduling import (
    AgendaItem,
    AgendaKind,
    CalendarFeed,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    https_only,
    validate_rrule,
)

__all__ = [
    "ActionKind",
    "AgendaItem",
    "AgendaKind",
    "Attendance",
    "CalendarFeed",
    "CommunicationMethod",
    "Decision",
    "DecisionAction",
    "DecisionCommunication",
    "DecisionCounter",
    "DecisionKind",
    "FastTrack",
    "Intent",
    "Meeting",
    "MeetingPacket",
    "MeetingSeries",
    "MeetingStatus",
    "NoTreatmentReason",
    "PacketStatus",
    "SignedImmutable",
    "StandardPathway",
    "https_only",
    "validate_rrule",
]
