from django.urls import path

from ketaclinic.apps.ledger.views import entries, reconciliation, reports, stock

app_name = "ledger"
urlpatterns = [
    path("", stock.dashboard, name="dashboard"),
    path("containers/", stock.container_list, name="containers"),
    path("containers/<int:container_id>/", stock.container_detail, name="container"),
    path("containers/<int:container_id>/administer/", entries.administer, name="administer"),
    path("containers/<int:container_id>/waste/", entries.waste, name="waste"),
    path("containers/<int:container_id>/count/", entries.count, name="count"),
    path("containers/<int:container_id>/destroy/", entries.destroy, name="destroy"),
    path("containers/<int:container_id>/loss/", entries.loss, name="loss"),
    path("containers/<int:container_id>/transfer/", entries.transfer, name="transfer"),
    path("entries/<int:entry_id>/correct/", entries.correct, name="correct"),
    path("receive/", stock.receive, name="receive"),
    path("discrepancies/", reconciliation.discrepancy_list, name="discrepancies"),
    path(
        "discrepancies/<int:discrepancy_id>/resolve/",
        reconciliation.discrepancy_resolve,
        name="resolve",
    ),
    path("inventory/", reconciliation.inventory, name="inventory"),
    path("losses/<int:report_id>/", reconciliation.loss_progress, name="loss-progress"),
    path("reports/", reports.reports, name="reports"),
    path("reports/ledger.csv", reports.export_csv, name="export-csv"),
    path("reports/ledger.pdf", reports.export_pdf, name="export-pdf"),
    path(
        "reports/inventory/<int:inventory_id>/", reports.inventory_report, name="inventory-report"
    ),
]
