"""The sequence player's interface strings (templates/sequence/sequence.js).

Keys are what sequence.js and its page ask for; values are the English message ids of the
catalogues (fr, ar translated). The page of a module or parcours gets them translated in the
interface language of the sequence's own language (imaginecole.player.ui_language).
"""

from __future__ import annotations

from ..i18n import N_, translations

SEQUENCE_STRINGS: dict[str, str] = {
    "module": N_("Module"),
    "parcours": N_("Parcours"),
    "skip": N_("Skip to the content"),
    "contents": N_("Contents"),
    "introduction": N_("Introduction"),
    "objectives": N_("Objectives"),
    "duration": N_("Duration: {minutes} min"),
    "start": N_("Start"),
    "resume": N_("Continue"),
    "start_module": N_("Start the module “{title}”"),
    "previous": N_("Previous"),
    "next": N_("Next"),
    "summary": N_("Score summary"),
    "progress": N_("Progress"),
    "progress_text": N_("{done} of {total} parts completed ({percent})"),
    "part_n": N_("Part {n} of {total}"),
    "in_module": N_("Module: {title}"),
    "not_started": N_("Not started"),
    "in_progress": N_("In progress"),
    "completed": N_("Completed"),
    "score": N_("Score: {percent}"),
    "no_score": N_("No score"),
    "locked": N_("Locked"),
    "locked_because": N_("Locked: first complete {modules}."),
    "quoted": N_("“{title}”"),
    "rule_all": N_("To complete this module, complete every part."),
    "rule_count": N_("To complete this module, complete {count} of its {total} parts."),
    "rule_score": N_(
        "To complete this module, complete every part with an average score of {percent} or more."
    ),
    "rule_parcours": N_("To complete this parcours, complete every module."),
    "module_completed": N_("Module completed"),
    "module_not_completed": N_("Module not completed yet"),
    "average": N_("Average score: {percent}"),
    "average_none": N_("Average score: none yet"),
    "parts_completed": N_("Parts completed: {done} of {total}"),
    "modules_completed": N_("Modules completed: {done} of {total}"),
    "overall": N_("Overall"),
    "overall_done": N_("Completed: well done!"),
    "overall_not_done": N_("Not completed yet."),
    "col_part": N_("Part"),
    "col_status": N_("Status"),
    "col_score": N_("Score"),
    "type_grain": N_("Exercise"),
    "type_comic": N_("Comic"),
    "type_podcast": N_("Podcast"),
    "type_notebook-app": N_("App"),
    "announce_part": N_("{title}, part {n} of {total}"),
    "announce_completed": N_("“{title}” completed."),
    "announce_module": N_("Module “{title}” completed."),
    "announce_unlocked": N_("The module “{title}” is now open."),
    "memory_only": N_("Your progress is kept only until this page is closed."),
    "frame_label": N_("Part: {title}"),
    "noscript": N_("This activity needs JavaScript. Please enable it to continue."),
}


def sequence_strings(language: str | None) -> dict[str, str]:
    """Every sequence player string, translated for a sequence in `language`."""
    from ..player import ui_language

    gettext = translations(ui_language(language)).gettext
    return {key: gettext(message) for key, message in SEQUENCE_STRINGS.items()}
