// Package torture reads the SIP material other people wrote to break parsers, from the shared
// corpus (../shared/corpus, see its SOURCES.md): the RFC 4475 and RFC 5118 torture messages, the
// PROTOS c07-sip test cases, and the SIP datagrams of real captures. The tests of smcc and smcd
// run all of it through the engine (issue 7). The files are read in place and never copied into
// the project: several carry licences we do not ship.
package torture
