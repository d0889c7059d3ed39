// Package gomailmime builds the MIME message for a validated gmailsend.Mail with
// gomail: headers (RFC 2047 for non-ASCII names and subjects), the
// multipart/alternative text and HTML parts, and attachments.
//
// gomail does the MIME encoding well; this package covers its gaps. It never
// hands gomail an unvalidated address (SetAddressHeader writes the address
// raw), writes attachment headers itself so non-ASCII file names are encoded
// per RFC 2231 instead of written as raw 8-bit bytes, and relies on gomail
// leaving Bcc out of the headers while keeping it in the envelope.
package gomailmime
