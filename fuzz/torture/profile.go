package torture

// Profile is the chain the torture tests run the corpus through. It touches every part of a
// message a torture case bends: the Request-URI and From through macros, a header added after
// Call-ID (whatever form it takes), SDP connection lines (a body whose length changes, so the
// Content-Length fix-up runs), Contact hosts edited inside their macro span, headers deleted,
// REGISTERs and scanners dropped, and responses filtered by code and rewritten.
const Profile = `{"ProfileID": 4475, "ProfileName": "torture", "Rules": [
 {"Comment": "drop what a SIP scanner sends", "MsgType": "REQUEST",
  "Conditions": [{"Header": "User-Agent", "Operator": "I_CONTAINS", "RightOperand": "friendly-scanner"}],
  "Action": "DROP_MSG"},
 {"Comment": "every request: name the peer, the Request-URI's user and the From host",
  "MsgType": "REQUEST",
  "StoredVariables": [{"VariableName": "{$ruri-user}", "Header": "TOPLINE", "Macro": "GETURI_USERNAME"},
                      {"VariableName": "{$from-host}", "Header": "From", "Macro": "GETURI_HOST"}],
  "Action": "REPLACE_MSG", "ReplaceDefs": [
   {"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-Torture: {$SIP.RemoteIP} user={$ruri-user} from={$from-host}"},
   {"ReplaceType": "FINDSUB_LINES", "Header": "c=", "HeaderAttr": "BODY_SECTION_ONLY", "RegEx1": "IP4 [0-9.]+", "Output": "IP4 10.231.0.9"},
   {"ReplaceType": "DELETE_LINES", "Header": "Record-Route"},
   {"ReplaceType": "APPEND_LINES", "Header": "Contact", "Macro": "GETURI_HOST", "RegEx1": "^[a-z]", "Output": ".invalid"}]},
 {"Comment": "registrations stop here", "MsgType": "REQUEST", "ReqMethod": "REGISTER", "Action": "DROP_MSG"},
 {"Comment": "answers with a To user get a mark", "MsgType": "RESPONSE", "RspCodeList": "1XX,2XX,4XX",
  "Conditions": [{"Header": "To", "Macro": "GETURI_USERNAME", "Operator": "NEQ", "RightOperand": ""}],
  "Action": "REPLACE_MSG", "ReplaceDefs": [
   {"ReplaceType": "REWRITE_LINE", "Header": "Server", "Output": "Server: smc"},
   {"ReplaceType": "ADD_LINE", "Header": "TOPLINE", "Output": "X-Torture: response {$SIP.RemoteIP}"}]}
]}`
