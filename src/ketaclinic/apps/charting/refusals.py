"""Why a charting step was refused: the session is not in a state that allows it.

Field errors are the core's ``InputError`` (422 naming the field); a refusal is the chart
saying "not now" (409 in the API, a message on the page), with the reason to show.
"""


class ChartRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
