package gen

// The words cases are made of. Header names come in their long, compact and case-varied forms so
// that interning and compact-form matching are exercised both ways (SMC-SPEC §2); values are the
// name-addr and URI shapes the macros of §3 take apart; patterns reach every matcher kind of the
// compiler (literal, prefix, suffix, exact, sequence, RE2).

var methods = []string{"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "INFO", "UPDATE",
	"PRACK", "SUBSCRIBE", "NOTIFY", "MESSAGE", "REFER", "PUBLISH", "FOO"}

// ruleMethods adds what a profile may write but no message sends in that form.
var ruleMethods = append([]string{"invite", "Bye"}, methods...)

var codes = []int{100, 180, 183, 200, 202, 301, 302, 400, 404, 480, 486, 487, 488, 500, 503, 600, 603, 699}

var codePatterns = []string{"100", "180", "18X", "1XX", "200", "2XX", "4XX", "486", "48X", "5XX", "503",
	"6XX", "XXX", "X00", "603", "699", "3XX"}

var reasons = []string{"OK", "Ringing", "Busy Here", "Server Internal Error", "", "Décliné"}

// headerForms are spellings of the header names rules select and messages carry.
var headerForms = [][]string{
	{"From", "f", "FROM", "from", "F"},
	{"To", "t", "TO", "T"},
	{"Via", "v", "VIA", "V"},
	{"Call-ID", "i", "call-id", "CALL-ID"},
	{"Contact", "m", "contact"},
	{"CSeq", "cseq", "CSEQ"},
	{"Content-Length", "l", "content-length"},
	{"Content-Type", "c", "content-type"},
	{"Subject", "s"},
	{"Supported", "k"},
	{"Event", "o"},
	{"Refer-To", "r"},
	{"Referred-By", "b"},
	{"Session-Expires", "x"},
	{"P-Asserted-Identity", "p-asserted-identity"},
	{"Max-Forwards"},
	{"Route"},
	{"Record-Route"},
	{"User-Agent"},
	{"Diversion"},
	{"X-Trunk", "x-trunk"},
	{"X-Unknown-Header"},
}

// bodyPrefixes are the BODY_SECTION_ONLY headers: prefixes of SDP lines.
var bodyPrefixes = []string{"c=", "m=audio", "m=", "a=", "a=crypto", "a=rtpmap", "o=", "v=", "s=", "t=", "b=AS", "C=", "x"}

// uriValues are name-addrs and URIs, with and without display names, users, passwords, ports,
// IPv6 references and parameters.
var uriValues = []string{
	`Batman <sip:18665551000@192.168.0.10:5060;isup-oli=62>;tag=1`,
	`"Sansay Lab 1" <sip:alice:pw@example.com;user=phone>;tag=a1b2`,
	`<sip:+15551234@[2001:db8::1]:5070;transport=tcp>`,
	`sip:bob@192.0.2.10;transport=udp;tag=77`,
	`tel:+15551234;npdi`,
	`<tel:+18005551212>`,
	`"A \"B\" C" <sips:carol@host.example:5061>`,
	`<sip:host.example>`,
	`sip:10.1.2.3:5060`,
	`Anonymous <sip:anonymous@anonymous.invalid>;tag=x`,
	`<sip:2001@10.0.0.1;user=phone?Subject=x>;expires=60`,
	`é <sip:ü@example.com>`,
	`<sip:alice@[::ffff:192.0.2.1]>`,
	``,
	` `,
}

// plainValues are values of the other headers.
var plainValues = []string{
	`SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds`,
	`SIP/2.0/TCP [2001:db8::9]:5060;branch=z9hG4bKa;received=10.0.0.1, SIP/2.0/UDP 10.0.0.2`,
	`a84b4c76e66710@pc33.example.com`,
	`314159 INVITE`,
	`70`, `0`, `-5`, `+12`, `5060`, `99999999999999999999`,
	`application/sdp`, `text/plain`,
	`timer, 100rel`, `3600;refresher=uac`,
	`smc/1.0 (fuzz)`,
	`IN IP4 192.0.2.10`,
	`trunk-7`, `TRUNK-7`, ``,
}

var sdpLines = []string{
	"v=0",
	"o=- 20518 0 IN IP4 203.0.113.1",
	"s=-",
	"c=IN IP4 192.0.2.10",
	"c=IN IP6 2001:db8::5",
	"c=IN IP4 10.1.2.3:5004",
	"t=0 0",
	"m=audio 49170 RTP/AVP 0 8 101",
	"m=video 51372 RTP/AVP 31",
	"a=rtpmap:0 PCMU/8000",
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
	"a=sendrecv",
	"b=AS:64",
	"",
	"x=é",
}

// literalPieces and the other atoms below make up composed patterns (pattern.go).
var literalPieces = []string{"sip", "alice", "5060", "@", ";", "tag=", "1", `\.`, "a", `192\.0\.2`, ":",
	`\+1`, " ", "é", "IN IP4 ", "user=phone", "<", ">", "-", "0"}

var classAtoms = []string{"[0-9]", "[a-z]", "[^;]", "[^@]", ".", "[A-Za-z0-9.-]", `\d`, `\w`, "[^>]", `\s`,
	"[a-zA-Z]", "[2-9]", "[^ ]", `\pL`, "[é]"}

var quantifiers = []string{"", "+", "*", "?", "{2}", "{1,3}", "+?"}

var groupAtoms = []string{"(a|ab)", "(user|transport)", "(sip|sips)", "(5060|506)", "( |$)", "(x|)",
	"(1|12|123)", "(ab|a)*", "(;[a-z]+=[^;]*)+", "(?:IP4|IP6)", "(alice|bob|carol)"}

// fixedPatterns are written out whole: leftmost-longest-sensitive alternations, empty matches,
// anchors alone, flags, and non-ASCII.
var fixedPatterns = []string{
	"(a|ab)(c|bcd)(d*)", "a|ab", "(a*)(a|b)", "sip|sips", `[0-9]+|[0-9]+\.[0-9]+`, "x*", "^", "$", "",
	`\bsip\b`, "(?i)ALICE", "(?s).*", "[[:digit:]]+", `\x{e9}`, "(?U)[0-9]+", `[0-9]{3}`, "^[2-9][0-9]{9}$",
	"(?i)tag=", "tgrp=[0-9]+", ` 18( |$)`, `(?i);(x-[a-z-]+=[^;]*|purpose=x-[a-z]+)`, `^\+?1?([0-9]{10})$`,
	"^sip:", ">$", "^alice$", "^$", "5060$", `192\.0\.2\.1`, `[^:]+:`, "(?m)^a", `\.`, "b*|a", "(|a)+",
}

// Environments (§4 reserved variables).
var addrPorts = []string{"192.0.2.1:5060", "198.51.100.33:5061", "10.0.0.1:5060", "[2001:db8::5]:5060",
	"[::1]:15060", "[2001:db8::ffff:1]:5080", "203.0.113.7:65535"}

// templatePieces are the literal parts of an Output or RightOperand.
var templatePieces = []string{"x", ";tag=1", "sip:", " ", "5060", "é", "alice", "ALICE", "@", "1", "0", "-3",
	"192.0.2.10", "2001:db8::1", "<sip:bob@example.com>", ";user=phone", "X-Added: 1", "a=ptime:20"}

// outputLines are whole lines an Output adds or rewrites, including start lines and lines that
// only a line break separates.
var outputLines = []string{
	"X-Added: yes", "X-Trunk: 7", "a=ptime:20", "c=IN IP4 198.51.100.1", "Subject: rewritten", "f: <sip:new@example.com>;tag=9",
	"X-A: 1\r\nX-B: 2", "X-C: 3\nX-D: 4", "Content-Type: application/sdp", "Content-Length: 5",
	"INVITE sip:rewritten@example.com SIP/2.0", "SIP/2.0 486 Busy Here", "BYE sip:x SIP/2.0", "not a start line",
	"v=0", "\r\n", " folded",
}

// directiveLines are the Sansay-SMC- lines (§6 directives) an Output may add: they end
// processing, so gen writes them seldom.
var directiveLines = []string{"Sansay-SMC-RejectCall486", "Sansay-SMC-RejectCall603: by rule", "Sansay-SMC-BlockMedia",
	"Sansay-SMC-Unknown: x", "Sansay-SMC-RejectCall700", "sansay-smc-rejectcall480", "X-A: 1\nSansay-SMC-RejectCall399"}

var dscpValues = []string{"EF", "ef", " AF41 ", "CS0", "CS7", "VA", "0", "63", "46", "af11", " 10"}

var markValues = []string{"0", "1", "4294967295", "0x10", "0XfF", " 7 ", "0x0", "123456"}

var comparisonOps = []string{"EQ", "NEQ", "I_EQ", "I_NEQ", "PREFIX", "NPREFIX", "I_PREFIX", "I_NPREFIX",
	"SUFFIX", "NSUFFIX", "I_SUFFIX", "I_NSUFFIX", "CONTAINS", "NCONTAINS", "I_CONTAINS", "I_NCONTAINS"}

var integerOps = []string{"GT", "GE", "LT", "LE"}

var integers = []string{"0", "5060", "-1", "+3", "100", "99999", "9223372036854775807", "-9223372036854775808"}

var ranges = []string{"1,100", " 5000 , 6000", "0,0", "-10,10", "100,699", "+1,+9"}

var macroNames = []string{"GETDISPLAYNAME", "GETURI", "GETURI_USERNAME", "GETURI_HOST", "GETURI_PORT",
	"GETURI_PARAMETERS", "GETURI_PARAMETERES"}

// reservedNames are the reserved variables a template may use anywhere. ISUP values are empty (or
// 0) without an ISUP body, which gen never makes.
var reservedNames = []string{"SIP.RemoteIP", "SIP.RemotePort", "SIP.LocalIP", "SIP.LocalPort", "SIP.Transport",
	"SMC.Date", "SMC.Rand1000", "SMC.Rand10000", "SMC.Rand100000", "ISUP.IsPresent", "ISUP.CPN"}

var userVarNames = []string{"v1", "From-User", "x_2", "V.3"}
