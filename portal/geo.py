"""French geography used by the music-sector checks: postal code → département → region."""

# Département (INSEE code) → region (INSEE code), since the 2016 regional reform.
DEPARTEMENT_REGION = {
    **dict.fromkeys(["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"], "84"),
    **dict.fromkeys(["21", "25", "39", "58", "70", "71", "89", "90"], "27"),
    **dict.fromkeys(["22", "29", "35", "56"], "53"),
    **dict.fromkeys(["18", "28", "36", "37", "41", "45"], "24"),
    **dict.fromkeys(["2A", "2B"], "94"),
    **dict.fromkeys(["08", "10", "51", "52", "54", "55", "57", "67", "68", "88"], "44"),
    **dict.fromkeys(["02", "59", "60", "62", "80"], "32"),
    **dict.fromkeys(["75", "77", "78", "91", "92", "93", "94", "95"], "11"),
    **dict.fromkeys(["14", "27", "50", "61", "76"], "28"),
    **dict.fromkeys(["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"], "75"),
    **dict.fromkeys(["09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81",
                     "82"], "76"),
    **dict.fromkeys(["44", "49", "53", "72", "85"], "52"),
    **dict.fromkeys(["04", "05", "06", "13", "83", "84"], "93"),
    "971": "01", "972": "02", "973": "03", "974": "04", "976": "06",
}


def departement_for_postal_code(postal_code: str) -> str | None:
    """``34000`` → ``34``; ``20000`` → ``2A``; ``97400`` → ``974``; unknown → None."""
    code = (postal_code or "").strip()
    if len(code) != 5 or not code.isdigit():
        return None
    if code.startswith("97"):
        dep = code[:3]
    elif code.startswith("20"):
        # Corse-du-Sud: 200xx–201xx; Haute-Corse: 202xx–206xx.
        dep = "2A" if int(code[:3]) <= 201 else "2B"
    else:
        dep = code[:2]
    return dep if dep in DEPARTEMENT_REGION else None


def region_for_postal_code(postal_code: str) -> str | None:
    dep = departement_for_postal_code(postal_code)
    return DEPARTEMENT_REGION.get(dep) if dep else None
