from ninja import Router

router = Router(tags=["Intensive outpatient programs"])
