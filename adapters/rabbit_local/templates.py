"""Template families for the local content generator: one family per content angle.

Each template is a format string over a few slots (``subject``, ``summary``, ``point``,
``audience``, ``brand``). They contain no emoji and no hashtags; those are added by the
generator according to the brand's language rules.
"""

from __future__ import annotations

from rabbit.domain.enums import ContentAngle

HOOKS: dict[ContentAngle, tuple[str, ...]] = {
    ContentAngle.PRODUCT_FOCUS: (
        "Meet {subject}.",
        "Introducing {subject}.",
        "A closer look at {subject}.",
        "Here is what makes {subject} different.",
    ),
    ContentAngle.USER_BENEFIT: (
        "What does {subject} mean for {audience}?",
        "Less effort, better results: {subject} for {audience}.",
        "Why {audience} choose {subject}.",
        "Your day, made easier with {subject}.",
    ),
    ContentAngle.STORYTELLING: (
        "It started with a simple question about {subject}.",
        "Every idea has a story, and {subject} is ours.",
        "We built {subject} because we needed it ourselves.",
        "Behind {subject} there is a small team and a big idea.",
    ),
    ContentAngle.EDUCATIONAL: (
        "Did you know? A quick guide to {subject}.",
        "Three things worth knowing about {subject}.",
        "New to {subject}? Start here.",
        "The short explainer on {subject}.",
    ),
    ContentAngle.SOCIAL_PROOF: (
        "People keep telling us about {subject}.",
        "Why customers trust {subject}.",
        "The reviews for {subject} are in.",
        "Join the community that relies on {subject}.",
    ),
    ContentAngle.PROMOTIONAL: (
        "Now is the moment for {subject}.",
        "Limited time: {subject}.",
        "Do not miss {subject}.",
        "Something special is here: {subject}.",
    ),
}

POINT_LEADS: dict[ContentAngle, tuple[str, ...]] = {
    ContentAngle.PRODUCT_FOCUS: ("Highlights:", "What you get:"),
    ContentAngle.USER_BENEFIT: ("What changes for you:", "The benefits:"),
    ContentAngle.STORYTELLING: ("Along the way we learned:", "What we found:"),
    ContentAngle.EDUCATIONAL: ("Key takeaways:", "Remember:"),
    ContentAngle.SOCIAL_PROOF: ("What people mention most:", "Why they stay:"),
    ContentAngle.PROMOTIONAL: ("Included:", "Why now:"),
}

CTAS: dict[str, tuple[str, ...]] = {
    "none": (),
    "soft": (
        "Curious? Take a look when you have a minute.",
        "Learn more whenever you are ready.",
        "Have a look and tell us what you think.",
    ),
    "direct": (
        "Try it today.",
        "Get started now.",
        "Sign up today.",
        "Order yours now.",
    ),
}

WORDS_TO_USE_LINES: tuple[str, ...] = (
    "In a word: {words}.",
    "Think {words}.",
    "Simply put: {words}.",
)

EMOJI: dict[ContentAngle, tuple[str, ...]] = {
    ContentAngle.PRODUCT_FOCUS: ("🚀", "✨", "🛠", "📦"),
    ContentAngle.USER_BENEFIT: ("🙌", "💡", "✅", "🕒"),
    ContentAngle.STORYTELLING: ("📖", "🌱", "💭", "🧭"),
    ContentAngle.EDUCATIONAL: ("📚", "🧠", "👉", "🔍"),
    ContentAngle.SOCIAL_PROOF: ("⭐", "💬", "🤝", "🏆"),
    ContentAngle.PROMOTIONAL: ("🎉", "🔥", "🛍", "🎁"),
}

EMOJI_COUNTS: dict[str, int] = {"none": 0, "minimal": 1, "moderate": 2, "heavy": 4}
HASHTAG_COUNTS: dict[str, int] = {"none": 0, "minimal": 2, "moderate": 3, "heavy": 5}
