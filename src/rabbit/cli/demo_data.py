"""The demo's seed content: an agency, two brands, their pillars and ~30 materials."""

from __future__ import annotations

from dataclasses import dataclass

from rabbit.domain.enums import ContentAngle

A = ContentAngle


@dataclass(frozen=True, slots=True)
class DemoMaterial:
    name: str
    text: str
    pillar: str
    angles: tuple[ContentAngle, ...]
    keywords: tuple[str, ...]


OUTFITTERS_PILLARS = [
    {"name": "gear", "percentage": 40},
    {"name": "trails", "percentage": 35},
    {"name": "community", "percentage": 25},
]

CAFE_PILLARS = [
    {"name": "coffee", "percentage": 60},
    {"name": "events", "percentage": 40},
]

OUTFITTERS_MATERIALS = [
    DemoMaterial(
        "Solar backpack",
        "The Ridge solar backpack charges a phone twice from four hours of sunlight and weighs under a kilo.",
        "gear",
        (A.PRODUCT_FOCUS, A.USER_BENEFIT),
        ("solar", "backpack"),
    ),
    DemoMaterial(
        "Ultralight tent",
        "Our two-person ultralight tent pitches in three minutes and packs down to the size of a water bottle.",
        "gear",
        (A.PRODUCT_FOCUS, A.EDUCATIONAL),
        ("tent", "ultralight"),
    ),
    DemoMaterial(
        "Merino base layer",
        "Merino base layers keep you warm when wet and do not smell after a week on the trail.",
        "gear",
        (A.USER_BENEFIT, A.EDUCATIONAL),
        ("merino", "layering"),
    ),
    DemoMaterial(
        "Trail runners",
        "The new Scree trail runners have a rock plate, a wide toe box and lugs that grip wet granite.",
        "gear",
        (A.PRODUCT_FOCUS, A.SOCIAL_PROOF),
        ("running", "shoes"),
    ),
    DemoMaterial(
        "Water filter",
        "A squeeze water filter removes bacteria and protozoa in seconds, so you can drink straight from the stream.",
        "gear",
        (A.USER_BENEFIT, A.EDUCATIONAL),
        ("water", "filter"),
    ),
    DemoMaterial(
        "Headlamp sale",
        "This weekend only: every rechargeable headlamp is thirty percent off in store and online.",
        "gear",
        (A.PROMOTIONAL,),
        ("headlamp", "sale"),
    ),
    DemoMaterial(
        "Stove review",
        "Customers rate the Ember canister stove five stars for boiling a litre in three minutes in wind.",
        "gear",
        (A.SOCIAL_PROOF, A.PRODUCT_FOCUS),
        ("stove", "review"),
    ),
    DemoMaterial(
        "Rain shell",
        "The Torrent rain shell uses a recycled membrane and pit zips to dump heat on steep climbs.",
        "gear",
        (A.PRODUCT_FOCUS,),
        ("rainwear", "recycled"),
    ),
    DemoMaterial(
        "Cascade loop",
        "The Cascade loop is an eleven kilometre circuit past three waterfalls, best hiked clockwise in spring.",
        "trails",
        (A.STORYTELLING, A.EDUCATIONAL),
        ("waterfalls", "hiking"),
    ),
    DemoMaterial(
        "Ridge traverse",
        "Our guide walked the exposed ridge traverse at dawn and watched the fog lift off the valley below.",
        "trails",
        (A.STORYTELLING,),
        ("ridge", "sunrise"),
    ),
    DemoMaterial(
        "Leave no trace",
        "Pack out everything you pack in, camp on durable ground and keep fires small or skip them entirely.",
        "trails",
        (A.EDUCATIONAL,),
        ("leavenotrace", "camping"),
    ),
    DemoMaterial(
        "Winter hiking",
        "Winter hiking needs microspikes, an early start and a turnaround time you actually respect.",
        "trails",
        (A.EDUCATIONAL, A.USER_BENEFIT),
        ("winter", "safety"),
    ),
    DemoMaterial(
        "Coastal path",
        "The coastal path rewards a low-tide start with tide pools full of anemones and sea stars.",
        "trails",
        (A.STORYTELLING, A.EDUCATIONAL),
        ("coast", "tidepools"),
    ),
    DemoMaterial(
        "Lake camp",
        "Alpine lake camping: arrive before noon on weekends, the best tent spots go fast.",
        "trails",
        (A.USER_BENEFIT, A.STORYTELLING),
        ("alpine", "lake"),
    ),
    DemoMaterial(
        "Hut to hut",
        "A five-day hut-to-hut trek needs only a daypack, and the huts serve hot dinners after long climbs.",
        "trails",
        (A.STORYTELLING, A.USER_BENEFIT),
        ("trek", "huts"),
    ),
    DemoMaterial(
        "Trail cleanup",
        "Forty volunteers removed two hundred kilos of litter from the river trail last Saturday.",
        "community",
        (A.SOCIAL_PROOF, A.STORYTELLING),
        ("volunteer", "cleanup"),
    ),
    DemoMaterial(
        "Beginner hikes",
        "Our free Sunday beginner hikes are back, with a guide, a map lesson and coffee at the end.",
        "community",
        (A.PROMOTIONAL, A.USER_BENEFIT),
        ("beginners", "events"),
    ),
    DemoMaterial(
        "Member story",
        "Maya hiked her first fourteen-thousand-foot peak at sixty-two and says the secret was slow, steady steps.",
        "community",
        (A.STORYTELLING, A.SOCIAL_PROOF),
        ("inspiration", "story"),
    ),
    DemoMaterial(
        "Repair cafe",
        "Bring torn jackets and broken zips to our monthly repair cafe and learn to fix them yourself.",
        "community",
        (A.EDUCATIONAL, A.PROMOTIONAL),
        ("repair", "sustainability"),
    ),
    DemoMaterial(
        "Solar backpack again",
        "The Ridge solar backpack charges a phone twice from four hours of sunlight, and it weighs under one kilo.",
        "gear",
        (A.PRODUCT_FOCUS,),
        ("solar", "backpack"),
    ),
]

CAFE_MATERIALS = [
    DemoMaterial(
        "Ethiopian single origin",
        "Our new Ethiopian Yirgacheffe tastes of jasmine, bergamot and ripe peach as a pour-over.",
        "coffee",
        (A.PRODUCT_FOCUS, A.EDUCATIONAL),
        ("coffee", "singleorigin"),
    ),
    DemoMaterial(
        "Grinder guide",
        "Grind size matters: finer for espresso, medium for drip, coarse for French press and cold brew.",
        "coffee",
        (A.EDUCATIONAL,),
        ("grind", "brewing"),
    ),
    DemoMaterial(
        "Oat flat white",
        "Baristas steam oat milk to sixty degrees for a glossy flat white that keeps its latte art.",
        "coffee",
        (A.PRODUCT_FOCUS, A.USER_BENEFIT),
        ("oatmilk", "flatwhite"),
    ),
    DemoMaterial(
        "Roastery visit",
        "We visited the family roastery that has supplied our beans for ten years, three generations at the drum.",
        "coffee",
        (A.STORYTELLING,),
        ("roastery", "story"),
    ),
    DemoMaterial(
        "Cold brew",
        "Cold brew steeps for eighteen hours, so it is smooth, low in acid and ready the moment you walk in.",
        "coffee",
        (A.USER_BENEFIT, A.EDUCATIONAL),
        ("coldbrew", "summer"),
    ),
    DemoMaterial(
        "Regulars love it",
        "Regulars voted our cardamom bun the best pastry in the neighbourhood two years running.",
        "coffee",
        (A.SOCIAL_PROOF,),
        ("pastry", "neighbourhood"),
    ),
    DemoMaterial(
        "Latte art night",
        "Latte art throwdown on Thursday night: free entry, prizes for the best rosetta and tulip.",
        "events",
        (A.PROMOTIONAL, A.STORYTELLING),
        ("latteart", "events"),
    ),
    DemoMaterial(
        "Poetry morning",
        "Open-mic poetry every first Sunday morning, with bottomless filter coffee for readers.",
        "events",
        (A.PROMOTIONAL, A.USER_BENEFIT),
        ("poetry", "community"),
    ),
    DemoMaterial(
        "Cupping class",
        "Learn to taste coffee like a roaster at our Saturday cupping class: slurp, score and compare six origins.",
        "events",
        (A.EDUCATIONAL, A.PROMOTIONAL),
        ("cupping", "class"),
    ),
    DemoMaterial(
        "Book swap",
        "Leave a book, take a book: the café shelf now holds over three hundred swapped novels.",
        "events",
        (A.STORYTELLING, A.SOCIAL_PROOF),
        ("books", "community"),
    ),
]

#: Simulated audience response per angle (engagement rate); the learning loop should find it.
ANGLE_APPEAL: dict[ContentAngle, float] = {
    A.STORYTELLING: 0.080,
    A.SOCIAL_PROOF: 0.060,
    A.USER_BENEFIT: 0.045,
    A.EDUCATIONAL: 0.040,
    A.PRODUCT_FOCUS: 0.025,
    A.PROMOTIONAL: 0.015,
}
