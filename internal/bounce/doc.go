// Package bounce turns delivery status notifications (RFC 3464 bounces,
// such as Gmail's "Delivery Status Notification (Failure)" from
// mailer-daemon@googlemail.com or Postfix's "Undelivered Mail Returned to
// Sender") into what they say about each recipient of a message this
// function sent: bounced, delayed, and whether the address itself is dead
// and should be suppressed.
//
// A notification is untrusted mail. Parsing (package enmimedsn, given to
// Reader as Parse) is bounded in size (MaxBytes), never panics on
// malformed input (a fuzz target keeps it so), and keeps only codes, ids,
// the recipient and a cleaned diagnostic with addresses removed: nothing
// of the explanation text or the returned message's body is kept. Only a
// notification from a configured daemon (Notification.Trusted) is
// applied, and then only to the entries of the message's own recipients
// (Event.Admit): anyone can forge the first, nobody can forge the second
// for an address the message was not sent to.
//
// The package knows nothing of IMAP, MIME or of where records live: the
// reading run (Reader) talks to a mailbox, a parser and a record store
// through small interfaces that adapters implement. So the send function,
// which uses only the suppression list, links none of them. A record's
// change is decided here (Event.Admit, with gmailsend.BounceStatus) and
// settled through gmailsend.Settle by Apply, so the status sink hears of it as
// of every other change; the table adapter only reads and writes.
package bounce
