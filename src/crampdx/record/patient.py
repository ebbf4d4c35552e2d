"""The patient record: crampdx's public input contract.

Everything is optional. A finding that is not recorded stays ``unknown``, and
unknown never counts against a cause. Field descriptions are phrased so that
they can be shown to a clinician as the question or manoeuvre that would
record the finding (the assessment's "next findings" use them verbatim).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    ValidationInfo,
    field_validator,
)

from crampdx.record.drugs import Medication
from crampdx.record.labs import LabResult
from crampdx.record.states import Observation, ReflexGrade, Side, State

__all__ = [
    "CancerHistory",
    "ChronicKidneyDisease",
    "Course",
    "CrampPattern",
    "CrampSite",
    "CrampTiming",
    "CrampTriggers",
    "DiabetesHistory",
    "DiabetesType",
    "Exam",
    "FamilyHistory",
    "History",
    "Patient",
    "Pregnancy",
    "Reflexes",
    "Sex",
    "SpinalCordInjury",
    "SpinalLevel",
    "Symptoms",
    "TestDone",
    "TestFinding",
    "TestResult",
    "ToxinExposure",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


def _state(question: str) -> Any:
    """A tri-state field whose description is the question that records it."""
    return Field(default=State.UNKNOWN, description=question)


def _sign(question: str) -> Any:
    """A sign or symptom with optional regions and side."""
    return Field(default_factory=Observation, description=question)


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"


class Pregnancy(BaseModel):
    model_config = _FROZEN

    status: State = _state("Is the patient pregnant?")
    trimester: StrictInt | None = Field(default=None, ge=1, le=3, description="Trimester (1–3).")

    # A field validator (not a model validator) so that the error names pregnancy.trimester.
    @field_validator("trimester")
    @classmethod
    def _trimester_needs_pregnancy(cls, trimester: int | None, info: ValidationInfo) -> int | None:
        status = info.data.get("status")
        if trimester is not None and status is not None and status is not State.PRESENT:
            raise ValueError("a trimester is given but pregnancy status is not 'present'")
        return trimester


class CrampSite(StrEnum):
    CALF = "calf"
    FOOT = "foot"
    THIGH = "thigh"
    HAMSTRING = "hamstring"
    HAND = "hand"
    FOREARM = "forearm"
    UPPER_ARM = "upper_arm"
    TRUNK = "trunk"
    ABDOMEN = "abdomen"
    NECK = "neck"
    JAW = "jaw"
    GENERALISED = "generalised"


class CrampTiming(StrEnum):
    NOCTURNAL = "nocturnal"
    ON_WAKING = "on_waking"
    AT_REST = "at_rest"
    DURING_EXERCISE = "during_exercise"
    AFTER_EXERCISE = "after_exercise"
    DURING_DIALYSIS = "during_dialysis"
    CONTINUOUS = "continuous"


class Course(StrEnum):
    STABLE = "stable"
    PROGRESSIVE = "progressive"
    IMPROVING = "improving"
    RELAPSING = "relapsing"
    EPISODIC = "episodic"


class CrampTriggers(BaseModel):
    """What brings the episodes on. Unlisted triggers stay unknown."""

    model_config = _FROZEN

    exercise: State = _state("Do the episodes come on with exercise or exertion?")
    brief_intense_exercise: State = _state(
        "Do they come on within minutes of brief intense or isometric effort?"
    )
    prolonged_exercise: State = _state("Do they follow prolonged exercise (an hour or more)?")
    rest_after_exercise: State = _state("Do they come on when resting after exercise?")
    cold: State = _state("Does cold bring them on or make them worse?")
    muscle_contraction: State = _state(
        "Are they triggered by contracting a shortened muscle (e.g. pointing the toes)?"
    )
    carbohydrate_meal: State = _state("Do they follow a carbohydrate-rich meal?")
    fasting: State = _state("Do they follow fasting or missed meals?")
    fever: State = _state("Do they come with fever or intercurrent illness?")
    startle_or_noise: State = _state("Are they triggered by noise, touch, startle or emotion?")
    hyperventilation: State = _state("Are they triggered by hyperventilation or anxiety?")
    potassium_rich_food: State = _state("Do potassium-rich foods bring them on?")
    walking: State = _state("Do they come on with walking a set distance?")
    standing: State = _state("Do they come on with prolonged standing?")
    heat: State = _state("Do they come on in heat or with heavy sweating?")


class CrampPattern(BaseModel):
    """The story of the cramps (or spasms, stiffness or pain the patient calls cramps)."""

    model_config = _FROZEN

    reported: State = _state("Does the patient report muscle cramps, spasms or contractions?")
    sites: tuple[CrampSite, ...] = Field(
        default=(),
        description=(
            "Every site where the episodes occur. Once any site is listed, sites not "
            "listed are taken as not affected."
        ),
    )
    side: Side | None = Field(default=None, description="Which side the episodes affect.")
    timing: tuple[CrampTiming, ...] = Field(
        default=(),
        description=(
            "When the episodes occur. Once any timing is listed, timings not listed are "
            "taken as not occurring."
        ),
    )
    typical_duration_minutes: StrictFloat | None = Field(
        default=None, ge=0, le=10080, description="How long does a typical episode last (minutes)?"
    )
    episodes_per_week: StrictFloat | None = Field(
        default=None, ge=0, le=1000, description="How many episodes a week?"
    )
    months_since_onset: StrictFloat | None = Field(
        default=None, ge=0, le=1200, description="How many months since the episodes began?"
    )
    age_at_onset_years: StrictFloat | None = Field(
        default=None, ge=0, le=120, description="Age when the episodes began (years)."
    )
    course: Course | None = Field(default=None, description="How has it evolved since onset?")
    triggers: CrampTriggers = Field(default_factory=CrampTriggers)
    relieved_by_stretching: State = _state("Does stretching the muscle relieve the episode?")
    relieved_by_rest: State = _state("Does stopping and resting relieve it?")
    relieved_by_movement: State = _state("Does moving or walking about relieve it?")
    relieved_by_sitting_or_bending_forward: State = _state(
        "Does sitting or bending forward relieve leg pain on walking?"
    )
    painful: State = _state("Are the episodes painful?")
    visible_knot: State = _state("Is there a visible or palpable hard knot in the muscle?")
    disturbs_sleep: State = _state("Do the episodes wake the patient or disturb sleep?")
    disabling_or_refractory: State = _state(
        "Are the cramps disabling, or refractory to simple measures?"
    )


class Symptoms(BaseModel):
    """What the patient reports."""

    model_config = _FROZEN

    weakness: Observation = _sign("Does the patient report weakness? Where?")
    episodic_weakness: State = _state(
        "Are there attacks of floppy (flaccid) weakness lasting hours?"
    )
    rapidly_progressive_weakness: State = _state(
        "Has weakness progressed quickly, over days up to 4 weeks?"
    )
    sudden_limb_weakness: State = _state(
        "Did weakness of one limb or one side come on suddenly (hours)?"
    )
    stiffness: Observation = _sign("Is there muscle stiffness? Where?")
    myalgia: State = _state("Is there muscle pain or aching between the cramps?")
    twitching: State = _state("Does the patient notice muscle twitching?")
    exercise_intolerance: State = _state("Is there exercise intolerance (fatigue, pain on effort)?")
    second_wind: State = _state(
        "After 6–10 minutes of exercise, does effort become easier (a 'second wind')?"
    )
    dark_urine: State = _state("Has the urine been dark, red-brown or cola-coloured?")
    paraesthesia: Observation = _sign("Is there tingling, pins and needles or numbness? Where?")
    perioral_tingling: State = _state("Is there tingling around the mouth?")
    neuropathic_pain: State = _state("Is there burning or shooting limb pain?")
    cold_induced_dysaesthesia: State = _state(
        "Does cold bring on tingling or jaw, throat or hand spasms (e.g. after oxaliplatin)?"
    )
    dysphagia: State = _state("Is there difficulty swallowing?")
    dysarthria: State = _state("Is speech slurred or changed?")
    breathlessness: State = _state("Is the patient breathless at rest or on mild exertion?")
    orthopnoea: State = _state("Is the patient breathless lying flat?")
    bladder_or_bowel_change: State = _state("Any new bladder or bowel disturbance?")
    saddle_numbness: State = _state("Any numbness of the saddle or perineal area?")
    back_pain: State = _state("Is there low back pain?")
    radiating_leg_pain: State = _state("Does pain radiate from the back down one leg?")
    neck_pain: State = _state("Is there neck pain?")
    claudication: State = _state(
        "Does walking bring on calf pain that eases within minutes of standing still?"
    )
    rest_pain: State = _state(
        "Is there limb pain at rest (especially at night, eased by dangling)?"
    )
    sudden_limb_pain: State = _state("Did severe pain in one limb come on suddenly?")
    urge_to_move_legs: State = _state(
        "Is there an urge to move the legs with unpleasant sensations, worse at rest in the "
        "evening?"
    )
    hyperhidrosis: State = _state("Is there excessive sweating?")
    insomnia: State = _state("Is there severe insomnia?")
    confusion: State = _state("Is there confusion, agitation or altered mental state?")
    seizures: State = _state("Have there been seizures?")
    fatigue: State = _state("Is there marked fatigue?")
    weight_loss: State = _state("Has there been unintended weight loss?")
    appetite_loss: State = _state("Is appetite reduced?")
    salt_craving: State = _state("Is there salt craving?")
    vomiting_or_diarrhoea: State = _state("Has there been vomiting or diarrhoea?")
    heavy_sweating: State = _state("Has there been heavy sweating or fluid loss?")
    palpitations: State = _state("Are there palpitations?")
    heat_intolerance: State = _state("Is there heat intolerance, tremor or weight loss?")
    cold_intolerance: State = _state("Is there cold intolerance, weight gain or constipation?")
    constipation: State = _state("Is there constipation?")
    polyuria: State = _state("Is there passing of large volumes of urine or excessive thirst?")
    dizziness_on_standing: State = _state("Is there dizziness on standing?")
    falls: State = _state("Have there been falls?")
    bruising_or_bleeding: State = _state(
        "Is there unexplained bruising, petechiae, nose or gum bleeding, blood in urine or stool?"
    )
    tinnitus_or_hearing_loss: State = _state("Is there new tinnitus or hearing loss?")
    visual_disturbance: State = _state(
        "Is there visual disturbance or a past episode of optic neuritis?"
    )
    emotional_lability: State = _state("Is there inappropriate laughing or crying?")
    anxiety: State = _state("Is the patient anxious, or do episodes come with overbreathing?")
    abdominal_pain: State = _state("Is there abdominal pain?")
    hypersomnia: State = _state("Is there excessive daytime sleepiness?")
    task_specific_spasm: State = _state(
        "Do the spasms occur only during a specific task (writing, playing an instrument)?"
    )
    tremor: State = _state("Is there tremor?")
    painless: State = _state("Are the episodes painless?")


class Reflexes(BaseModel):
    """Tendon reflexes by site."""

    model_config = _FROZEN

    ankle: ReflexGrade = Field(default=ReflexGrade.UNKNOWN, description="Ankle jerks.")
    knee: ReflexGrade = Field(default=ReflexGrade.UNKNOWN, description="Knee jerks.")
    upper_limb: ReflexGrade = Field(
        default=ReflexGrade.UNKNOWN, description="Biceps, triceps and supinator jerks."
    )
    jaw: ReflexGrade = Field(default=ReflexGrade.UNKNOWN, description="Jaw jerk.")
    overall: ReflexGrade = Field(
        default=ReflexGrade.UNKNOWN, description="Tendon reflexes overall."
    )


class Exam(BaseModel):
    """What the examiner finds."""

    model_config = _FROZEN

    weakness: Observation = _sign("Is there weakness on examination? Where (proximal, distal…)?")
    atrophy: Observation = _sign("Is there muscle wasting? Where (hand, tongue, distal…)?")
    fasciculations: Observation = _sign(
        "Are there fasciculations? Inspect limbs, trunk and tongue at rest."
    )
    myokymia: State = _state("Is there continuous rippling or undulating twitching (myokymia)?")
    reflexes: Reflexes = Field(default_factory=Reflexes)
    babinski: State = _state("Is the plantar response extensor (Babinski sign)?")
    clonus: State = _state("Is there sustained ankle clonus?")
    hoffmann_sign: State = _state("Is Hoffmann's sign present?")
    spasticity: Observation = _sign("Is there velocity-dependent increased tone (spasticity)?")
    axial_rigidity: State = _state("Is there rigidity of the trunk and proximal muscles?")
    lumbar_hyperlordosis: State = _state("Is there a fixed lumbar hyperlordosis?")
    generalised_rigidity: State = _state("Is there generalised rigidity?")
    stimulus_induced_spasms: State = _state("Do touch, noise or movement trigger painful spasms?")
    trismus: State = _state("Is there trismus (lockjaw)?")
    myotonia_grip: State = _state("After a firm grip, is the release slow (grip myotonia)?")
    myotonia_percussion: State = _state(
        "Does percussion of thenar or forearm muscle cause a dimple?"
    )
    myotonia_warm_up: State = _state("Does stiffness ease with repeated movement (warm-up)?")
    paradoxical_myotonia: State = _state("Does stiffness worsen with repetition or cold?")
    rippling_muscle: State = _state("Does percussion or stretch produce rolling muscle waves?")
    myoedema: State = _state("Does percussion raise a local mound of muscle (myoedema)?")
    sensory_loss: Observation = _sign("Is there sensory loss (any distribution)? Where?")
    sensory_loss_distal_symmetric: State = _state(
        "Is there symmetric distal (glove-and-stocking) sensory loss?"
    )
    sensory_loss_dermatomal: State = _state(
        "Is there sensory loss in a dermatome or nerve territory?"
    )
    sensory_level: State = _state("Is there a sensory level on the trunk?")
    proprioceptive_loss: State = _state("Is joint position or vibration sense lost?")
    romberg: State = _state("Is Romberg's test positive?")
    pes_cavus: State = _state("Are there high-arched feet (pes cavus) or hammer toes?")
    foot_drop: State = _state("Is there foot drop or a steppage gait?")
    split_hand: State = _state(
        "Is the thenar eminence wasted more than the hypothenar (split hand)?"
    )
    head_drop: State = _state("Is there neck extensor weakness (head drop)?")
    calf_hypertrophy: State = _state("Are the calves enlarged (hypertrophy or pseudohypertrophy)?")
    muscle_hypertrophy: State = _state("Are muscles generally hypertrophied (athletic build)?")
    reduced_pulses: Observation = _sign("Are foot pulses reduced or absent?")
    cool_pale_limb: State = _state("Is the limb cool, pale or with slow capillary refill?")
    femoral_bruit: State = _state("Is there a femoral or abdominal bruit?")
    ulcer_or_gangrene: State = _state("Is there a non-healing foot ulcer or gangrene?")
    unilateral_calf_swelling: State = _state("Is one calf swollen, warm or tender?")
    varicose_veins: State = _state("Are there varicose veins?")
    straight_leg_raise: State = _state("Is straight-leg raising positive?")
    chvostek: State = _state("Is Chvostek's sign positive (tap the facial nerve)?")
    trousseau: State = _state("Is Trousseau's sign positive (inflate a BP cuff for 3 minutes)?")
    carpopedal_spasm: State = _state("Is there carpopedal spasm?")
    ptosis: State = _state("Is there ptosis?")
    facial_weakness: State = _state("Is there facial weakness?")
    frontal_balding: State = _state("Is there frontal balding or temporal wasting?")
    alopecia: State = _state("Is there patchy or total hair loss (alopecia)?")
    cataract: State = _state("Are there cataracts (especially early onset)?")
    gynaecomastia: State = _state("Is there gynaecomastia?")
    hyperpigmentation: State = _state("Is the skin or buccal mucosa hyperpigmented?")
    hypotension: State = _state("Is the blood pressure low, or is there a postural drop?")
    tachycardia: State = _state("Is there tachycardia?")
    dehydration: State = _state("Are there signs of dehydration?")
    ascites: State = _state("Is there ascites?")
    jaundice: State = _state("Is there jaundice?")
    goitre: State = _state("Is there a goitre or thyroid eye disease?")
    bradykinesia: State = _state("Is there bradykinesia or rigidity (parkinsonism)?")
    dystonic_posture: State = _state("Is there an abnormal sustained posture (dystonia)?")
    hyperthermia: State = _state("Is the core temperature raised (≥ 40 °C in heat illness)?")
    altered_mental_status: State = _state("Is the mental state altered?")
    skin_rash: State = _state("Is there a rash (heliotrope, Gottron papules, erythema migrans)?")
    dermatomal_rash: State = _state("Is there a dermatomal vesicular rash or scarring (zoster)?")
    thickened_nerves: State = _state("Are peripheral nerves palpably thickened?")
    skin_lesions_anaesthetic: State = _state("Are there hypopigmented anaesthetic skin patches?")
    tongue_wasting: State = _state("Is the tongue wasted?")
    internuclear_ophthalmoplegia: State = _state("Is there an internuclear ophthalmoplegia?")
    wound: State = _state("Is there a wound, puncture or bite?")
    local_bite_reaction: State = _state("Is there a local bite mark with regional pain?")
    abdominal_rigidity: State = _state("Is the abdominal wall rigid?")
    macroglossia_or_myxoedema: State = _state(
        "Are there myxoedema features (puffy face, slow speech)?"
    )


class DiabetesType(StrEnum):
    TYPE1 = "type1"
    TYPE2 = "type2"
    OTHER = "other"


class DiabetesHistory(BaseModel):
    model_config = _FROZEN

    status: State = _state("Does the patient have diabetes mellitus?")
    type: DiabetesType | None = Field(default=None, description="Type of diabetes.")
    recent_rapid_glycaemic_control: State = _state(
        "Has glycaemic control been tightened quickly in recent months?"
    )


class ChronicKidneyDisease(BaseModel):
    model_config = _FROZEN

    status: State = _state("Does the patient have chronic kidney disease?")
    stage: StrictInt | None = Field(default=None, ge=1, le=5, description="KDIGO G stage 1–5.")
    haemodialysis: State = _state("Is the patient on haemodialysis?")


class CancerHistory(BaseModel):
    model_config = _FROZEN

    status: State = _state("Does the patient have, or has had, cancer?")
    types: tuple[str, ...] = Field(default=(), description="Cancer types, free text.")
    small_cell_lung: State = _state("Small-cell lung cancer?")
    breast: State = _state("Breast cancer?")
    thymoma: State = _state("Thymoma?")


class SpinalLevel(StrEnum):
    CERVICAL = "cervical"
    THORACIC = "thoracic"
    LUMBAR = "lumbar"


class SpinalCordInjury(BaseModel):
    model_config = _FROZEN

    status: State = _state("Has the patient had a spinal cord injury?")
    level: SpinalLevel | None = Field(default=None, description="Neurological level.")


class ToxinExposure(BaseModel):
    model_config = _FROZEN

    lead: State = _state("Exposure to lead (paint, batteries, ammunition, ayurvedic remedies)?")
    arsenic: State = _state("Exposure to arsenic?")
    mercury: State = _state("Exposure to mercury?")
    strychnine: State = _state("Possible strychnine exposure?")
    black_widow_bite: State = _state("Possible black widow (Latrodectus) spider bite?")


class FamilyHistory(BaseModel):
    model_config = _FROZEN

    neuromuscular_disease: State = _state("Any family history of neuromuscular disease?")
    muscle_cramps: State = _state("Do relatives have similar cramps?")
    motor_neuron_disease: State = _state(
        "Any family history of ALS/MND or frontotemporal dementia?"
    )
    neuropathy: State = _state("Any family history of neuropathy or high-arched feet?")
    myotonia: State = _state(
        "Any family history of myotonia, early cataracts or myotonic dystrophy?"
    )
    periodic_paralysis: State = _state("Any family history of periodic paralysis?")
    x_linked_pattern: State = _state("Are affected relatives males linked through the mother?")


class History(BaseModel):
    """Past medical, social and family history."""

    model_config = _FROZEN

    diabetes: DiabetesHistory = Field(default_factory=DiabetesHistory)
    chronic_kidney_disease: ChronicKidneyDisease = Field(default_factory=ChronicKidneyDisease)
    cirrhosis: State = _state("Does the patient have cirrhosis or chronic liver disease?")
    hypothyroidism: State = _state("Known hypothyroidism?")
    hyperthyroidism: State = _state("Known hyperthyroidism?")
    thyroid_or_parathyroid_surgery: State = _state("Previous thyroid or parathyroid surgery?")
    adrenal_insufficiency: State = _state("Known adrenal insufficiency?")
    alcohol_use_disorder: State = _state("Harmful alcohol use?")
    alcohol_or_sedative_withdrawal: State = _state(
        "Recent withdrawal from alcohol, benzodiazepines, barbiturates or opioids?"
    )
    stimulant_use: State = _state("Use of stimulants (cocaine, amphetamines, high caffeine)?")
    malabsorption_or_bariatric_surgery: State = _state(
        "Malabsorption, bariatric surgery or short bowel?"
    )
    parenteral_nutrition: State = _state("On home parenteral nutrition?")
    poor_diet: State = _state("Restricted or poor diet (vegan without supplements, malnutrition)?")
    cancer: CancerHistory = Field(default_factory=CancerHistory)
    chemotherapy: State = _state("Has the patient received chemotherapy?")
    myasthenia_gravis: State = _state("Known myasthenia gravis?")
    autoimmune_disease: State = _state("Known autoimmune disease (lupus, rheumatoid arthritis…)?")
    lupus_or_rheumatoid_arthritis: State = _state("Lupus or rheumatoid arthritis?")
    spinal_cord_injury: SpinalCordInjury = Field(default_factory=SpinalCordInjury)
    multiple_sclerosis: State = _state("Known multiple sclerosis?")
    parkinson_disease: State = _state("Known Parkinson disease?")
    prior_polio: State = _state("Poliomyelitis in the past?")
    peripheral_artery_disease: State = _state("Known peripheral artery disease?")
    smoking: State = _state("Current or former smoker?")
    hypertension: State = _state("Hypertension?")
    cardiovascular_disease: State = _state("Known coronary or cerebrovascular disease?")
    atrial_fibrillation: State = _state("Atrial fibrillation or another embolic source?")
    recent_vascular_procedure: State = _state(
        "Recent arterial catheterisation or vascular surgery?"
    )
    lumbar_spine_disease: State = _state("Known lumbar disc disease or canal stenosis?")
    cervical_spondylosis: State = _state("Known cervical spondylosis?")
    recent_infection: State = _state("Infection (viral, diarrhoeal) in the past 6 weeks?")
    hiv: State = _state("HIV infection or risk?")
    tick_bite_or_lyme_exposure: State = _state("Tick bite or Lyme exposure?")
    leprosy_exposure: State = _state("Lived in an area where leprosy is endemic?")
    toxin_exposure: ToxinExposure = Field(default_factory=ToxinExposure)
    wound_or_puncture: State = _state("Recent wound, puncture or injection drug use?")
    tetanus_immunised: State = _state("Is tetanus immunisation up to date?")
    strenuous_exercise: State = _state("Recent strenuous or unaccustomed exercise?")
    endurance_event: State = _state("Recent endurance event (marathon, triathlon)?")
    heat_exposure: State = _state("Recent exertion in heat?")
    high_fluid_intake: State = _state("High intake of water or hypotonic drinks?")
    liquorice_intake: State = _state("Regular liquorice or liquorice-containing products?")
    nerve_injury: State = _state("Previous trauma to a peripheral nerve or plexus?")
    family_history: FamilyHistory = Field(default_factory=FamilyHistory)
    childhood_onset_symptoms: State = _state("Did symptoms or clumsiness begin in childhood?")
    sedentary_or_older_age: State = _state("Is the patient sedentary?")
    asian_ancestry: State = _state("East or South-East Asian ancestry?")


class TestResult(StrEnum):
    NORMAL = "normal"
    ABNORMAL = "abnormal"
    INCONCLUSIVE = "inconclusive"


class TestFinding(StrEnum):
    """Specific results of tests already done, for the tests that have them."""

    DEMYELINATING = "demyelinating"
    AXONAL = "axonal"
    CONDUCTION_BLOCK = "conduction_block"
    AFTER_DISCHARGES = "after_discharges"
    FASCICULATION_POTENTIALS = "fasciculation_potentials"
    CHRONIC_NEUROGENIC = "chronic_neurogenic"
    ACTIVE_DENERVATION = "active_denervation"
    MYOKYMIC_DISCHARGES = "myokymic_discharges"
    MYOTONIC_DISCHARGES = "myotonic_discharges"
    MYOPATHIC = "myopathic"
    ELECTRICALLY_SILENT_CONTRACTURE = "electrically_silent_contracture"
    CONTINUOUS_MOTOR_UNIT_ACTIVITY = "continuous_motor_unit_activity"
    POSITIVE = "positive"
    NEGATIVE = "negative"
    CORD_COMPRESSION = "cord_compression"
    DEMYELINATING_LESIONS = "demyelinating_lesions"
    ROOT_COMPRESSION = "root_compression"
    CANAL_STENOSIS = "canal_stenosis"
    ABI_LOW = "abi_low"


class TestDone(BaseModel):
    """A test already done, so the workup can skip it and the rules can use its result."""

    model_config = _FROZEN

    test: str = Field(
        min_length=1, description="Workup catalogue id of the test (e.g. 'ncs', 'mri_lumbar')."
    )
    date: dt.date | None = Field(default=None, description="When it was done (ISO 8601).")
    result: TestResult = Field(description="Overall result.")
    findings: tuple[TestFinding, ...] = Field(default=(), description="Specific results.")


class Patient(BaseModel):
    """Everything crampdx knows about one patient at one point in time."""

    model_config = _FROZEN

    id: str | None = Field(
        default=None, description="Caller's identifier; never used in reasoning."
    )
    assessment_date: dt.date | None = Field(
        default=None, description="The date the assessment is for; used to age tests already done."
    )
    age_years: StrictFloat | None = Field(default=None, ge=0, le=120, description="Age in years.")
    sex: Sex | None = Field(default=None, description="Sex recorded at birth.")
    pregnancy: Pregnancy = Field(default_factory=Pregnancy)
    cramps: CrampPattern = Field(default_factory=CrampPattern)
    symptoms: Symptoms = Field(default_factory=Symptoms)
    exam: Exam = Field(default_factory=Exam)
    history: History = Field(default_factory=History)
    labs: tuple[LabResult, ...] = Field(
        default=(), description="Lab results; serial values allowed."
    )
    medications: tuple[Medication, ...] = Field(default=())
    medications_complete: bool = Field(
        default=False,
        description=(
            "True when the medication list was reconciled and is complete: drug classes "
            "not listed are then taken as not taken."
        ),
    )
    tests_done: tuple[TestDone, ...] = Field(default=())

    # A field validator (not a model validator) so that the error names the pregnancy field;
    # sex and age_years are declared before pregnancy, so they are validated first.
    @field_validator("pregnancy")
    @classmethod
    def _pregnancy_possible(cls, pregnancy: Pregnancy, info: ValidationInfo) -> Pregnancy:
        if pregnancy.status is State.PRESENT:
            sex, age_years = info.data.get("sex"), info.data.get("age_years")
            if sex is Sex.MALE:
                raise ValueError("pregnancy.status is 'present' but sex is 'male'")
            if age_years is not None and not 9 <= age_years <= 65:
                raise ValueError(
                    f"pregnancy.status is 'present' at an implausible age_years ({age_years:g})"
                )
        return pregnancy
