// Package devsmtp is a development SMTP submission server built on
// github.com/emersion/go-smtp: STARTTLS with a locally generated CA, AUTH
// PLAIN, LOGIN and XOAUTH2, messages kept in memory and optionally saved as
// .eml files. It stands in for smtp.gmail.com in tests, `make run` and the
// benchmarks, so it also counts connections, commands and round trips, can
// delay each reply by a simulated network round trip, and can refuse or
// drop at chosen points.
//
// Like smtp.gmail.com it offers PIPELINING and CHUNKING: go-smtp (v0.25)
// advertises both and implements BDAT itself, so the one-flight BDAT path
// of package smtp is what tests, `make run` and `make bench` exercise.
//
// It is not a mail server: it delivers nothing anywhere.
package devsmtp
