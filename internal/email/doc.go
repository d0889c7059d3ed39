// Package email is the domain of gmailsend: the send request as callers write
// it, its validation into a Mail ready to build, and the one error type with
// stable codes that every other package reports through.
//
// It deliberately imports no AWS, Lambda or SMTP code, so the rules a caller
// can rely on (which fields exist, what makes an address valid, which code a
// failure gets, whether it may pass) can be read and tested here alone. What
// a code becomes for a transport (an HTTP status, a queue's redelivery) is
// decided by that transport's adapter (lambdahandler's codes.go), not here.
package email
