"""The publications, labels and guidelines that the clinical rules point to.

Every default in ``clinical/`` (a cut-off, a dose, a schedule, a PK parameter) names a key
here, so a reader can go from a number in the product to the page it came from. Each area
keeps its own section; ``SOURCES`` gathers them and ``cite`` is how code looks one up.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SOURCES", "Source", "cite"]


@dataclass(frozen=True, slots=True)
class Source:
    """One citable source. ``note`` says what we take from it and any known caveat."""

    key: str
    citation: str
    url: str = ""
    note: str = ""


# --- scales (questionnaires and rating instruments) -------------------------------------
_SCALES: tuple[Source, ...] = (
    Source(
        key="phq9_kroenke_2001",
        citation=(
            "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression "
            "severity measure. J Gen Intern Med. 2001;16(9):606-613."
        ),
        url="https://doi.org/10.1046/j.1525-1497.2001.016009606.x",
        note=(
            "Items, 0-3 options, total 0-27, severity cut-points 5/10/15/20, >= 10 for major "
            "depression (sensitivity and specificity 88%), question 10 not scored."
        ),
    ),
    Source(
        key="phq9_lowe_2004",
        citation=(
            "Löwe B, Unützer J, Callahan CM, Perkins AJ, Kroenke K. Monitoring depression "
            "treatment outcomes with the Patient Health Questionnaire-9. Med Care. "
            "2004;42(12):1194-1201."
        ),
        url="https://doi.org/10.1097/00005650-200412000-00006",
        note="Response as >= 50% reduction in PHQ-9 total; remission as a total below 5.",
    ),
    Source(
        key="phq_screeners_licence",
        citation="Pfizer Inc. Patient Health Questionnaire (PHQ) screeners. phqscreeners.com.",
        url="https://www.phqscreeners.com/",
        note=(
            "PHQ-9 and GAD-7 (developed by Drs Spitzer, Williams, Kroenke and colleagues with "
            "an educational grant from Pfizer) may be reproduced, translated, displayed and "
            "distributed without permission. Licence not re-read in this session."
        ),
    ),
    Source(
        key="gad7_spitzer_2006",
        citation=(
            "Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing "
            "generalized anxiety disorder: the GAD-7. Arch Intern Med. 2006;166(10):1092-1097."
        ),
        url="https://doi.org/10.1001/archinte.166.10.1092",
        note="Items, 0-3 options, total 0-21, cut-points 5/10/15, >= 10 as the screening cut-off.",
    ),
    Source(
        key="pcl5_weathers_2013",
        citation=(
            "Weathers FW, Litz BT, Keane TM, Palmieri PA, Marx BP, Schnurr PP. The PTSD "
            "Checklist for DSM-5 (PCL-5). National Center for PTSD; 2013."
        ),
        url="https://www.ptsd.va.gov/professional/assessment/adult-sr/ptsd-checklist.asp",
        note=(
            "20 items rated 0-4 over the past month; total 0-80; cluster scores B (1-5), C "
            "(6-7), D (8-14), E (15-20); DSM-5 rule: items rated >= 2 count, needing 1 B, "
            "1 C, 2 D, 2 E; provisional cut-off 31-33; 5 points is reliable change and 10 "
            "points clinically meaningful change. Developed by VA staff, not copyrighted "
            "(public domain). Cut-off and change thresholds checked against secondary "
            "reproductions of the National Center for PTSD guidance (comorbidityguidelines."
            "org.au, QxMD), not the VA page itself."
        ),
    ),
    Source(
        key="pcl5_bovin_2016",
        citation=(
            "Bovin MJ, Marx BP, Weathers FW, et al. Psychometric properties of the PTSD "
            "Checklist for Diagnostic and Statistical Manual of Mental Disorders-Fifth "
            "Edition (PCL-5) in veterans. Psychol Assess. 2016;28(11):1379-1391."
        ),
        url="https://doi.org/10.1037/pas0000254",
        note="Supports a cut-off of 31-33 for probable PTSD; we default to 33 (the stricter end).",
    ),
    Source(
        key="qids_rush_2003",
        citation=(
            "Rush AJ, Trivedi MH, Ibrahim HM, et al. The 16-Item Quick Inventory of Depressive "
            "Symptomatology (QIDS), clinician rating (QIDS-C), and self-report (QIDS-SR): a "
            "psychometric evaluation in patients with chronic major depression. Biol "
            "Psychiatry. 2003;54(5):573-583."
        ),
        url="https://doi.org/10.1016/S0006-3223(02)01866-8",
        note=(
            "16 items 0-3 scored as 9 DSM-IV domains: highest of items 1-4 (sleep), item 5, "
            "highest of 6-9 (appetite/weight), items 10-14, highest of 15-16 (psychomotor); "
            "total 0-27."
        ),
    ),
    Source(
        key="qids_interpretation",
        citation="IDS/QIDS website. Interpretation (severity conversion table), ids-qids.org.",
        url="http://ids-qids.org/interpretation.html",
        note=(
            "QIDS-SR16 severity: 0-5 none, 6-10 mild, 11-15 moderate, 16-20 severe, 21-27 very "
            "severe (adapted from Rush 2003, Trivedi 2004). Terms of use were not found in "
            "this session (the project brief says free to use); we store short item labels "
            "only, not the anchors, until they are confirmed."
        ),
    ),
    Source(
        key="qids_stard_rush_2006",
        citation=(
            "Rush AJ, Trivedi MH, Wisniewski SR, et al. Acute and longer-term outcomes in "
            "depressed outpatients requiring one or several treatment steps: a STAR*D report. "
            "Am J Psychiatry. 2006;163(11):1905-1917."
        ),
        url="https://doi.org/10.1176/ajp.2006.163.11.1905",
        note="Remission as QIDS-SR16 <= 5; response as >= 50% reduction from baseline.",
    ),
    Source(
        key="madrs_montgomery_1979",
        citation=(
            "Montgomery SA, Åsberg M. A new depression scale designed to be sensitive to "
            "change. Br J Psychiatry. 1979;134:382-389."
        ),
        url="https://doi.org/10.1192/bjp.134.4.382",
        note=(
            "10 clinician-rated items 0-6, total 0-60; item 10 is suicidal thoughts. We "
            "store the ten item names only, not the anchor descriptions."
        ),
    ),
    Source(
        key="madrs_snaith_1986",
        citation=(
            "Snaith RP, Harrop FM, Newby DA, Teale C. Grade scores of the Montgomery-Åsberg "
            "Depression and the Clinical Anxiety Scales. Br J Psychiatry. 1986;148:599-601."
        ),
        url="https://doi.org/10.1192/bjp.148.5.599",
        note=(
            "Bands 0-6 symptom absent, 7-19 mild, 20-34 moderate, 35-60 severe (as quoted "
            "in McDowell, Measuring Health); Müller et al. 2000 (J Affect Disord 60:137-140, "
            "doi:10.1016/s0165-0327(99)00162-7) support >= 35 for severe."
        ),
    ),
    Source(
        key="madrs_hawley_2002",
        citation=(
            "Hawley CJ, Gale TM, Sivakumaran T. Defining remission by cut off score on the "
            "MADRS: selecting the optimal value. J Affect Disord. 2002;72(2):177-184."
        ),
        url="https://doi.org/10.1016/S0165-0327(01)00451-7",
        note=(
            "Remission as MADRS <= 10. Zimmerman et al. 2004 (Int Clin Psychopharmacol "
            "19:215-220) discuss the effect of alternative cut-offs. Citation details from "
            "memory; the DOI was not re-checked in this session."
        ),
    ),
    Source(
        key="cssrs_posner_2011",
        citation=(
            "Posner K, Brown GK, Stanley B, et al. The Columbia-Suicide Severity Rating Scale: "
            "initial validity and internal consistency findings from three multisite studies "
            "with adolescents and adults. Am J Psychiatry. 2011;168(12):1266-1277."
        ),
        url="https://doi.org/10.1176/appi.ajp.2011.10111704",
        note="The C-SSRS ideation severity levels 1-5 and suicidal behaviour questions.",
    ),
    Source(
        key="cssrs_screener_triage",
        citation=(
            "The Columbia Lighthouse Project. C-SSRS Screener - Recent (lifetime/recent), with "
            "triage points, 2021. Research Foundation for Mental Hygiene."
        ),
        url="https://cssrs.columbia.edu/",
        note=(
            "Six yes/no questions; 1-2 always asked; 3-5 only if 2 is yes; 6 always, with a "
            "'within the past 3 months' follow-up if yes. Triage: yes to 1 or 2 low; yes to 3, "
            "or behaviour more than 3 months ago, moderate; yes to 4 or 5, or behaviour in the "
            "past 3 months, high. Checked against the NINDS CDE summary, the Columbia clinical "
            "triage guidelines (any behaviour in 3 months or intent in the past month is the "
            "most severe) and Blueprint's scoring summary; the Columbia PDF itself was not "
            "available in this session."
        ),
    ),
    Source(
        key="cssrs_licence",
        citation=(
            "Clario. C-SSRS licensing process (electronic implementations licensed "
            "exclusively through Clario on behalf of the Research Foundation for Mental "
            "Hygiene)."
        ),
        url="https://clario.com/about/legal-and-privacy/c-ssrs-licensing-application",
        note=(
            "Columbia makes the paper screener free for clinical and non-profit use; electronic "
            "versions in commercial products or industry research go through Clario. We store "
            "short labels (the ideation/behaviour levels), not the question text: the clinic "
            "must use the official wording and confirm its licence position."
        ),
    ),
    Source(
        key="cssrs_hl7_bhp",
        citation=(
            "HL7 / ASTP. US Behavioral Health Profiles Implementation Guide (CI build), "
            "QuestionnaireResponse C-SSRS-example-1."
        ),
        url=(
            "https://build.fhir.org/ig/HL7/us-behavioral-health-profiles/"
            "QuestionnaireResponse-C-SSRS-example-1.html"
        ),
        note=(
            "LOINC 93373-9 'Columbia - suicide severity rating scale screener - recent "
            "[C-SSRS]' (panel) and 93374-7 'Suicide risk level'."
        ),
    ),
    Source(
        key="cadss_bremner_1998",
        citation=(
            "Bremner JD, Krystal JH, Putnam FW, et al. Measurement of dissociative states with "
            "the Clinician-Administered Dissociative States Scale (CADSS). J Trauma Stress. "
            "1998;11(1):125-136."
        ),
        url="https://doi.org/10.1023/A:1024465317902",
        note=(
            "The original paper reports 19 subjective and 8 observer items. Item text is "
            "copyrighted: we store item numbers and scores only."
        ),
    ),
    Source(
        key="cadss_bremner_instructions",
        citation=(
            "Bremner JD. The Clinician Administered Dissociative States Scale (CADSS): "
            "instructions for administration. Emory University; 2014."
        ),
        url="https://www.scribd.com/document/333420920/bibliografie-disociere",
        note=(
            "The current 28-item form: 23 subjective items (0-4: not at all, slightly, "
            "moderately, considerably, extremely) and 5 observer items; the 23-item "
            "subjective total (0-92) is the one used in the ketamine and esketamine "
            "literature. Seen through a reproduction of the instructions, not Emory's copy."
        ),
    ),
    Source(
        key="moaas_chernik_1990",
        citation=(
            "Chernik DA, Gillings D, Laine H, et al. Validity and reliability of the "
            "Observer's Assessment of Alertness/Sedation Scale: study with intravenous "
            "midazolam. J Clin Psychopharmacol. 1990;10(4):244-251."
        ),
        url="https://pubmed.ncbi.nlm.nih.gov/2286697/",
        note=(
            "The responsiveness levels (5 responds readily to name in normal tone ... 1 does "
            "not respond to mild prodding or shaking). The 0-5 'modified' form used in "
            "sedation studies adds 1 = responds only after painful trapezius squeeze and 0 = "
            "no response to it (levels as tabulated in BMC Anesthesiol 2022, "
            "doi:10.1186/s12871-022-01788-1, Table 2); the 1990 paper itself not re-read."
        ),
    ),
    Source(
        key="pain_nrs_loinc",
        citation=(
            "HL7 Belgium. Patient Monitoring IG, ValueSet 'Pain severity - 0-10 verbal "
            "numeric rating' (LOINC 72514-3)."
        ),
        url="https://build.fhir.org/ig/hl7-be/patient-monitoring/ValueSet-pain-scale.html",
        note="0 = no pain, 10 = worst pain imaginable; LOINC 72514-3.",
    ),
    Source(
        key="peg_krebs_2009",
        citation=(
            "Krebs EE, Lorenz KA, Bair MJ, Damush TM, Wu J, Sutherland JM, Asch SM, Kroenke K. "
            "Development and initial validation of the PEG, a three-item scale assessing pain "
            "intensity and interference. J Gen Intern Med. 2009;24(6):733-738."
        ),
        url="https://doi.org/10.1007/s11606-009-0981-1",
        note=(
            "Three 0-10 Brief Pain Inventory items (average pain, interference with enjoyment "
            "of life and with general activity), past week; the PEG score is their mean. "
            "Validated in primary care patients with chronic pain; responsive to change like "
            "the full BPI."
        ),
    ),
    Source(
        key="pain_immpact_dworkin2008",
        citation=(
            "Dworkin RH, Turk DC, Wyrwich KW, et al. Interpreting the clinical importance of "
            "treatment outcomes in chronic pain clinical trials: IMMPACT recommendations. "
            "J Pain. 2008;9(2):105-121."
        ),
        url="https://doi.org/10.1016/j.jpain.2007.09.005",
        note=(
            "A reduction of at least 30% in pain is a moderately important improvement (50% "
            "substantial); used as the response on the PEG."
        ),
    ),
    Source(
        key="pain_nrs_serlin_1995",
        citation=(
            "Serlin RC, Mendoza TR, Nakamura Y, Edwards KR, Cleeland CS. When is cancer pain "
            "mild, moderate or severe? Grading pain severity by its interference with "
            "function. Pain. 1995;61(2):277-284."
        ),
        url="https://doi.org/10.1016/0304-3959(94)00178-H",
        note=(
            "Cut-points 1-4 mild, 5-6 moderate, 7-10 severe, from pain's interference with "
            "function in cancer patients (checked against the PubMed abstract). Later work "
            "(Paul 2005, Pain 113:37-44) confirms the 4/5 boundary but not 6/7; other "
            "conditions give other cut-points, so treat the bands as a reading aid."
        ),
    ),
    Source(
        key="audit_babor_2001",
        citation=(
            "Babor TF, Higgins-Biddle JC, Saunders JB, Monteiro MG. AUDIT: The Alcohol Use "
            "Disorders Identification Test. Guidelines for Use in Primary Care. 2nd ed. "
            "World Health Organization; 2001. WHO/MSD/MSB/01.6a."
        ),
        url="https://www.who.int/publications/i/item/WHO-MSD-MSB-01.6a",
        note=(
            "10 items: 1-8 scored 0-4, 9-10 scored 0, 2, 4; total 0-40; risk zones I 0-7, "
            "II 8-15, III 16-19, IV 20-40; >= 8 hazardous or harmful use; domains "
            "consumption 1-3, dependence 4-6, harm 7-10. WHO publishes the AUDIT for free use."
        ),
    ),
    Source(
        key="audit_loinc",
        citation="LOINC 75624-7 'Total score [AUDIT]' (Regenstrief), as designated in a FHIR "
        "terminology resource; 75626-2 is the AUDIT-C total and 72109-2 the AUDIT-C panel "
        "(HL7 US Core examples).",
        url="https://loinc.org/75624-7/",
        note="The full-AUDIT panel code was not verified in this session and is left empty.",
    ),
    Source(
        key="loinc_phq_gad",
        citation=(
            "HL7 US Core Implementation Guide, Observation PHQ9-panel-example-44249-1 and "
            "ValueSet prom-target-measures (LOINC 44249-1, 44261-6, 70274-6)."
        ),
        url="https://hl7.org/fhir/us/core/Observation-PHQ9-panel-example-44249-1.html",
        note=(
            "PHQ-9 panel 44249-1 and total 44261-6; GAD-7 total 70274-6. The GAD-7 panel "
            "69737-5 is taken from the project brief and seen in public code, not in HL7 "
            "material in this session."
        ),
    ),
    Source(
        key="ketaclinic_quick_nrs",
        citation=(
            "Ketaclinic. 0-10 single-item mood and anxiety ratings for pre/post-session checks."
        ),
        note=(
            "Not a validated instrument and not a published scale: a quick numeric rating the "
            "clinic collects around sessions. No bands, cut-offs or outcome definitions."
        ),
    ),
)

# --- screening, protocols, dosing, monitoring ------------------------------------------
_TREATMENT: tuple[Source, ...] = (
    # protocol.* and dose.*: protocol templates, schedules and dose calculation.
    Source(
        key="protocol.murrough-2013",
        citation=(
            "Murrough JW, Perez AM, Pillemer S, et al. Rapid and longer-term antidepressant "
            "effects of repeated ketamine infusions in treatment-resistant major depression. "
            "Biol Psychiatry. 2013;74(4):250-256."
        ),
        url="https://research.rug.nl/nl/publications/rapid-and-longer-term-antidepressant-effects-of-repeated-ketamine",
        note=(
            "Up to six open-label IV infusions of 0.5 mg/kg three times weekly over a 12-day "
            "period (n=24); response 70.8%; median time to relapse 18 days among responders."
        ),
    ),
    Source(
        key="protocol.shiroma-2014",
        citation=(
            "Shiroma PR, Johns B, Kuskowski M, et al. Augmentation of response and remission to "
            "serial intravenous subanesthetic ketamine in treatment resistant depression. "
            "J Affect Disord. 2014;155:123-129."
        ),
        url="https://experts.umn.edu/en/publications/augmentation-of-response-and-remission-to-serial-intravenous-suba",
        note=(
            "Six IV infusions of 0.5 mg/kg over 40 min on a Monday-Wednesday-Friday schedule "
            "during a 12-day period, antidepressants kept stable (n=14)."
        ),
    ),
    Source(
        key="protocol.phillips-2019",
        citation=(
            "Phillips JL, Norris S, Talbot J, et al. Single, repeated, and maintenance ketamine "
            "infusions for treatment-resistant depression: a randomized controlled trial. "
            "Am J Psychiatry. 2019;176(5):401-409. doi:10.1176/appi.ajp.2018.18070834"
        ),
        url="https://pubmed.ncbi.nlm.nih.gov/30922101/",
        note=(
            "Six open-label infusions thrice weekly over 2 weeks; responders (>=50% MADRS "
            "decrease) then had four once-weekly maintenance infusions; median three infusions "
            "to response."
        ),
    ),
    Source(
        key="protocol.singh-2016",
        citation=(
            "Singh JB, Fedgchin M, Daly EJ, et al. A double-blind, randomized, placebo-controlled, "
            "dose-frequency study of intravenous ketamine in patients with treatment-resistant "
            "depression. Am J Psychiatry. 2016;173(8):816-826. doi:10.1176/appi.ajp.2016.16010037"
        ),
        url="https://psychiatryonline.org/doi/abs/10.1176/appi.ajp.2016.16010037",
        note=(
            "0.5 mg/kg over 40 min, twice or three times weekly for up to 4 weeks: both "
            "frequencies similarly maintained efficacy over 15 days."
        ),
    ),
    Source(
        key="protocol.canbind-2020",
        citation=(
            "Phillips JL, Jaworska N, Kamler E, et al. A randomized, crossover comparison of "
            "ketamine and electroconvulsive therapy for treatment of major depressive episodes: "
            "a Canadian biomarker integration network in depression (CAN-BIND) study protocol. "
            "BMC Psychiatry. 2020;20:268. doi:10.1186/s12888-020-02672-3"
        ),
        url="https://pmc.ncbi.nlm.nih.gov/articles/PMC7265624",
        note=(
            "IV ketamine 0.5 mg/kg three times weekly for 3 or 4 weeks; responders' 6-month "
            "maintenance: weekly infusions for 1 month, every 2 weeks for 2 months, monthly for "
            "3 months, returning to every 2 weeks in case of relapse. A trial protocol, not an "
            "outcome report. Session counts per phase are this project's reading: unverified."
        ),
    ),
    Source(
        key="dose.spravato-eu-smpc",
        citation=(
            "Spravato 28 mg nasal spray, Summary of Product Characteristics (EMA; UK SmPC "
            "alike), section 4.2 Posology: elderly (65 years of age and older)."
        ),
        url="https://www.ema.europa.eu/en/documents/product-information/spravato-epar-product-information_en.pdf",
        note=(
            "Adults under 65: induction day 1 56 mg, then 56 or 84 mg twice weekly. Adults 65 "
            "and over: day 1 28 mg, then 28, 56 or 84 mg. The US label has no separate older-"
            "adult starting dose (day 1 56 mg at every adult age)."
        ),
    ),
    Source(
        key="protocol.spravato-label-dosing",
        citation=(
            "SPRAVATO (esketamine) nasal spray, US prescribing information, section 2 (Dosage "
            "and Administration). Janssen Pharmaceuticals."
        ),
        url="https://www.janssenlabels.com/package-insert/product-monograph/prescribing-information/SPRAVATO-pi.pdf",
        note=(
            "TRD adults: weeks 1-4 twice weekly, day 1 56 mg then 56 or 84 mg; weeks 5-8 56 or "
            "84 mg once weekly; week 9 on 56 or 84 mg every 2 weeks or once weekly. MDD with "
            "suicidal ideation or behaviour: 84 mg twice weekly for 4 weeks, may reduce to 56 mg. "
            "One device delivers 28 mg (two sprays; openFDA NDC 50458-028: 28 mg/0.2 mL, kits "
            "of 2 and 3 devices). Read through copies of the label text "
            "(Medical News Today, Healthline, MIMS); the PDF itself was not opened. No minimum "
            "interval between the twice-weekly doses was found: the 2-day minimum used here is "
            "unverified."
        ),
    ),
    Source(
        key="protocol.chilukuri-2014",
        citation=(
            "Chilukuri H, et al. Acute antidepressant effects of intramuscular versus intravenous "
            "ketamine. Indian J Psychol Med. 2014;36(1):71-76. doi:10.4103/0253-7176.127258"
        ),
        url="https://pubmed.ncbi.nlm.nih.gov/24701015/",
        note=(
            "Single doses: 0.5 mg/kg IV infusion, 0.5 mg/kg IM or 0.25 mg/kg IM (n=27); similar "
            "HAM-D fall at 2 h, sustained 3 days. A single-dose study: the repeated IM schedule "
            "used here is not from this paper (unverified)."
        ),
    ),
    Source(
        key="protocol.andrade-2017-dosing",
        citation=(
            "Andrade C. Ketamine for depression, 4: in what dose, at what rate, by what route, "
            "for how long, and at what frequency? J Clin Psychiatry. 2017;78(7):e852-e857."
        ),
        url="https://www.psychiatrist.com/jcp/ketamine-for-depression-dosing-administration-and-duration",
        note=(
            "Most commonly 0.5 mg/kg; some respond to 0.1 mg/kg, others need up to 0.75 mg/kg; "
            "conventionally over 40 min (2-100 min reported); IM and SC bolus safe and effective."
        ),
    ),
    Source(
        key="protocol.hull-2022",
        citation=(
            "Hull TD, Malgaroli M, Gazzaley A, et al. At-home, sublingual ketamine telehealth is "
            "a safe and effective treatment for moderate to severe anxiety and depression: "
            "findings from a large, prospective, open-label effectiveness trial. "
            "J Affect Disord. 2022."
        ),
        url="https://moreblossom.com/papers/at-home-sublingual-ketamine-telehealth-is-a-safe-and-effective-treatment-for-mod",
        note=(
            "1247 outpatients completed at-home sublingual ketamine-assisted therapy over four "
            "weeks through a telehealth provider (sponsor-run, open label). Dose amounts and "
            "session count were not read: unverified."
        ),
    ),
    Source(
        key="protocol.hassan-2022",
        citation=(
            "Hassan K, Struthers WM, Sankarabhotla A, Davis P. Safety, effectiveness and "
            "tolerability of sublingual ketamine in depression and anxiety: a retrospective "
            "study of off-label, at-home use. Front Psychiatry. 2022;13:992624. "
            "doi:10.3389/fpsyt.2022.992624"
        ),
        url="https://www.frontiersin.org/journals/psychiatry/articles/10.3389/fpsyt.2022.992624/full",
        note=(
            "Self-administered sublingual rapid-dissolve tablets at home; outcomes after three "
            "and after a clinically recommended six doses (retrospective, n=664)."
        ),
    ),
    Source(
        key="protocol.cohen-2018-chronic-pain",
        citation=(
            "Cohen SP, Bhatia A, Buvanendran A, Schwenk ES, et al. Consensus guidelines on the "
            "use of intravenous ketamine infusions for chronic pain from the American Society of "
            "Regional Anesthesia and Pain Medicine, the American Academy of Pain Medicine, and "
            "the American Society of Anesthesiologists. Reg Anesth Pain Med. 2018;43(5):521-546. "
            "doi:10.1097/AAP.0000000000000808"
        ),
        url="https://journals.lww.com/rapm/Fulltext/2018/07000/Consensus_Guidelines_on_the_Use_of_Intravenous.11.aspx",
        note=(
            "First author is Cohen; Schwenk et al. 2018 is the companion acute-pain guideline. "
            "Moderate evidence for CRPS: 22 mg/h for 4 days, or 0.35 mg/kg/h over 4 h daily for "
            "10 days; higher doses over longer periods and more frequent administration "
            "supported (moderate). Grade C: start with a single outpatient infusion of at least "
            "80 mg over more than 2 h and reassess. Dose figures read through secondary "
            "summaries, not the full text."
        ),
    ),
    Source(
        key="protocol.dore-2019",
        citation=(
            "Dore J, Turnipseed B, Dwyer S, et al. Ketamine Assisted Psychotherapy (KAP): "
            "patient demographics, clinical data and outcomes in three large practices "
            "administering ketamine with psychotherapy. J Psychoactive Drugs. "
            "2019;51(2):189-198. doi:10.1080/02791072.2019.1587556"
        ),
        url="https://www.researchgate.net/publication/332040175",
        note=(
            "Ketamine given IM or sublingually with psychotherapy, without IV access, in three "
            "private practices (n=235). The session counts and doses of the template here were "
            "not read from the paper: unverified."
        ),
    ),
    Source(
        key="dose.devine-1974",
        citation="Devine BJ. Gentamicin therapy. Drug Intell Clin Pharm. 1974;8:650-655.",
        note=(
            "Ideal body weight: men 50 kg, women 45.5 kg, plus 2.3 kg per inch of height over "
            "5 feet. The formula as widely reproduced; the 1974 text was not reopened here. "
            "Not validated below 5 feet (152.4 cm)."
        ),
    ),
    Source(
        key="dose.adjusted-body-weight",
        citation=(
            "Adjusted (dosing) body weight = IBW + 0.4 x (actual - IBW), the convention from "
            "aminoglycoside dosing in obesity (e.g. Bauer LA, Applied Clinical "
            "Pharmacokinetics)."
        ),
        note=(
            "No ketamine-specific evidence for which weight to dose on was found: the 0.4 factor "
            "and the BMI 30 switch are clinic settings, unverified for ketamine."
        ),
    ),
    Source(
        key="dose.kads-2023",
        citation=(
            "Loo C, Glozier N, Barton D, et al. Efficacy and safety of a 4-week course of "
            "repeated subcutaneous ketamine injections for treatment-resistant depression (KADS "
            "study): randomised double-blind active-controlled trial. Br J Psychiatry. "
            "2023;223(6):533-541. doi:10.1192/bjp.2023.79"
        ),
        url="https://pmc.ncbi.nlm.nih.gov/articles/PMC10727911/",
        note=(
            "Twice-weekly subcutaneous ketamine; cohort 2 flexible 0.5-0.9 mg/kg with "
            "response-guided escalation to 0.6, 0.75 and 0.9 mg/kg when not improved by 50% "
            "(steps read from a trial summary). Route was SC, not IV: applying the steps to "
            "other routes is a clinic decision."
        ),
    ),
    Source(
        key="dose.fava-2018",
        citation=(
            "Fava M, Freeman MP, Flynn M, et al. Double-blind, placebo-controlled, dose-ranging "
            "trial of intravenous ketamine as adjunctive therapy in treatment-resistant "
            "depression. Mol Psychiatry. 2020;25:1592-1603 (online 2018). "
            "doi:10.1038/s41380-018-0256-5"
        ),
        url="https://pmc.ncbi.nlm.nih.gov/articles/PMC6447473",
        note=(
            "Single 40-min infusions of 0.1, 0.2, 0.5 and 1.0 mg/kg vs midazolam (n=99); 0.5 and "
            "1.0 mg/kg superior. 1.0 mg/kg is the highest dose tested for depression there."
        ),
    ),
    Source(
        key="dose.askp3-route-equivalence",
        citation=(
            "ASKP3. Routes of Administration (ROA), Table 1: Estimated ketamine formulation dose "
            "equivalence for different routes (credit Kelan Thomas, PharmD; from Chong et al. "
            "2009, Glue et al. 2020, Peltoniemi et al. 2016)."
        ),
        url="https://www.askp.org/patients/routes-of-administration-roa/",
        note=(
            "Estimates with considerable variability, even across sessions. Rows for IV, IM, "
            "intranasal and the first oral-mucosal row read on askp.org; the later rows (rapid "
            "dissolve tablet, rectal, oral liquid) read from the same table reproduced in a "
            "Numinus training module, which prints 33 mg where askp.org prints 38 mg for IM at "
            "0.5 mg/kg (35 mg / 0.93 = 37.6 supports 38)."
        ),
    ),
    Source(
        key="dose.andrade-2019-oral",
        citation=(
            "Andrade C. Oral ketamine for depression, 2: practical considerations. "
            "J Clin Psychiatry. 2019;80(2)."
        ),
        url="https://www.psychiatrist.com/jcp/depression/oral-ketamine-for-depression-practical-considerations/",
        note=(
            "Oral bioavailability 20-25%; doses reported 0.25-7.0 mg/kg weight-based or "
            "25-300 mg fixed; the evidence is thin and oral use experimental."
        ),
    ),
    Source(
        key="dose.wolfson-lozenge",
        citation="Wolfson P. CTP KAP at-home lozenge method. The Ketamine Training Center, 2020.",
        url="https://theketaminetrainingcenter.com/ctp-kap-at-home-lozenge-method/",
        note=(
            "50 and 100 mg rapid-dissolve lozenges; 'the general dosage range is 100-400mg' "
            "(read on two copies of the page). A practice letter, not a trial."
        ),
    ),
    Source(
        key="safety.ismp-high-alert-2024",
        citation=(
            "Institute for Safe Medication Practices. ISMP List of High-Alert Medications in "
            "Acute Care Settings. ISMP Medication Safety Alert! Acute Care. 2024;29(1), "
            "January 11, 2024."
        ),
        url="https://www.ismp.org/recommendations/high-alert-medications-acute-list",
        note=(
            "Lists 'anesthetic agents, general, inhaled and IV (e.g., propofol, ketamine)' as "
            "high-alert: an error is more likely to harm. Recommends standardising preparation "
            "and administration, clinical decision support and automated alerts, and "
            "redundancies such as independent double checks. We take from it that the "
            "strength, amount and rate of a ketamine dose are checked at the point of care and "
            "that a deviation needs a second, accountable person (the prescriber). The "
            "tolerances themselves are Ketaclinic's (dose.ketaclinic-convention)."
        ),
    ),
    Source(
        key="dose.ketaclinic-convention",
        citation="Ketaclinic safety convention (no published source).",
        note=(
            "Defaults chosen by this project for safety, not taken from a paper: rounding down "
            "to 0.5 mg, 0.1 mL and 0.1 mL/h, the 5% rounding-loss warning, the spacing limits "
            "of schedules. Unverified by design: each clinic should review them."
        ),
    ),
    Source(
        key="screen.spravato-label",
        citation=(
            "SPRAVATO (esketamine) nasal spray, US prescribing information. Janssen "
            "Pharmaceuticals; initial approval 2019, later revisions. Sections 2.1, 4, 5.1-5.9, "
            "7, 8.1, 8.2, 8.6, 17."
        ),
        url="https://www.janssenlabels.com/package-insert/product-monograph/prescribing-information/SPRAVATO-pi.pdf",
        note=(
            "Contraindications (section 4): aneurysmal vascular disease, arteriovenous "
            "malformation, history of intracerebral hemorrhage, hypersensitivity to esketamine "
            "or ketamine. Section 2.1: assess BP before dosing, baseline >140/>90 mmHg means "
            "weigh the risk; avoid food 2 h and liquids 30 min before dosing; BP again at about "
            "40 min. Sections 5.1/5.2: observe at least 2 hours, then assess readiness to leave. "
            "5.6: do not give where a rise in BP or intracranial pressure is a serious risk. "
            "5.8: no driving until the next day after a restful sleep. 5.9: interstitial or "
            "ulcerative cystitis. 7: CNS depressants add sedation; psychostimulants and MAOIs "
            "raise BP. 8.1/8.2: not recommended in pregnancy or breastfeeding. 8.6: no "
            "experience in Child-Pugh C. Not approved under 18. 5.2 also asks to assess "
            "patients with psychosis carefully and treat only if benefit outweighs risk. "
            "Checked against stored copies of the label and the REMS page (REMS update "
            "12/2024: at least 2 hours of monitoring); a 2026 label revision exists and was "
            "not re-read in full."
        ),
    ),
    Source(
        key="screen.sanacora-2017",
        citation=(
            "Sanacora G, Frye MA, McDonald W, et al. A Consensus Statement on the Use of "
            "Ketamine in the Treatment of Mood Disorders. JAMA Psychiatry. 2017;74(4):399-405. "
            "doi:10.1001/jamapsychiatry.2017.0080"
        ),
        url="https://jamanetwork.com/journals/jamapsychiatry/fullarticle/2605202",
        note=(
            "APA Council of Research task force. Pre-treatment evaluation: psychotic illness, "
            "substance misuse history, cardiovascular risk and BP. Treats a history of psychosis "
            "and of substance misuse as reasons for careful assessment rather than absolute "
            "exclusions. Exact numeric BP/HR cut-offs not re-checked against the primary text."
        ),
    ),
    Source(
        key="screen.askp3-2020",
        citation=(
            "American Society of Ketamine Physicians, Psychotherapists & Practitioners (ASKP3). "
            "Standards of Practice in the Therapeutic Use of Subanesthetic Ketamine. "
            "Revised 30 July 2020."
        ),
        url="https://www.askp.org/",
        note=(
            "Screening must document psychiatric and substance use history, medications and "
            "allergies; vital signs monitored during and after dosing; opposes unsupervised IV "
            "administration at home."
        ),
    ),
    Source(
        key="screen.swiss-ketamine-label",
        citation=(
            "Ketamin Sintetica, Fachinformation (Swissmedic registration 67199), chapters "
            "Kontraindikationen and Warnhinweise."
        ),
        url="https://ch.oddb.org/en/gcc/fachinfo/reg/67199/chapter/contra_indications",
        note=(
            "Contraindicated: hypersensitivity; poorly controlled or untreated hypertension "
            "(resting BP above 180/100 mmHg); patients for whom a BP rise is a serious danger; "
            "untreated or insufficiently treated hyperthyroidism. Special caution: unstable "
            "angina or myocardial infarction in the last six months, raised intracranial "
            "pressure, glaucoma."
        ),
    ),
    Source(
        key="screen.fda-2023-compounded-ketamine",
        citation=(
            "US FDA. FDA warns patients and health care providers about potential risks "
            "associated with compounded ketamine products, including oral formulations, for "
            "the treatment of psychiatric disorders. 10 October 2023."
        ),
        url="https://www.fda.gov/drugs/human-drug-compounding/fda-warns-patients-and-health-care-providers-about-potential-risks-associated-compounded-ketamine",
        note=(
            "Home use adds risk because onsite monitoring is not available; known risks include "
            "abuse and misuse, psychiatric events, BP increases, respiratory depression and "
            "lower urinary tract symptoms."
        ),
    ),
    Source(
        key="screen.ketaclinic-convention",
        citation="Ketaclinic screening convention (no published source).",
        note=(
            "Defaults this project chose without a published number: the resting heart rate "
            "line of 100/min (the conventional adult tachycardia line) and the rule that an "
            "unrecognised medication is always shown for a person to check. Unverified by "
            "design: each clinic should review them."
        ),
    ),
    Source(
        key="screen.medication-brand-names",
        citation=(
            "US brand names and their active ingredients as listed in the FDA Orange Book "
            "(Approved Drug Products with Therapeutic Equivalence Evaluations) and NLM DailyMed."
        ),
        url="https://dailymed.nlm.nih.gov/dailymed/",
        note=(
            "Curated for this project: the brands of the drugs the interaction rules act on and "
            "of common co-medications, each with its label's active ingredients. Not a complete "
            "vocabulary: unknown names stay an 'unrecognised medication' caution."
        ),
    ),
    Source(
        key="screen.ukcpa-theophylline",
        citation=(
            "UK Clinical Pharmacy Association. Perioperative Medicines Handbook: theophylline "
            "(interactions with common anaesthetic agents: ketamine/esketamine)."
        ),
        url="https://periop-handbook.ukclinicalpharmacy.org/drug/theophylline/",
        note=(
            "Case reports of seizures with ketamine and theophylline; the UK manufacturer of "
            "esketamine states the combination may lower the seizure threshold and advises "
            "avoiding it. Applied to aminophylline (a theophylline salt) too."
        ),
    ),
    Source(
        key="screen.who-bmi",
        citation=(
            "World Health Organization. Obesity: preventing and managing the global epidemic. "
            "WHO Technical Report Series 894, 2000 (BMI classification)."
        ),
        url="https://iris.who.int/handle/10665/42330",
        note="Obesity is BMI >= 30 kg/m2. Used as the caution line for dosing weight and airway.",
    ),
    Source(
        key="screen.andrade-2017-interactions",
        citation=(
            "Andrade C. Ketamine for Depression, 5: Potential Pharmacokinetic and "
            "Pharmacodynamic Drug Interactions. J Clin Psychiatry. 2017;78(7):e858-e861."
        ),
        url="https://www.psychiatrist.com/jcp/depression/ketamine-for-depression-pharmacokinetic-and-pharmacodynamic-drug-interactions",
        note=(
            "Concurrent benzodiazepines may diminish the antidepressant action; lamotrigine may "
            "reduce ketamine's adverse effects, with unknown effect on the antidepressant action."
        ),
    ),
    Source(
        key="screen.andrashko-2020-benzodiazepines",
        citation=(
            "Andrashko V, Novak T, Brunovsky M, et al. The Antidepressant Effect of Ketamine Is "
            "Dampened by Concomitant Benzodiazepine Medication. Front Psychiatry. 2020;11:844. "
            "doi:10.3389/fpsyt.2020.00844"
        ),
        url="https://www.frontiersin.org/articles/10.3389/fpsyt.2020.00844/full",
        note="Non-response associated with more than 8 mg diazepam-equivalent daily (n=47).",
    ),
    Source(
        key="monitor.yip-2022-hypertension",
        citation=(
            "Yip R, Swainson J, Khullar A, McIntyre RS, Skoblenick K. Intravenous ketamine for "
            "depression: A clinical discussion reconsidering best practices in acute "
            "hypertension management. Front Psychiatry. 2022;13:1017504. "
            "doi:10.3389/fpsyt.2022.1017504"
        ),
        url="https://pmc.ncbi.nlm.nih.gov/articles/PMC9556663",
        note=(
            "Frames ketamine-induced BP rises against hypertension guidelines (severe or "
            "urgent hypertension around 180/110 mmHg; emergency means organ damage). The "
            "pairing used here (180/110 confirmed on a repeat 5 min later; 200/120 once) is "
            "this project's default, not a number quoted from the paper: unverified."
        ),
    ),
    Source(
        key="monitor.aldrete-1995",
        citation=(
            "Aldrete JA. The post-anesthesia recovery score revisited. J Clin Anesth. "
            "1995;7(1):89-91."
        ),
        url="https://www.statpearls.com/point-of-care/155763",
        note=(
            "Modified Aldrete score: circulation scores full marks with BP within 20% of the "
            "pre-anaesthetic level; oxygenation with SpO2 above 92% on room air."
        ),
    ),
    Source(
        key="monitor.chernik-1990-moaas",
        citation=(
            "Chernik DA, Gillings D, Laine H, et al. Validity and reliability of the Observer's "
            "Assessment of Alertness/Sedation Scale: study with intravenous midazolam. J Clin "
            "Psychopharmacol. 1990;10(4):244-251."
        ),
        note=(
            "MOAA/S: 5 responds readily to name in normal tone ... 0 does not respond to a "
            "painful trapezius squeeze (general anaesthesia depth)."
        ),
    ),
    Source(
        key="monitor.bremner-1998-cadss",
        citation=(
            "Bremner JD, Krystal JH, Putnam FW, et al. Measurement of dissociative states with "
            "the Clinician-Administered Dissociative States Scale (CADSS). J Trauma Stress. "
            "1998;11(1):125-136."
        ),
        note=(
            "23 items scored 0-4 (total 0-92 for the subject items). The paper gives no "
            "'resolved' cut-off: the default used here is unverified."
        ),
    ),
)

# --- pharmacokinetics ------------------------------------------------------------------
_PHARMACOKINETICS: tuple[Source, ...] = (
    Source(
        key="pk-domino-1984",
        citation=(
            "Domino EF, Domino SE, Smith RE, et al. Ketamine kinetics in unmedicated and "
            "diazepam-premedicated subjects. Clin Pharmacol Ther. 1984;36(5):645-653."
        ),
        note=(
            "Three-compartment racemic ketamine set as used by STANPUMP/TCI software: V1 0.063 "
            "L/kg; k10 0.438, k12 0.592, k21 0.247, k13 0.590, k31 0.0146 per min (we use the "
            "opentiva transcription, which cites PMID 7198883: 0.4381, 0.5921, 0.2470, 0.5900, "
            "0.0146). Sampling site not stated in that transcription."
        ),
    ),
    Source(
        key="pk-clements-nimmo-1981",
        citation=(
            "Clements JA, Nimmo WS. Pharmacokinetics and analgesic effect of ketamine in man. "
            "Br J Anaesth. 1981;53(1):27-30. doi:10.1093/bja/53.1.27"
        ),
        url="https://doi.org/10.1093/bja/53.1.27",
        note=(
            "Two-compartment racemic ketamine after 250 ug/kg IV in volunteers; "
            "V1 1.7522 L/kg, k10 0.0109, k12 0.0186, k21 0.0137 per min as transcribed by "
            "opentiva (Clements250): CL 19.1 mL/kg/min, terminal half-life about 3 h."
        ),
    ),
    Source(
        key="pk-clements-1982",
        citation=(
            "Clements JA, Nimmo WS, Grant IS. Bioavailability, pharmacokinetics, and analgesic "
            "activity of ketamine in humans. J Pharm Sci. 1982;71(5):539-542."
        ),
        note="Intramuscular bioavailability 93%; oral 17%, with high first-pass norketamine.",
    ),
    Source(
        key="pk-herd-2007",
        citation=(
            "Herd DW, Anderson BJ, Holford NHG. Modeling the norketamine metabolite in "
            "children and the implications for analgesia. Paediatr Anaesth. "
            "2007;17(9):831-840. doi:10.1111/j.1460-9592.2006.02145.x"
        ),
        url="https://doi.org/10.1111/j.1460-9592.2006.02145.x",
        note=(
            "Allometric two-compartment ketamine (children 1-14 y): V1 38.7 L, V2 102 L, CL 90 "
            "L/h, Q 215 L/h per 70 kg (volumes x W/70, clearances x (W/70)^0.75); between-"
            "subject variability 64%, 52%, 38%, 19%. Adults are an extrapolation."
        ),
    ),
    Source(
        key="pk-perez-ruixo-2021",
        citation=(
            "Perez-Ruixo C, Rossenu S, Zannikos P, et al. Population pharmacokinetics of "
            "esketamine nasal spray and its metabolite noresketamine in healthy subjects and "
            "patients with treatment-resistant depression. Clin Pharmacokinet. "
            "2021;60(4):501-516. doi:10.1007/s40262-020-00953-4"
        ),
        url="https://doi.org/10.1007/s40262-020-00953-4",
        note=(
            "Table 3 parameters; Table 4 typical exposures (Caucasian 18-60 y, 28/56/84 mg "
            "nasal: Cmax 43.8/72.5/101.0 ng/mL, AUC0-24 147.3/254.7/362.2 ng.h/mL; "
            "noresketamine Cmax 59.1/119.7/180.0, AUC0-24 274.4/516.3/758.0)."
        ),
    ),
    Source(
        key="pk-nlmixr2lib-perez-ruixo",
        citation=(
            "nlmixr2lib model library: PerezRuixo_2020_esketamine (model file and vignette), "
            "github.com/nlmixr2/nlmixr2lib, inst/modeldb/specificDrugs/"
            "PerezRuixo_2020_esketamine.R."
        ),
        url="https://github.com/nlmixr2/nlmixr2lib",
        note=(
            "Public transcription of every Table 3 parameter with units; documents the "
            "printed-ODE typos, the blank omega(kmet) (placeholder CV 30%) and that Table 3 "
            "read literally over-predicts noresketamine AUC0-24 by about 1.4x while matching "
            "its Cmax."
        ),
    ),
    Source(
        key="pk-spravato-label",
        citation=(
            "SPRAVATO (esketamine) nasal spray, US prescribing information. Janssen "
            "Pharmaceuticals; 2019 (revised 2020)."
        ),
        note="Each device delivers 28 mg; 56 mg = 2 devices, 84 mg = 3, 5 minutes apart.",
    ),
    Source(
        key="pk-zarate-2006",
        citation=(
            "Zarate CA Jr, Singh JB, Carlson PJ, et al. A randomized trial of an N-methyl-D-"
            "aspartate antagonist in treatment-resistant major depression. Arch Gen "
            "Psychiatry. 2006;63(8):856-864."
        ),
        url="https://doi.org/10.1001/archpsyc.63.8.856",
        note="Racemic ketamine 0.5 mg/kg IV over 40 min: plasma about 185 ng/mL at its end.",
    ),
    Source(
        key="pk-yanagihara-2003",
        citation=(
            "Yanagihara Y, Ohtani M, Kariya S, et al. Plasma concentration profiles of "
            "ketamine and norketamine after administration of various ketamine preparations "
            "to healthy Japanese volunteers. Biopharm Drug Dispos. 2003;24(1):37-43. "
            "doi:10.1002/bdd.336"
        ),
        url="https://doi.org/10.1002/bdd.336",
        note="Bioavailability: nasal spray about 45%, sublingual about 30%, oral tablet about 20%.",
    ),
    Source(
        key="pk-rolan-2014",
        citation=(
            "Rolan P, Lim S, Sunderland V, Liu Y, Molnar V. The absolute bioavailability of "
            "racemic ketamine from a novel sublingual formulation. Br J Clin Pharmacol. "
            "2014;77(6):1011-1016. doi:10.1111/bcp.12264"
        ),
        url="https://pmc.ncbi.nlm.nih.gov/articles/PMC4093926",
        note="Sublingual bioavailability 29% (90% CI 27-31%); median Tmax 0.75 h.",
    ),
    Source(
        key="pk-chong-2006",
        citation=(
            "Chong C, Schug S, Page-Sharp M, Ilett K. Bioavailability of ketamine after oral or "
            "sublingual administration. Pain Med. 2006;7(5):469 (abstract)."
        ),
        note=(
            "Bioavailability (mean +/- SD) sublingual 32 +/- 17%, oral 23 +/- 9%; Tmax 0.76 h "
            "sublingual, 0.96 h oral; norketamine dominates after both."
        ),
    ),
    Source(
        key="pk-intranasal-devices-2022",
        citation=(
            "Intranasal racemic ketamine device study. Pharmacotherapy. 2022;42(4):298-310, "
            "Table 6. doi:10.1002/phar.2669"
        ),
        url="https://pmc.ncbi.nlm.nih.gov/articles/PMC9118341/",
        note=(
            "Lower intranasal bioavailability with atomiser devices (11-17% at 10-50 mg) and "
            "Tmax 14-23 min: the reason our 45% intranasal value is flagged as an upper figure."
        ),
    ),
    Source(
        key="pk-opentiva",
        citation="opentiva 1.1.2 (PyPI), ketamine models Domino, Clements250, Herd.",
        url="https://github.com/opentiva/opentiva",
        note="The transcription of the Domino and Clements micro-constants that we reuse.",
    ),
)

# --- outcomes and published benchmarks ------------------------------------------------
_OUTCOMES: tuple[Source, ...] = (
    Source(
        key="outcomes_elekt_d_anand2023",
        citation=(
            "Anand A, Mathew SJ, Sanacora G, et al. Ketamine versus ECT for nonpsychotic "
            "treatment-resistant major depression (ELEKT-D). N Engl J Med. "
            "2023;388(25):2315-2325. doi:10.1056/NEJMoa2302399"
        ),
        url="https://pubmed.ncbi.nlm.nih.gov/37224232/",
        note=(
            "Open-label randomised noninferiority trial, 5 US sites. Ketamine 0.5 mg/kg over "
            "40 min twice weekly for 3 weeks (6 infusions). Response = >=50% fall in QIDS-SR16 "
            "at end of the 3-week phase: 55.4% of the 195 who started ketamine (41.2% ECT). "
            "Responders were followed for 6 months. We take: the 50% response fraction, the "
            "6-session induction as the default completion count, and 55.4% as a benchmark."
        ),
    ),
    Source(
        key="outcomes_community_mcinnes2022",
        citation=(
            "McInnes LA, Qian JJ, Gargeya RS, DeBattista C, Heifets BD. A retrospective "
            "analysis of ketamine intravenous therapy for depression in real-world care "
            "settings. J Affect Disord. 2022;301:486-495. doi:10.1016/j.jad.2021.12.097"
        ),
        url="https://stanfordhealthcare.org/publications/837/837264.html",
        note=(
            "178 US community practices (9016 patients; 537 with induction and sufficient "
            "data). PHQ-9 within 1 month before induction as baseline; response >=50% fall, "
            "remission PHQ-9 < 5, at 14-31 days after induction: 53.6% response, 28.9% "
            "remission (observed cases, not intent to treat). 8.4% worsened after induction; "
            "73.0% with baseline item-9 ideation had less. Kaplan-Meier: responders ~80% "
            "still responding at 4 weeks, ~60% at 8 weeks. We take: the 30-day baseline "
            "window, loss of response as the relapse rule, any rise above baseline as "
            "worsening, 4 weeks as the sustained-response follow-up, and the benchmarks. "
            "Often misattributed to Oliver et al. 2022 (a different cohort)."
        ),
    ),
    Source(
        key="outcomes_community_oliver2022",
        citation=(
            "Oliver PA, Snyder AD, Feinn R, Malov S, McDiarmid G, Arias AJ. Clinical "
            "effectiveness of intravenous racemic ketamine infusions in a large community "
            "sample of patients with treatment-resistant depression, suicidal ideation, and "
            "generalized anxiety symptoms: a retrospective chart review. J Clin Psychiatry. "
            "2022;83(6):21m14336"
        ),
        url=(
            "https://www.psychiatrist.com/jcp/clinical-effectiveness-intravenous-racemic-"
            "ketamine-treatment-resistant-depression-suicidal-ideation-generalized-anxiety-"
            "symptoms/"
        ),
        note=(
            "One multisite private infusion clinic, 424 patients with TRD, 6 infusions in "
            "21 days then maintenance. PHQ-9: 50% response and 20% remission within 6 weeks "
            "of the first infusion; 72% and 38% after 10 infusions (those who received 10)."
        ),
    ),
    Source(
        key="outcomes_toronto_mcintyre2020",
        citation=(
            "McIntyre RS, Rodrigues NB, Lee Y, et al. The effectiveness of repeated "
            "intravenous ketamine on depressive symptoms, suicidal ideation and functional "
            "disability in adults with major depressive disorder and bipolar disorder: "
            "results from the Canadian Rapid Treatment Center of Excellence. J Affect Disord. "
            "2020;274:903-910"
        ),
        url="https://experts.mcmaster.ca/display/publication1914851",
        note=(
            "Naturalistic retrospective cohort, community clinic near Toronto (N=213; 190 "
            "with QIDS-SR16 after infusion 4). After four infusions of 0.5-0.75 mg/kg: "
            "response (>=50% fall in QIDS-SR16) 27%, remission (QIDS-SR16 <= 5) 13%. Title, "
            "setting and figures checked against the abstract at the URL; the author list and "
            "volume/pages are as commonly cited, not seen there."
        ),
    ),
    Source(
        key="outcomes_ketect_ekstrand2022",
        citation=(
            "Ekstrand J, Fattah C, Persson M, et al. Racemic ketamine as an alternative to "
            "electroconvulsive therapy for unipolar depression: a randomized, open-label, "
            "non-inferiority trial (KetECT). Int J Neuropsychopharmacol. 2022;25(5):339-349. "
            "doi:10.1093/ijnp/pyab088"
        ),
        url="https://pmc.ncbi.nlm.nih.gov/articles/PMC9154276",
        note=(
            "186 Swedish inpatients, thrice-weekly ketamine 0.5 mg/kg or ECT, up to 12 "
            "sessions. Remission (MADRS <= 10): 46% ketamine vs 63% ECT. Remitters followed "
            "12 months: 70% (ketamine) and 63% (ECT) relapsed, median 57 and 61 days in "
            "remission."
        ),
    ),
    Source(
        key="outcomes_at_home_hull2022",
        citation=(
            "Hull TD, Malgaroli M, Gazzaley A, et al. At-home, sublingual ketamine telehealth "
            "is a safe and effective treatment for moderate to severe anxiety and depression: "
            "findings from a large, prospective, open-label effectiveness trial. J Affect "
            "Disord. 2022;314:59-67. doi:10.1016/j.jad.2022.07.004"
        ),
        url="https://peeref.com/works/25924086",
        note=(
            "Telehealth provider (Mindbloom), 4 weeks of sublingual ketamine. Of 1247 who "
            "completed treatment with sufficient data (completers only): 62.8% >=50% PHQ-9 "
            "improvement, 32.6% remission; 0.9% deteriorated. Sponsor-run; no ITT figure."
        ),
    ),
    Source(
        key="outcomes_rapid_newport2015",
        citation=(
            "Newport DJ, Carpenter LL, McDonald WM, et al. Ketamine and other NMDA "
            "antagonists: early clinical trials and possible mechanisms in depression. "
            "Am J Psychiatry. 2015;172(10):950-966. doi:10.1176/appi.ajp.2015.15040465"
        ),
        url="https://www.doi.org/10.1176/APPI.AJP.2015.15040465",
        note=(
            "Meta-analysis of placebo-controlled trials: the rapid effect of a single "
            "ketamine infusion is reported as response at 24 hours (OR 9.87). We take 24 h "
            "after the first dose as the window for 'rapid response'. Abstract and DOI checked "
            "at the URL; the author list is as commonly cited, not seen there."
        ),
    ),
    Source(
        key="outcomes_definitions_frank1991",
        citation=(
            "Frank E, Prien RF, Jarrett RB, et al. Conceptualization and rationale for "
            "consensus definitions of terms in major depressive disorder: remission, "
            "recovery, relapse, and recurrence. Arch Gen Psychiatry. 1991;48(9):851-855. "
            "doi:10.1001/archpsyc.1991.01810330075011"
        ),
        url="https://jamanetwork.com/journals/jamapsychiatry/article-abstract/495503",
        note=(
            "Response, remission and relapse as change points defined by a severity "
            "threshold on a rating scale; relapse is a return of symptoms after response or "
            "remission. We take the vocabulary; the thresholds are per instrument."
        ),
    ),
    Source(
        key="outcomes_wilson1927",
        citation=(
            "Wilson EB. Probable inference, the law of succession, and statistical "
            "inference. J Am Stat Assoc. 1927;22(158):209-212"
        ),
        note="The score interval for a binomial proportion, used for every rate here.",
    ),
    Source(
        key="outcomes_newcombe1998",
        citation=(
            "Newcombe RG. Two-sided confidence intervals for the single proportion: "
            "comparison of seven methods. Stat Med. 1998;17(8):857-872"
        ),
        url=(
            "https://studylib.net/doc/7960426/"
            "two-sided-confidence-intervals-for-the-single-proportion"
        ),
        note=(
            "Recommends the Wilson score interval over the Wald interval: it stays inside "
            "[0, 1] and keeps near-nominal coverage for small n and rates near 0 or 1."
        ),
    ),
    Source(
        key="outcomes_kaplan_meier1958",
        citation=(
            "Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. "
            "J Am Stat Assoc. 1958;53(282):457-481"
        ),
        note="The product-limit estimate of the probability of staying relapse-free.",
    ),
    Source(
        key="outcomes_pocock2002",
        citation=(
            "Pocock SJ, Clayton TC, Altman DG. Survival plots of time-to-event outcomes in "
            "clinical trials: good practice and pitfalls. Lancet. 2002;359(9318):1686-1689"
        ),
        note=(
            "Curtail a Kaplan–Meier curve where few patients remain at risk: its tail is "
            "imprecise and misleading. The cut-off of 10 still followed is our convention, "
            "not the paper's number."
        ),
    ),
    Source(
        key="outcomes_misuse_signals_chou2009",
        citation=(
            "Chou R, Fanciullo GJ, Fine PG, et al. Clinical guidelines for the use of chronic "
            "opioid therapy in chronic noncancer pain. J Pain. 2009;10(2):113-130"
        ),
        url="https://doi.org/10.1016/j.jpain.2008.10.008",
        note=(
            "Asks prescribers of a controlled drug taken at home to monitor for aberrant "
            "drug-related behaviours, with pill counts among the tools; the supply-related "
            "behaviours counted here (early-refill requests, pill-count shortfalls, requests "
            "to escalate the dose, unreturned medication) are the commonly cited examples. "
            "The guideline gives no rate of such behaviours that marks a drug as addictive, "
            "so the outcomes page shows the rates without a verdict. Not re-read against the "
            "full text in this project: the list follows the abstract and secondary summaries."
        ),
    ),
    Source(
        key="outcomes_loss_to_follow_up_schulz2002",
        citation=(
            "Schulz KF, Grimes DA. Sample size slippages in randomised trials: exclusions and "
            "the lost and wayward. Lancet. 2002;359(9308):781-785"
        ),
        url="https://doi.org/10.1016/S0140-6736(02)07882-0",
        note=(
            "The '5-and-20' rule of thumb: less than 5% loss to follow-up probably leads to "
            "little bias, more than 20% poses serious threats to validity. A claim is judged "
            "only when at least 80% of the courses it concerns have the measurement it needs."
        ),
    ),
    Source(
        key="outcomes_greenwood1926",
        citation=(
            "Greenwood M. The natural duration of cancer. Reports on Public Health and "
            "Medical Subjects 33. London: HMSO; 1926. With the log(-log) transform of "
            "Kalbfleisch JD, Prentice RL. The Statistical Analysis of Failure Time Data. "
            "Wiley; 1980"
        ),
        url="https://www.math.wustl.edu/~sawyer/handouts/greenwood.pdf",
        note=(
            "Greenwood's variance of log S(t) and the 'exponential Greenwood' log(-log) "
            "band, which stays in [0, 1]; the band lifelines' KaplanMeierFitter draws."
        ),
    ),
)

# --- regulation (controlled substances, records) ----------------------------------------
_REGULATION: tuple[Source, ...] = (
    Source(
        key="cfr_1304_04",
        citation="21 CFR 1304.04 Maintenance of records and inventories.",
        url="https://www.ecfr.gov/current/title-21/chapter-II/part-1304/subpart-A/section-1304.04",
        note=(
            "(a) every inventory and record kept for at least two years from its date and "
            "available for inspection; (f)/(g) Schedule III-V records readily retrievable. "
            "Used for the retention date and the one-click inspector export."
        ),
    ),
    Source(
        key="cfr_1304_11",
        citation="21 CFR 1304.11 Inventory requirements.",
        url="https://www.ecfr.gov/current/title-21/chapter-II/part-1304/subpart-C/section-1304.11",
        note=(
            "(a) inventory states whether taken at the opening or close of business; (b) "
            "initial inventory on first engaging; (c) biennial inventory at least every two "
            "years, within two years of the previous; (e)(3) opened containers: exact count "
            "for Schedules I-II, estimate allowed for III-V unless more than 1,000 tablets or "
            "capsules. States may require an annual inventory (configurable)."
        ),
    ),
    Source(
        key="cfr_1304_21",
        citation="21 CFR 1304.21 General requirements for continuing records.",
        url="https://www.ecfr.gov/current/title-21/chapter-II/part-1304/subpart-D/section-1304.21",
        note=(
            "(a) a complete and accurate record of each substance received, sold, delivered, "
            "or otherwise disposed of; (d) records show the date of the actual receipt or "
            "disposal; (e) destruction recorded on DEA Form 41."
        ),
    ),
    Source(
        key="cfr_1304_22",
        citation="21 CFR 1304.22 Records for manufacturers, distributors, dispensers ...",
        url="https://www.ecfr.gov/current/title-21/chapter-II/part-1304/subpart-D/section-1304.22",
        note=(
            "(c) dispensers record the number of units or volume received (with supplier "
            "name, address and registration number), dispensed (with the patient and the "
            "dispensing person), and otherwise disposed of; the ledger equation and the "
            "per-entry fields come from here."
        ),
    ),
    Source(
        key="cfr_1301_76b",
        citation=(
            "21 CFR 1301.76(b) Other security controls for practitioners; as amended by "
            "DEA final rule 'Reporting Theft or Significant Loss of Controlled Substances', "
            "88 FR 40707 (22 June 2023; effective 24 July 2023)."
        ),
        url="https://www.federalregister.gov/documents/2023/06/22/2023-13085",
        note=(
            "Written notice to the DEA Field Division Office within one business day of "
            "discovering a theft or significant loss; DEA Form 106 submitted electronically "
            "within 45 days after discovery. Business days are taken as the clinic's open "
            "weekdays less the holidays it lists (the rule does not define them)."
        ),
    ),
    Source(
        key="dea_form_106",
        citation="DEA Form 106, Report of Theft or Loss of Controlled Substances (21 CFR 1301.76).",
        url="https://www.deadiversion.usdoj.gov/21cfr_reports/theft/index.html",
        note=(
            "Data captured with a loss_or_theft entry: date of discovery, type of theft or "
            "loss, whether police were notified, drug, NDC, strength, quantity lost; 45 days "
            "to complete (88 FR 40707)."
        ),
    ),
    Source(
        key="dea_form_41",
        citation=(
            "DEA Form 41, Registrant Record of Controlled Substances Destroyed; "
            "21 CFR 1304.21(e) and 1317.95(d)."
        ),
        url="https://www.deadiversion.usdoj.gov/21cfr_reports/surrend/index.html",
        note=(
            "Data captured with a destruction entry: drug name, NDC, strength, form, "
            "quantity, method of destruction, date, and two employees who witnessed the "
            "destruction (1317.95(d)). The witnesses re-authenticate in the ledger."
        ),
    ),
    Source(
        key="cfr_1306_22",
        citation="21 CFR 1306.22 Refilling of prescriptions (Schedules III and IV).",
        url="https://www.ecfr.gov/current/title-21/chapter-II/part-1306/section-1306.22",
        note=(
            "(a) no refill more than six months after the date of issue, nor more than five "
            "times, unless renewed by the practitioner."
        ),
    ),
    Source(
        key="kern_2020_early_refills",
        citation=(
            "Kern DM, et al. Frequency of early refills for opioids in the United States. "
            "Pain Med. 2020;21(9):1818-1824. doi:10.1093/pm/pnaa161."
        ),
        url="https://doi.org/10.1093/pm/pnaa161",
        note=(
            "Defines an early refill as a second fill 15% or more early relative to the days' "
            "supply of the previous one; the home program's default early-refill line (85% of "
            "the supply used at the prescribed rate) follows it."
        ),
    ),
)


# Intensive outpatient programs (issue 8): what makes a week "intensive".
_PROGRAMS: tuple[Source, ...] = (
    Source(
        key="rems.spravato-monitoring-form-2021",
        citation=(
            "SPRAVATO REMS Patient Monitoring Form - Outpatient Use Only. Janssen "
            "Pharmaceuticals, Inc., 11/2021 (current on the SPRAVATO REMS site; FDA REMS page "
            "last updated 12/31/2024)."
        ),
        url="https://www.spravatorems.com/",
        note=(
            "The form's sections and required (*) fields: patient, concomitant medication, "
            "monitoring provider, healthcare setting, treatment session (date, 56/84/other mg, "
            "lot, total minutes, the REMS evaluation question, vitals acceptable before and at "
            "completion, BP before / 40 min / before completion, sedation, dissociation, "
            "respiratory depression, serious adverse events). Submit within 7 days of every "
            "session; fax 1-877-778-0091."
        ),
    ),
    Source(
        key="rems.spravato-form-walkthrough",
        citation=(
            "SPRAVATO REMS Patient Monitoring Form overview (video transcript), Janssen "
            "Medical Connect."
        ),
        url=(
            "https://jnjmedicalconnect.com/products/spravato/"
            "video-spravato-rems-patient-monitoring-form-overview"
        ),
        note=(
            "First treatment yes/no and, if yes, enrolled yes/no (enrol before treatment); "
            "concomitant medication includes opioids; pulse oximetry with respiratory checks."
        ),
    ),
    Source(
        key="cms_iop_2024",
        citation=(
            "Centers for Medicare & Medicaid Services. CY 2024 Hospital Outpatient "
            "Prospective Payment System and Ambulatory Surgical Center final rule with "
            "comment period (CMS-1786-FC), Federal Register 22 November 2023: payment for "
            "intensive outpatient services (Consolidated Appropriations Act 2023, section "
            "4124; Social Security Act section 1861(ff)); 42 CFR 410.44 and 424.24(d)."
        ),
        url=(
            "https://www.cms.gov/newsroom/fact-sheets/"
            "cy-2024-medicare-hospital-outpatient-prospective-payment-system-and-"
            "ambulatory-surgical-center-0"
        ),
        note=(
            "IOP is a distinct, organised ambulatory program of less than 24-hour care "
            "(group and individual therapy among the services of 410.44); a physician "
            "certifies that the patient needs a minimum of 9 hours of IOP services per "
            "week. The 9 hours were read in secondary summaries of the final rule (Krieg "
            "DeVault, 14 Nov 2023; NGS Medicare's IOP page), not in the rule text itself."
        ),
    ),
    Source(
        key="asam_level_2_1",
        citation=(
            "Mee-Lee D, Shulman GD, Fishman MJ, Gastfriend DR, Miller MM, eds. The ASAM "
            "Criteria: Treatment Criteria for Addictive, Substance-Related, and "
            "Co-Occurring Conditions. 3rd ed. American Society of Addiction Medicine; "
            "2013. Level 2.1, Intensive Outpatient Services."
        ),
        url=(
            "https://www.aetna.com/individuals-families/member-rights-resources/rights/"
            "state-specific-information/asam-criteria-searchresults.html"
        ),
        note=(
            "9-19 hours of structured programming a week for adults, 6-19 for adolescents; "
            "fewer hours for one or two weeks may continue the IOP as a step down to level "
            "1. Read as quoted on Aetna's ASAM criteria page; the book was not re-read. "
            "The 4th edition (2023) renames the levels."
        ),
    ),
)


# Billing (issue 19): the codes a session implies, diagnosis codes, provider identifiers.
# CPT descriptors are the AMA's copyright: only the code and a short paraphrase are kept here.
_BILLING: tuple[Source, ...] = (
    Source(
        key="cms_hcpcs_2026",
        citation=(
            "Centers for Medicare & Medicaid Services. Healthcare Common Procedure Coding "
            "System (HCPCS) Level II, 2026 annual update (effective 1 January 2026)."
        ),
        url=(
            "https://www.cms.gov/medicare/coding-billing/"
            "healthcare-common-procedure-system/quarterly-update"
        ),
        note=(
            "J0013 'Esketamine, nasal spray, 1 mg' added and S0013 (the same drug and unit, "
            "a commercial-only S code) discontinued from 1 January 2026. Read in payers' "
            "2026 coding updates quoting the file (UnitedHealthcare policy 2026D0069P: J0013 "
            "added, S0013 removed; Premera 5.01.609: S0013 termed 1/1/26) and Osmind's and "
            "Neolytix's 2026 summaries; the CMS file itself was not re-read in this session. "
            "J3490 'Unclassified drugs' is how racemic ketamine is billed (no specific code): "
            "1 unit with the NDC and dose in the claim's notes."
        ),
    ),
    Source(
        key="cms_pfs_2020_esketamine",
        citation=(
            "CMS. Medicare Physician Fee Schedule CY 2020 final rule (CMS-1715-F), 84 FR "
            "62568, 15 November 2019, section II.F: G2082 and G2083."
        ),
        url="https://www.federalregister.gov/documents/2019/11/15/2019-24086",
        note=(
            "G2082: office visit for an established patient needing a physician's "
            "supervision and provision of up to 56 mg esketamine nasal self-administration, "
            "includes 2 hours post-administration observation; G2083: the same for more than "
            "56 mg. One unit per session; the drug is included. Medicare only; unchanged in "
            "2026 (Osmind, February 2026)."
        ),
    ),
    Source(
        key="ama_cpt_2026_infusion",
        citation=(
            "American Medical Association. CPT 2026 Professional Edition: hydration, "
            "therapeutic, prophylactic and diagnostic injections and infusions (96360-96379) "
            "and their guidelines."
        ),
        url="https://www.ama-assn.org/practice-management/cpt",
        note=(
            "96365 IV infusion, initial, up to 1 hour; 96366 each additional hour, reported "
            "for an infusion interval more than 30 minutes beyond each hour (so 96365 alone "
            "up to 90 minutes, one 96366 for 91-150 minutes, two for 151-210); an infusion of "
            "15 minutes or less is reported as a push, 96374 (IV push, single or initial "
            "drug); 96372 therapeutic injection, subcutaneous or intramuscular. Guideline "
            "timings as quoted in CMS MLN and Medicare contractors' infusion articles; the "
            "AMA book was not re-read."
        ),
    ),
    Source(
        key="ama_cpt_2026_psychotherapy",
        citation=(
            "American Medical Association. CPT 2026: psychotherapy codes 90832, 90834, 90837 "
            "and the time rule; CMS MLN booklet 'Medicare & Mental Health Coverage' "
            "(MLN1986542)."
        ),
        url="https://www.cms.gov/files/document/mln1986542-medicare-mental-health.pdf",
        note=(
            "Psychotherapy 30 minutes (90832: 16-37 minutes face to face), 45 minutes "
            "(90834: 38-52) and 60 minutes (90837: 53 or more); less than 16 minutes is not "
            "reported."
        ),
    ),
    Source(
        key="ama_cpt_2026_em",
        citation=(
            "American Medical Association. CPT 2026 evaluation and management: office or "
            "other outpatient visit, established patient (99212-99215), 2021 guidelines."
        ),
        url="https://www.ama-assn.org/practice-management/cpt/cpt-evaluation-and-management",
        note=(
            "99213: low medical decision making, or 20 minutes or more of total time on the "
            "day. Used for a prescriber's review and for in-clinic oral or sublingual "
            "dosing (the drug is dispensed by a pharmacy, not billed by the clinic), and "
            "beside J0013 for esketamine billed to payers other than Medicare (Janssen's "
            "SPRAVATO coding pages list E/M codes for the visit)."
        ),
    ),
    Source(
        key="cms_place_of_service",
        citation="CMS. Place of Service Code Set.",
        url=("https://www.cms.gov/medicare/coding-billing/place-of-service-codes/code-sets"),
        note="11 Office; 02 and 10 telehealth. Sessions here are in the office: 11.",
    ),
    Source(
        key="icd10cm_fy2026",
        citation=(
            "CDC National Center for Health Statistics. ICD-10-CM Tabular List, FY2026 "
            "(effective 1 October 2025)."
        ),
        url="https://www.cdc.gov/nchs/icd/icd-10-cm/files.html",
        note=(
            "F33.2 recurrent major depression, severe, without psychotic features (how "
            "treatment-resistant depression is coded: it has no code of its own); F32.2 "
            "single episode, severe; R45.851 suicidal ideations; F43.12 PTSD, chronic; F41.9 "
            "anxiety disorder, unspecified; F42.2 mixed obsessional thoughts and acts; F31.4 "
            "bipolar disorder, current episode depressed, severe, without psychotic features; "
            "G89.29 other chronic pain; F19.20 other psychoactive substance dependence, "
            "uncomplicated."
        ),
    ),
    Source(
        key="cms_npi_check_digit",
        citation=(
            "CMS. Requirements for National Provider Identifier (NPI) and NPI Enumerator "
            "Check Digit (Luhn formula, ISO/IEC 7812 with the 80840 prefix)."
        ),
        url="https://www.cms.gov/Regulations-and-Guidance/Administrative-Simplification/NationalProvIdentStand/Downloads/NPIcheckdigit.pdf",
        note=(
            "10 digits, the last a Luhn check digit computed over the prefix 80840 and the "
            "first 9 digits (equivalently, the Luhn sum of the 9 digits plus 24). Worked "
            "example: 123456789 gives check digit 3 (1234567893)."
        ),
    ),
)


def _gather(*sections: tuple[Source, ...]) -> dict[str, Source]:
    gathered: dict[str, Source] = {}
    for section in sections:
        for source in section:
            if source.key in gathered:
                raise RuntimeError(f"source key {source.key!r} is defined twice")
            gathered[source.key] = source
    return gathered


SOURCES: dict[str, Source] = _gather(
    _SCALES, _TREATMENT, _PHARMACOKINETICS, _OUTCOMES, _REGULATION, _PROGRAMS, _BILLING
)


def cite(key: str) -> Source:
    """The source registered under ``key``; a missing key is a programming error."""
    return SOURCES[key]
