"""Medication names as typed: brands, strengths, frequencies, forms -> generic ingredients."""

from __future__ import annotations

import pytest

from ketaclinic.clinical.eligibility.medication_names import (
    BRAND_NAMES,
    generic_names,
    normalise_medication,
)
from ketaclinic.clinical.eligibility.vocabulary import (
    MEDICATION_CLASSES,
    NO_KNOWN_INTERACTION,
    MedicationClass,
    is_recognised_medication,
    medication_class,
    medication_classes,
)
from ketaclinic.clinical.sources import SOURCES


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("sertraline 100 mg daily", "sertraline"),
        ("  Sertraline  ", "sertraline"),
        ("Adderall XR 20 mg", "adderall"),
        ("Seroquel (quetiapine) 50 mg at night", "seroquel"),
        ("MS Contin 30 mg", "ms contin"),
        ("Theo-24 300 mg", "theo-24"),
        ("bupropion hcl er tablet 150 mg", "bupropion"),
        ("Xanax®", "xanax"),
    ],
)
def test_a_typed_name_is_reduced_to_the_drug_alone(typed, name):
    assert normalise_medication(typed) == name


@pytest.mark.parametrize(
    ("brand", "generics", "kind"),
    [
        ("Adderall", ("amphetamine", "dextroamphetamine"), MedicationClass.PSYCHOSTIMULANT),
        ("Vyvanse", ("lisdexamfetamine",), MedicationClass.PSYCHOSTIMULANT),
        ("Ritalin", ("methylphenidate",), MedicationClass.PSYCHOSTIMULANT),
        ("Xanax", ("alprazolam",), MedicationClass.BENZODIAZEPINE),
        ("Klonopin", ("clonazepam",), MedicationClass.BENZODIAZEPINE),
        ("Nardil", ("phenelzine",), MedicationClass.MAOI),
        ("Emsam", ("selegiline",), MedicationClass.MAOI),
        ("Lamictal", ("lamotrigine",), MedicationClass.LAMOTRIGINE),
        ("Suboxone", ("buprenorphine", "naloxone"), MedicationClass.OPIOID),
        ("Ambien", ("zolpidem",), MedicationClass.CNS_DEPRESSANT),
        ("Lyrica", ("pregabalin",), MedicationClass.CNS_DEPRESSANT),
        ("Uniphyl", ("theophylline",), MedicationClass.METHYLXANTHINE),
    ],
)
def test_a_brand_is_its_generic_ingredients_and_their_class(brand, generics, kind):
    assert generic_names(brand) == generics
    assert kind in medication_classes(brand)
    assert medication_classes(brand) == medication_classes(" ".join(generics[:1]))
    assert is_recognised_medication(brand)


@pytest.mark.parametrize(
    ("brand", "generic"),
    [("Zoloft", "sertraline"), ("Lexapro", "escitalopram"), ("Wellbutrin", "bupropion")],
)
def test_a_harmless_brand_is_recognised_without_a_class(brand, generic):
    assert generic_names(brand) == (generic,)
    assert medication_classes(brand) == frozenset()
    assert is_recognised_medication(brand)


def test_an_unknown_name_is_not_recognised_and_keeps_its_text():
    assert generic_names("Kratom 2 g") == ("kratom",)
    assert not is_recognised_medication("Kratom 2 g")


def test_a_single_class_is_named_and_a_combination_needs_every_ingredient_known():
    # Every ingredient must be known; Percocet's two are, a made-up one is not.
    assert is_recognised_medication("Percocet")
    assert medication_class("Percocet") is MedicationClass.OPIOID
    assert medication_class("Adderall") is MedicationClass.PSYCHOSTIMULANT
    assert medication_class("Zoloft") is None


def test_every_brand_maps_to_known_generics_and_the_table_is_sourced():
    for brand, generics in BRAND_NAMES.items():
        assert brand == normalise_medication(brand), brand
        for generic in generics:
            assert generic in MEDICATION_CLASSES or generic in NO_KNOWN_INTERACTION, generic
    assert "screen.medication-brand-names" in SOURCES
    assert MEDICATION_CLASSES["theophylline"] is MedicationClass.METHYLXANTHINE
    assert MEDICATION_CLASSES["aminophylline"] is MedicationClass.METHYLXANTHINE
