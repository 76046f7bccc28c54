"""Staff pages (``staff``) and the patient's public self-report page (``public``)."""
