"""Names heard: after a cue ("called", "known to her as", "answers to", "possible name",
"first name possibly", "AKA", "aliases", "calls himself", "goes by", "the one they call",
"the profile said", "I met", "somebody said", "shouting ... at him"), before one ("Stuart,
she calls him", "Dwayne Ellery, AKA 'Dee'"), a nickname in quotes, a name given with an age
("Kyle Cox, 35,", "Kieran Lusk, 26?"), a name beside a relation ("My ex, Graham,", "her
ex-partner Danny ROGERS"), a name that is the subject of the description ("Pat is
described as", "Niamh has brown eyes", "A Mr Hughes is believed to...") or of what was done
to the witness ("Kev won't leave me alone"), a name known through someone else ("her
uncle's friend Dave"), after a verb of knowing ("the kids know him as", "introduced himself
to the staff as") or of signing ("signed J. Whitlock", "signed the book as Jacko"), a claim
("said he was Dean from the council", "claiming to be Kev"), his own words in quotes ("he
kept saying 'my name's Ryan'", "heard him on the phone saying 'it's Stretch'"), before what
others call him ("Robbo, that's what his mates call him"),
"Mr" ("a Mr Patel"), an appeal's words ("Officers wish to speak to", "Gardaí are seeking"),
around a nickname ("Connor 'Tank' Maguire"), a surname in capitals as police records write
it ("Source reports TONY HAYES", "HAYES, Tony", "Tony HAYES") or one word in capitals where
a log puts its nominal ("Source reports GAZ", "Int: CAL (POWELL?)"); and, when nothing else
names the person, the forename an online handle opens with (see `handles`).

With the register's names (`names`: every surname and forename it holds), a capitalised
word it holds is a name said bare, mid-sentence ("It was Whitlock again", "Then Dmitri
started waiting"), unless it ends a longer capitalised name ("Inspector Rachel Okafor",
"Marks and Spencer"), opens a place or an accent ("West Derby", "West Country"), or is a
mark or a motif; in lower case, after the plainest cues ("they call him tank").

The first name given is the one read ("SPARKY (believed Simon DAVIS)", "'Lee' ... his
friends call him 'Snakey'"); of one name given in two forms ("Nat or Nathan") the fuller;
initials are dropped ("J. Smith" is Smith), particles kept ("Seán Ó Briain", "Lucas da
Silva").

Cues are read in any case ("Calls himself EDDIE"); the name itself is capitalised or in
capitals. Brands (except a forename after a naming cue: "a lad called Jordan"), places,
words of the description, a nationality claimed ("said he was Polish") and the witness's own
name ("My name is Tyrese") are not names; nor is the one harmed ("Chloe, 14, was
approached", "The victim, Amy,", "Victim: Joanne BAXTER"); nor is a name said of someone
else ("my cousin Reece", "Dean's lad", "my dad isn't called Dean", "Cousin LAURA",
"Associates with MARCUS POPESCU"), an officer's ("PC 4471 WARBURTON", "DS Helen PRICE"), a
business's or page's ("a modelling agency, 'Elite Faces'"), a witness's known by title and
initial ("Statement of Mr R., 34") or a name inked as a tattoo ("KAYLEIGH tattooed on his
hand").
"""

import re
from functools import cache

from search.names import forename_sex, forenames_agree, is_known_forename, written_forename
from search.parse.areas import PLACE_KIND_WORDS
from search.parse.context import words
from search.parse.handles import handle_forenames
from search.parse.localities import locality_towns
from search.parse.mark_phrases import MARK_WORDS
from search.parse.mentions import trait_words
from search.parse.text import Reading
from search.vocabulary import accents, ethnic_appearance, load, normalise, tattoo_motifs

# "O'Brien" and "D'Souza" begin with a single capital and an apostrophe.
# Letters with accents too ("Ciarán", "Zoë"): a name is never cut at one ("Ciar").
_UPPER = r"[A-ZÀ-ÖØ-Þ]"
_LETTER = r"[^\W\d_]"
_NAME_WORD = rf"(?:(?:{_UPPER}'{_UPPER}|{_UPPER}){_LETTER}+(?:['-]{_LETTER}+)*(?!{_LETTER}))"
# A surname's particle: "Seán Ó Briain", "Lucas da Silva", "Tom van Dijk", "de la Cruz".
_PARTICLE = (
    r"(?:Ó|Ní|Nic|Mac|Mc|Ui|Uí|de|De|da|Da|dos|van|Van|von|Von|der|den|del|della|di|Di|le|Le"
    r"|la|La)"
)
# Initials may open a name ("J. Smith") or close it ("COLIN G."); `_clean` drops them, as a
# single letter matches no recorded name and only costs the surname its weight.
_NAME = (
    rf"((?:[A-Z]\.\s*){{0,2}}{_NAME_WORD}"
    rf"(?:\s+(?:(?:{_PARTICLE}\s+){{0,2}}{_NAME_WORD}|[A-Z]\.?)){{0,2}})"
)
_CUES = (
    r"(?:called himself|called herself|calls himself|calls herself|calling himself"
    r"|calling herself|introduced himself as|introduced herself as|said his name was"
    r"|said her name was|said he was called|said she was called|gave (?:his|her) name as"
    r"|gave (?:a |the )?name(?: of| as)?"
    r"|(?:first |sur)?name(?:d)?(?: is| was| of|'s| possibly| maybe"
    r"| probably| given| provided| supplied| stated| used"
    r"| (?:may|might|could|should) be| (?:is|was) (?:possibly|maybe|probably|either))?"
    r"|known (?:to (?:her|him|them|police|us|me|locals|people) )?as|also known as"
    # "named locally as", "she knows only as", "the kids know as", "introduced himself to
    # the staff as": a verb of knowing or naming, a few small words, then "as".
    r"|(?:known|know|knows|knew|named|introduced (?:him|her)self"
    r"|refer(?:s|red)? to(?: (?:him|her))?)"
    r"(?: (?:him|her|them|only|just|locally|round here|around here|on the street|on the estate"
    r"|online|to (?:the |his |her )?\w+|by (?:the |his |her )?\w+)){0,3} as"
    r"|known locally as|known to (?:use|go by) the name(?: of)?|uses the name|used the name"
    r"|(?:goes|go|went|going) by(?: the name(?: of)?)?|goes under"
    r"|answers to(?: the name(?: of)?)?|answer to(?: the name(?: of)?)?|answering to"
    r"|possibly called|possible name|believed to be called|believed to be named|may be called"
    # "put his name down as Jason", "Name mentioned was Scotty", "shouted his name, Jordan",
    # "his number came up as 'Lee M'", "saved in her phone as Kev"
    r"|put (?:his|her) name down as|name (?:mentioned|heard|said|written)(?: was| is)?"
    r"|(?:shouted|called|said|yelled|screamed|heard)(?: out)? (?:his|her) name,?"
    r"|(?:came|comes|come) up as|saved(?: in (?:her|his|my|the) phone)? as"
    r"|might be called|could be called|nickname(?:d)?(?: is| was)?|called(?: him| her)?"
    r"|call(?:s|ed)? him|call(?:s|ed)? her|(?:they|people|everyone|kids|lads|we) call(?: him| her)?"
    r"|shout(?:ed|ing)?|yell(?:ed|ing)?|referred to as|refer to him as|alias(?:es)?"
    # "kept calling him Tyler", "shouting for Jack", "his badge said Steve"
    r"|calling (?:him|her)|(?:shout|yell|scream|call)(?:ed|ing|s)? (?:for|after)"
    r"|(?:name )?(?:badge|lanyard|id(?: card)?|name tag|pass)(?: \w+){0,3}?"
    r" (?:said|says|read|reads)(?: the name)?"
    # "Police want to trace", "Officers wish to speak to", "Gardaí are seeking": whom an
    # appeal is for; said by the police, not by a witness ("he was looking for Kelly").
    r"|(?:police|officers|detectives|gardaí|gardai|investigators|we)(?: \w+){0,3}?"
    r" (?:(?:want|wants|wish|wishes|would like|are keen|are trying|are appealing|need|needs"
    r"|hope|are hoping)(?: \w+){0,2}? (?:to )?(?:trace|speak to|speak with|talk to|locate|find"
    r"|identify|contact)|(?:are )?(?:seeking|looking for|searching for|hunting(?: for)?"
    r"|tracing))|(?:wanted man|trace|in tracing)"
    r"|signed(?: (?:off|it))?(?: (?:with|as))?|signed(?: [\w']+){1,3}? as"  # "signed J. Whitlock"
    r"|also called|or possibly|names (?:him|her) as|named (?:him|her|the(?: \w+){1,2})(?: only)? as"
    # "knows him by his first name, Neil", "Wanted for assault: Liam Doyle"
    r"|by (?:his|her|the) (?:first |last |sur|christian |real )?name,?"
    r"|wanted(?: (?:for|in connection with)(?: \w+){1,4}?)?\s*:"
    r"|(?:the )?(?:profile|account|username|user name|insta name|handle)(?: name)?"
    r"(?: said| says| was| is| read)?|(?:i|we|she|he) met|have you seen|somebody said"
    r"|someone said|(?:a|his|her|another) (?:mate|friend|lad|man|woman|girl) said)"
)
_AFTER_CUE = re.compile(
    rf"\b(?i:{_CUES})\s*[:\-]?\s*(?:(?i:something like|summat like|like|maybe|possibly|perhaps"
    r"|probably|apparently|just|i think)\s+)?[\"']?"
    # "calls himself 'the Doc'", "known as the Butcher": a nickname's article is no name
    r"(?:the\s+(?=[A-Z]))?"
    rf"(?:(?i:oi|oy|hey|hiya|ey|alright|cheers)[,!]?\s+)?{_NAME}"
)
# "He said he was Dean from the council", "claiming to be Kev": a name, unless the word says
# where the person is from ("said he was Polish").
_CLAIMED = re.compile(
    r"\b(?i:(?:said|says|told (?:her|him|them|me|us|the \w+)|claimed|claiming|pretended"
    r"|pretending) (?:he|she)(?: was| is|'s)(?: just)?|(?:claimed|claiming|pretended|pretending)"
    # "believed to be a Ryan Moss": an appeal's guess at who he is
    r" to be|(?:is |was )?(?:believed|thought|understood) to be(?: an?)?)\s+[\"']?"
    rf"{_NAME}"
    # He said 'I'm Wayne, I'm here about the boiler', "he kept saying 'my name's Ryan'",
    # "heard him on the phone saying 'it's Stretch'": the speaker's own name, in his words.
    # ("He opened the door and said 'yeah I'm Jamie'": a few words of the sentence between)
    r"|\b(?i:(?:(?:he|she|the\s+(?:man|guy|bloke|lad|woman|male|female))(?:\s+(?!(?:she|he|i|we|they|you)\b)\w+){0,5}?\s+"
    r"(?:said|says|goes|went|introduced\s+himself|introduced\s+herself|told\s+(?:us|me|her|him"
    r"|them|the\s+\w+)|(?:kept|keeps|was|started|were)\s+saying|answered|replied)"
    r"|(?:heard|overheard)\s+(?:him|her)(?:\s+\w+){0,4}?\s+(?:say|saying))(?:\s+to\s+\w+)?)"
    r"\s*[,:]?\s*[\"'‘“]\s*(?i:(?:hi|hello|hiya|alright|yeah|yes|look|listen|oi)[,!]?\s*)?"
    r"(?i:i'm|i\s+am|my\s+name's"
    rf"|my\s+name\s+is|it's|this\s+is)\s+{_NAME}"
)
_BEFORE_CUE = re.compile(
    rf"\b{_NAME}[\"']?\s*,?\s+(?i:she|he|they|people|everyone|we|the kids|his mates|her mates)"
    r"\s+(?i:calls?|called)(?:\s+(?i:him|her))?\b"
    # "Derek I think his name is", "Kaz, her name was"; not "Said his name was Imran"
    r"|\b(?!(?:Said|Says|Told|Tells|Thinks?|Reckons?|Heard|Gave|Gives|Knows?|Knew)\b)"
    rf"{_NAME}[\"']?\s*,?\s+(?i:(?:i\s+think|i\s+believe|i\s+reckon)\s+)?(?:his|her)\s+name"
    r"\s+(?i:is|was|'s)\b"
    # "Robbo, that's what his mates call him", "'Tank' is what the kids called him"
    rf"|\b{_NAME}[\"']?\s*,?\s*(?i:that's|that\s+is|that\s+was|is|was)\s+what\s+"
    r"(?i:they|people|everyone|we|i|(?:his|her|the)(?:\s+\w+){1,2})\s+(?i:calls?|called)"
    r"\s+(?i:him|her)\b"
)
# "Dwayne Ellery, AKA 'Dee'", "Terence, who also goes by Tel": the name, not the alias.
_BEFORE_ALIAS = re.compile(
    rf"\b{_NAME}\s*,?\s*(?:\(?\s*(?i:aka|also known as|a\.k\.a\.|who also goes by|who goes by"
    r"|also called|alias)\b)"
)
# "Connor 'Tank' Maguire": the name around a nickname in quotes is the name.
_AROUND_NICKNAME = re.compile(
    rf"\b(?P<forename>{_NAME_WORD})\s+[\"'][^\"'\n]{{1,24}}[\"']\s+(?P<surname>{_NAME_WORD})"
)
# "Somebody yelled 'pack it in Bazza'", "shouted 'Leave her alone, Darren!'": a shout that
# ends with a name is said to him.
_SHOUTED_AT = re.compile(
    r"\b(?i:shout|yell|scream|call|holler)\w*(?:\s+(?i:out|over|across))?\s*[:,]?\s*[\"'‘“]"
    rf"(?:[^\"'’”\n]{{0,40}}?[\s,])?{_NAME}\s*[!?.,]?\s*[\"'’”]"
)
_QUOTED = re.compile(rf"[\"']({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})[\"']")
# "What's his name? Caller: Stuart Clark", "Did she say a name? A: Sara"
_ANSWERED = re.compile(rf"\bname\?\s*(?:[A-Z][a-z]*\s*:\s*)?{_NAME}")
# "Chloe, 14, was approached", "Mrs Khan was robbed": what was done to her makes her the victim.
_DONE_TO = (
    r"\s*(?i:was|had been|has been|were)\s+(?:\w+\s+)?(?i:approached|attacked|assaulted"
    r"|grabbed|followed|targeted|robbed|walking|sitting|waiting|touched|punched|hit|threatened"
    r"|stabbed|raped|injured|hurt|pushed|kicked|groped|exposed|left|taken|found|chased|on)\b"
)
# "Kyle Cox, 35, ...", "Kevin Hughes (37)", "Kieran Lusk, 26?", "Liam Hartnett, age 29,"
_WITH_AGE = re.compile(
    rf"{_NAME},?\s*(?:\(\d{{2}}\)|,\s*(?i:aged?\s+)?\d{{2}}\s*[,?.])"
    r"(?!\s*(?i:said|says|told|tells|reported|added|described)\b)"  # "Sarah, 24, said the man..."
    rf"(?!{_DONE_TO})"
)
# In a text written all in lower case, a name after its plainest cues ("his name was tommo").
_LOWER_CUE = re.compile(
    r"\b(?:(?:his|her) name(?: was| is|'s)|(?:calls?|called|calling) (?:him|her)self"
    r"|(?:said|says|told \w+) (?:he|she) (?:was|is) called|(?:is|was) known as"
    r"|(?:goes|went|go) by the name(?: of)?|answers to(?: the name(?: of)?)?"
    r"|(?:they|everyone|people|kids|we) calls? (?:him|her)|(?:nickname|name) (?:is|was))"
    r" ((?:big |little |old |young )?[a-z][a-z'-]+)\b"
)
_RELATIONS = (
    r"ex|ex-partner|ex-boyfriend|ex-husband|ex-girlfriend|ex-wife|partner|boyfriend|husband"
    r"|neighbour|fella next door|man next door|lodger|stepdad|step-dad|mum's boyfriend"
    r"|mum's partner|babysitter|landlord"
)
# "My ex, Graham, he's outside", "the fella next door, Chris,", "her ex-partner Danny ROGERS",
# "Shane used to be mum's boyfriend"
# "her uncle's friend Dave", "my brother's mate, Lewis,", "a family friend called": someone
# known through someone else is the one described; "my cousin Reece" is the witness's company.
_KNOWN_THROUGH = (
    r"(?:[a-z]+'s\s+(?:friend|mate|pal|boyfriend|partner|husband|ex|brother|dad|son|lodger"
    r"|neighbour|colleague|boss|cousin|uncle|mate's\s+dad)|family\s+friend|friend\s+of\s+the\s+family)"
)
# "The suspect, Kieran, is white", "The man, Mr Harris, runs the shop"
_SUSPECT_NOUNS = (
    r"suspect|offender|attacker|assailant|robber|man|male|woman|female|driver|bloke|guy|lad"
)
_THROUGH_SOMEONE = re.compile(
    rf"\b(?i:my|her|his|our|their|the victim's|victim's|a)\s+(?i:{_KNOWN_THROUGH})"
    rf"\s*,?\s*{_NAME}\b"
)
_APPOSITION = re.compile(
    rf"\b(?i:my|her|his|the|our|their|victim's)\s+(?i:{_RELATIONS})"
    rf"\s*(?:,\s*{_NAME}\s*(?:,|[.;]|$)|\s+{_NAME}\b)"
    rf"|\b(?i:the|a)\s+(?i:{_SUSPECT_NOUNS})\s*,\s*{_NAME}\s*,"
    rf"|\b{_NAME}\s+(?i:is|was|used to be)\s+(?i:my|her|his|mum's|my mum's)\s+(?i:{_RELATIONS})\b"
    rf"|\b{_NAME}\s*,\s*(?i:my|her|his|mum's|my mum's)\s+(?i:{_RELATIONS})\b"  # "Gavin, my ex"
)
# "Kev won't leave me alone", "Dean keeps texting me", "Gary grabbed her": what the one
# named does to the witness or the one harmed.
_DOES_TO_WITNESS = (
    r"(?i:(?:won't|wouldn't|will\s+not)\s+leave\s+(?:me|her|us|them)"
    r"|(?:keeps|kept|has\s+been|had\s+been)\s+\w+ing\s+(?:me|her|us|them)\b"
    r"|(?:hit|punched|grabbed|followed|threatened|attacked|touched|texted|messaged|slapped"
    r"|pushed|kicked|raped|assaulted|stalked|groomed|harassed|strangled|choked|flashed)"
    r"\s+(?:me|her|us|them|my)\b)"
)
# "Pat is described as", "Niamh has brown eyes", "Mark is white", "A Mr Hughes is believed"
_SUBJECT = re.compile(
    rf"(?:^|(?<=[.!?]\s)|(?<=\b[Aa]\s))(?:(?:Mr|Mrs|Ms|Miss)\.?\s+)?{_NAME}\s+"
    r"(?i:(?:is|was)\s+(?:described|believed|thought|said|wanted|known|approx|about|around|aged"
    r"|white|black|asian|of|in\s+his|in\s+her|\d)|has\s+(?:\w+\s+){0,2}(?:hair|eyes|a\s+tattoo|tattoos"
    r"|a\s+scar|a\s+beard|a\s+\w+\s+build)|was\s+last\s+seen|has\s+not\s+been\s+seen|stands"
    rf"|{_DOES_TO_WITNESS})",
    re.MULTILINE,
)
# "a Mr Patel offered her a lift", "It was Mr Kowalski from upstairs": a title names someone.
# Only "Mr": a woman named by her title is in these accounts mostly the one harmed or a
# witness ("Mrs Henderson, she's really old", "I told Miss").
_TITLED = re.compile(
    rf"\bMr\.?\s+({_NAME_WORD}(?:\s+{_NAME_WORD})?)\b(?!,?(?:\s*\d+\s*,)?{_DONE_TO})"
)
# A name written as police records write it, the surname in capitals: "HAYES, Tony",
# "Tony HAYES", "TONY HAYES (DOB ...)". Read without a cue, so each form asks for more than
# capitals: a forename after the comma, a capitalised forename before, or, where both words
# are in capitals, a known forename or what follows a nominal's name (a date of birth, an age).
_SURNAME = r"(?:(?:MC|MAC|O')?[A-Z]{2,}(?:['-][A-Z]{2,})?)"
_FORENAME = rf"(?:{_UPPER}[a-zß-öø-ÿ]+(?:-{_UPPER}[a-zß-öø-ÿ]+)?(?!{_LETTER}))"
_NOMINAL_AFTER = r"(?=\s*(?:\(|,?\s*(?i:dob|d\.o\.b|born|aged?\b|\d{2}\b)))"
# What an intelligence log says before a nominal's name: "Source reports that", "states".
_REPORTED_BEFORE = re.compile(
    r"\b(?i:that|reports?|reported|states?|stated|indicates?|suggests?|believes?|names?|named"
    r"|nominal|subject|identified\s+as|int|intel|intelligence)\s*[:\-]?\s+$"
)
_IN_CAPITALS = re.compile(
    rf"\b(?P<surname_first>{_SURNAME}),\s*(?P<forename_after>{_FORENAME})\b"
    rf"|\b(?P<forename>{_FORENAME})\s+(?P<surname>{_SURNAME})\b(?![a-z])"
    rf"|\b(?P<first_caps>[A-Z]{{2,}})\s+(?P<last_caps>{_SURNAME})\b(?![a-z])"
    rf"|\b(?P<surname_before>{_SURNAME})\s+(?P<known_forename>{_FORENAME})\b"
    # One word alone, where a log puts its nominal ("Source reports GAZ is...", "Int: STEVE"),
    # with a surname it doubts in brackets ("CAL (POWELL?)").
    rf"|\b(?P<alone>{_SURNAME})\b(?![a-z'])(?:\s*\(\s*(?P<doubted>{_SURNAME})\s*\?\s*\))?"
)
_PATTERNS = (
    _BEFORE_ALIAS,
    _AFTER_CUE,
    _BEFORE_CUE,
    _ANSWERED,
    _THROUGH_SOMEONE,
    _APPOSITION,
    _CLAIMED,
    _WITH_AGE,
    _SUBJECT,
    _TITLED,
    _SHOUTED_AT,
    _QUOTED,
)
# Patterns whose words say a name follows: there a word that is also a brand ("a lad called
# Jordan") is the name; elsewhere it is more likely the brand.
_CUED = frozenset(_PATTERNS) - {_WITH_AGE, _SUBJECT, _QUOTED}
# A name said of someone else, or as a tattoo.
_OTHERS_BEFORE = re.compile(
    r"\b(?:my|our|her|his|their)\s+(?:\w+\s+)?(?:cousin|friend|mate|brother|sister|son|daughter"
    r"|dad|mum|uncle|auntie|aunt|nan|grandad|granddaughter|grandson|niece|nephew|boyfriend"
    r"|girlfriend|husband|wife|dog|cat)\s*,?\s*$|\b(?:isn't|wasn't|not)\s+called\s+$|\bmy\s+name\s+is\s+$"
    r"|\bi'm\s+called\s+$|\bi\s+am\s+called\s+$|\bmy\s+name's\s+$"
    # Whom the witness called for help: "I shouted for Mr Patel next door".
    r"|\b(?:i|we)\s+(?:shouted|called|yelled|screamed|rang|phoned|ran|went)\s+(?:out\s+)?"
    r"(?:for|to|and\s+got)\s+(?:(?:mr|mrs|ms|miss|my\s+neighbour)\.?\s+)?$"
    r"|\b(?:victim|complainant|injured\s+party|ip|informant|witness|caller)\s*,?\s*(?:named\s+as\s+)?$"
    # "Victim: Mary JONES" (not "Caller: Stuart Clark", a transcript's answer to a question).
    r"|\b(?:victim|complainant|injured\s+party|witness)\s*:\s*$"
    # What a business, page or group is called: "a modelling agency, 'Elite Faces'".
    r"|\b(?:page|group|agency|company|business|firm|shop|studio|channel|server|club|pub|bar"
    r"|brand|team|band|website|site|app)\s*(?:called|named)?\s*,?\s*[\"']?$"
    # A log's list of the others around the nominal, without "his": "Cousin LAURA",
    # "Associates with MARCUS POPESCU", "Co-accused HARRY ANDERSON", "seen with Dean".
    r"|(?<![\w-])(?:cousin|brother|sister|son|daughter|mother|father|associate|co-accused"
    r"|co-defendant)s?\s*[,:]?\s*$"
    r"|\b(?:associates?|associating|associated|seen|drinks|lives|living|hangs\s+around)\s+with\s+$"
    # An officer, with or without a collar number: "PC 2345 HUGHES", "DC Jones", "Sgt Paul".
    r"|\b(?:pc|pcso|wpc|dc|ds|di|dci|sgt|sergeant|insp|inspector|constable|officer|oic"
    r"|detective(?:\s+\w+)?|garda)\.?\s*(?:\d+\s*)?$",
    re.IGNORECASE,
)
_TATTOO_AFTER = re.compile(
    r"^['\"]?\s*(?:\w+\s+)?(?:tattooed|tattoo|inked|written|on\s+his|on\s+her)\b", re.I
)
_TATTOO_BEFORE = re.compile(r"\b(?:tattoo|tattoos|tattooed|tat|inked)\b[^,.;!?]*$", re.IGNORECASE)


@cache
def not_names() -> frozenset[str]:
    data = load("not_evidence")
    found = set(data["not_names"])
    for phrases in data["kinds"].values():
        found |= {normalise(p) for p in phrases}
    vocabulary = words()
    found |= {n for ns in vocabulary["person_nouns"].values() for n in ns}
    found |= {n for ns in vocabulary["young_nouns"].values() for n in ns}
    found |= set(vocabulary["victim_nouns"]) | set(vocabulary["other_people"])
    found |= set(vocabulary["stopwords"]) | set(vocabulary["age_words"])
    found |= set(vocabulary["described_cues"]) | {"victim", "caller", "operator", "unknown"}
    found |= set(vocabulary["sentence_openers"])  # "Apparently his name is Marek"
    return frozenset(found)


@cache
def _titles() -> frozenset[str]:
    return frozenset(load("not_evidence")["titles"])


@cache
def _brands() -> frozenset[str]:
    """Brand and shop words ("Nike", "Jordan", "Ford"): some are forenames too."""
    return frozenset(normalise(w) for w in load("not_evidence")["not_names"]) - {"police"}


def _says_where_from(said: str) -> bool:
    """ "said he was Polish", "claimed to be Irish", "believed to be Eastern European": a
    nationality, accent or appearance, in its first word or all its words."""
    return any(
        accents().canonical(words_said) or ethnic_appearance().canonical(words_said)
        for words_said in {said.split()[0], said}
    )


# Capitalised at a sentence's start, never a name: "It was her stepdad", "He was tall".
_PRONOUNS = frozenset(["it", "he", "she", "they", "this", "that", "there", "we", "you", "i"])


def _clean(said: str, places: frozenset[str], cued: bool = False) -> str | None:
    kept: list[str] = []
    parts = said.split()
    if parts and normalise(parts[0]) in _PRONOUNS:
        return None
    while len(parts) > 1 and normalise(parts[0]) in _titles():
        parts = parts[1:]  # "Uncle Jordy" is Jordy; "Big Man" alone stays a nickname
    for word in parts:
        said_word = normalise(word)
        # "a lad called Jordan": a brand that is a forename, named; not "Male, aka 'Rocky'"
        a_brand_named = (
            cued and not kept and said_word in _brands() and _is_known_forename(said_word)
        )
        a_particle = bool(kept) and re.fullmatch(_PARTICLE, word) is not None  # "van Dijk"
        a_surname = len(kept) == 1 and _surname_after_forename(kept[0], word)
        # "a man named Young": a word-surname written with a capital straight after a cue
        a_surname = a_surname or (
            cued and not kept and word[:1].isupper() and said_word in _WORD_SURNAMES
        )
        if (
            said_word in not_names() and not a_brand_named and not a_particle and not a_surname
        ) or (said_word in places):
            break
        kept.append(word)
    kept = [w for w in kept if len(w.strip(".")) > 1]  # initials: "J. Smith" is Smith
    name = " ".join(kept).strip(" .'\"")
    only_initials = all(len(w.strip(".")) <= 1 for w in parts)
    if (
        not name
        and len(said.split()) > 1
        and normalise(said.split()[0]) in _titles()
        and not only_initials
    ):
        name = said.strip(" .'\"")  # "someone called Big Man": a nickname
    if not name or (name.isupper() and len(name) <= 2):
        return None
    if name.isupper():
        return " ".join(_in_title_case(w) for w in name.split())
    return " ".join(_in_title_case(w) if _in_capitals(w) else w for w in name.split())


# Surnames that are also words of a description: "Peter White", "Joanne BROWN", "Sam Young".
_WORD_SURNAMES = frozenset(
    ["white", "black", "brown", "green", "grey", "gray", "young", "long", "short", "english"]
)


def _surname_after_forename(forename: str, word: str) -> bool:
    """Whether a capitalised word that is also a word of the description ("White") is the
    surname after a known forename ("Peter White"): the name words a witness would not
    capitalise mid-sentence as a colour."""
    return (
        word[:1].isupper()
        and normalise(word) in _WORD_SURNAMES
        and _is_known_forename(forename)
        and forename.isupper() == word.isupper()
    )


def _in_capitals(word: str) -> bool:
    """ "HAYES", "McKENZIE": a word written in capitals, its prefix aside."""
    return len(word) > 2 and re.sub(r"^(?:Mc|Mac)", "", word).isupper()


def _in_title_case(word: str) -> str:
    """ "McKENZIE" and "MCKENZIE" are McKenzie, "O'NEILL" O'Neill, "BRIGHT-JONES" Bright-Jones
    ("Mac" is left alone: Macey and Machin are no MacEy and MacHin)."""
    return re.sub(r"^Mc([a-z])", lambda m: "Mc" + m[1].upper(), word.title())


def _someone_elses(text: str, start: int, end: int) -> bool:
    if _OTHERS_BEFORE.search(text[max(0, start - 40) : start]):
        return True  # "my cousin Reece", "My name is Tyrese", "my dad isn't called Dean"
    if re.match(r"'s\b", text[end : end + 2]):
        return True  # "you're Dean's lad"
    return bool(
        _TATTOO_AFTER.match(text[end : end + 24])
        or _TATTOO_BEFORE.search(text[max(0, start - 30) : start])
    )


def _written_forename(word: str) -> bool:
    return written_forename(word)


def _is_known_forename(word: str) -> bool:
    return is_known_forename(normalise(word))


def _a_word(said: str, places: frozenset[str]) -> bool:
    """Whether a normalised word is a word of the description or a place, never a name."""
    return (
        said in not_names()
        or said in places
        or said in trait_words()
        or said in words()["not_places"]
        or said in PLACE_KIND_WORDS
    )


def _a_word_of_capitals(word: str, places: frozenset[str]) -> bool:
    """Whether a word in capitals may be a surname: a word with a vowel (no "PNC" or
    "CCTV"), of three letters or more, that is no word of the description or place."""
    said = normalise(word)
    return (
        len(said.replace("'", "").replace("-", "")) >= 3
        and bool(re.search(r"[aeiouy]", said))
        and not _a_word(said, places)
    )


def _name_in_capitals(text: str, places: frozenset[str]) -> tuple[str, tuple[int, int]] | None:
    letters = [c for c in text if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) > len(letters) / 2:
        return None  # a text all in capitals says nothing by its capitals
    position = 0
    # Overlapping tries: in "Subject WAYNE PRICE" the first pair is no name, the second is.
    while match := _IN_CAPITALS.search(text, position):
        position = match.start() + 1
        if _someone_elses(text, match.start(), match.end()):
            continue
        groups = match.groupdict()
        if groups["surname_first"]:
            surname, forename = groups["surname_first"], groups["forename_after"]
            ok = normalise(forename) not in not_names()
        elif groups["surname"]:
            surname, forename = groups["surname"], groups["forename"]
            ok = normalise(forename) not in not_names() and normalise(forename) not in _PRONOUNS
        elif groups["known_forename"]:  # "HAYES Tony": without a comma, only a known forename
            surname, forename = groups["surname_before"], groups["known_forename"]
            ok = _is_known_forename(forename) and normalise(forename) not in not_names()
        elif groups["alone"]:
            alone = groups["alone"]
            reported = _REPORTED_BEFORE.search(text[max(0, match.start() - 30) : match.start()])
            if not (reported and _a_word_of_capitals(alone, places)):
                continue
            said = f"{alone} {groups['doubted']}" if groups["doubted"] else alone
            if name := _clean(said, places):
                return name, match.span()
            continue
        else:
            surname, forename = groups["last_caps"], groups["first_caps"]
            ok = _a_word_of_capitals(forename, places) and (
                _is_known_forename(forename)
                or bool(re.match(_NOMINAL_AFTER, text[match.end() :]))
                or bool(_REPORTED_BEFORE.search(text[max(0, match.start() - 30) : match.start()]))
            )
        if not (ok and _a_word_of_capitals(surname, places)) or normalise(forename) in places:
            continue
        if name := _clean(f"{forename} {surname}", places):
            return name, match.span()
    return None


# "John or Jonny", "Nat or Nathan", "STEVE/STEPHEN": one name in two forms.
_OR_FORM = re.compile(rf"\s*(?:/|\bor\b)\s*[\"']?({_NAME_WORD})\b")


def _fuller_form(name: str, text: str, end: int) -> str:
    """The longer of two forms of one forename given as alternatives, as a writer would
    note it; two different names ("Dean or Darren") leave the first."""
    other = _OR_FORM.match(text, end)
    if other is None or " " in name:
        return name
    said = _clean(other.group(1), frozenset()) or ""
    if forenames_agree(normalise(name), normalise(said)) and len(said) > len(name):
        return said
    return name


def _speech_not_name(text: str, start: int, end: int) -> bool:
    """ "shouted 'Leave her alone, Darren'": a shout's quote opened before the words read as a
    name that goes on after them is something said, not a name ("shouted 'Oi, Kyle!'" is
    one). Only after a shout: "introduced himself as 'Paddy from the water board'" names."""
    opened = re.search(r"(?<![\w'])[\"']\s*(?:\w+[,!]?\s+)?$", text[max(0, start - 12) : start])
    return bool(opened) and not re.match(r"\s*[\"'!?,.;:)]|\s*$", text[end:])


# "he called her Sharon", "she calls him Stu": a name one person gives another.
_CALLS = re.compile(
    r"\b(?i:he|she)\s+(?i:calls|called|kept\s+calling|was\s+calling)\s+(?i:him|her)\s*$"
)
_HE = re.compile(r"\b(?:he|him|his|himself)\b", re.IGNORECASE)
_SHE = re.compile(r"\b(?:she|her|hers|herself)\b", re.IGNORECASE)


def _calls_the_other(text: str, name_start: int) -> bool:
    """Whether the name is one the person described gives someone else: "he called her
    Sharon" in an account mostly about a "he" names her, "she calls him Stu" names him."""
    said = _CALLS.search(text[max(0, name_start - 30) : name_start].rstrip(" \"':-"))
    if said is None:
        return False
    words_said = said[0].lower().split()
    subject, object_ = words_said[0], words_said[-1]
    if subject == ("he" if object_ == "him" else "she"):
        return False  # "he calls him": two men, no telling
    men, women = len(_HE.findall(text)), len(_SHE.findall(text))
    described = "he" if men > women else "she" if women > men else None
    return described == subject


def _spoken_by_the_other_sex(text: str, said: str) -> bool:
    """Whether words quoted after "she said" are said in an account of a man (or "he said"
    in one of a woman): the witness's words, or the one harmed's."""
    speaker = re.match(r"\s*(\w+)(?:\s+(\w+))?", said.lower())
    if speaker is None:
        return False
    word = speaker[2] if speaker[1] == "the" and speaker[2] else speaker[1]
    sex = {"he": "M", "man": "M", "guy": "M", "bloke": "M", "lad": "M", "male": "M"}.get(word)
    sex = sex or {"she": "F", "woman": "F", "female": "F"}.get(word)
    described = _sex_of_account(text)
    return sex is not None and described is not None and sex != described


def _candidates(text: str, places: frozenset[str]) -> list[tuple[int, str, tuple[int, int]]]:
    """Each pattern's first name, with where it stands."""
    found = []
    for match in _AROUND_NICKNAME.finditer(text):
        said = f"{match['forename']} {match['surname']}"
        name = None if _someone_elses(text, *match.span()) else _clean(said, places)
        if name and len(name.split()) == 2:
            found.append((match.start(), name, match.span()))
            break
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            group = next(i for i in range(1, (match.lastindex or 1) + 1) if match.group(i))
            does_it = re.match(
                rf"\s*,?\s*(?:again\s+|then\s+)?{_DOES_TO_WITNESS}", text[match.end(group) :]
            )
            # His own words ("he kept saying 'my name's Ryan'") name him, not the witness;
            # unless the speaker is of the other sex than the one described ("she told him
            # 'my name's Jess'"), or the name is someone else's ("'I'm Amy's dad'").
            in_his_words = pattern is _CLAIMED and bool(
                re.search(r"[\"'‘“]", text[match.start() : match.start(group)])
            )
            if in_his_words and re.search(r"'s\b", text[match.start(group) : match.end(group) + 2]):
                continue
            if in_his_words and _spoken_by_the_other_sex(text, match[0]):
                continue
            if (
                _someone_elses(text, match.start(group), match.end(group))
                and not does_it
                and not in_his_words
            ):
                continue  # "my cousin Reece"; not "My husband Craig hit me"
            if pattern is _CLAIMED and _says_where_from(match.group(group)):
                continue
            if _calls_the_other(text, match.start(group)):
                continue
            shouted = re.match(r"(?i:shout|yell)", match[0]) is not None
            if shouted and _speech_not_name(text, match.start(group), match.end(group)):
                continue
            if name := _clean(match.group(group), places, pattern in _CUED):
                name = _fuller_form(name, text, match.end(group))
                found.append((match.start(group), name, match.span()))
                break
    if in_capitals := _name_in_capitals(text, places):
        name, span = in_capitals
        found.append((span[0], _fuller_form(name, text, span[1]), span))
    return found


# "It was Liam Hart from the flats", "Kev, the landlord's son, did it": with no cue, a
# capitalised common forename (`vocabularies/forenames.json`, which leaves out the ones
# that are also words: Mark, Will, Rose) with its surname, if any, is the person's name,
# unless it is said as someone else's or as the one harmed, or as a woman's in an account
# of a man (and the other way round): in such accounts the other sex is the witness's side.
_BARE = re.compile(rf"(?<![\w@.])(?P<name>{_NAME})")
_ONE_HARMED_AFTER = re.compile(
    rf"^\s*(?:\(\s*\d{{1,2}}\s*\)|,\s*\d{{1,2}}\s*,|,\s*(?:aged?\s+)?\d{{1,2}}\b)?\s*,?{_DONE_TO}"
    r"|^\s*(?:\(\s*\d{1,2}\s*\)|,\s*(?:aged?\s+)?\d{1,2}\s*(?:,|\)))"  # "Amy (13)"
    r"|^\s*,?\s*(?:my|our|her|his|their)\s+(?:\w+\s+)?(?:son|daughter|brother|sister|mum|dad"
    r"|friend|mate|cousin|wife|husband|girlfriend|boyfriend|nan|grandad|niece|nephew"
    r"|neighbour|colleague)\b"  # "Jack, my son,"
    r"|^\s*(?:and\s+(?:i|me)\b|,?\s*(?:and|&)\s+(?:her|his|my)\b)"  # "Kirsty and I"
    r"|^\s*(?:'s|s')\b",
    re.IGNORECASE,
)
_WITNESS_BEFORE = re.compile(
    r"\b(?:i'm|i\s+am|my\s+name\s+is|my\s+name's|this\s+is|me\s+and|and\s+me"
    r"|with|to|told|asked|called|phoned|rang|texted|for|at|from|behind|saw|helped|hit|punched"
    r"|grabbed|followed|approached|attacked|robbed)\s*$|\b(?:dear|hi|hello|thanks|thank\s+you)"
    r"\s*,?\s*$",
    re.IGNORECASE,
)


_SHE_SUBJECT = re.compile(r"\b(?:she|she's|she'd|herself)\b", re.IGNORECASE)


def _sex_of_account(text: str) -> str | None:
    """ "he" or "she", whichever the account says more; "her" is left out, as it is the one
    harmed's as often ("he grabbed her")."""
    men, women = len(_HE.findall(text)), len(_SHE_SUBJECT.findall(text))
    return "M" if men > women else "F" if women > men else None


# "Leah says the man was", "Rory said they were": one who tells of the person.
_TELLS_OF = re.compile(
    r"^\s*(?:says|said|told\s+\w+|thinks|thought|reckons|reckoned|remembers|saw|noticed)\s+"
    r"(?:that\s+)?(?:(?:the|a|this)\s+(?:man|male|person|guy|lad|bloke|woman|female|one)"
    r"|they|it\s+was)\b",
    re.IGNORECASE,
)
_REPORTER_BEFORE = re.compile(
    r"\b(?:reported\s+by|statement\s+(?:of|by|from)|written\s+by|from|informant|by\s+pupil)"
    r"\s*:?\s*$|\b(?:an?|the)\s+$",  # "Reported by Rory", "a Stanley knife"
    re.IGNORECASE,
)
_INKED_BEFORE = re.compile(r"\b(?:tattoo\w*|inked|written)\b[^.!?]*$", re.IGNORECASE)


@cache
def _thing_words() -> frozenset[str]:
    """The words of garments, vehicles and the like: a name before one is a brand's ("a
    Fred Perry polo", "a Ted Baker shirt")."""
    kinds = load("not_evidence")["kinds"]
    return frozenset(w for phrases in kinds.values() for p in phrases for w in normalise(p).split())


def _not_the_person(text: str, start: int, end: int, places: frozenset[str]) -> bool:
    """Whether a bare forename at text[start:end] is someone else's, the one harmed's, the
    witness's, a teller's, a tattoo's, or the first word of a place ("Victoria Rd")."""
    following = re.match(r"\s*([A-Za-z]+)", text[end : end + 20])
    return bool(
        _someone_elses(text, start, end)
        or _ONE_HARMED_AFTER.match(text[end : end + 60])
        or _TELLS_OF.match(text[end : end + 40])
        or _WITNESS_BEFORE.search(text[max(0, start - 16) : start])
        or _REPORTER_BEFORE.search(text[max(0, start - 24) : start])
        or _INKED_BEFORE.search(text[max(0, start - 60) : start])
        or (following and normalise(following[1]) in PLACE_KIND_WORDS | _thing_words())
        or any(normalise(w) in PLACE_KIND_WORDS for w in text[start:end].split()[1:])
    )


@cache
def _sentence_openers() -> frozenset[str]:
    return frozenset(words()["sentence_openers"])


_SENTENCE_OPENS = re.compile(r"(?:^|[.!?:;\n]|[\"'‘“(]|\s-)\s*$")


@cache
def _words_of_other_readings() -> frozenset[str]:
    """Words a capital may open that are no name even where the register holds one: marks,
    tattoo motifs, accents, appearances, and the towns and neighbourhoods of places.json and
    localities.json ("Snake tattoo", "Scouse", "in Walton")."""
    found = {w for phrase in MARK_WORDS for w in phrase.split()}
    found |= {normalise(t) for t in load("places")["towns"]}
    found |= set(locality_towns())
    return frozenset(found)


def _held_name_said_bare(text: str, match: re.Match[str], names: frozenset[str]) -> bool:
    """Whether a capitalised word is a name the register holds ("It was Whitlock again",
    "Dmitri was at the gates") said mid-sentence: at a sentence's start a capital says
    nothing, and a word of another reading is that reading's ("in West Derby")."""
    phrase = normalise(match["name"])
    said = phrase.split()[0]
    before = text[max(0, match.start() - 40) : match.start()]
    if said not in names or _SENTENCE_OPENS.search(before[-3:]):
        return False
    if re.search(r"[A-Z][\w'.]*\s+(?:(?:and|&|of)\s+)?$", before):
        return False  # the end of a longer name: "Inspector Rachel Okafor", "Marks and Spencer"
    # The word alone and with the word after it: "West" of "West Country", "West Derby".
    return not any(
        words_said in _words_of_other_readings()
        or tattoo_motifs().find(words_said)
        or accents().canonical(words_said) is not None
        or ethnic_appearance().canonical(words_said) is not None
        for words_said in {said, " ".join(phrase.split()[:2])}
    )


def _bare_forenames(
    text: str,
    places: frozenset[str],
    aside: list[tuple[int, int]],
    names: frozenset[str] = frozenset(),
) -> list[tuple[int, str, tuple[int, int]]]:
    described = _sex_of_account(text)
    mentions: dict[str, list[re.Match[str]]] = {}
    for said in _BARE.finditer(text):
        match: re.Match[str] | None = said
        first = said["name"].split()[0]
        if normalise(first) in _sentence_openers():  # "Then Dmitri started waiting"
            match = _BARE.match(text, said.start() + len(first) + 1)
            first = match["name"].split()[0] if match else ""
        if match is None or not first[:1].isupper() or first.isupper():
            continue
        if first.startswith(("Mr", "Mrs")):
            continue
        forename = normalise(first)
        if _a_word(forename, places):
            continue
        if _written_forename(forename) or _held_name_said_bare(text, match, names):
            mentions.setdefault(forename, []).append(match)
    found = []
    for forename, matches in mentions.items():
        if described and (sex := forename_sex(forename)) and sex != described:
            continue  # "Amy" in an account of a man is the witness's side
        if any(_not_the_person(text, *m.span("name"), places) for m in matches):
            continue  # "my daughter Leah ... Leah says": one named as someone else is so again
        if any(s - 2 <= m.end("name") <= s for m in matches for s, _ in aside):
            continue  # "a white Fred Perry polo shirt": the garment set aside is its brand's
        if name := _clean(matches[0]["name"], places):
            found.append((matches[0].start("name"), name, matches[0].span()))
    return sorted(found)[:1]


def read_name(
    reading: Reading, places: frozenset[str], names: frozenset[str] = frozenset()
) -> None:
    """The first name the description gives of the person: "SPARKY (believed Simon DAVIS)",
    "'Lee' ... his friends call him 'Snakey'" are Sparky and Lee, as a writer notes them."""
    text = reading.work
    # A handle's forename is the weakest reading: a name said outright comes first ("the
    # TikTok name 'jake_swans'... Believed to be JACOB WELLS").
    found = (
        _candidates(text, places)
        or handle_forenames(text, _is_known_forename, lambda word: _a_word(word, places))
        or _bare_forenames(text, places, reading.aside, names)
    )
    if found:
        # Of two readings at one place, the fuller: "Named as MACE, Tony" is Tony Mace.
        _start, name, span = min(found, key=lambda f: (f[0], -len(f[1].split()), f[1]))
        reading.take("name", name, span, f'name heard: "{name}"')
        return
    _read_name_in_lower_case(reading, places, names)


def _read_name_in_lower_case(
    reading: Reading, places: frozenset[str], names: frozenset[str] = frozenset()
) -> None:
    """A name written in lower case after the plainest cues ("his name was tommo"): in a
    text all in lower case, any word that is no word of the description; elsewhere ("The
    man said his name was dave"), only a forename the nicknames dataset knows, given as a
    man's ("his name", "he was called"), or a name the register holds ("they call him
    tank"): there "her name is amy" is as often a friend's or the one harmed, and "my name
    is" the witness's."""
    text = reading.work
    all_lower = not re.search(r"[A-Z]", text)
    for match in _LOWER_CUE.finditer(text):
        said = match.group(1)
        if normalise(said.split()[-1]) in not_names() or normalise(said) in places:
            continue
        his = re.search(r"\b(?:his|he|him|himself)\b", match[0], re.IGNORECASE)
        known = _is_known_forename(said) or normalise(said) in names
        if all_lower or (his and len(said.split()) == 1 and known):
            reading.take("name", said.title(), match.span(), f'name heard: "{said.title()}"')
            return
