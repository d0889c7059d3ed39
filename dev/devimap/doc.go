// Package devimap is a development IMAP server built on go-imap v2's
// imapserver and imapmemserver: implicit TLS on a certificate from the
// development CA (devsmtp.CA), the development accounts with LOGIN,
// AUTHENTICATE PLAIN and XOAUTH2, mailboxes in memory. It stands in for
// imap.gmail.com:993 in tests and `make run`: tests append notifications
// to an account's INBOX, renumber the INBOX (a new UIDVALIDITY), and read
// what the client did (AUTH attempts, round trips, bytes received before
// TLS).
//
// It is not a mail store: nothing is persisted.
package devimap
