"""The contact engine: contact creation, contact roles (OCR), enrichment, de-duplication, and the
record of every decision. Seed: shared/seeds/automatic-contact-creation.txt; overview in
docs/contact-engine.md.

Capture calls `contact_engine_process_activities` after it stores and matches activities.
"""

from .creation import contact_create_from_participant
from .decisions import DecisionLog, Reason, Rule, decision_record
from .dedup import DedupReport, contacts_deduplicate
from .engine import EngineReport, contact_engine_process_activities
from .enrichment import contact_enrich_from_participant
from .ocr import contact_roles_create_for_activity
from .removal import ContactNotRemovable, contact_remove, contacts_remove_created_from_activity

__all__ = [
    "ContactNotRemovable",
    "DecisionLog",
    "DedupReport",
    "EngineReport",
    "Reason",
    "Rule",
    "contact_create_from_participant",
    "contact_engine_process_activities",
    "contact_enrich_from_participant",
    "contact_remove",
    "contact_roles_create_for_activity",
    "contacts_remove_created_from_activity",
    "contacts_deduplicate",
    "decision_record",
]
