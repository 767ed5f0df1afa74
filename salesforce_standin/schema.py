"""The org's schema: which objects exist, their fields, and the opportunity stage table.

Every field the API accepts is declared here; anything else is refused with
INVALID_FIELD, as a real org refuses a field that is not in its describe.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from .ids import KEY_PREFIXES


@dataclass(frozen=True)
class Field:
    """One field of an sObject, with the describe attributes the stand-in enforces."""

    name: str
    type: str
    label: str = ""
    required: bool = False  # must have a value on create and cannot be cleared
    createable: bool = True
    updateable: bool = True
    external_id: bool = False
    unique: bool = False
    reference_to: tuple[str, ...] = ()
    length: int = 0
    default: Any = None
    picklist: tuple[str, ...] = ()  # the picklist's values, as its describe lists them
    restricted: bool = False  # a value not in `picklist` is refused

    @property
    def custom(self) -> bool:
        return self.name.endswith("__c")

    @property
    def relationship_name(self) -> str | None:
        """`AccountId` → `Account`, `Foo__c` → `Foo__r`; None for non-lookups."""
        if self.type != "reference" or self.name == "Id":
            return None
        if self.custom:
            return self.name[:-3] + "__r"
        return self.name[:-2] if self.name.endswith("Id") else None

    @property
    def polymorphic(self) -> bool:
        return len(self.reference_to) > 1

    def describe(self) -> dict[str, Any]:
        """This field's entry in an sObject describe."""
        soap_types = {
            "id": "tns:ID",
            "reference": "tns:ID",
            "boolean": "xsd:boolean",
            "int": "xsd:int",
            "double": "xsd:double",
            "currency": "xsd:double",
            "percent": "xsd:double",
            "date": "xsd:date",
            "datetime": "xsd:dateTime",
        }
        return {
            "name": self.name,
            "label": self.label or _label(self.name),
            "type": self.type,
            "soapType": soap_types.get(self.type, "xsd:string"),
            "length": self.length,
            "custom": self.custom,
            "nillable": not self.required and self.type != "boolean" and self.name != "Id",
            "createable": self.createable,
            "updateable": self.updateable,
            "defaultedOnCreate": self.default is not None or not self.createable,
            "externalId": self.external_id,
            "unique": self.unique,
            "idLookup": self.external_id or self.name == "Id",
            "calculated": False,
            "filterable": True,
            "sortable": self.type != "textarea",
            "referenceTo": list(self.reference_to),
            "relationshipName": self.relationship_name,
            "polymorphicForeignKey": self.polymorphic,
            "picklistValues": [
                {"active": True, "defaultValue": value == self.default, "label": value, "value": value}
                for value in self.picklist
            ],
            "restrictedPicklist": self.restricted,
        }


@dataclass
class SObject:
    """An sObject type: its fields (looked up case-insensitively) and what the API may do to it."""

    name: str
    label: str
    label_plural: str
    fields: list[Field]
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    by_lower: dict[str, Field] = dc_field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_lower = {f.name.lower(): f for f in self.fields}

    @property
    def key_prefix(self) -> str:
        return KEY_PREFIXES[self.name]

    def field(self, name: str) -> Field | None:
        """The field with this name, ignoring case, or None."""
        return self.by_lower.get(name.lower())

    def relationship(self, name: str) -> Field | None:
        """The lookup field whose relationship name is `name` (ignoring case), or None."""
        wanted = name.lower()
        for candidate in self.fields:
            rel = candidate.relationship_name
            if rel and rel.lower() == wanted:
                return candidate
        return None

    def urls(self, version: str) -> dict[str, str]:
        base = f"/services/data/v{version}/sobjects/{self.name}"
        return {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"}

    def describe(self, version: str) -> dict[str, Any]:
        """The body of `sobjects/<name>/describe`."""
        body = self.global_entry(version)
        body["fields"] = [f.describe() for f in self.fields]
        body["childRelationships"] = []
        body["recordTypeInfos"] = []
        return body

    def global_entry(self, version: str) -> dict[str, Any]:
        """This object's entry in describeGlobal (`sobjects/`)."""
        return {
            "name": self.name,
            "label": self.label,
            "labelPlural": self.label_plural,
            "keyPrefix": self.key_prefix,
            "custom": False,
            "createable": self.createable,
            "updateable": self.updateable,
            "deletable": self.deletable,
            "queryable": True,
            "retrieveable": True,
            "replicateable": True,
            "searchable": True,
            "urls": self.urls(version),
        }


@dataclass(frozen=True)
class Stage:
    """An opportunity stage and what Salesforce derives from it."""

    name: str
    probability: int
    is_closed: bool
    is_won: bool
    forecast_category: str


DEFAULT_STAGES: tuple[Stage, ...] = (
    Stage("Prospecting", 10, False, False, "Pipeline"),
    Stage("Qualification", 10, False, False, "Pipeline"),
    Stage("Needs Analysis", 20, False, False, "Pipeline"),
    Stage("Value Proposition", 50, False, False, "Pipeline"),
    Stage("Id. Decision Makers", 60, False, False, "Pipeline"),
    Stage("Perception Analysis", 70, False, False, "Pipeline"),
    Stage("Proposal/Price Quote", 75, False, False, "Pipeline"),
    Stage("Negotiation/Review", 90, False, False, "Commit"),
    Stage("Closed Won", 100, True, True, "Closed"),
    Stage("Closed Lost", 0, True, False, "Omitted"),
)


TASK_STATUSES = ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred")


def _label(name: str) -> str:
    base = name[:-3] if name.endswith("__c") else name
    return base.replace("_", " ")


def _ro(name: str, type_: str, **kwargs: Any) -> Field:
    """A read-only field the server maintains."""
    return Field(name, type_, createable=False, updateable=False, **kwargs)


def _ref(name: str, *targets: str, **kwargs: Any) -> Field:
    return Field(name, "reference", reference_to=targets, length=18, **kwargs)


def _s(name: str, length: int = 255, **kwargs: Any) -> Field:
    return Field(name, "string", length=length, **kwargs)


def _system_fields() -> list[Field]:
    return [
        _ro("IsDeleted", "boolean", default=False),
        _ro("CreatedDate", "datetime"),
        Field(
            "CreatedById", "reference", reference_to=("User",), length=18, createable=False, updateable=False
        ),
        _ro("LastModifiedDate", "datetime"),
        Field(
            "LastModifiedById",
            "reference",
            reference_to=("User",),
            length=18,
            createable=False,
            updateable=False,
        ),
        _ro("SystemModstamp", "datetime"),
    ]


def _object(name: str, label: str, plural: str, fields: list[Field], **kwargs: Any) -> SObject:
    return SObject(name, label, plural, [_ro("Id", "id", length=18), *fields, *_system_fields()], **kwargs)


BACKSTORY_ID = Field("Backstory_Id__c", "string", length=64, external_id=True, unique=True)
LEGACY_ID = Field("Legacy_Id__c", "string", length=64, external_id=True)  # non-unique external id


def build_schema() -> dict[str, SObject]:
    """A fresh schema of every object the stand-in serves, keyed by object name."""
    objects = [
        _object("UserRole", "Role", "Roles", [_s("Name", 80, required=True)]),
        _object(
            "User",
            "User",
            "Users",
            [
                _ro("Name", "string", length=121),
                _s("FirstName", 40),
                _s("LastName", 80, required=True),
                Field("Email", "email", length=128, required=True),
                _s("Username", 80),
                _s("Alias", 8),
                _s("Title", 80),
                _s("Department", 80),
                Field("Phone", "phone", length=40),
                Field("IsActive", "boolean", default=True),
                _ref("ManagerId", "User"),
                _ref("UserRoleId", "UserRole"),
                _s("TimeZoneSidKey", 40),
            ],
        ),
        _object(
            "Account",
            "Account",
            "Accounts",
            [
                _s("Name", required=True),
                Field("Website", "url", length=255),
                Field("Industry", "picklist", length=255),
                Field("NumberOfEmployees", "int"),
                Field("AnnualRevenue", "currency"),
                Field("Type", "picklist", length=255),
                Field("Phone", "phone", length=40),
                _s("BillingCity", 40),
                _s("BillingState", 80),
                _s("BillingCountry", 80),
                Field("Description", "textarea", length=32000),
                _ref("OwnerId", "User"),
                _ref("ParentId", "Account"),
                # Text(255), not a long text area, so SOQL can filter on it (long text is unfilterable).
                _s("Secondary_Domains__c", 255),
                Field("Tier__c", "picklist", length=255),
                BACKSTORY_ID,
                LEGACY_ID,
            ],
        ),
        _object(
            "AccountTeamMember",
            "Account Team Member",
            "Account Team Members",
            [
                _ref("AccountId", "Account", required=True, updateable=False),
                _ref("UserId", "User", required=True, updateable=False),
                Field("TeamMemberRole", "picklist", length=40),
            ],
        ),
        _object(
            "Contact",
            "Contact",
            "Contacts",
            [
                _ro("Name", "string", length=121),
                _s("FirstName", 40),
                _s("LastName", 80, required=True),
                Field("Email", "email", length=80),
                _s("Title", 128),
                Field("Phone", "phone", length=40),
                Field("MobilePhone", "phone", length=40),
                _s("Department", 80),
                _s("MailingCity", 40),
                _s("MailingState", 80),
                _s("MailingCountry", 80),
                Field("LeadSource", "picklist", length=255),
                Field("Description", "textarea", length=32000),
                _ref("AccountId", "Account"),
                _ref("OwnerId", "User"),
                _ref("ReportsToId", "Contact"),
                BACKSTORY_ID,
                LEGACY_ID,
                Field("Created_By_Backstory__c", "boolean", default=False),
                Field("Department__c", "picklist", length=255),
                Field("Seniority__c", "picklist", length=255),
                Field("Persona__c", "picklist", length=255),
            ],
        ),
        _object(
            "Lead",
            "Lead",
            "Leads",
            [
                _ro("Name", "string", length=121),
                _s("FirstName", 40),
                _s("LastName", 80, required=True),
                Field("Email", "email", length=80),
                _s("Company", required=True),
                _s("Title", 128),
                Field("Phone", "phone", length=40),
                Field("Status", "picklist", length=255, default="Open - Not Contacted"),
                Field("LeadSource", "picklist", length=255),
                Field("Industry", "picklist", length=255),
                _ro("IsConverted", "boolean", default=False),
                _ro("ConvertedDate", "date"),
                Field(
                    "ConvertedContactId",
                    "reference",
                    reference_to=("Contact",),
                    length=18,
                    createable=False,
                    updateable=False,
                ),
                Field(
                    "ConvertedAccountId",
                    "reference",
                    reference_to=("Account",),
                    length=18,
                    createable=False,
                    updateable=False,
                ),
                Field(
                    "ConvertedOpportunityId",
                    "reference",
                    reference_to=("Opportunity",),
                    length=18,
                    createable=False,
                    updateable=False,
                ),
                _ref("OwnerId", "User"),
                BACKSTORY_ID,
                LEGACY_ID,
            ],
        ),
        _object(
            "Opportunity",
            "Opportunity",
            "Opportunities",
            [
                _s("Name", 120, required=True),
                _ref("AccountId", "Account"),
                _ref("OwnerId", "User"),
                Field("Amount", "currency"),
                Field("StageName", "picklist", length=255, required=True),
                Field("Probability", "percent"),
                Field("CloseDate", "date", required=True),
                _ro("IsClosed", "boolean", default=False),
                _ro("IsWon", "boolean", default=False),
                _ro("ForecastCategoryName", "picklist", length=40),
                Field("Type", "picklist", length=255),
                Field("LeadSource", "picklist", length=255),
                _s("NextStep", 255),
                Field("Description", "textarea", length=32000),
                BACKSTORY_ID,
            ],
        ),
        _object(
            "OpportunityHistory",
            "Opportunity History",
            "Opportunity History",
            [
                Field(
                    "OpportunityId",
                    "reference",
                    reference_to=("Opportunity",),
                    length=18,
                    createable=False,
                    updateable=False,
                ),
                _ro("StageName", "picklist", length=255),
                _ro("Amount", "currency"),
                _ro("CloseDate", "date"),
                _ro("Probability", "percent"),
                _ro("ForecastCategory", "picklist", length=40),
            ],
            createable=False,
            updateable=False,
            deletable=False,
        ),
        _object(
            "OpportunityContactRole",
            "Opportunity Contact Role",
            "Opportunity Contact Roles",
            [
                _ref("OpportunityId", "Opportunity", required=True, updateable=False),
                _ref("ContactId", "Contact", required=True),
                Field("Role", "picklist", length=255),
                Field("IsPrimary", "boolean", default=False),
                BACKSTORY_ID,
            ],
        ),
        _object(
            "Task",
            "Task",
            "Tasks",
            [
                _s("Subject", 255),
                Field("Status", "picklist", length=40, default="Not Started", picklist=TASK_STATUSES),
                Field(
                    "Priority", "picklist", length=40, default="Normal", picklist=("High", "Normal", "Low")
                ),
                Field("ActivityDate", "date"),
                _ro("IsClosed", "boolean", default=False),
                _ro("IsHighPriority", "boolean", default=False),
                Field("Type", "picklist", length=40, picklist=("Call", "Email", "Meeting", "Other")),
                # Set on create only, as in Salesforce; the activity timeline shows a Task by it.
                Field(
                    "TaskSubtype",
                    "picklist",
                    length=40,
                    updateable=False,
                    picklist=("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"),
                    restricted=True,
                ),
                Field(
                    "CallType",
                    "picklist",
                    length=40,
                    picklist=("Internal", "Inbound", "Outbound"),
                    restricted=True,
                ),
                Field("CallDurationInSeconds", "int", length=8),
                _s("CallDisposition", 255),
                _s("CallObject", 255),
                Field("Description", "textarea", length=32000),
                _ref("OwnerId", "User"),
                _ref("WhatId", "Account", "Opportunity"),
                _ref("WhoId", "Contact", "Lead"),
                Field("Created_By_Backstory__c", "boolean", default=False),
                BACKSTORY_ID,
            ],
        ),
        _object(
            "Event",
            "Event",
            "Events",
            [
                _s("Subject", 255),
                Field("StartDateTime", "datetime", required=True),
                Field("EndDateTime", "datetime", required=True),
                _ro("ActivityDate", "date"),
                # Written or derived: the minutes between start and end (they must agree).
                Field("DurationInMinutes", "int", length=9),
                Field("IsAllDayEvent", "boolean", default=False),
                Field(
                    "EventSubtype",
                    "picklist",
                    length=40,
                    updateable=False,
                    picklist=("Event",),
                    restricted=True,
                ),
                _s("Location", 255),
                Field("Description", "textarea", length=32000),
                _ref("OwnerId", "User"),
                _ref("WhatId", "Account", "Opportunity"),
                _ref("WhoId", "Contact", "Lead"),
                Field("Created_By_Backstory__c", "boolean", default=False),
                BACKSTORY_ID,
            ],
        ),
    ]
    return {obj.name: obj for obj in objects}


# Objects whose records are removed with their parent (master-detail style cascades).
CASCADE_DELETES: dict[str, tuple[tuple[str, str], ...]] = {
    "Account": (("Contact", "AccountId"), ("Opportunity", "AccountId"), ("AccountTeamMember", "AccountId")),
    "Opportunity": (("OpportunityContactRole", "OpportunityId"), ("OpportunityHistory", "OpportunityId")),
    "Contact": (("OpportunityContactRole", "ContactId"),),
}
