from ninja import Router

router = Router(tags=["Ketamine-assisted psychotherapy"])
