// Package imapmail reads a mailbox over IMAP (github.com/emersion/go-imap/v2):
// the bounce reader's way into the sending account's inbox at
// imap.gmail.com:993.
//
// It connects with implicit TLS only and verifies the certificate, so a
// password or token is never written to a connection that is not
// encrypted; it authenticates with LOGIN (app password) or SASL XOAUTH2
// (access token), selects INBOX, searches with standard criteria (go-imap
// cannot send Gmail's X-GM-RAW), fetches bounded prefixes of messages
// without marking them seen, and optionally moves them to a folder. Every
// step is bounded by the caller's context.
//
// It deliberately does not STARTTLS on port 143, does not IDLE, and never
// changes flags or deletes anything.
package imapmail
