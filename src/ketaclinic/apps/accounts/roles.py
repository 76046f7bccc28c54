"""Roles as Django groups with permissions, kept in step with this table after each migrate.

The table is the one place that says what each role may do; views check permissions (not
role names), so a clinic can adjust a group in the admin without touching code.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS

from ketaclinic.apps.accounts.choices import Role

PATIENT_READ = ("patients.view_patient", "patients.view_measurement")
PATIENT_WRITE = (
    "patients.add_patient",
    "patients.change_patient",
    "patients.add_measurement",
)

ALERTS_SEE_SITE = ("alerts.view_alert", "alerts.view_all_site_alerts")
ALERTS_ACT = ("alerts.view_alert", "alerts.acknowledge_alert")

TREATMENT_SEE = ("treatment.view_screening", "treatment.view_course", "treatment.view_session")
TREATMENT_PLAN = (
    "treatment.add_screening",
    "treatment.sign_screening",
    "treatment.add_course",
    "treatment.change_course",
    "treatment.reschedule_session",
)
HOLIDAYS = (
    "treatment.view_holiday",
    "treatment.add_holiday",
    "treatment.change_holiday",
    "treatment.delete_holiday",
)

# The controlled-substance ledger: nurses administer and waste; a second licensed person
# witnesses; prescribers and the medical director also destroy, correct and resolve.
LEDGER_NURSE = (
    "ledger.view_ledgerentry",
    "ledger.receive_stock",
    "ledger.administer_stock",
    "ledger.waste_stock",
    "ledger.witness_entry",
    "ledger.count_stock",
    "ledger.report_loss",
)
LEDGER_PRESCRIBER = (
    *LEDGER_NURSE,
    "ledger.destroy_stock",
    "ledger.transfer_stock",
    "ledger.correct_entry",
    "ledger.resolve_discrepancy",
    "ledger.export_ledger",
)
LEDGER_DIRECTOR = (*LEDGER_PRESCRIBER, "ledger.take_inventory")
LEDGER_SETTINGS = (
    "ledger.view_product",
    "ledger.add_product",
    "ledger.change_product",
    "ledger.view_ledgersettings",
    "ledger.add_ledgersettings",
    "ledger.change_ledgersettings",
)

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.FRONT_DESK: (
        *PATIENT_READ,
        "patients.add_patient",
        "patients.change_patient",
        *TREATMENT_SEE,
        "treatment.reschedule_session",
    ),
    Role.NURSE: (
        *PATIENT_READ,
        "patients.change_patient",
        "patients.add_measurement",
        *ALERTS_SEE_SITE,
        *TREATMENT_SEE,
        "treatment.add_screening",
        *LEDGER_NURSE,
    ),
    Role.PRESCRIBER: (
        *PATIENT_READ,
        *PATIENT_WRITE,
        *ALERTS_ACT,
        *TREATMENT_SEE,
        *TREATMENT_PLAN,
        *LEDGER_PRESCRIBER,
    ),
    Role.THERAPIST: (*PATIENT_READ, "alerts.view_alert", *TREATMENT_SEE),
    Role.MEDICAL_DIRECTOR: (
        *PATIENT_READ,
        *PATIENT_WRITE,
        *ALERTS_ACT,
        "alerts.view_all_site_alerts",
        "alerts.manage_on_call",
        "audit.view_auditevent",
        "audit.export_auditevent",
        *TREATMENT_SEE,
        *TREATMENT_PLAN,
        "treatment.view_clinicrulesettings",
        "treatment.change_clinicrulesettings",
        *HOLIDAYS,
        *LEDGER_DIRECTOR,
    ),
    Role.ADMIN: (
        "accounts.view_site",
        "accounts.change_site",
        "accounts.add_site",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "audit.view_auditevent",
        *HOLIDAYS,
        *LEDGER_SETTINGS,
    ),
}

# The session chart (issue 4): front desk checks in; nurses chart and administer;
# prescribers order, decide holds and may override discharge; therapists write integration
# notes, which prescribers and the director read (nurses see only that one exists).
CHART_READ = ("charting.view_precheck", "charting.view_session_chart")
for _role, _codes in {
    Role.FRONT_DESK: ("charting.check_in_session",),
    Role.NURSE: (
        *CHART_READ,
        "charting.check_in_session",
        "charting.chart_session",
        "charting.administer_dose",
        "charting.record_rems",
        "charting.view_rems_dashboard",
    ),
    Role.PRESCRIBER: (
        *CHART_READ,
        "charting.order_dose",
        "charting.decide_hold",
        "charting.override_discharge",
        "charting.override_administration",
        "charting.write_prescriber_note",
        "charting.record_rems",
        "charting.view_rems_dashboard",
        "charting.read_integration_note",
    ),
    Role.THERAPIST: (*CHART_READ, "charting.write_integration_note"),
    Role.MEDICAL_DIRECTOR: (
        *CHART_READ,
        "charting.read_integration_note",
        "charting.view_rems_dashboard",
    ),
}.items():
    ROLE_PERMISSIONS[_role] = (*ROLE_PERMISSIONS[_role], *_codes)

# The waitlist (issue 8): front desk, prescribers and the director work the triage queue;
# nurses read it; therapists and the administrator do not see enquiries.
ENQUIRIES_WORK = ("enquiries.view_enquiry", "enquiries.change_enquiry")
for _role, _codes in {
    Role.FRONT_DESK: ENQUIRIES_WORK,
    Role.NURSE: ("enquiries.view_enquiry",),
    Role.PRESCRIBER: ENQUIRIES_WORK,
    Role.MEDICAL_DIRECTOR: ENQUIRIES_WORK,
}.items():
    ROLE_PERMISSIONS[_role] = (*ROLE_PERMISSIONS[_role], *_codes)


# Measurement-based care (issue 3): every clinical role reads scores; those who rate
# patients enter them (MADRS and the other clinician-rated scales included); front desk,
# nurses, prescribers and the director send self-report links and set their schedules.
ASSESSMENTS_READ = ("assessments.view_assessment",)
ASSESSMENTS_ENTER = (*ASSESSMENTS_READ, "assessments.add_assessment")
SELF_REPORT_SEND = (
    "assessments.view_selfreportlink",
    "assessments.add_selfreportlink",
    "assessments.view_questionnaireschedule",
    "assessments.add_questionnaireschedule",
    "assessments.change_questionnaireschedule",
)
for _role, _codes in {
    Role.FRONT_DESK: SELF_REPORT_SEND,
    Role.NURSE: (*ASSESSMENTS_ENTER, *SELF_REPORT_SEND),
    Role.PRESCRIBER: (*ASSESSMENTS_ENTER, *SELF_REPORT_SEND),
    Role.THERAPIST: ASSESSMENTS_ENTER,
    Role.MEDICAL_DIRECTOR: (*ASSESSMENTS_ENTER, *SELF_REPORT_SEND),
}.items():
    ROLE_PERMISSIONS[_role] = (*ROLE_PERMISSIONS[_role], *_codes)


# Outcomes (issue 7): the director and prescribers read the cohort figures (read-only);
# clinical staff see a patient's outcome summary on the chart; prescribers and the director
# print progress reports; only the director exports the de-identified dataset or recomputes.
OUTCOMES_PATIENT = ("outcomes.view_courseoutcome",)
OUTCOMES_COHORT = (*OUTCOMES_PATIENT, "outcomes.view_cohort", "outcomes.print_progress_report")
for _role, _codes in {
    Role.NURSE: OUTCOMES_PATIENT,
    Role.THERAPIST: OUTCOMES_PATIENT,
    Role.PRESCRIBER: OUTCOMES_COHORT,
    Role.MEDICAL_DIRECTOR: (
        *OUTCOMES_COHORT,
        "outcomes.export_dataset",
        "outcomes.refresh_outcomes",
    ),
}.items():
    ROLE_PERMISSIONS[_role] = (*ROLE_PERMISSIONS[_role], *_codes)

# The home program (issue 8): prescribers (and the director) write home prescriptions;
# nurses record pill counts and send check-in links; front desk sends links and sees the
# calendar's status but not what patients reported; therapists read.
HOME_SEE = ("homeprogram.view_homeprescription",)
HOME_READ = (
    *HOME_SEE,
    "homeprogram.view_homecheckin",
    "homeprogram.view_pillcount",
    "homeprogram.view_supplyevent",
)
HOME_SEND = ("homeprogram.add_homecheckinlink",)
# Misuse signals (issue 15): whoever counts, dispenses or prescribes records what they saw.
SUPPLY = ("homeprogram.add_supplyevent",)
for _role, _codes in {
    Role.FRONT_DESK: (*HOME_SEE, *HOME_SEND),
    Role.NURSE: (*HOME_READ, *HOME_SEND, "homeprogram.add_pillcount", *SUPPLY),
    Role.PRESCRIBER: (*HOME_READ, *HOME_SEND, "homeprogram.add_homeprescription", *SUPPLY),
    Role.THERAPIST: HOME_READ,
    Role.MEDICAL_DIRECTOR: (
        *HOME_READ,
        *HOME_SEND,
        "homeprogram.add_homeprescription",
        *SUPPLY,
    ),
}.items():
    ROLE_PERMISSIONS[_role] = (*ROLE_PERMISSIONS[_role], *_codes)

# Pharmacokinetics (issue 6): the clinical staff who explain routes to patients compare
# curves on /pk/; front desk and the administrator do not (clinical teaching, chart weight).
for _role in (Role.NURSE, Role.PRESCRIBER, Role.THERAPIST, Role.MEDICAL_DIRECTOR):
    ROLE_PERMISSIONS[_role] = (*ROLE_PERMISSIONS[_role], "pk.use_simulator")


# KAP programs (issue 8, item 4): therapists see and write notes on the programs they are
# assigned to; prescribers and the director see and read every program at their sites and
# start or close them; nurses see the schedule (that a note exists, not what it says); front
# desk and the administrator see no KAP program. Who sees which program: kap/assignment.py.
KAP_SEE = ("kap.view_kapprogram",)
KAP_SITE = (*KAP_SEE, "kap.view_site_kap_programs")
KAP_LEAD = (*KAP_SITE, "kap.read_kap_note", "kap.add_kapprogram", "kap.close_kapprogram")
for _role, _codes in {
    Role.NURSE: KAP_SITE,
    Role.PRESCRIBER: KAP_LEAD,
    Role.THERAPIST: (*KAP_SEE, "kap.read_kap_note", "kap.add_kapnote"),
    Role.MEDICAL_DIRECTOR: KAP_LEAD,
}.items():
    ROLE_PERMISSIONS[_role] = (*ROLE_PERMISSIONS[_role], *_codes)

# IOP groups (issue 8, item 5): front desk (and the director) run groups, rosters and the
# session calendar and see attendance, never notes; therapists take attendance and write
# notes for the groups they lead; nurses see attendance; prescribers and the director read
# every group's notes at their sites; the administrator sees none of it.
IOP_SEE = (
    "iop.view_iopgroup",
    "iop.view_iopenrolment",
    "iop.view_groupsession",
    "iop.view_attendance",
)
IOP_RUN = (
    "iop.add_iopgroup",
    "iop.change_iopgroup",
    "iop.manage_roster",
    "iop.add_groupsession",
    "iop.change_groupsession",
)
for _role, _codes in {
    Role.FRONT_DESK: (*IOP_SEE, *IOP_RUN),
    Role.NURSE: IOP_SEE,
    Role.THERAPIST: (
        *IOP_SEE,
        "iop.take_attendance",
        "iop.write_iop_note",
        "iop.read_iop_note",
    ),
    Role.PRESCRIBER: (*IOP_SEE, "iop.read_iop_note", "iop.read_all_iop_notes"),
    Role.MEDICAL_DIRECTOR: (*IOP_SEE, *IOP_RUN, "iop.read_iop_note", "iop.read_all_iop_notes"),
}.items():
    ROLE_PERMISSIONS[_role] = (*ROLE_PERMISSIONS[_role], *_codes)

# Front desk, nurses, prescribers and the director see reminders and record a patient's
# preferences and opt-outs; therapists and the administrator do not see reminders.
REMINDERS_WORK = (
    "reminders.view_reminder",
    "reminders.view_contactpreference",
    "reminders.change_contactpreference",
)
for _role in (Role.FRONT_DESK, Role.NURSE, Role.PRESCRIBER, Role.MEDICAL_DIRECTOR):
    ROLE_PERMISSIONS[_role] = (*ROLE_PERMISSIONS[_role], *REMINDERS_WORK)
ROLE_PERMISSIONS[Role.ADMIN] = (
    *ROLE_PERMISSIONS[Role.ADMIN],
    "reminders.view_reminderpolicy",
    "reminders.add_reminderpolicy",
    "reminders.change_reminderpolicy",
)

# Refills: prescribers and the director record refills dispensed by a pharmacy or in clinic
# (a Schedule III refill is theirs to stand behind); nurses record only refills they hand over
# from clinic stock; everyone who reads the home program reads refills. The director and the
# administrator set the site's early-refill line.
HOME_REFILLS_READ = ("homeprogram.view_refilldispensing",)
HOME_SETTINGS = (
    "homeprogram.view_homeprogramsettings",
    "homeprogram.add_homeprogramsettings",
    "homeprogram.change_homeprogramsettings",
)
for _role, _codes in {
    Role.NURSE: (*HOME_REFILLS_READ, "homeprogram.record_in_clinic_dispensing"),
    Role.PRESCRIBER: (*HOME_REFILLS_READ, "homeprogram.record_refill"),
    Role.THERAPIST: HOME_REFILLS_READ,
    Role.MEDICAL_DIRECTOR: (*HOME_REFILLS_READ, "homeprogram.record_refill", *HOME_SETTINGS),
    Role.ADMIN: HOME_SETTINGS,
}.items():
    ROLE_PERMISSIONS[_role] = (*ROLE_PERMISSIONS[_role], *_codes)


# Staff management (issue 14): the medical director lists the staff at their sites, creates
# accounts, gives the clinical roles, deactivates and resets two-factor log-in
# (``granting.py`` says whom and which roles).
ROLE_PERMISSIONS[Role.MEDICAL_DIRECTOR] = (
    *ROLE_PERMISSIONS[Role.MEDICAL_DIRECTOR],
    "accounts.manage_staff",
    # API tokens (issue 17): anyone makes their own; the director revokes any at their sites.
    "accounts.revoke_api_token",
)


# Billing (issue 19): front desk, prescribers and the director keep payers' prior
# authorizations and print packets and superbills; the director (and front desk) see every
# authorization about to lapse and export the claims file; clinical roles read and
# prescribers record previous antidepressant trials; the administrator keeps each site's
# billing profile, fee schedule and code table.
AUTH_WORK = (
    "billing.view_priorauthorization",
    "billing.add_priorauthorization",
    "billing.change_priorauthorization",
    "billing.print_authorization_packet",
    "billing.print_superbill",
)
TRIALS_READ = ("patients.view_antidepressanttrial",)
TRIALS_WRITE = (*TRIALS_READ, "patients.add_antidepressanttrial")
BILLING_SETTINGS = tuple(
    f"billing.{action}_{model}"
    for model in ("billingprofile", "feescheduleentry", "codemapping")
    for action in ("view", "add", "change")
)
for _role, _codes in {
    Role.FRONT_DESK: (
        *AUTH_WORK,
        "billing.view_lapsing_authorizations",
        "billing.export_claims",
        *TRIALS_READ,
    ),
    Role.NURSE: TRIALS_READ,
    Role.PRESCRIBER: (*AUTH_WORK, *TRIALS_WRITE),
    Role.THERAPIST: TRIALS_READ,
    Role.MEDICAL_DIRECTOR: (
        *AUTH_WORK,
        "billing.view_lapsing_authorizations",
        "billing.export_claims",
        *TRIALS_WRITE,
    ),
    Role.ADMIN: BILLING_SETTINGS,
}.items():
    ROLE_PERMISSIONS[_role] = (*ROLE_PERMISSIONS[_role], *_codes)


def _permission(code: str) -> Permission:
    app_label, codename = code.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def sync_role_groups(using: str = DEFAULT_DB_ALIAS, **_: object) -> None:
    """Create each role's group and set exactly its permissions (idempotent).

    Permissions of apps migrated later in the same run do not exist yet when our app's
    post_migrate fires, so they are created first (Django's own function, idempotent).
    """
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for role, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set([_permission(code) for code in codes])
