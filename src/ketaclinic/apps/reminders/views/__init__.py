"""Staff pages (``staff``) and the patient's stop link (``public``)."""
