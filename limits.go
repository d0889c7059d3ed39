package gmailsend

import "unicode/utf8"

// Length limits on the fields that become message headers. They are
// checked in Validate, so an oversized field is refused with
// invalid_request naming it before anything is built or sent, instead of
// being built, uploaded and refused by the server. Lengths are in octets of
// the UTF-8 text as given, before any RFC 2047 encoding.
const (
	// maxSubjectLength is RFC 5322's limit on a line (998 octets, section
	// 2.1.1), which is also Gmail's limit on the Subject header (998
	// characters after the colon; Google Workspace Admin Help, "Gmail
	// message header limits"). Gmail counts the header as written, so a
	// non-ASCII subject near this size may still be refused there: RFC 2047
	// encoding makes it longer.
	maxSubjectLength = 998

	// maxDisplayNameLength bounds fromUsername and each display name in an
	// address list: RFC 2047 encoding can make a Hangul name 3.5 times
	// longer, and 200 octets keep the encoded name and a 254-octet address
	// within one 998-octet line.
	maxDisplayNameLength = 200

	// maxAddressEntryLength bounds one raw entry of an address list ("Name
	// <user@example.com>") before it is parsed: one RFC 5322 line. The
	// address inside is held to RFC 5321 (maxAddressLength and the 64-octet
	// local part, in address.go) and the name to maxDisplayNameLength.
	maxAddressEntryLength = 998

	// maxContentTypeLength bounds an attachment's contentType, which is
	// written as one header line.
	maxContentTypeLength = 998

	// maxFilenameLength is what common file systems allow in one name
	// (255 octets); RFC 2231 continuations carry a longer encoded name
	// across header lines.
	maxFilenameLength = 255
)

// tooLong returns an invalid_request error naming field when value is
// longer than max octets, or nil.
func tooLong(field, what, value string, max int) *Error {
	if len(value) <= max {
		return nil
	}
	return Invalid(field, "%s is %d bytes (%d characters); at most %d bytes are allowed",
		what, len(value), utf8.RuneCountInString(value), max)
}
