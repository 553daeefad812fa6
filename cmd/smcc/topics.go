package main

// Quick references of the language, one screen each, for `smcc help TOPIC`. docs/language.md
// is the whole reference, with examples; these are what an operator needs at hand while writing a
// rule. TestHelpTopicsNameEveryWord checks that each names every word the compiler accepts.

// topicOrder lists the topics as `smcc help` shows them.
var topicOrder = []string{"selectors", "macros", "variables", "operators", "actions"}

var topicSummary = map[string]string{
	"selectors": "Header, HeaderAttr, RegEx1, RegEx2: choosing the text a rule reads or edits",
	"macros":    "the parts of a SIP URI a Macro selects",
	"variables": "stored variables and the reserved {$SIP.*}, {$SMC.*}, {$DataFile.*}, {$ISUP.*}",
	"operators": "the comparisons of a condition",
	"actions":   "Action, the replace types, Break and the directives",
}

var topicText = map[string]string{
	"selectors": `
Selection, in this order: lines, then Macro, then RegEx1's first match, then RegEx2's inside it.

HeaderAttr            Header is                      selects
HEADER_SECTION_ONLY   a header name (From, From:, v) every header line of that name; any case,
  (the default)                                      compact forms match long forms both ways
                      TOPLINE                        the start line (request or status line)
BODY_SECTION_ONLY     the start of a body line       every body line starting with it, exactly
                      (c=, m=audio, a=crypto)        (multipart: the text parts' lines only)
CONDITION_LITERAL     text with {$variables}         that text, expanded: no line
                                                     (conditions and variables only)
XML_BODY              a path: //pos, /a/b/@attr, *   every element's text or attribute it reaches
                                                     in the body's XML (conditions, variables)

Values: a header's text after the colon, trimmed; a body line's text after the prefix; the whole
start line. Header lines are never split at commas.

Macro       narrows each value to a URI part (smcc help macros).
RegEx1      RE2 syntax, leftmost-longest, compiled ahead (never expanded): narrows to its first
            match; no match selects the empty string. In a replace definition of a type that
            filters, a line is acted on only when it matches.
RegEx2      narrows again inside RegEx1's match (needs RegEx1).

The result is a place in the line: replace definitions edit exactly that part.
`,
	"macros": `
On  Batman <sip:18665551000@192.168.0.10:5060;isup-oli=62>;tag=1

GETDISPLAYNAME     Batman          (a quoted name without its quotes)
GETURI             18665551000@192.168.0.10   (user@host; the host alone without a user)
GETURI_USERNAME    18665551000     (no :password; tel:+15551234 gives +15551234)
GETURI_HOST        192.168.0.10    (IPv6 keeps its brackets)
GETURI_PORT        5060            (empty without a port)
GETURI_PARAMETERS  isup-oli=62     (the URI's own parameters, never the header's ;tag)

The URI inside <> when there is one, else up to the first ';', ',' or space. On a request's
TOPLINE the macros read the Request-URI; on a response's TOPLINE they give nothing. A macro that
finds nothing gives the empty string. GETURI_PARAMETERES (the guide's spelling) works, with a
warning.
`,
	"variables": `
{"VariableName": "{$Name}", "Header": "From", "Macro": "GETDISPLAYNAME"}    in StoredVariables

A stored variable takes the text selected from the first selected line (empty when none), when its
rule's scope matches, before the conditions; later rules of the same profile see it, for this
message. {$Name} is expanded in Output, RightOperand and a CONDITION_LITERAL Header, never in
patterns. Reserved ones are imported: {"VariableName": "{$SIP.RemoteIP}", "Porting": "IMPORT"}.
{$0}..{$9} are a match's capture groups (smcc help actions), never variables.

{$SIP.RemoteIP} {$SIP.RemotePort}   the peer (source of what the host receives, destination of
{$SIP.LocalIP} {$SIP.LocalPort}     what it sends); this host's end
{$SIP.Transport}                    UDP or TCP
{$SMC.Date}                         Thu, 18 Mar 2021 21:06:48 GMT
{$SMC.Rand1000} {$SMC.Rand10000} {$SMC.Rand100000}   random, 1..N, once per message
{$DataFile.Field1} ...              a column of the row a lookup selected (smcc help operators)
{$ISUP.IsPresent}                   1 when the body holds a readable ISUP IAM, else 0
{$ISUP.NCI} {$ISUP.FCI}             indicators, hex      {$ISUP.CPC} {$ISUP.ParamOLI}  decimal
{$ISUP.CPN} {$ISUP.CdPN}            calling and called numbers
{$ISUP.ParamJIP} {$ISUP.ParamJP}    jurisdiction information digits
`,
	"operators": `
{"Header": "From", "Macro": "GETURI_USERNAME", "Operator": "PREFIX", "RightOperand": "+1800"}

Several lines selected: a positive operator holds for any line; its N... twin when it holds for
none. No line selected: the operator compares the empty string once (EQ "" = absent or empty).

EQ NEQ  I_EQ I_NEQ                  equal (I_: ASCII case ignored)
PREFIX NPREFIX  I_PREFIX I_NPREFIX  starts with
SUFFIX NSUFFIX  I_SUFFIX I_NSUFFIX  ends with
CONTAINS NCONTAINS  I_CONTAINS I_NCONTAINS   contains
GT GE LT LE                         both integers, compared; else FALSE
BETWEEN NBETWEEN                    integer within "LOW,HIGH"
REGEX NREGEX                        RightOperand is a pattern that matches somewhere
BSEARCH_EQ BSEARCH_NEQ  BSEARCH_I_EQ BSEARCH_I_NEQ   a key of the rule's DataFile
BSEARCH_PREFIX BSEARCH_NPREFIX      a key of the DataFile is a prefix; the longest selects the row,
                                    the empty key is the default row (number routing)
IP_LOOKUP IP_NLOOKUP                an address inside a network of the rule's DataFile

Lookups search DataFileBSearchIndex (default 1), or column N when RightOperand is exactly
{$DataFile.FieldN}; the row found gives {$DataFile.Field1}... to the rest of the rule.
LogicalConjunction: OR (default) or AND, evaluated left to right, stopping when decided.
`,
	"actions": `
DROP_MSG          verdict drop; nothing after it runs      DROP_MSG_RECORD   the same, audited
REPLACE_MSG       its ReplaceDefs, in order; then "Break": 1 skips the rest of the profile

ReplaceType             on                  does                                      Output
ADD_LINE                first passing line  a new line after it (else end of section) required
REWRITE_LINE            first passing line  replaces it whole (empty: deletes)        required
DELETE_LINES            every passing line  deletes it (never TOPLINE)                none
FINDSUB_LINES           every selected line replaces each RegEx1 match (or the part)  may be ""
APPEND_LINES            every passing line  appends at the end of the part            required
FINDINSERTAFTER_LINES   every selected line inserts after each RegEx1 match           required
FINDINSERTBEFORE_LINES  every selected line inserts before each RegEx1 match          required
AUDIT_RECORD            -                   an audit record with Output               required
SET_DSCP                the packet          DSCP 0..63 or EF, CS0..CS7, AF11..AF43, VA required
SET_MARK                the packet          packet and connection mark, 0x.. or decimal required
SDP_REMOVE_CODECS       SDP media sections  removes the listed codecs (names or payload
SDP_KEEP_CODECS         (Header m=audio...) types) / all but them, with their a= lines  required

"passing": matching RegEx1 (and RegEx2) when given. \n in Output makes several lines.
Content-Length follows the body after the chain. In FINDSUB and FINDINSERT Outputs, {$0} is the
match and {$1}..{$9} its groups (RegEx2's if given): "RegEx1": "^1?([0-9]{10})$", "Output": "+1{$1}"

Directives, added as a header line, never sent, end the chain:
Sansay-SMC-RejectCallNNN   reject with NNN (400..699)   Sansay-SMC-BlockMedia   reject 488
(a value, "Sansay-SMC-RejectCall403: Caller Blocked", is the response's reason phrase)
`,
}
