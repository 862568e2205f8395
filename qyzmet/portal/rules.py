"""What each mlsp-2021 act says about the Portal, clause by clause (pure data, no Django).

The six services share one pattern — queue journal, IPR data to the Portal, reminder after a month, block
after two, public contract, EDS order, 5 working days for the supplier — but each annex numbers it
differently and adds its own details (sign-language format, receipt method, the sanatorium stay).
"""

from __future__ import annotations

from dataclasses import dataclass

SANATORIUM = "mlsp-2021/sanatorium"
SIGN_LANGUAGE = "mlsp-2021/sign-language"
PERSONAL_ASSISTANT = "mlsp-2021/personal-assistant"
# Annex 1's two services paid by the hour from the journal (cl. 40-45): the ones with recipients served
# outside the Portal (cl. 35) and with stops (cl. 41).
HOURLY = (PERSONAL_ASSISTANT, SIGN_LANGUAGE)

# The Portal has no opening hours of its own in the acts.  The supplier's 5 working days and the
# sanatorium's "3 working days before arrival" are counted on the employment department's schedule that
# every one of the six acts defines (standard item 7.2, Monday-Friday, holidays and transfer decrees of the
# law): the department is the body that runs E-Sobes and pays the supplier (cl. 33, 45 / annex 2 cl. 22).
SCHEDULE = "ed-reception"
FALLBACK_SCHEDULE = "department"

REVIEW_DAYS = 5
CANCEL_DAYS = 3
STAY_MAX_DAYS = 14
REMIND_MONTHS = 1
BLOCK_MONTHS = 2


@dataclass(frozen=True)
class PortalRules:
    reg_id: str
    annex: str
    queue: str  # the queue journal and its order by first registration
    transfer: str  # the IPR data pass to the Portal + the supplier-choice SMS
    remind: str  # the reminder after one month
    block: str  # the block after two months and the reactivation button
    contract: str  # the public contract signed with EDS
    order: str  # the EDS order + the reimbursement application (Order No. 14)
    review: str  # the supplier's 5 working days
    plan: str  # the yearly "Planning of activities" by 25 December
    sl_format: bool = False  # the recipient chooses face to face or online (annex 1 cl. 39)
    receipt_method: bool = False  # delivery or self-pickup (annex 3 cl. 83, annex 4 cl. 28)
    refusal_hint: str = ""  # what the act allows as a refusal reason, when it says
    stay: bool = False  # sanatorium: dates, ≤14 days, once a year, beds, cancellation

    def cite(self, clause: str) -> str:
        return f"{self.annex}, {clause}"


RULES: dict[str, PortalRules] = {r.reg_id: r for r in (
    PortalRules(PERSONAL_ASSISTANT, "annex 1", queue="cl. 33", transfer="cl. 34", remind="cl. 34, 36",
                block="cl. 37", contract="cl. 38", order="cl. 39", review="cl. 40", plan="cl. 33"),
    PortalRules(SIGN_LANGUAGE, "annex 1", queue="cl. 33", transfer="cl. 34", remind="cl. 34, 36",
                block="cl. 37", contract="cl. 38", order="cl. 39", review="cl. 40", plan="cl. 33", sl_format=True),
    PortalRules(SANATORIUM, "annex 2", queue="cl. 22", transfer="cl. 23", remind="cl. 24", block="cl. 25",
                contract="cl. 27", order="cl. 28", review="cl. 28", plan="cl. 22", stay=True),
    PortalRules("mlsp-2021/prosthetic-aid", "annex 3", queue="cl. 22, 26", transfer="cl. 23", remind="cl. 24",
                block="cl. 25", contract="cl. 29", order="cl. 30", review="cl. 30", plan="cl. 22"),
    PortalRules("mlsp-2021/technical-aids", "annex 3", queue="cl. 79", transfer="cl. 79", remind="cl. 79, 80",
                block="cl. 81", contract="cl. 82", order="cl. 83", review="cl. 83", plan="cl. 78",
                receipt_method=True, refusal_hint="goods not in stock"),
    PortalRules("mlsp-2021/mobility-means", "annex 4", queue="cl. 25", transfer="cl. 22", remind="cl. 22, 23",
                block="cl. 24", contract="cl. 27", order="cl. 28", review="cl. 28", plan="cl. 21",
                receipt_method=True, refusal_hint="goods not in stock"),
)}

# Sanatorium-only clauses (annex 2).
STAY_CITE = "annex 2, cl. 26"
RECIPIENT_CANCEL_CITE = "annex 2, cl. 31, 33"
SUPPLIER_CANCEL_CITE = "annex 2, cl. 32, 33"
ARRIVAL_CITE = "annex 2, cl. 30"

# The SMS codes of the regulation files (sms: …); an act whose file lacks one sends none (see QueueEntry.note).
SMS_CHOICE = "supplier-choice"
SMS_REMINDER = "supplier-choice-reminder"
SMS_BLOCKED = "supplier-choice-blocked"


def rules_for(reg_id: str) -> PortalRules | None:
    return RULES.get(reg_id)
