// Package enmimedsn reads delivery status notifications (RFC 3464) with
// enmime and its dsn package: per recipient Final-Recipient, Action,
// Status and Diagnostic-Code, and the returned original's Message-ID, as a
// bounce.Notification.
//
// It is apart from package bounce so that only the bounce reader links
// enmime (and through it html2text, chardet and the x/text encodings): the
// send function uses bounce's suppression list and pays nothing at start
// for a MIME parser it never calls.
package enmimedsn
