"""Medication names as people write them: brand names, strengths, frequencies.

A screening's medication list is free text typed from a patient's bottles: "Adderall XR 20 mg",
"sertraline 100 mg daily", "Xanax". The rules reason about generic names, so a name is
*normalised* first — lower case, anything from the first number on dropped (strength,
frequency), release and dose-form words dropped ("XR", "ER", "tablet") — then a brand name is
replaced by its generic ingredient(s). A brand left as typed would read as an unknown drug,
and "Adderall, Vyvanse, Xanax" would screen with one mild caution where the generic names
raise a stimulant review.

``BRAND_NAMES`` is a curated table (``screen.medication-brand-names``): US brand names of the
drugs the interaction rules act on and of the common co-medications recognised as harmless,
each mapped to its active ingredients as listed on its US label (FDA Orange Book / NLM
DailyMed). A combination product maps to every ingredient, so Percocet carries oxycodone's
opioid finding. Names not in the table stay visible as "unrecognised": someone checks them.
"""

from __future__ import annotations

import re
from types import MappingProxyType

__all__ = ["BRAND_NAMES", "generic_names", "normalise_medication"]

#: Brand (lower case) -> active ingredients (generic names, lower case).
BRAND_NAMES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        # psychostimulants
        "adderall": ("amphetamine", "dextroamphetamine"),
        "mydayis": ("amphetamine", "dextroamphetamine"),
        "dexedrine": ("dextroamphetamine",),
        "zenzedi": ("dextroamphetamine",),
        "vyvanse": ("lisdexamfetamine",),
        "desoxyn": ("methamphetamine",),
        "ritalin": ("methylphenidate",),
        "concerta": ("methylphenidate",),
        "focalin": ("dexmethylphenidate",),
        "provigil": ("modafinil",),
        "nuvigil": ("armodafinil",),
        "sunosi": ("solriamfetol",),
        # MAOIs
        "nardil": ("phenelzine",),
        "parnate": ("tranylcypromine",),
        "marplan": ("isocarboxazid",),
        "emsam": ("selegiline",),
        "eldepryl": ("selegiline",),
        "zelapar": ("selegiline",),
        "azilect": ("rasagiline",),
        "xadago": ("safinamide",),
        "zyvox": ("linezolid",),
        # benzodiazepines
        "xanax": ("alprazolam",),
        "klonopin": ("clonazepam",),
        "ativan": ("lorazepam",),
        "valium": ("diazepam",),
        "restoril": ("temazepam",),
        "halcion": ("triazolam",),
        "librium": ("chlordiazepoxide",),
        "onfi": ("clobazam",),
        "tranxene": ("clorazepate",),
        # lamotrigine
        "lamictal": ("lamotrigine",),
        # opioids
        "oxycontin": ("oxycodone",),
        "roxicodone": ("oxycodone",),
        "percocet": ("oxycodone", "acetaminophen"),
        "vicodin": ("hydrocodone", "acetaminophen"),
        "norco": ("hydrocodone", "acetaminophen"),
        "suboxone": ("buprenorphine", "naloxone"),
        "subutex": ("buprenorphine",),
        "ultram": ("tramadol",),
        "nucynta": ("tapentadol",),
        "dilaudid": ("hydromorphone",),
        "duragesic": ("fentanyl",),
        "ms contin": ("morphine",),
        "dolophine": ("methadone",),
        "methadose": ("methadone",),
        # other CNS depressants
        "ambien": ("zolpidem",),
        "lunesta": ("eszopiclone",),
        "sonata": ("zaleplon",),
        "neurontin": ("gabapentin",),
        "gralise": ("gabapentin",),
        "lyrica": ("pregabalin",),
        "xyrem": ("sodium oxybate",),
        "flexeril": ("cyclobenzaprine",),
        "soma": ("carisoprodol",),
        "lioresal": ("baclofen",),
        "seroquel": ("quetiapine",),
        "zyprexa": ("olanzapine",),
        "remeron": ("mirtazapine",),
        "desyrel": ("trazodone",),
        "vistaril": ("hydroxyzine",),
        "atarax": ("hydroxyzine",),
        "benadryl": ("diphenhydramine",),
        "phenergan": ("promethazine",),
        # methylxanthines
        "theo-24": ("theophylline",),
        "uniphyl": ("theophylline",),
        "elixophyllin": ("theophylline",),
        # recognised, no interaction the rules act on
        "zoloft": ("sertraline",),
        "lexapro": ("escitalopram",),
        "celexa": ("citalopram",),
        "prozac": ("fluoxetine",),
        "paxil": ("paroxetine",),
        "luvox": ("fluvoxamine",),
        "effexor": ("venlafaxine",),
        "pristiq": ("desvenlafaxine",),
        "cymbalta": ("duloxetine",),
        "fetzima": ("levomilnacipran",),
        "trintellix": ("vortioxetine",),
        "viibryd": ("vilazodone",),
        "wellbutrin": ("bupropion",),
        "lithobid": ("lithium",),
        "abilify": ("aripiprazole",),
        "rexulti": ("brexpiprazole",),
        "vraylar": ("cariprazine",),
        "latuda": ("lurasidone",),
        "synthroid": ("levothyroxine",),
        "zestril": ("lisinopril",),
        "prinivil": ("lisinopril",),
        "norvasc": ("amlodipine",),
        "cozaar": ("losartan",),
        "lopressor": ("metoprolol",),
        "toprol": ("metoprolol",),
        "inderal": ("propranolol",),
        "lipitor": ("atorvastatin",),
        "glucophage": ("metformin",),
        "prilosec": ("omeprazole",),
        "zofran": ("ondansetron",),
        "advil": ("ibuprofen",),
        "motrin": ("ibuprofen",),
        "tylenol": ("acetaminophen",),
    }
)

_FORM_WORDS = frozenset(
    {
        "xr",
        "er",
        "sr",
        "cr",
        "xl",
        "la",
        "ir",
        "cd",
        "odt",
        "tablet",
        "tablets",
        "tab",
        "tabs",
        "capsule",
        "capsules",
        "cap",
        "caps",
        "oral",
        "extended",
        "release",
        "extended-release",
        "immediate",
        "delayed",
        "hcl",
        "hydrochloride",
    }
)
_FIRST_NUMBER = re.compile(r"\s\d.*$")
_SPACES = re.compile(r"\s+")


def normalise_medication(text: str) -> str:
    """The drug's name alone: lower case, no strength, frequency, release or dose form.

    "Sertraline 100 mg daily" -> "sertraline"; "Adderall XR 20mg" -> "adderall";
    "Seroquel (quetiapine)" -> "seroquel"; "MS Contin" -> "ms contin".
    """
    name = text.strip().lower().replace("®", "").replace("™", "")
    name = name.split("(")[0]
    name = _FIRST_NUMBER.sub("", name)
    words = [word for word in _SPACES.split(name.strip(" ,;.-")) if word]
    while words and words[-1] in _FORM_WORDS:
        words.pop()
    return " ".join(words)


def generic_names(text: str) -> tuple[str, ...]:
    """The generic ingredient(s) ``text`` names: a brand's ingredients, else the name itself."""
    name = normalise_medication(text)
    return BRAND_NAMES.get(name, (name,))
