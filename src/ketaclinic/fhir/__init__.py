"""FHIR R4 (4.0.1): the clinic's records as FHIR resources at ``/fhir/``.

Ketaclinic stays the source of truth; FHIR is a view of the apps' models. One mapping module
per resource family turns rows into resources (``patients``, ``organisation``, ``care``,
``vitals``, ``surveys``, ``medication``); ``sources`` says where each resource comes from
and who may read it; ``search`` parses the standard's search parameters; ``views`` serves
read, search, ``$everything`` and the CapabilityStatement; ``bulk`` runs Bulk Data exports.
The codes every mapping uses, and where each was checked, are in ``codes``.
"""
