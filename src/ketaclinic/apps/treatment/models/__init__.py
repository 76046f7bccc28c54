"""Treatment records: screenings, courses (plans) and sessions, and the site's calendar.

Split by concern; import the models from here (``ketaclinic.apps.treatment.models``).
"""

from ketaclinic.apps.treatment.models.calendar import ClinicRuleSettings, Holiday
from ketaclinic.apps.treatment.models.courses import Course, Session, SessionEvent
from ketaclinic.apps.treatment.models.screening import Screening

__all__ = ["ClinicRuleSettings", "Course", "Holiday", "Screening", "Session", "SessionEvent"]
